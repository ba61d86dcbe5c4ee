"""The standard exchange schema: the columns of the parks and sites tables.

One definition serves the importer (what a column accepts), the exporter (what it writes),
the synthetic data generator and the documentation (`docs/exchange-schema.md` is rendered
from this module by `render_markdown()`, and a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from technopark.parks.choices import (
    CoordPrecision,
    Development,
    ParkKind,
    ParkStage,
    SiteKind,
    SiteStatus,
    Tenure,
)


class Entity(StrEnum):
    PARKS = "parks"
    SITES = "sites"


class Kind(StrEnum):
    """How a column's text is read and written."""

    ID = "id"  # slug: letters, digits, '-' and '_'
    TEXT = "text"
    ENUM = "enum"
    DECIMAL = "decimal"
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    AS_OF = "as_of"  # YYYY, YYYY-MM or YYYY-MM-DD, precision kept
    ISIC_LIST = "isic_list"  # ';'-separated ISIC Rev.4 codes
    TEXT_LIST = "text_list"  # ';'-separated ids
    GEOMETRY = "geometry"  # GeoJSON Polygon/MultiPolygon as JSON text
    CURRENCY = "currency"
    COUNTRY = "country"  # ISO 3166-1 alpha-2 -> geo.Country
    REGION = "region"  # region name in the park's country -> geo.Region
    ORGANIZATION = "organization"  # organization name -> parks.Organization
    PARK_REF = "park_ref"  # park_id of an existing park or a park in the same import
    UTILITY = "utility"  # a park's free capacity of one utility -> ParkUtility


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    example: str = ""
    unit: str = ""
    required: bool = False
    field: str = ""  # the model field (attname) it fills; "" for special columns
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    utility: str = ""  # for Kind.UTILITY
    default: str = ""  # what an absent column or an empty cell means for a new row

    @property
    def db_field(self) -> str:
        return self.field or self.name


def _values(choices: type) -> tuple[str, ...]:
    return tuple(str(v) for v in choices.values)  # type: ignore[attr-defined]


def _dec(
    name: str,
    description: str,
    unit: str,
    digits: int,
    places: int,
    example: str,
    field_name: str = "",
) -> Column:
    return Column(
        name,
        Kind.DECIMAL,
        description,
        example,
        unit=unit,
        max_digits=digits,
        decimal_places=places,
        min_value=0,
        field=field_name,
    )


SOURCE = Column(
    "source",
    Kind.TEXT,
    "Where the facts come from: documents or URLs, separated by ' | '.",
    "https://chemparks.uz/en/history | Resolution PP-116",
)
AS_OF = Column(
    "as_of",
    Kind.AS_OF,
    "The date the facts refer to, with the precision the source gives: YYYY, YYYY-MM or "
    "YYYY-MM-DD (kept as given).",
    "2024-12",
)
OWNER = Column(
    "owner",
    Kind.ORGANIZATION,
    "Organization responsible for keeping the facts current (name of an organization; a new "
    "name creates a management company).",
    "Directorate of Eltech Industrial Technopark",
    field="owner_id",
    max_length=300,
)
NOTES = Column("notes", Kind.TEXT, "Free-text notes.", "Coordinates are the town centre.")

