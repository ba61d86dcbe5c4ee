"""One FilterSet per model: the web lists and the REST API filter with exactly these.

Every filter is a query-string parameter (`?country=UZ&industry=20&min_free_electricity=5`),
so a filtered list is a shareable URL and the same URL parameters work on /api/v1/.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from technopark.core.permissions import Action, restrict
from technopark.geo.models import Country, Region
from technopark.parks.choices import (
    OrganizationKind,
    ParkKind,
    ParkStage,
    SiteKind,
    SiteStatus,
    Tenure,
    Utility,
)
from technopark.parks.models import Organization, Park, ParkUtility, Resident, Site

isic_prefix = RegexValidator(
    r"^(?:[A-U]|\d{1,4})$",
    _("Give an ISIC Rev.4 section letter (A–U) or the first 1–4 digits of a code."),
)


def localized_name(obj: Any) -> str:
    """A country's, region's or organization's name in the active language, where the data has it."""
    language = (get_language() or "en")[:2]
    return getattr(obj, f"name_{language}", "") or obj.name


def at_least(field: str, label: Any) -> filters.NumberFilter:
    """Rows whose `field` is at least the given non-negative number (unknown values drop out)."""
    return filters.NumberFilter(
        label=label, field_name=field, lookup_expr="gte", min_value=Decimal(0)
    )


def at_most(field: str, label: Any) -> filters.NumberFilter:
    """Rows whose `field` is at most the given non-negative number (unknown values drop out)."""
    return filters.NumberFilter(
        label=label, field_name=field, lookup_expr="lte", min_value=Decimal(0)
    )


TRUE_WORDS = frozenset({"true", "1", "on", "yes"})
FALSE_WORDS = frozenset({"false", "0", "off", "no"})


def yes_or_no(value: Any) -> bool | None:
    """A yes/no parameter's value: True, False, or None for absent or empty (no filter).

    `true`/`false` as in the API's OpenAPI document; `on` is what a checked checkbox sends,
    `unknown` what the select's empty choice sends. Anything else is a ValueError.
    """
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "unknown"):
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


class YesOrNoField(forms.NullBooleanField):
    """A yes/no filter that refuses what is neither (Django's reads `?available=null` as no
    filter, or, behind a checkbox, as yes)."""

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # None: no filter
        try:
            return yes_or_no(value)
        except ValueError:
            raise ValidationError(
                _("Give true or false, not %(value)s."), code="invalid", params={"value": value}
            ) from None


