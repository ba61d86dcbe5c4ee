"""The calculator's short form, and the one function that turns it into a project document.

The form asks only for a project's main figures; `project_document` spreads them over the years
(capex evenly over its years from the start year; revenue, operating costs and jobs at full
production from the commissioning year) and the result is validated by `parse_project`, the
same parser as every other entry point. Its errors are put back next to the fields they concern
(`add_project_errors`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from technopark.core.forms import HazardClassField, IsicCodeField
from technopark.core.project import ProjectError
from technopark.incentives.loader import Regime
from technopark.parks.models import Park

#: Currencies the FX data knows (core/data/fx.csv); others would leave taxes unknown.
CURRENCIES = (("USD", "USD"), ("RUB", "RUB"), ("UZS", "UZS"))
COUNTRY_CURRENCY = {"RU": "RUB", "UZ": "UZS"}
ACTIVITY_PREFIX = "activity_"
ZERO = Decimal(0)
PERCENT = [MinValueValidator(ZERO), MaxValueValidator(Decimal(100))]


def _money(label: Any, help_text: Any = "", required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=ZERO,
        max_digits=20,
        decimal_places=2,
    )


def activity_conditions(regimes: Iterable[Regime]) -> dict[str, str]:
    """Activity keys (and their labels) whose revenue share some regime or benefit tests."""
    found: dict[str, str] = {}
    for regime in regimes:
        conditions = [regime.eligibility] + [b.conditions for b in regime.benefits if b.conditions]
        for c in conditions:
            if c.min_activity_share is not None:
                activity, _share, label = c.min_activity_share
                found.setdefault(activity, label or activity.replace("_", " "))
    return found


class CalculatorForm(forms.Form):
    """A project's main figures; amounts in the chosen currency, excluding VAT."""

    name = forms.CharField(label=_("Project name"), max_length=200, initial=_("My project"))
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    start_year = forms.IntegerField(
        label=_("First year"), min_value=1990, max_value=2100, help_text=_("First year modelled.")
    )
    horizon_years = forms.IntegerField(
        label=_("Years modelled"), min_value=1, max_value=50, initial=10
    )
    discount_rate = forms.DecimalField(
        label=_("Discount rate, %"),
        min_value=ZERO,
        max_value=Decimal("99.99"),
        decimal_places=2,
        initial=Decimal(12),
        help_text=_("Used for the present value of the savings."),
    )
    industry = IsicCodeField()
    hazard_class = HazardClassField()
    residency_start = forms.DateField(
        label=_("Residency start"),
        # an <input type=date> takes ISO dates only, whatever the page's language
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Date of the resident certificate or registration."),
    )
    commissioning_year = forms.IntegerField(
        label=_("Commissioning year"), min_value=1990, max_value=2100
    )
    capex_buildings = _money(_("Investment in buildings"), _("Total, excluding VAT."))
    capex_buildings_years = forms.IntegerField(
        label=_("…spread over years"), min_value=1, max_value=50, initial=1
    )
    capex_equipment = _money(_("Investment in equipment"), _("Total, excluding VAT."))
    capex_equipment_years = forms.IntegerField(
        label=_("…spread over years"), min_value=1, max_value=50, initial=1
    )
    revenue = _money(_("Yearly revenue at full production"), _("From the commissioning year."))
    opex = _money(
        _("Yearly operating costs at full production"),
        _("Excluding taxes, depreciation and interest."),
    )
    jobs = forms.IntegerField(label=_("Jobs"), min_value=0, max_value=1_000_000, initial=0)
    avg_monthly_wage = _money(
        _("Average monthly wage"),
        _("Gross; leave empty if unknown (social tax is then not computed)."),
        required=False,
    )
    land_area_ha = forms.DecimalField(
        label=_("Land, ha"), min_value=ZERO, max_digits=12, decimal_places=4, initial=1
    )
    land_cadastral_value = _money(
        _("Cadastral value of the land"),
        _("The base of land tax in Russia; leave empty if unknown."),
        required=False,
    )
    land_rate_per_ha = _money(
        _("Land tax per hectare a year"),
        _("In Uzbekistan the rate depends on the location; leave empty if unknown."),
        required=False,
    )
    export_share = forms.DecimalField(
        label=_("Export share, %"),
        validators=PERCENT,
        decimal_places=2,
        initial=ZERO,
        required=False,
    )
    sme = forms.BooleanField(label=_("Small or medium enterprise"), required=False)

    def __init__(
        self, *args: Any, park: Park, activities: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.park = park
        year = dt.date.today().year
        self.fields["currency"].initial = COUNTRY_CURRENCY.get(park.country_id, "USD")
        self.fields["start_year"].initial = year
        self.fields["commissioning_year"].initial = year + 1
        self.fields["residency_start"].initial = dt.date(year, 1, 1)
        if park.industries:
            self.fields["industry"].initial = park.industries[0]
        self.activities = dict(activities or {})
        for key, label in self.activities.items():
            self.fields[ACTIVITY_PREFIX + key] = forms.DecimalField(
                label=_("Revenue share from %(activity)s, %%") % {"activity": label},
                validators=PERCENT,
                decimal_places=2,
                initial=ZERO,
                required=False,
                help_text=_("A regime of this park requires a minimum share."),
            )

    # ---- form → document -------------------------------------------------------------------

    def project_document(self) -> dict[str, Any]:
        """The project document of the cleaned data (call after `is_valid()`)."""
        return project_document(self.cleaned_data, park=self.park, activities=self.activities)

    def add_project_errors(self, exc: ProjectError) -> None:
        """Put each `$.path: message` of `exc` next to the field it concerns."""
        doc = self.project_document()
        seen: set[tuple[str | None, str]] = set()
        for line in exc.errors:
            path, sep, message = line.partition(": ")
            field = field_for_path(path, doc) if sep else None
            # capex spread over several years repeats one problem per year: say it once
            message = (
                re.sub(r", got \d{4}$", "", message) if field and "_years" in field else message
            )
            if (field, message or line) not in seen:
                seen.add((field, message or line))
                self.add_error(field, message or line)


def _spread(total: Decimal, years: int, first: int) -> list[tuple[int, float]]:
    """`total` in equal parts over `years` calendar years from `first` (the last part takes the
    rounding remainder, so the parts add up to the total exactly)."""
    if total <= 0:
        return []
    part = (total / years).quantize(Decimal("0.01"))
    parts = [part] * (years - 1) + [total - part * (years - 1)]
    return [(first + i, float(p)) for i, p in enumerate(parts)]


def project_document(
    data: Mapping[str, Any], *, park: Park, activities: Iterable[str] = ()
) -> dict[str, Any]:
    """A project document (docs/project-schema.md) from the calculator's figures.

    Capex of each asset class is spread evenly over its years from `start_year`; revenue,
    operating costs and jobs are constant from `commissioning_year` to the end of the horizon.
    Percentages become fractions. The park's id and country are set. Not validated here: the
    caller passes the document to `parse_project`.
    """
    start, horizon = int(data["start_year"]), int(data["horizon_years"])
    commissioning = int(data["commissioning_year"])
    end = start + horizon - 1
    capex = []
    for asset in ("buildings", "equipment"):
        for year, amount in _spread(
            Decimal(data[f"capex_{asset}"] or 0), int(data[f"capex_{asset}_years"] or 1), start
        ):
            capex.append({"year": year, "amount": amount, "asset": asset})
    operating_years = range(commissioning, end + 1)
    doc: dict[str, Any] = {
        "schema_version": 1,
        "name": data["name"],
        "currency": data["currency"],
        "country": park.country_id,
        "park_id": park.park_id,
        "start_year": start,
        "horizon_years": horizon,
        "discount_rate": float(Decimal(data["discount_rate"]) / 100),
        "industry": data["industry"],
        "hazard_class": int(data["hazard_class"]),
        "residency_start": data["residency_start"].isoformat(),
        "commissioning_year": commissioning,
        "capex": capex,
        "revenue": [
            {"year": y, "amount": float(data["revenue"])}
            for y in operating_years
            if data["revenue"]
        ],
        "opex": [
            {"year": y, "amount": float(data["opex"])} for y in operating_years if data["opex"]
        ],
        "jobs": [{"year": y, "count": int(data["jobs"])} for y in operating_years if data["jobs"]],
        "land_area_ha": float(data["land_area_ha"]),
        "sme": bool(data.get("sme")),
        "export_share": float(Decimal(data.get("export_share") or 0) / 100),
    }
    if data.get("avg_monthly_wage") is not None:
        doc["avg_monthly_wage"] = float(data["avg_monthly_wage"])
    if data.get("land_cadastral_value") is not None:
        doc["land_cadastral_value"] = float(data["land_cadastral_value"])
    if data.get("land_rate_per_ha") is not None:
        doc["tax_overrides"] = {"land_rate_per_ha": float(data["land_rate_per_ha"])}
    shares = {key: float(Decimal(data.get(ACTIVITY_PREFIX + key) or 0) / 100) for key in activities}
    shares = {k: v for k, v in shares.items() if v > 0}
    if shares:
        doc["activity_shares"] = shares
    return doc


_PATH_FIELDS = {
    "name": "name",
    "currency": "currency",
    "start_year": "start_year",
    "horizon_years": "horizon_years",
    "discount_rate": "discount_rate",
    "industry": "industry",
    "hazard_class": "hazard_class",
    "residency_start": "residency_start",
    "commissioning_year": "commissioning_year",
    "revenue": "revenue",
    "opex": "opex",
    "jobs": "jobs",
    "land_area_ha": "land_area_ha",
    "land_cadastral_value": "land_cadastral_value",
    "avg_monthly_wage": "avg_monthly_wage",
    "export_share": "export_share",
    "sme": "sme",
}


def field_for_path(path: str, doc: Mapping[str, Any]) -> str | None:
    """The form field a JSON path of the document came from (None: the form as a whole)."""
    m = re.match(r"^\$\.([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", path)
    if not m:
        return None
    key, index, sub = m.group(1), m.group(2), m.group(3)
    if key == "capex" and index is not None and int(index) < len(doc.get("capex", [])):
        asset = doc["capex"][int(index)]["asset"]
        return f"capex_{asset}_years" if sub == "year" else f"capex_{asset}"
    if key == "tax_overrides" and sub == "land_rate_per_ha":
        return "land_rate_per_ha"
    if key == "activity_shares":
        shares = doc.get("activity_shares") or {}
        return ACTIVITY_PREFIX + sub if sub in shares else None
    return _PATH_FIELDS.get(key)
