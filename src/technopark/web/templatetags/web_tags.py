"""Template helpers of the web pages: localized numbers, query strings, freshness, ISIC titles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import get_language

from technopark.core.choices import DatePrecision
from technopark.parks.filtersets import localized_name
from technopark.web.isic import isic_title as _isic_title

register = template.Library()


@register.filter
def number(value: Any, places: int = 2) -> str:
    """A number in the active language's format, grouped, without needless trailing zeros."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral() else value
        exponent = value.as_tuple().exponent
        decimals = min(max(-int(exponent), 0), int(places)) if isinstance(exponent, int) else 0
        value = round(value, decimals)
    elif isinstance(value, float):
        decimals = int(places)
        value = round(value, decimals)
        if value == int(value):
            decimals = 0
    else:
        decimals = 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def money(value: Any, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    return f"{number(value, 2)} {currency}".strip()


@register.filter
def isic_title(code: str) -> str:
    return _isic_title(code)


@register.filter
def attr(obj: Any, name: str) -> Any:
    return getattr(obj, name, None)


@register.filter
def display(obj: Any, name: str) -> Any:
    """A field's choice label when it has choices, else its value."""
    method = getattr(obj, f"get_{name}_display", None)
    return method() if callable(method) else getattr(obj, name, None)


@register.filter
def verbose_name(obj: Any, name: str) -> str:
    return str(obj._meta.get_field(name).verbose_name)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one); page reset."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def as_of_local(obj: Any) -> str:
    """A fact's as-of date written for the active language, with its source's precision:
    2024; December 2024, декабрь 2024 г.; Dec. 18, 2024, 18 декабря 2024 г. (Django's
    YEAR_MONTH_FORMAT and DATE_FORMAT of the language). The API and the exports keep the
    ISO form (as_of_display)."""
    value = _field(obj, "as_of")
    if value is None:
        return ""
    precision = _field(obj, "as_of_precision", DatePrecision.DAY)
    if precision == DatePrecision.YEAR:
        return str(value.year)
    month = precision == DatePrecision.MONTH
    text = formats.date_format(value, "YEAR_MONTH_FORMAT" if month else "DATE_FORMAT")
    # Russian and Uzbek write a month's name in lower case (Django's formats capitalise the
    # Russian nominative and every Uzbek month: "Декабрь 2024 г.", "18-Dekabr, 2024-yil").
    language = (get_language() or "")[:2]
    if language == "uz":
        return text.lower()
    if language == "ru" and month:
        return text[:1].lower() + text[1:]
    return text


def _field(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a model instance or of a `.values()` row."""
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


@register.inclusion_tag("web/_freshness.html")
def freshness(obj: Any, show_source: bool = True) -> dict[str, Any]:
    """Where a fact comes from, as of when, and whether it is stale."""
    sources = [s.strip() for s in (obj.source or "").split(" | ") if s.strip()]
    return {
        "as_of": as_of_local(obj),
        "age_days": obj.age_days,
        "stale": obj.is_stale,
        "sources": sources if show_source else [],
    }


@register.filter
def is_url(text: str) -> bool:
    return isinstance(text, str) and text.startswith(("http://", "https://"))


@register.filter
def local_name(obj: Any) -> str:
    """A country's, region's or organization's name in the active language."""
    if obj is None:
        return ""
    return localized_name(obj)