class _RawValue:
    """Hands the field the parameter as sent, for YesOrNoField to judge."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


def _checked(value: Any) -> bool:
    try:
        return yes_or_no(value) is True
    except ValueError:
        return False


class YesOrNoCheckbox(_RawValue, forms.CheckboxInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=_checked)


class YesOrNoSelect(_RawValue, forms.NullBooleanSelect):
    def format_value(self, value: Any) -> str:  # type: ignore[override]  # as Django's
        try:
            value = yes_or_no(value)
        except ValueError:
            value = None
        return super().format_value(value)


class YesOrNoFilter(filters.BooleanFilter):
    """BooleanFilter with YesOrNoField: a value other than true/false is a 400 in the API and
    a form error on the page, naming the parameter."""

    field_class = YesOrNoField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", YesOrNoSelect)
        super().__init__(*args, **kwargs)


class LocalizedNamesMixin:
    """Choices of countries, regions and organizations are labelled in the active language."""

    form: Any

    def localize_choice_labels(self) -> None:
        self.form.label_suffix = ""
        for field in self.form.fields.values():
            if hasattr(field, "label_from_instance"):
                field.label_from_instance = localized_name


# The multiple-choice filters below test a column of the row or of a row it points to (a
# foreign key, never a reverse relation), so they cannot repeat rows: `distinct=False` spares
# every filtered list and its count a DISTINCT over all selected columns.


def _search(queryset: QuerySet[Any], fields: list[str], value: str) -> QuerySet[Any]:
    """Every word must appear in one of `fields` (case-insensitive)."""
    for word in value.split()[:8]:
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(q)
    return queryset


def _industry(queryset: QuerySet[Any], path: str, value: str) -> QuerySet[Any]:
    """Rows whose ISIC list has a code starting with `value`.

    The list is stored as JSON text (["20", "2011"]) on SQLite and PostgreSQL alike, so a
    quote followed by the prefix finds a code that starts with it, on both databases.
    """
    annotation = f"_industries_text_{path.replace('__', '_')}"
    return queryset.annotate(**{annotation: Cast(path, TextField())}).filter(
        **{f"{annotation}__contains": f'"{value}'}
    )


class ParkFilterSet(LocalizedNamesMixin, filters.FilterSet):
    """Filters of the park list (home page, /api/v1/parks, park export)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.localize_choice_labels()

    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Words in the name, locality or specialisation."),
    )
    country = filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    region = filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all())
    kind = filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Kind"),
        choices=ParkKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    stage = filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Stage"),
        choices=ParkStage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    industry = filters.CharFilter(
        label=_("Industry (ISIC)"),
        method="filter_industry",
        validators=[isic_prefix],
        help_text=_("An ISIC Rev.4 code or its first digits, e.g. 27 or 2710."),
    )
    operator = filters.ModelChoiceFilter(label=_("Operator"), queryset=Organization.objects.all())
    min_free_area = at_least("area_free_ha", _("Free area at least, ha"))
    min_free_electricity = filters.NumberFilter(
        label=_("Free electricity at least, MW"),
        method="filter_free_utility",
        min_value=Decimal(0),
    )
    min_free_gas = filters.NumberFilter(
        label=_("Free gas at least, m³/h"), method="filter_free_utility", min_value=Decimal(0)
    )
    min_free_water = filters.NumberFilter(
        label=_("Free water at least, m³/day"),
        method="filter_free_utility",
        min_value=Decimal(0),
    )
    available_sites = YesOrNoFilter(
        label=_("Only parks with available sites"),
        method="filter_available_sites",
        widget=YesOrNoCheckbox,
    )
    ordering = filters.OrderingFilter(
        label=_("Order by"),
        fields=(
            ("name", "name"),
            ("established", "established"),
            ("area_total_ha", "area_total_ha"),
            ("area_free_ha", "area_free_ha"),
            ("as_of", "as_of"),
            ("updated", "updated"),
        ),
        field_labels={
            "name": _("Name"),
            "established": _("Established"),
            "area_total_ha": _("Total area"),
            "area_free_ha": _("Free area"),
            "as_of": _("Data as of"),
            "updated": _("Last change"),
        },
    )

    UTILITY_OF_FILTER = {
        "min_free_electricity": Utility.ELECTRICITY,
        "min_free_gas": Utility.GAS,
        "min_free_water": Utility.WATER,
    }

    class Meta:
        model = Park
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Park], name: str, value: str) -> QuerySet[Park]:
        return _search(
            queryset,
            ["name", "name_ru", "name_uz", "park_id", "locality", "specialization"],
            value,
        )

    def filter_industry(self, queryset: QuerySet[Park], name: str, value: str) -> QuerySet[Park]:
        return _industry(queryset, "industries", value)

    def filter_free_utility(
        self, queryset: QuerySet[Park], name: str, value: Decimal
    ) -> QuerySet[Park]:
        if value is None:
            return queryset
        utilities = ParkUtility.objects.filter(
            park=OuterRef("pk"), utility=self.UTILITY_OF_FILTER[name], free_capacity__gte=value
        )
        return queryset.filter(Exists(utilities))

    def filter_available_sites(
        self, queryset: QuerySet[Park], name: str, value: bool | None
    ) -> QuerySet[Park]:
        if not value:
            return queryset
        sites = Site.objects.filter(park=OuterRef("pk"), status=SiteStatus.AVAILABLE)
        return queryset.filter(Exists(sites))


class VisibleParksMixin:
    """The `park` filter offers only the parks the requesting user may see."""

    filters: dict[str, Any]
    request: Any

    def restrict_park_choices(self) -> None:
        user = getattr(self.request, "user", None)
        self.filters["park"].queryset = restrict(Park.objects.all(), user, Action.VIEW)


