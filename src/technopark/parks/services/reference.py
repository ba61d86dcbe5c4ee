"""Load the reference data that ships with the project: real parks with their sources.

`parks/data/reference/parks.csv` is a copy of the project's verified reference list (see the
README beside it). Loading is idempotent: a park that already exists is left as it is, so that
re-running never overwrites what an operator has since corrected (use `update=True` to force).

ISIC codes are not in the source: they are derived from the source's own specialisation text
with `isic_keywords.csv`, an editorial classification that the park record says it is.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import transaction

from technopark.core.history import change_context
from technopark.core.models import parse_as_of
from technopark.geo.models import Country, Region
from technopark.parks.choices import OrganizationKind
from technopark.parks.models import Organization, Park

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

COUNTRIES = {
    # code: (English, Russian, Uzbek, currency) — ISO 3166-1 / ISO 4217.
    "UZ": ("Uzbekistan", "Узбекистан", "Oʻzbekiston", "UZS"),
    "RU": ("Russia", "Россия", "Rossiya", "RUB"),
    "KZ": ("Kazakhstan", "Казахстан", "Qozogʻiston", "KZT"),
    "BY": ("Belarus", "Беларусь", "Belarus", "BYN"),
}

ISIC_NOTE = (
    "ISIC codes derived by technopark from the source's specialisation text "
    "(editorial classification, parks/data/reference/isic_keywords.csv)."
)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    kept: int = 0


@cache
def isic_keywords() -> list[tuple[str, str]]:
    with open(DATA_DIR / "isic_keywords.csv", encoding="utf-8") as f:
        return [(row["keyword"].lower(), row["isic"]) for row in csv.DictReader(f)]


def isic_from_text(text: str) -> list[str]:
    """ISIC Rev.4 divisions named by a free-text specialisation, in first-mention order.

    >>> isic_from_text("chemicals; polymer processing")
    ['20', '22']
    """
    lowered = f"{text.lower()};"
    hits: list[tuple[int, str]] = []
    for keyword, code in isic_keywords():
        pos = lowered.find(keyword)
        if pos >= 0:
            hits.append((pos, code))
    seen: list[str] = []
    for _pos, code in sorted(hits):
        if code not in seen:
            seen.append(code)
    return seen


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def ensure_countries() -> dict[str, Country]:
    countries = {}
    for code, (name, name_ru, name_uz, currency) in COUNTRIES.items():
        countries[code], _ = Country.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_ru": name_ru, "name_uz": name_uz, "currency": currency},
        )
    return countries


@cache
def region_names() -> dict[tuple[str, str], tuple[str, str]]:
    """(country, English name) → (Russian name, Uzbek name) of the reference regions
    (`regions.csv`, each row with its source); a blank name is one the file does not give."""
    with open(DATA_DIR / "regions.csv", encoding="utf-8", newline="") as f:
        return {
            (row["country"], row["name"]): (row["name_ru"], row["name_uz"])
            for row in csv.DictReader(f)
        }


def ensure_region(country: Country, name: str) -> Region:
    """The region, created with its Russian and Uzbek names from `regions.csv`; a region
    already there gets a name it lacks, never loses one that someone has set."""
    name_ru, name_uz = region_names().get((country.code, name), ("", ""))
    region, created = Region.objects.get_or_create(
        country=country, name=name, defaults={"name_ru": name_ru, "name_uz": name_uz}
    )
    if not created and ((name_ru and not region.name_ru) or (name_uz and not region.name_uz)):
        region.name_ru = region.name_ru or name_ru
        region.name_uz = region.name_uz or name_uz
        region.save(update_fields=["name_ru", "name_uz"])
    return region


def load_reference_parks(*, path: Path | None = None, update: bool = False) -> LoadReport:
    """Create (or with `update`, overwrite) every park of the reference list."""
    report = LoadReport()
    path = path or DATA_DIR / "parks.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with transaction.atomic(), change_context():
        countries = ensure_countries()
        for row in rows:
            country = countries[row["country"]]
            region = None
            if row["region"].strip():
                # Also for a park kept as it is: its region gets the names it lacks.
                region = ensure_region(country, row["region"].strip())
            existing = Park.objects.filter(park_id=row["park_id"]).first()
            if existing is not None and not update:
                report.kept += 1
                continue
            operator = None
            if row["operator"].strip():
                operator, _ = Organization.objects.get_or_create(
                    name=row["operator"].strip()[:300],
                    defaults={
                        "kind": OrganizationKind.MANAGEMENT_COMPANY,
                        "country": country,
                        "source": row["sources"],
                    },
                )
            as_of, precision = parse_as_of(row["as_of"]) if row["as_of"].strip() else (None, "day")
            industries = isic_from_text(row["specialization"])
            notes = row["notes"].strip()
            if industries:
                notes = f"{notes}\n\n{ISIC_NOTE}".strip()
            values = {
                "name": row["name_en"],
                "name_ru": row["name_ru"],
                "kind": row["kind"],
                "country": country,
                "region": region,
                "locality": row["locality"],
                "lat": float(row["lat"]) if row["lat"].strip() else None,
                "lon": float(row["lon"]) if row["lon"].strip() else None,
                "coord_precision": row["coord_precision"],
                "established": _int(row["established"]),
                "area_total_ha": _decimal(row["area_total_ha"]),
                "residents_count": _int(row["residents"]),
                "investment_amount": _decimal(row["investment_amount"]),
                "investment_currency": row["investment_currency"],
                "jobs": _int(row["jobs"]),
                "specialization": row["specialization"],
                "industries": industries,
                "operator": operator,
                "legal_basis": row["legal_basis"],
                "source": row["sources"],
                "as_of": as_of,
                "as_of_precision": precision,
                "notes": notes,
                "regime_ids": reference_regimes().get(row["park_id"], []),
            }
            park = existing or Park(park_id=row["park_id"])
            for field, value in values.items():
                setattr(park, field, value)
            park.full_clean()
            park._change_reason = "reference data"  # type: ignore[attr-defined]
            park.save()
            if existing is None:
                report.created += 1
            else:
                report.updated += 1
    return report


def reference_regimes() -> dict[str, list[str]]:
    """Regimes that apply to reference parks, from park_regimes.csv (with each link's basis)."""
    path = DATA_DIR / "park_regimes.csv"
    if not path.exists():
        return {}
    links: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            links.setdefault(row["park_id"], []).append(row["regime_id"])
    return links
