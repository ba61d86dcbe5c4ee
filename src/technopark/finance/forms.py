"""The workspace's project form: the main figures as fields, the whole document as JSON.

The JSON textarea holds the full project document (docs/project-schema.md); the fields above
it are the figures most often changed and take precedence over the same keys of the JSON when
the form is read. The merged document is validated by `parse_project`, the parser of every
other entry point, and each `$.path: message` is put next to the field it concerns (the JSON
textarea for paths no field shows).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from technopark.core.project import ProjectError, parse_project
from technopark.parks.models import Organization, Park

#: A new project starts from this document (a small illustrative workshop).
STARTER_DOCUMENT: dict[str, Any] = {
    "schema_version": 1,
    "name": "New project",
    "currency": "USD",
    "country": "UZ",
    "start_year": 2026,
    "horizon_years": 10,
    "discount_rate": 0.12,
    "industry": "C",
    "hazard_class": 4,
    "residency_start": "2026-01-01",
    "commissioning_year": 2027,
    "capex": [
        {"year": 2026, "amount": 1_000_000, "asset": "buildings"},
        {"year": 2026, "amount": 2_000_000, "asset": "equipment"},
    ],
    "revenue": [
        {"year": y, "amount": 3_000_000 if y > 2027 else 1_500_000} for y in range(2027, 2036)
    ],
    "opex": [
        {"year": y, "amount": 2_100_000 if y > 2027 else 1_200_000} for y in range(2027, 2036)
    ],
    "jobs": [{"year": y, "count": 60} for y in range(2027, 2036)],
    "land_area_ha": 2,
}

#: Document keys shown as their own fields (the rest is edited in the JSON).
SCALAR_FIELDS = (
    "name",
    "currency",
    "country",
    "start_year",
    "horizon_years",
    "discount_rate",
    "commissioning_year",
    "industry",
)
SERIES_FIELDS = {"revenue_by_year": "revenue", "opex_by_year": "opex"}
_NUMBER_SEPARATORS = re.compile(r"[;,\n]")


def _series_text(document: Mapping[str, Any], key: str) -> str:
    """A yearly series as one amount per year of the horizon, comma separated."""
    try:
        start, horizon = int(document["start_year"]), int(document["horizon_years"])
        by_year = {int(e["year"]): e["amount"] for e in document.get(key) or []}
    except (KeyError, TypeError, ValueError):
        return ""
    values = [by_year.get(start + i, 0) for i in range(max(0, min(horizon, 50)))]
    return ", ".join(f"{v:.15g}" if isinstance(v, int | float) else str(v) for v in values)


def initial_from(document: Mapping[str, Any]) -> dict[str, Any]:
    """The form's initial values from a document."""
    out: dict[str, Any] = {k: document.get(k) for k in SCALAR_FIELDS if k != "discount_rate"}
    rate = document.get("discount_rate")
    if isinstance(rate, int | float):
        out["discount_rate"] = (Decimal(str(rate)) * 100).normalize()
    for field, key in SERIES_FIELDS.items():
        out[field] = _series_text(document, key)
    out["document"] = json.dumps(document, ensure_ascii=False, indent=2)
    return out


