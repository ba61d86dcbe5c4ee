"""Operators' editing forms for a park, its sites and its utilities (not the admin).

Forms only parse and validate input; saving goes through core.services, which checks
permissions before and after the write and records the change in the history.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from technopark.core.permissions import AnyUser, is_administrator, operated_org_ids
from technopark.core.validators import validate_isic_code
from technopark.parks.models import Organization, Park, ParkUtility, Site

SOURCED_FIELDS = ["source", "as_of", "as_of_precision"]


class ListField(forms.CharField):
    """A list of short codes typed as text separated by commas, semicolons or spaces."""

    def __init__(self, *, item_validator: Any = None, **kwargs: Any) -> None:
        self.item_validator = item_validator
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [part for part in text.replace(";", " ").replace(",", " ").split() if part]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if self.item_validator:
            for item in value:
                self.item_validator(item)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistryForm(forms.ModelForm):
    """Common behaviour: HTML5 date inputs, and the changed values ready for a service call."""

    def __init__(self, *args: Any, user: AnyUser = None, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()

    def service_data(self) -> dict[str, Any]:
        """The submitted values by model field name, for services.object_create/update."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ParkForm(RegistryForm):
    industries = ListField(
        label=_("Industries (ISIC Rev.4)"),
        item_validator=validate_isic_code,
        help_text=_("ISIC Rev.4 codes separated by commas, e.g. 24, 27."),
    )
    regime_ids = ListField(
        label=_("Legal regimes"),
        help_text=_("Ids of the legal regimes that apply, separated by commas."),
    )

    class Meta:
        model = Park
        fields = [
            "park_id",
            "name",
            "name_ru",
            "name_uz",
            "kind",
            "stage",
            "development",
            "operator",
            "country",
            "region",
            "locality",
            "lat",
            "lon",
            "coord_precision",
            "area_total_ha",
            "area_free_ha",
            "industries",
            "specialization",
            "established",
            "legal_basis",
            "regime_ids",
            "residents_count",
            "investment_amount",
            "investment_currency",
            "jobs",
            "notes",
            "is_published",
            *SOURCED_FIELDS,
        ]
        widgets = {
            "specialization": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The park id is the key of imports and links: it does not change.
            del self.fields["park_id"]
        operators = Organization.objects.order_by("name")
        if not is_administrator(self.user):
            operators = operators.filter(pk__in=operated_org_ids(self.user))
            self.fields["operator"].required = True
        self.fields["operator"].queryset = operators  # type: ignore[attr-defined]


class SiteForm(RegistryForm):
    class Meta:
        model = Site
        fields = [
            "site_id",
            "name",
            "kind",
            "status",
            "tenure",
            "area_ha",
            "area_m2",
            "sale_price",
            "lease_per_year",
            "currency",
            "electricity_mw",
            "gas_m3h",
            "water_m3d",
            "wastewater_m3d",
            "heat_gcalh",
            "rail_siding",
            "hazard_class",
            "ceiling_height_m",
            "floor_load_t_m2",
            "crane_capacity_t",
            "dist_airport_km",
            "dist_rail_km",
            "dist_port_km",
            "dist_highway_km",
            "dist_border_km",
            "lat",
            "lon",
            "notes",
            *SOURCED_FIELDS,
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, park: Park | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if park is not None:
            self.instance.park = park
        if self.instance.pk:
            del self.fields["site_id"]


class UtilityForm(RegistryForm):
    class Meta:
        model = ParkUtility
        fields = [
            "utility",
            "capacity",
            "free_capacity",
            "tariff",
            "connection_fee",
            "currency",
            "tariff_date",
            "notes",
            *SOURCED_FIELDS,
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "source": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, park: Park | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if park is not None:
            self.instance.park = park


class ApiTokenForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'nightly export'."),
    )