PARK_COLUMNS: tuple[Column, ...] = (
    Column(
        "park_id",
        Kind.ID,
        "Stable identifier of the park; the key for upserts.",
        "uz-eltech-industrial",
        required=True,
        max_length=100,
    ),
    Column(
        "name",
        Kind.TEXT,
        "Name in English.",
        "Eltech Industrial Technopark",
        required=True,
        max_length=300,
    ),
    Column(
        "name_ru", Kind.TEXT, "Name in Russian.", "Технопарк «Eltech Industrial»", max_length=300
    ),
    Column(
        "name_uz",
        Kind.TEXT,
        "Name in Uzbek (Latin).",
        "Eltech Industrial texnoparki",
        max_length=300,
    ),
    Column(
        "kind", Kind.ENUM, "Kind of park.", "technopark", required=True, choices=_values(ParkKind)
    ),
    Column(
        "stage",
        Kind.ENUM,
        "Development stage; empty when no source states it.",
        "operating",
        choices=_values(ParkStage),
    ),
    Column(
        "development",
        Kind.ENUM,
        "Greenfield or brownfield.",
        "brownfield",
        choices=_values(Development),
    ),
    Column(
        "country",
        Kind.COUNTRY,
        "Country, ISO 3166-1 alpha-2 code.",
        "UZ",
        required=True,
        field="country_id",
    ),
    Column(
        "region",
        Kind.REGION,
        "First-level region (English name) in the park's country; a new name creates it.",
        "Tashkent Region",
        field="region_id",
        max_length=150,
    ),
    Column("locality", Kind.TEXT, "Town, district or locality.", "Akhangaran", max_length=200),
    Column(
        "lat",
        Kind.FLOAT,
        "Latitude (WGS 84); given together with lon.",
        "40.9061",
        unit="degrees",
        min_value=-90,
        max_value=90,
    ),
    Column(
        "lon",
        Kind.FLOAT,
        "Longitude (WGS 84); given together with lat.",
        "69.6444",
        unit="degrees",
        min_value=-180,
        max_value=180,
    ),
    Column(
        "coord_precision",
        Kind.ENUM,
        "Whether lat/lon is the park itself (site) or the centre of its town (city); "
        "required when lat/lon are given.",
        "city",
        choices=_values(CoordPrecision),
    ),
    Column(
        "boundary",
        Kind.GEOMETRY,
        "The park's land as a GeoJSON Polygon or MultiPolygon geometry (JSON text; in "
        "GeoJSON files it is the feature's geometry instead).",
        '{"type": "Polygon", "coordinates": [[[69.6, 40.9], [69.7, 40.9], [69.7, 41.0], '
        "[69.6, 40.9]]]}",
    ),
    _dec("area_total_ha", "Total area.", "ha", 14, 4, "106"),
    _dec("area_free_ha", "Free area, at most area_total_ha.", "ha", 14, 4, "25.5"),
    Column(
        "industries",
        Kind.ISIC_LIST,
        "Specialisations as ISIC Rev.4 codes (section letter or 2–4 digits), separated by ';'.",
        "24;27",
    ),
    Column(
        "specialization",
        Kind.TEXT,
        "Specialisation in the source's own words.",
        "copper processing; electrical engineering",
    ),
    Column(
        "operator",
        Kind.ORGANIZATION,
        "Management company (organization name; a new name creates a management company). "
        "Its park operators may edit the park.",
        "Directorate of Eltech Industrial Technopark",
        field="operator_id",
        max_length=300,
    ),
    Column(
        "established",
        Kind.INT,
        "Year of the founding act or official opening.",
        "2024",
        unit="year",
        min_value=1900,
        max_value=2100,
    ),
    Column("legal_basis", Kind.TEXT, "Founding act(s).", "Presidential Resolution PP-116"),
    Column(
        "regime_ids",
        Kind.TEXT_LIST,
        "Ids of the legal regimes that apply, separated by ';'.",
        "uz-technopark",
    ),
    Column(
        "residents_count",
        Kind.INT,
        "Number of residents.",
        "36",
        unit="companies",
        min_value=0,
        max_value=2147483647,
    ),
    _dec(
        "investment_amount",
        "Investment attracted (or planned, per notes).",
        "currency",
        20,
        2,
        "60000000",
    ),
    Column(
        "investment_currency",
        Kind.CURRENCY,
        "ISO 4217 currency of investment_amount; required when it is given.",
        "USD",
    ),
    Column(
        "jobs",
        Kind.INT,
        "Jobs created (or planned, per notes).",
        "1100",
        unit="jobs",
        min_value=0,
        max_value=2147483647,
    ),
    _dec(
        "electricity_free_mw",
        "Free electric capacity (ParkUtility electricity).",
        "MW",
        14,
        3,
        "12.5",
    ),
    _dec("gas_free_m3h", "Free gas capacity (ParkUtility gas).", "m3/h", 14, 3, "3000"),
    _dec("water_free_m3d", "Free water capacity (ParkUtility water).", "m3/day", 14, 3, "5000"),
    _dec(
        "wastewater_free_m3d",
        "Free wastewater capacity (ParkUtility wastewater).",
        "m3/day",
        14,
        3,
        "4000",
    ),
    _dec("heat_free_gcalh", "Free heat capacity (ParkUtility heat).", "Gcal/h", 14, 3, "20"),
    NOTES,
    Column("is_published", Kind.BOOL, "Whether everyone may see the park.", "true", default="true"),
    OWNER,
    SOURCE,
    AS_OF,
)