class SiteFilterSet(VisibleParksMixin, LocalizedNamesMixin, filters.FilterSet):
    """Filters of site lists (park page, comparison picker, /api/v1/sites, site export)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.restrict_park_choices()
        self.localize_choice_labels()

    q = filters.CharFilter(label=_("Search"), method="filter_q")
    park = filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=_("Park"),
        field_name="park__park_id",
        queryset=Park.objects.all(),
        to_field_name="park_id",
    )
    country = filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=_("Country"),
        field_name="park__country",
        queryset=Country.objects.all(),
        to_field_name="code",
    )
    region = filters.ModelChoiceFilter(
        label=_("Region"), field_name="park__region", queryset=Region.objects.all()
    )
    industry = filters.CharFilter(
        label=_("Park industry (ISIC)"), method="filter_industry", validators=[isic_prefix]
    )
    kind = filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Kind"),
        choices=SiteKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    status = filters.MultipleChoiceFilter(
        distinct=False,
        label=_("Status"),
        choices=SiteStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tenure = filters.MultipleChoiceFilter(distinct=False, label=_("Tenure"), choices=Tenure.choices)
    min_area_ha = at_least("area_ha", _("Land area at least, ha"))
    max_area_ha = at_most("area_ha", _("Land area at most, ha"))
    min_area_m2 = at_least("area_m2", _("Floor area at least, m²"))
    min_electricity = at_least("electricity_mw", _("Electricity at least, MW"))
    min_gas = at_least("gas_m3h", _("Gas at least, m³/h"))
    min_water = at_least("water_m3d", _("Water at least, m³/day"))
    rail_siding = YesOrNoFilter(label=_("Rail siding"))
    available = YesOrNoFilter(
        label=_("Only available sites"), method="filter_available", widget=YesOrNoCheckbox
    )
    ordering = filters.OrderingFilter(
        label=_("Order by"),
        fields=(
            ("site_id", "site_id"),
            ("name", "name"),
            ("area_ha", "area_ha"),
            ("area_m2", "area_m2"),
            ("sale_price", "sale_price"),
            ("lease_per_year", "lease_per_year"),
            ("electricity_mw", "electricity_mw"),
            ("status", "status"),
            ("updated", "updated"),
        ),
        field_labels={
            "site_id": _("Site id"),
            "name": _("Name"),
            "area_ha": _("Land area"),
            "area_m2": _("Floor area"),
            "sale_price": _("Sale price"),
            "lease_per_year": _("Lease per year"),
            "electricity_mw": _("Electricity"),
            "status": _("Status"),
            "updated": _("Last change"),
        },
    )

    class Meta:
        model = Site
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return _search(queryset, ["site_id", "name", "notes", "park__name"], value)

    def filter_industry(self, queryset: QuerySet[Site], name: str, value: str) -> QuerySet[Site]:
        return _industry(queryset, "park__industries", value)

    def filter_available(
        self, queryset: QuerySet[Site], name: str, value: bool | None
    ) -> QuerySet[Site]:
        return queryset.filter(status=SiteStatus.AVAILABLE) if value else queryset


class OrganizationFilterSet(filters.FilterSet):
    """Filters of /api/v1/organizations."""

    q = filters.CharFilter(label=_("Search"), method="filter_q")
    kind = filters.MultipleChoiceFilter(
        distinct=False, label=_("Kind"), choices=OrganizationKind.choices
    )
    country = filters.ModelMultipleChoiceFilter(
        distinct=False, label=_("Country"), queryset=Country.objects.all(), to_field_name="code"
    )
    ordering = filters.OrderingFilter(
        label=_("Order by"), fields=(("name", "name"), ("updated", "updated"))
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_q(
        self, queryset: QuerySet[Organization], name: str, value: str
    ) -> QuerySet[Organization]:
        return _search(queryset, ["name", "name_ru", "name_uz", "tax_id"], value)


class ResidentFilterSet(VisibleParksMixin, filters.FilterSet):
    """Filters of residents (park page, /api/v1/residents)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.restrict_park_choices()

    q = filters.CharFilter(label=_("Search"), method="filter_q")
    park = filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=_("Park"),
        field_name="park__park_id",
        queryset=Park.objects.all(),
        to_field_name="park_id",
    )
    organization = filters.ModelChoiceFilter(
        label=_("Company"), queryset=Organization.objects.all()
    )
    country = filters.ModelMultipleChoiceFilter(
        distinct=False,
        label=_("Country"),
        field_name="park__country",
        queryset=Country.objects.all(),
        to_field_name="code",
    )
    current = YesOrNoFilter(label=_("Only current residents"), method="filter_current")
    ordering = filters.OrderingFilter(
        label=_("Order by"),
        fields=(("since", "since"), ("until", "until"), ("updated", "updated")),
    )

    class Meta:
        model = Resident
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Resident], name: str, value: str) -> QuerySet[Resident]:
        return _search(queryset, ["organization__name", "activity"], value)

    def filter_current(
        self, queryset: QuerySet[Resident], name: str, value: bool | None
    ) -> QuerySet[Resident]:
        if value is None:
            return queryset
        today = timezone.localdate()
        current = Q(until__isnull=True) | Q(until__gte=today)
        return queryset.filter(current) if value else queryset.exclude(current)
