"""The "Find a site" form: an investor's needs, step by step, as a requirements document.

The form only collects figures; :meth:`FindSiteForm.requirements_document` turns them into the
document of docs/site-finder.md (with the investment project inline) and the view passes it to
the same parser and engine as the CLI and the API.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from technopark.core.forms import HazardClassField, IsicCodeField
from technopark.parks.choices import ParkKind
from technopark.siting.requirements import SCORE_KEYS, TRANSPORT_KINDS

ZERO = Decimal(0)
CURRENCIES = [("USD", "USD"), ("UZS", "UZS"), ("RUB", "RUB"), ("EUR", "EUR")]
COUNTRIES = [("UZ", _("Uzbekistan")), ("RU", _("Russia"))]
WEIGHT_LABELS = {
    "cost": _("Low location cost"),
    "infrastructure": _("Spare utility capacity"),
    "logistics": _("Short distances to transport"),
    "labour": _("Wage data for the region"),
    "cluster_fit": _("A park specialised in my industry"),
    "freshness": _("Recent data"),
}
DISTANCE_LABELS = {
    "airport": _("Airport, at most km"),
    "rail": _("Railway station, at most km"),
    "port": _("Seaport, at most km"),
    "highway": _("Highway, at most km"),
    "border": _("Border crossing, at most km"),
}
#: The form's steps: (title, fields), in the order the page shows them.
STEPS: list[tuple[Any, list[str]]] = [
    (_("What you make"), ["industry", "hazard_class", "countries", "park_kinds"]),
    (_("Land or floor space"), ["site_kind", "area_unit", "area_min", "area_max", "tenure"]),
    (_("Power, gas and water"), ["electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d"]),
    (_("Logistics"), [*(f"max_{k}_km" for k in TRANSPORT_KINDS), "rail_siding"]),
    (_("People"), ["jobs"]),
    (
        _("Money"),
        [
            "currency",
            "capex",
            "revenue",
            "opex",
            "max_sale_price",
            "max_lease_per_year",
            "start_year",
            "discount_rate",
        ],
    ),
    (_("What matters most"), [f"weight_{k}" for k in SCORE_KEYS] + ["top"]),
]


def _number(label: Any, help_text: Any = "", **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=ZERO,
        max_digits=20,
        decimal_places=4,
        **kwargs,
    )


class FindSiteForm(forms.Form):
    """What a project needs from a site; every field but the industry may stay empty."""

    industry = IsicCodeField(section_prefix=True)
    hazard_class = HazardClassField()
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        choices=COUNTRIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every country."),
    )
    park_kinds = forms.MultipleChoiceField(
        label=_("Kinds of park"),
        choices=ParkKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )
    site_kind = forms.ChoiceField(
        label=_("Kind of site"),
        choices=[("any", _("Any")), ("plot", _("Land plot")), ("premises", _("Premises"))],
        initial="any",
    )
    area_unit = forms.ChoiceField(
        label=_("Area unit"), choices=[("ha", _("hectares")), ("m2", _("square metres"))]
    )
    area_min = _number(_("Area at least"))
    area_max = _number(_("Area at most"))
    tenure = forms.ChoiceField(
        label=_("Buy or lease"),
        choices=[("any", _("Either")), ("sale", _("Buy")), ("lease", _("Lease"))],
        initial="any",
    )
    electricity_mw = _number(_("Power, MW"), _("Free capacity the site must have."))
    gas_m3h = _number(_("Gas, m³/h"))
    water_m3d = _number(_("Water, m³/day"))
    wastewater_m3d = _number(_("Wastewater, m³/day"))
    max_airport_km = _number(DISTANCE_LABELS["airport"])
    max_rail_km = _number(DISTANCE_LABELS["rail"])
    max_port_km = _number(DISTANCE_LABELS["port"])
    max_highway_km = _number(DISTANCE_LABELS["highway"])
    max_border_km = _number(DISTANCE_LABELS["border"])
    rail_siding = forms.BooleanField(label=_("A rail siding on the site"), required=False)
    jobs = forms.IntegerField(
        label=_("Jobs"),
        min_value=0,
        max_value=1_000_000,
        initial=50,
        help_text=_(
            "People employed at full production; their wages and social charges are costed at the region's average wage."
        ),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    capex = _number(
        _("Investment"), _("Buildings and equipment, excluding VAT."), initial=1_000_000
    )
    revenue = _number(_("Yearly revenue at full production"), initial=2_000_000)
    opex = _number(
        _("Yearly operating costs"),
        _("Excluding wages, taxes and depreciation."),
        initial=1_200_000,
    )
    max_sale_price = _number(_("Highest price to buy the site"))
    max_lease_per_year = _number(_("Highest lease a year"))
    start_year = forms.IntegerField(label=_("First year"), min_value=1990, max_value=2100)
    discount_rate = forms.DecimalField(
        label=_("Discount rate, %"),
        min_value=ZERO,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=Decimal(12),
    )
    weight_cost = forms.IntegerField(
        label=WEIGHT_LABELS["cost"], min_value=0, max_value=10, initial=5
    )
    weight_infrastructure = forms.IntegerField(
        label=WEIGHT_LABELS["infrastructure"], min_value=0, max_value=10, initial=3
    )
    weight_logistics = forms.IntegerField(
        label=WEIGHT_LABELS["logistics"], min_value=0, max_value=10, initial=3
    )
    weight_labour = forms.IntegerField(
        label=WEIGHT_LABELS["labour"], min_value=0, max_value=10, initial=1
    )
    weight_cluster_fit = forms.IntegerField(
        label=WEIGHT_LABELS["cluster_fit"], min_value=0, max_value=10, initial=2
    )
    weight_freshness = forms.IntegerField(
        label=WEIGHT_LABELS["freshness"], min_value=0, max_value=10, initial=1
    )
    top = forms.TypedChoiceField(
        label=_("Results to show"),
        coerce=int,
        choices=[(10, "10"), (20, "20"), (50, "50")],
        initial=10,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["start_year"].initial = dt.date.today().year
        for key in SCORE_KEYS:
            self.fields[f"weight_{key}"].widget = forms.NumberInput(
                attrs={"type": "range", "min": 0, "max": 10, "step": 1}
            )

    def steps(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in STEPS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("area_min"), data.get("area_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("area_max", _("The largest area must not be below the smallest."))
        if all(not data.get(f"weight_{k}") for k in SCORE_KEYS if f"weight_{k}" in data):
            self.add_error(None, _("Give at least one thing that matters a weight above zero."))
        return data

    def requirements_document(self) -> dict[str, Any]:
        """The requirements document (docs/site-finder.md) with the project inline."""
        d = self.cleaned_data
        doc: dict[str, Any] = {"industry": d["industry"], "hazard_class": d["hazard_class"]}
        if d.get("countries"):
            doc["countries"] = list(d["countries"])
        if d.get("park_kinds"):
            doc["park_kinds"] = list(d["park_kinds"])
        doc["site_kind"] = d["site_kind"]
        doc["tenure"] = d["tenure"]
        unit = d["area_unit"]
        for side in ("min", "max"):
            if d.get(f"area_{side}") is not None:
                doc[f"area_{unit}_{side}"] = float(d[f"area_{side}"])
        for key in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d"):
            if d.get(key) is not None:
                doc[key] = float(d[key])
        distances = {
            k: float(d[f"max_{k}_km"]) for k in TRANSPORT_KINDS if d.get(f"max_{k}_km") is not None
        }
        if distances:
            doc["max_distance_km"] = distances
        if d.get("rail_siding"):
            doc["rail_siding"] = True
        budget = {
            k: float(d[k]) for k in ("max_sale_price", "max_lease_per_year") if d.get(k) is not None
        }
        if budget:
            doc["budget"] = {**budget, "currency": d["currency"]}
        doc["weights"] = {k: int(d[f"weight_{k}"] or 0) for k in SCORE_KEYS}
        doc["top"] = int(d["top"])
        doc["currency"] = d["currency"]
        doc["project"] = self._project(d)
        return doc

    @staticmethod
    def _project(d: dict[str, Any]) -> dict[str, Any]:
        start = int(d["start_year"])
        horizon = 10
        years = range(start, start + horizon)
        area_ha = 1.0
        if d.get("area_min") is not None:
            area_ha = float(d["area_min"]) / (1 if d["area_unit"] == "ha" else 10_000)
        utilities = {
            k: float(d[k])
            for k in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d")
            if d.get(k) is not None
        }
        project: dict[str, Any] = {
            "schema_version": 1,
            "name": "Site finder project",
            "currency": d["currency"],
            # the project document needs a country; the engine taxes each site at its park's
            # country's rates whatever this says
            "country": (d.get("countries") or ["UZ"])[0],
            "start_year": start,
            "horizon_years": horizon,
            "discount_rate": float(Decimal(d["discount_rate"]) / 100),
            "industry": d["industry"],
            "hazard_class": int(d["hazard_class"]),
            "residency_start": f"{start}-01-01",
            "commissioning_year": start,
            "capex": [{"year": start, "amount": float(d.get("capex") or 0), "asset": "buildings"}],
            "revenue": [{"year": y, "amount": float(d.get("revenue") or 0)} for y in years],
            "opex": [{"year": y, "amount": float(d.get("opex") or 0)} for y in years],
            "jobs": [{"year": y, "count": int(d.get("jobs") or 0)} for y in years],
            "land_area_ha": area_ha,
        }
        if utilities:
            project["utilities"] = utilities
        return project


class SaveSearchForm(forms.Form):
    """A name for the search being saved."""

    name = forms.CharField(label=_("Name of this search"), max_length=200)
    document = forms.CharField(widget=forms.HiddenInput)


class ChosenSitesForm(forms.Form):
    """The requirements of the results shown and the sites chosen among them."""

    document = forms.CharField(widget=forms.HiddenInput)
    site = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # site ids are free text here; the match decides which exist and are visible
        self.fields["site"].valid_value = lambda value: True  # type: ignore[attr-defined]
