from django.contrib import admin

from technopark.core.admin import RegistryAdmin, RestrictedInline
from technopark.parks.models import (
    Organization,
    Park,
    ParkUtility,
    RegisterEntry,
    Resident,
    Site,
)

SOURCE_FIELDS = ("source", "as_of", "as_of_precision", "owner")


class SiteInline(RestrictedInline):
    model = Site
    fields = [
        "site_id",
        "kind",
        "area_ha",
        "area_m2",
        "status",
        "tenure",
        "sale_price",
        "lease_per_year",
        "currency",
        "electricity_mw",
        "hazard_class",
        "as_of",
    ]
    show_change_link = True


class ParkUtilityInline(RestrictedInline):
    model = ParkUtility
    fields = [
        "utility",
        "capacity",
        "free_capacity",
        "tariff",
        "connection_fee",
        "currency",
        "tariff_date",
        "source",
        "as_of",
    ]


class RegisterEntryInline(RestrictedInline):
    model = RegisterEntry
    fields = ["kind", "register", "number", "date", "valid_until", "url"]


class ResidentInline(RestrictedInline):
    model = Resident
    fields = ["organization", "since", "until", "activity"]
    autocomplete_fields = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(RegistryAdmin):
    list_display = ["name", "kind", "country", "email", "phone", "as_of"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "name_ru", "name_uz", "tax_id", "email"]


@admin.register(Park)
class ParkAdmin(RegistryAdmin):
    list_display = [
        "park_id",
        "name",
        "kind",
        "stage",
        "country",
        "region",
        "operator",
        "area_total_ha",
        "is_published",
        "as_of",
    ]
    list_filter = ["kind", "stage", "country", "coord_precision", "is_published"]
    search_fields = ["park_id", "name", "name_ru", "name_uz", "locality", "specialization"]
    autocomplete_fields = ["operator", "region", "owner"]
    inlines = [ParkUtilityInline, SiteInline, RegisterEntryInline, ResidentInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "park_id",
                    "name",
                    "name_ru",
                    "name_uz",
                    "kind",
                    "stage",
                    "development",
                    "is_published",
                ]
            },
        ),
        (
            "Location",
            {
                "fields": [
                    "country",
                    "region",
                    "locality",
                    "lat",
                    "lon",
                    "coord_precision",
                    "boundary",
                ]
            },
        ),
        (
            "Facts",
            {
                "fields": [
                    "area_total_ha",
                    "area_free_ha",
                    "industries",
                    "specialization",
                    "operator",
                    "established",
                    "legal_basis",
                    "regime_ids",
                    "residents_count",
                    "investment_amount",
                    "investment_currency",
                    "jobs",
                    "notes",
                ]
            },
        ),
        ("Source", {"fields": SOURCE_FIELDS}),
    ]


@admin.register(Site)
class SiteAdmin(RegistryAdmin):
    list_display = [
        "site_id",
        "park",
        "kind",
        "area_ha",
        "area_m2",
        "status",
        "tenure",
        "currency",
        "as_of",
    ]
    list_filter = ["kind", "status", "tenure", "rail_siding", "hazard_class", "park__country"]
    search_fields = ["site_id", "name", "park__name", "park__park_id"]
    autocomplete_fields = ["park", "owner"]
    list_select_related = ["park"]


@admin.register(ParkUtility)
class ParkUtilityAdmin(RegistryAdmin):
    list_display = ["park", "utility", "capacity", "free_capacity", "tariff", "currency", "as_of"]
    list_filter = ["utility"]
    search_fields = ["park__name", "park__park_id"]
    autocomplete_fields = ["park"]
    list_select_related = ["park"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(RegistryAdmin):
    list_display = ["park", "kind", "register", "number", "date"]
    list_filter = ["kind"]
    search_fields = ["register", "number", "park__name"]
    autocomplete_fields = ["park"]


@admin.register(Resident)
class ResidentAdmin(RegistryAdmin):
    list_display = ["organization", "park", "since", "until"]
    search_fields = ["organization__name", "park__name"]
    autocomplete_fields = ["park", "organization"]
    filter_horizontal = ["sites"]