UTILITY_OF_COLUMN = {
    "electricity_free_mw": "electricity",
    "gas_free_m3h": "gas",
    "water_free_m3d": "water",
    "wastewater_free_m3d": "wastewater",
    "heat_free_gcalh": "heat",
}
PARK_COLUMNS = tuple(
    Column(**{**c.__dict__, "kind": Kind.UTILITY, "utility": UTILITY_OF_COLUMN[c.name]})
    if c.name in UTILITY_OF_COLUMN
    else c
    for c in PARK_COLUMNS
)

SITE_COLUMNS: tuple[Column, ...] = (
    Column(
        "site_id",
        Kind.ID,
        "Stable identifier of the site; the key for upserts.",
        "uz-eltech-industrial-lot-07",
        required=True,
        max_length=100,
    ),
    Column(
        "park_id",
        Kind.PARK_REF,
        "The park the site is in: an existing park or one in the same import.",
        "uz-eltech-industrial",
        required=True,
        field="park_id",
    ),
    Column("name", Kind.TEXT, "Name or lot number.", "Lot 7", max_length=200),
    Column(
        "kind",
        Kind.ENUM,
        "A land plot or premises (a building or part of one).",
        "plot",
        required=True,
        choices=_values(SiteKind),
    ),
    Column(
        "status",
        Kind.ENUM,
        "Availability.",
        "available",
        choices=_values(SiteStatus),
        default="available",
    ),
    Column(
        "tenure", Kind.ENUM, "Offered for sale, lease or either.", "lease", choices=_values(Tenure)
    ),
    _dec("area_ha", "Land area.", "ha", 14, 4, "2.5"),
    _dec(
        "area_m2",
        "Floor area (premises); required for premises without area_ha.",
        "m2",
        14,
        2,
        "1200",
    ),
    _dec("sale_price", "Sale price for the whole site.", "currency", 20, 2, "1500000"),
    _dec("lease_per_year", "Yearly lease for the whole site.", "currency/year", 20, 2, "45000"),
    Column(
        "currency",
        Kind.CURRENCY,
        "ISO 4217 currency of sale_price and lease_per_year; required when either is given.",
        "USD",
    ),
    _dec("electricity_mw", "Electric capacity available to the site.", "MW", 14, 3, "2"),
    _dec("gas_m3h", "Gas capacity available to the site.", "m3/h", 14, 3, "300"),
    _dec("water_m3d", "Water capacity available to the site.", "m3/day", 14, 3, "150"),
    _dec("wastewater_m3d", "Wastewater capacity available to the site.", "m3/day", 14, 3, "120"),
    _dec("heat_gcalh", "Heat capacity available to the site.", "Gcal/h", 14, 3, "1.5"),
    Column(
        "rail_siding", Kind.BOOL, "Whether the site has a rail siding; empty when unknown.", "false"
    ),
    Column(
        "hazard_class",
        Kind.INT,
        "Most hazardous sanitary class allowed: 1 = most hazardous … 5 = least.",
        "3",
        min_value=1,
        max_value=5,
    ),
    _dec("ceiling_height_m", "Clear ceiling height (premises).", "m", 6, 2, "9"),
    _dec("floor_load_t_m2", "Floor load (premises).", "t/m2", 8, 2, "5"),
    _dec(
        "crane_capacity_t", "Largest crane (premises); empty when none or unknown.", "t", 8, 2, "10"
    ),
    _dec("dist_airport_km", "Distance to the nearest airport.", "km", 9, 2, "45"),
    _dec("dist_rail_km", "Distance to the nearest railway station.", "km", 9, 2, "3.5"),
    _dec("dist_port_km", "Distance to the nearest seaport.", "km", 9, 2, "2900"),
    _dec("dist_highway_km", "Distance to the nearest highway.", "km", 9, 2, "1.2"),
    _dec("dist_border_km", "Distance to the nearest border crossing.", "km", 9, 2, "60"),
    Column(
        "lat",
        Kind.FLOAT,
        "Latitude (WGS 84).",
        "40.9102",
        unit="degrees",
        min_value=-90,
        max_value=90,
    ),
    Column(
        "lon",
        Kind.FLOAT,
        "Longitude (WGS 84).",
        "69.6388",
        unit="degrees",
        min_value=-180,
        max_value=180,
    ),
    NOTES,
    OWNER,
    SOURCE,
    AS_OF,
)

