"""The reference parks load with their sources, dates, precision and notes kept."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest

from technopark.parks.models import Park
from technopark.parks.services.reference import DATA_DIR, isic_from_text, load_reference_parks

SEED_PARKS = [
    "uz-eltech-industrial",
    "uz-chirchik-chemical-technopark",
    "uz-jizzakh-chemical-technopark",
    "ru-alabuga-sez",
    "ru-kip-master",
    "ru-himgrad-technopolis",
]


@pytest.mark.django_db
def test_every_reference_park_loads_and_reloading_changes_nothing() -> None:
    with open(DATA_DIR / "parks.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    report = load_reference_parks()
    assert report.created == len(rows) == 52
    history_rows = Park.history.count()
    again = load_reference_parks()
    assert (again.created, again.updated, again.kept) == (0, 0, 52)
    assert Park.history.count() == history_rows
    assert set(Park.objects.values_list("park_id", flat=True)) >= set(SEED_PARKS)


@pytest.mark.django_db
def test_facts_sources_and_precision_are_kept() -> None:
    load_reference_parks()
    # Values as printed in shared/data/parks.csv, row uz-chirchik-chemical-technopark.
    chirchik = Park.objects.get(park_id="uz-chirchik-chemical-technopark")
    assert chirchik.area_total_ha == Decimal("31.24")
    assert chirchik.residents_count == 7
    assert chirchik.investment_amount == Decimal("127000000")
    assert chirchik.investment_currency == "USD"
    assert chirchik.as_of == dt.date(2023, 4, 1)
    assert chirchik.as_of_display == "2023-04"
    assert chirchik.coord_precision == "city"
    assert "https://chempark.uz" in chirchik.source
    assert chirchik.notes.startswith("Figures as of: 2023-04")
    assert chirchik.operator is not None and "Chirchik" in chirchik.operator.name
    # Alabuga is the only row with the zone's own location.
    assert Park.objects.get(park_id="ru-alabuga-sez").coord_precision == "site"
    # Rows without coordinates stay without them (never invented).
    alga = Park.objects.get(park_id="ru-alga-sez")
    assert alga.lat is None and alga.lon is None
    # An undated source stays undated, and undated facts count as stale.
    kaluga = Park.objects.get(park_id="ru-kaluga-sez")
    assert kaluga.as_of is None and kaluga.is_stale


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chemicals; polymer processing", ["20", "22"]),
        ("IT & software; digital economy", ["62"]),
        ("pharmaceuticals", ["21"]),
        ("", []),
    ],
)
def test_isic_classification_of_specialisation_text(text: str, expected: list[str]) -> None:
    # ISIC Rev.4 divisions: 20 chemicals, 21 pharmaceuticals, 22 rubber and plastics, 62 computer
    # programming (UN Statistics Division, ISIC Rev.4, ST/ESA/STAT/SER.M/4/Rev.4).
    assert isic_from_text(text) == expected


@pytest.mark.django_db
def test_reference_parks_get_their_regimes() -> None:
    from technopark.parks.services.reference import reference_regimes

    load_reference_parks()
    regimes_dir = DATA_DIR.parents[1].parent / "incentives" / "regimes"
    for park_id, regime_ids in reference_regimes().items():
        assert Park.objects.get(park_id=park_id).regime_ids == regime_ids
        for regime_id in regime_ids:
            assert (regimes_dir / f"{regime_id}.yaml").exists(), regime_id
    # PP-116 of 03.02.2022 gives the Chirchik technopark the SEZ regime (reference/incentives.md).
    assert Park.objects.get(park_id="uz-chirchik-chemical-technopark").regime_ids == [
        "uz-chirchik-technopark"
    ]


@pytest.mark.django_db
def test_every_reference_region_has_its_russian_name_with_a_source() -> None:
    from technopark.geo.models import Region

    with open(DATA_DIR / "parks.csv", encoding="utf-8") as f:
        used = {(r["country"], r["region"]) for r in csv.DictReader(f) if r["region"]}
    with open(DATA_DIR / "regions.csv", encoding="utf-8") as f:
        listed = {(r["country"], r["name"]): r for r in csv.DictReader(f)}
    assert used <= set(listed), used - set(listed)
    assert all(r["name_ru"] and r["source"] and r["confidence"] for r in listed.values())
    # Uzbek names where the region is Uzbekistan's (ISO 3166-2:UZ), none invented for others.
    assert all(bool(r["name_uz"]) == (r["country"] == "UZ") for r in listed.values())
    load_reference_parks()
    tatarstan = Region.objects.get(country="RU", name="Republic of Tatarstan")
    assert tatarstan.name_ru == "Республика Татарстан"  # Constitution of the RF, art. 65
    tashkent = Region.objects.get(country="UZ", name="Tashkent Region")
    assert (tashkent.name_ru, tashkent.name_uz) == ("Ташкентская область", "Toshkent viloyati")


@pytest.mark.django_db
def test_a_region_name_someone_set_is_kept_and_a_missing_one_filled() -> None:
    from technopark.geo.models import Country, Region
    from technopark.parks.services.reference import ensure_countries

    ensure_countries()
    uz = Country.objects.get(code="UZ")
    Region.objects.create(country=uz, name="Tashkent Region", name_ru="Ташкентская обл.")
    Region.objects.create(country=uz, name="Fergana Region")  # an install before the names
    load_reference_parks()
    tashkent = Region.objects.get(country=uz, name="Tashkent Region")
    assert (tashkent.name_ru, tashkent.name_uz) == ("Ташкентская обл.", "Toshkent viloyati")
    fergana = Region.objects.get(country=uz, name="Fergana Region")
    assert fergana.name_ru == "Ферганская область"
