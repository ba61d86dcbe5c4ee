"""Request and response bodies of the registry API (/api/v1/parks, sites, organizations, residents).

Field names are the model's (and the exchange schema's); foreign keys are given by their
stable identifiers: `country` by ISO code, `park` by park_id, `sites` by site_id, and
organizations and regions by numeric id. Input bodies reject unknown fields (422).
Decimals (areas, money, capacities) are JSON strings in responses, to keep their precision;
inputs accept numbers or strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from ninja import Schema
from pydantic import Field, create_model

from technopark.core.schemas import Input
from technopark.parks.models import Organization, Park, ParkUtility, RegisterEntry, Resident, Site


def patch_schema(name: str, schema: type[Schema]) -> type[Schema]:
    """The same fields as `schema`, all optional: the body of a PATCH."""
    fields: dict[str, Any] = {
        field_name: (Optional[info.annotation], None)  # noqa: UP045 - create_model needs a runtime type
        for field_name, info in schema.model_fields.items()
    }
    return create_model(name, __base__=Input, **fields)


class Sourced(Schema):
    source: str = ""
    as_of: dt.date | None = None
    as_of_precision: str = "day"
    owner: int | None = Field(None, description="Id of the organization that keeps it current.")


class SourcedOut(Schema):
    source: str
    as_of: dt.date | None
    as_of_precision: str
    as_of_display: str
    is_stale: bool
    owner: int | None

    @staticmethod
    def resolve_owner(obj: Any) -> int | None:
        return obj.owner_id


# ---- organizations -----------------------------------------------------------------------


class OrganizationRef(Schema):
    id: int
    name: str


class OrganizationOut(SourcedOut):
    id: int
    name: str
    name_ru: str
    name_uz: str
    kind: str
    country: str | None
    tax_id: str
    website: str
    email: str
    phone: str
    address: str
    contact_person: str
    updated: dt.datetime

    @staticmethod
    def resolve_country(obj: Organization) -> str | None:
        return obj.country_id


class OrganizationIn(Input, Sourced):
    name: str = Field(max_length=300)
    name_ru: str = ""
    name_uz: str = ""
    kind: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code.")
    tax_id: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    contact_person: str = ""


OrganizationPatch = patch_schema("OrganizationPatch", OrganizationIn)


# ---- parks -------------------------------------------------------------------------------


class ParkOut(SourcedOut):
    park_id: str
    name: str
    name_ru: str
    name_uz: str
    display_name: str
    kind: str
    stage: str
    development: str
    country: str
    region: int | None
    region_name: str | None
    locality: str
    lat: float | None
    lon: float | None
    coord_precision: str
    area_total_ha: Decimal | None
    area_free_ha: Decimal | None
    industries: list[str]
    specialization: str
    operator: OrganizationRef | None
    established: int | None
    legal_basis: str
    regime_ids: list[str]
    residents_count: int | None
    investment_amount: Decimal | None
    investment_currency: str
    jobs: int | None
    notes: str
    is_published: bool
    updated: dt.datetime
    url: str

    @staticmethod
    def resolve_country(obj: Park) -> str:
        return obj.country_id

    @staticmethod
    def resolve_region(obj: Park) -> int | None:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj: Park) -> str | None:
        return obj.region.name if obj.region is not None else None

    @staticmethod
    def resolve_url(obj: Park) -> str:
        return obj.get_absolute_url()


class UtilityOut(SourcedOut):
    id: int
    utility: str
    capacity: Decimal | None
    free_capacity: Decimal | None
    capacity_unit: str
    tariff: Decimal | None
    tariff_unit: str
    connection_fee: Decimal | None
    connection_fee_unit: str
    currency: str
    tariff_date: dt.date | None
    notes: str


class RegisterEntryOut(SourcedOut):
    id: int
    kind: str
    # "register" would shadow a pydantic class attribute; the model field is `register`.
    register_name: str
    issuer: str
    number: str
    date: dt.date | None
    valid_until: dt.date | None
    url: str

    @staticmethod
    def resolve_register_name(obj: RegisterEntry) -> str:
        return obj.register


class ParkDetailOut(ParkOut):
    boundary: dict[str, Any] | None
    utilities: list[UtilityOut]
    register_entries: list[RegisterEntryOut]

    @staticmethod
    def resolve_utilities(obj: Park) -> list[ParkUtility]:
        return list(obj.utilities.all())

    @staticmethod
    def resolve_register_entries(obj: Park) -> list[RegisterEntry]:
        return list(obj.register_entries.all())


class ParkIn(Input, Sourced):
    park_id: str = Field(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(max_length=300)
    name_ru: str = ""
    name_uz: str = ""
    kind: str
    stage: str = ""
    development: str = ""
    country: str = Field(description="ISO 3166-1 alpha-2 code.", max_length=2)
    region: int | None = None
    locality: str = ""
    lat: float | None = None
    lon: float | None = None
    coord_precision: str = ""
    boundary: dict[str, Any] | None = None
    area_total_ha: Decimal | None = None
    area_free_ha: Decimal | None = None
    industries: list[str] = []
    specialization: str = ""
    operator: int | None = Field(None, description="Id of the management company.")
    established: int | None = None
    legal_basis: str = ""
    regime_ids: list[str] = []
    residents_count: int | None = Field(None, ge=0)
    investment_amount: Decimal | None = None
    investment_currency: str = ""
    jobs: int | None = Field(None, ge=0)
    notes: str = ""
    is_published: bool = True


ParkPatch = patch_schema("ParkPatch", ParkIn)


# ---- sites -------------------------------------------------------------------------------


class SiteOut(SourcedOut):
    site_id: str
    park: str
    park_name: str
    name: str
    kind: str
    area_ha: Decimal | None
    area_m2: Decimal | None
    status: str
    tenure: str
    sale_price: Decimal | None
    lease_per_year: Decimal | None
    currency: str
    electricity_mw: Decimal | None
    gas_m3h: Decimal | None
    water_m3d: Decimal | None
    wastewater_m3d: Decimal | None
    heat_gcalh: Decimal | None
    rail_siding: bool | None
    hazard_class: int | None
    ceiling_height_m: Decimal | None
    floor_load_t_m2: Decimal | None
    crane_capacity_t: Decimal | None
    dist_airport_km: Decimal | None
    dist_rail_km: Decimal | None
    dist_port_km: Decimal | None
    dist_highway_km: Decimal | None
    dist_border_km: Decimal | None
    lat: float | None
    lon: float | None
    notes: str
    updated: dt.datetime
    url: str

    @staticmethod
    def resolve_park(obj: Site) -> str:
        return obj.park.park_id

    @staticmethod
    def resolve_park_name(obj: Site) -> str:
        return obj.park.display_name

    @staticmethod
    def resolve_url(obj: Site) -> str:
        return obj.get_absolute_url()


class SiteIn(Input, Sourced):
    site_id: str = Field(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")
    park: str = Field(description="park_id of the park.")
    name: str = ""
    kind: str
    area_ha: Decimal | None = None
    area_m2: Decimal | None = None
    status: str = "available"
    tenure: str = ""
    sale_price: Decimal | None = None
    lease_per_year: Decimal | None = None
    currency: str = ""
    electricity_mw: Decimal | None = None
    gas_m3h: Decimal | None = None
    water_m3d: Decimal | None = None
    wastewater_m3d: Decimal | None = None
    heat_gcalh: Decimal | None = None
    rail_siding: bool | None = None
    hazard_class: int | None = None
    ceiling_height_m: Decimal | None = None
    floor_load_t_m2: Decimal | None = None
    crane_capacity_t: Decimal | None = None
    dist_airport_km: Decimal | None = None
    dist_rail_km: Decimal | None = None
    dist_port_km: Decimal | None = None
    dist_highway_km: Decimal | None = None
    dist_border_km: Decimal | None = None
    lat: float | None = None
    lon: float | None = None
    notes: str = ""


SitePatch = patch_schema("SitePatch", SiteIn)


# ---- residents ---------------------------------------------------------------------------


class SiteRef(Schema):
    site_id: str
    name: str


class ResidentOut(SourcedOut):
    id: int
    park: str
    organization: OrganizationRef
    sites: list[SiteRef]
    since: dt.date | None
    until: dt.date | None
    activity: str
    updated: dt.datetime

    @staticmethod
    def resolve_park(obj: Resident) -> str:
        return obj.park.park_id

    @staticmethod
    def resolve_sites(obj: Resident) -> list[Site]:
        return list(obj.sites.all())


class ResidentIn(Input, Sourced):
    park: str = Field(description="park_id of the park.")
    organization: int = Field(description="Id of the resident company.")
    sites: list[str] = Field([], description="site_ids of the sites it occupies in the park.")
    since: dt.date | None = None
    until: dt.date | None = None
    activity: str = ""


ResidentPatch = patch_schema("ResidentPatch", ResidentIn)


# ---- pages and tokens --------------------------------------------------------------------


class ParkPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ParkOut]


class SitePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[SiteOut]


class OrganizationPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[OrganizationOut]


class ResidentPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ResidentOut]


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created: dt.datetime
    last_used: dt.datetime | None
    expires: dt.datetime | None
    revoked: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself; shown only this once.")


class ErrorItem(Schema):
    field: str
    message: str


class Error(Schema):
    detail: str
    errors: list[ErrorItem]