COLUMNS: dict[Entity, tuple[Column, ...]] = {
    Entity.PARKS: PARK_COLUMNS,
    Entity.SITES: SITE_COLUMNS,
}
ID_COLUMN = {Entity.PARKS: "park_id", Entity.SITES: "site_id"}
BOOL_TRUE = frozenset({"true", "TRUE", "True", "1", "yes", "Yes", "YES"})
BOOL_FALSE = frozenset({"false", "FALSE", "False", "0", "no", "No", "NO"})


def columns_of(entity: Entity | str) -> tuple[Column, ...]:
    return COLUMNS[Entity(entity)]


def column_names(entity: Entity | str) -> list[str]:
    return [c.name for c in columns_of(entity)]


def detect_entity(header: list[str]) -> Entity | None:
    """Sites have a site_id column; parks have park_id and no site_id."""
    names = set(header)
    if "site_id" in names:
        return Entity.SITES
    if "park_id" in names:
        return Entity.PARKS
    return None


def _type_text(c: Column) -> str:
    kind = c.kind
    if kind in (Kind.DECIMAL, Kind.UTILITY):
        whole = (c.max_digits or 0) - (c.decimal_places or 0)
        return f"decimal ≥ 0, up to {whole} digits before the point and {c.decimal_places} after"
    if kind == Kind.FLOAT:
        return f"number {c.min_value:g} … {c.max_value:g}"
    if kind == Kind.INT:
        return f"whole number {c.min_value:g} … {c.max_value:g}"
    if kind == Kind.ID:
        return f"id: letters, digits, '-' and '_', up to {c.max_length} characters"
    if kind == Kind.TEXT:
        return f"text, up to {c.max_length} characters" if c.max_length else "text"
    return {
        Kind.ENUM: "one of the allowed values",
        Kind.BOOL: "true or false (also 1/0, yes/no); empty when unknown",
        Kind.AS_OF: "date: YYYY, YYYY-MM or YYYY-MM-DD",
        Kind.ISIC_LIST: "list of ISIC Rev.4 codes separated by ';'",
        Kind.TEXT_LIST: "list of ids separated by ';'",
        Kind.GEOMETRY: "GeoJSON geometry (JSON text)",
        Kind.CURRENCY: "ISO 4217 code (three capital letters)",
        Kind.COUNTRY: "ISO 3166-1 alpha-2 code",
        Kind.REGION: "region name",
        Kind.ORGANIZATION: "organization name",
        Kind.PARK_REF: "park_id",
    }[kind]


def _allowed_text(c: Column) -> str:
    if c.choices:
        return ", ".join(f"`{v}`" for v in c.choices)
    if c.kind == Kind.COUNTRY:
        return "a country in the database; the standard set RU, UZ, KZ, BY is always accepted"
    if c.kind == Kind.PARK_REF:
        return "a park in the database or in the same import"
    return ""


def render_markdown() -> str:
    """The column-by-column reference, as kept in docs/exchange-schema.md."""
    out: list[str] = []
    for entity in Entity:
        out += [
            f"### {entity.value}",
            "",
            "| column | type | unit | allowed values | required | example | meaning |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in columns_of(entity):
            required = "yes" if c.required else "no"
            if c.default:
                required += f" (empty: `{c.default}`)"
            example = f"`{c.example}`" if c.example else ""
            out.append(
                f"| `{c.name}` | {_type_text(c)} | {c.unit} | {_allowed_text(c)} | {required} "
                f"| {example.replace('|', '&#124;')} | {c.description.replace('|', '&#124;')} |"
            )
        out.append("")
    return "\n".join(out)