class ProjectForm(forms.Form):
    """A saved project: name, organization, park, main figures and the full document."""

    name = forms.CharField(label=_("Project name"), max_length=200)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        empty_label=None,
        help_text=_("Its members see and edit the project."),
    )
    park = forms.ModelChoiceField(
        label=_("Park"),
        queryset=Park.objects.none(),
        required=False,
        to_field_name="park_id",
        empty_label=_("No park (no benefits)"),
        help_text=_("The benefits of this park's legal regimes are applied."),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("ISO code, e.g. USD.")
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("ISO code of the tax rules, e.g. UZ; not needed when a park is chosen."),
    )
    start_year = forms.IntegerField(label=_("First year"), min_value=1900, max_value=2200)
    horizon_years = forms.IntegerField(label=_("Years modelled"), min_value=1, max_value=50)
    discount_rate = forms.DecimalField(
        label=_("Discount rate, %"), min_value=Decimal(0), max_value=Decimal("99.99")
    )
    commissioning_year = forms.IntegerField(
        label=_("Commissioning year"), min_value=1900, max_value=2200
    )
    industry = forms.CharField(
        label=_("Industry (ISIC Rev.4)"), max_length=4, help_text=_("Section letter or code.")
    )
    revenue_by_year = forms.CharField(
        label=_("Revenue by year"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("One amount per year from the first year, separated by commas."),
    )
    opex_by_year = forms.CharField(
        label=_("Operating costs by year"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Excluding taxes, depreciation and interest; one amount per year."),
    )
    document = forms.CharField(
        label=_("Advanced: the full project document (JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "Capex, jobs, loan, taxes and everything else. The fields above take precedence "
            "over the same keys here."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        parks: QuerySet[Park],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["park"].queryset = parks  # type: ignore[attr-defined]
        self.merged_document: dict[str, Any] | None = None

    # ---- reading ------------------------------------------------------------------------

    def _series(
        self, field: str, start: int, errors: list[tuple[str, str]]
    ) -> list[dict[str, Any]] | None:
        text = (self.cleaned_data.get(field) or "").strip()
        if not text:
            return None
        entries = []
        for i, raw in enumerate(_NUMBER_SEPARATORS.split(text)):
            raw = raw.strip().replace(" ", "").replace("\u00a0", "")
            if not raw:
                continue
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                errors.append((field, str(_("“%(value)s” is not a number.") % {"value": raw})))
                return None
            if amount:
                entries.append({"year": start + i, "amount": float(amount)})
        return entries

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = data.get("document")
        if raw is None:
            return data
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as exc:
            self.add_error(
                "document",
                _("Not valid JSON (line %(line)s, column %(col)s): %(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            )
            return data
        if not isinstance(document, dict):
            self.add_error("document", _("The document must be a JSON object { … }."))
            return data
        if any(k in self.errors for k in SCALAR_FIELDS):
            return data  # fix the fields first; their values are not usable yet
        for key in SCALAR_FIELDS:
            value = data.get(key)
            if key == "discount_rate" and value is not None:
                value = float(value) / 100
            if key in ("currency", "country", "industry") and isinstance(value, str):
                value = value.strip().upper()
            if value in (None, ""):
                document.pop(key, None)
            else:
                document[key] = value
        errors: list[tuple[str, str]] = []
        start = data.get("start_year")
        if start is not None:
            for field, key in SERIES_FIELDS.items():
                series = self._series(field, start, errors)
                if series is not None:
                    document[key] = series
        park = data.get("park")
        if park is not None:
            document["park_id"] = park.park_id
        else:
            document.pop("park_id", None)
        for field, message in errors:
            self.add_error(field, message)
        if errors:
            return data
        try:
            parse_project(document)
        except ProjectError as exc:
            self._add_project_errors(exc)
        else:
            self.merged_document = document
        return data

    def _add_project_errors(self, exc: ProjectError) -> None:
        for line in exc.errors:
            path, sep, message = line.partition(": ")
            field = field_for_path(path, message) if sep else "document"
            self.add_error(field, line if field == "document" else message)


def field_for_path(path: str, message: str) -> str:
    """The form field that shows an error at JSON `path` (`document` when none does)."""
    missing = re.match(r"is required \(missing (\w+)\)", message)
    key = missing.group(1) if path == "$" and missing else None
    if key is None:
        m = re.match(r"\$\.(\w+)", path)
        key = m.group(1) if m else None
    if key in SCALAR_FIELDS:
        return key
    if key == "park_id":
        return "park"
    for field, series_key in SERIES_FIELDS.items():
        if key == series_key:
            return field
    return "document"


class SimulateForm(forms.Form):
    n = forms.IntegerField(label=_("Scenarios"), min_value=100, initial=10_000)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31, initial=1)

    def __init__(self, *args: Any, max_n: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["n"].validators.append(MaxValueValidator(max_n))
        self.fields["n"].widget.attrs["max"] = max_n


class CompareForm(forms.Form):
    parks = forms.ModelMultipleChoiceField(
        label=_("Parks"),
        queryset=Park.objects.none(),
        to_field_name="park_id",
        help_text=_("Up to five parks."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(self, *args: Any, parks: QuerySet[Park], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parks"].queryset = parks  # type: ignore[attr-defined]

    def clean_parks(self) -> Any:
        parks = self.cleaned_data["parks"]
        if len(parks) > 5:
            raise forms.ValidationError(_("Choose at most five parks."))
        return parks
