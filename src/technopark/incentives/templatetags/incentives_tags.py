"""Template filters of the incentives pages: labels for taxes and benefit forms, act links."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TAXES = {
    "profit": _("Profit tax"),
    "property": _("Property tax"),
    "land": _("Land tax"),
    "water": _("Water tax"),
    "social": _("Social tax"),
    "customs": _("Customs duties"),
    "vat": _("VAT"),
    "transport": _("Transport tax"),
}
FORMS = {
    "exemption": _("exemption"),
    "reduced_rate": _("reduced rate"),
    "percentage_reduction": _("reduction"),
    "customs_exemption": _("exemption"),
}
_URL = re.compile(r"^https?://[^\s<>\"']+")


@register.filter
def tax_label(tax: str) -> Any:
    """'profit' → 'Profit tax' (translated)."""
    return TAXES.get(tax, tax)


@register.filter
def form_label(form: str) -> Any:
    """'reduced_rate' → 'reduced rate' (translated)."""
    return FORMS.get(form, form.replace("_", " "))


@register.filter
def act_href(url: str | None) -> str:
    """The link of a legal act: its URL when the data holds a real one, else ''.

    The data sometimes adds a remark after the address ("https://x.uz (secondary summary)"),
    or names a site without a scheme; only an http(s) address is linked.
    """
    m = _URL.match((url or "").strip())
    return m.group(0) if m else ""


@register.filter
def money(value: float | None) -> str:
    """Whole units with thousands separators (the currency is shown beside it)."""
    if value is None:
        return "—"
    return f"{value:,.0f}".replace(",", "\u202f")


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.4g}\u202f%"
