"""Importing good files: upserts with history, dry runs, permissions, synthetic and reference data."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from technopark.core.history import diff_against_previous
from technopark.parks.exchange.synth import write_synth
from technopark.parks.models import Organization, Park, ParkUtility, Site
from tests.parks_exchange.conftest import SITE_HEADER, counts, run_command, write


def test_import_creates_sites_with_history(registry: Any, importer: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sites.csv",
        (
            f"{SITE_HEADER}\n"
            "s-1,uz-alpha,plot,2.5,,available,USD,100000,3,40.9,69.6,survey 2024,2024-12\n"
            "s-2,uz-alpha,premises,,1200,reserved,,,,,,,2024\n"
        ),
    )

    run = importer(path, "--json")

    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["created"], summary["updated"], summary["errors"]) == (2, 0, [])
    plot = Site.objects.get(site_id="s-1")
    assert plot.park == registry["park_a"]
    assert plot.area_ha == Decimal("2.5") and plot.sale_price == Decimal(100000)
    assert plot.hazard_class == 3 and plot.lat == 40.9 and plot.currency == "USD"
    assert plot.as_of_display == "2024-12"
    assert Site.objects.get(site_id="s-2").as_of_display == "2024"
    records = list(Site.history.filter(site_id__in=["s-1", "s-2"]))
    assert len(records) == 2
    assert {r.history_type for r in records} == {"+"}
    assert {r.history_change_reason for r in records} == {"import sites.csv"}
    assert {str(r.request_id) for r in records} == {summary["request_id"]}
    assert {r.history_user_id for r in records} == {None}
    assert records[0].instance.site_id in {"s-1", "s-2"}


def test_upsert_updates_and_records_before_and_after(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    first = write(
        tmp_path,
        "sites.csv",
        f"{SITE_HEADER}\ns-1,uz-alpha,plot,2.5,,available,USD,100000,3,40.9,69.6,survey,2024-12\n",
    )
    assert importer(first, "--quiet").code == 0
    # A second file with fewer columns: the others keep their values.
    second = write(
        tmp_path, "update.csv", "site_id,park_id,status,sale_price\ns-1,uz-alpha,occupied,90000\n"
    )

    run = importer(second, "--json")

    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["updated"] == 1
    site = Site.objects.get(site_id="s-1")
    assert site.status == "occupied" and site.sale_price == Decimal(90000)
    assert site.area_ha == Decimal("2.5") and site.hazard_class == 3  # kept
    latest = site.history.first()
    assert latest.history_type == "~"
    assert latest.history_change_reason == "import update.csv"
    changes = {c["field"]: (c["before"], c["after"]) for c in diff_against_previous(latest)}
    assert changes["status"] == ("available", "occupied")
    assert changes["sale_price"] == (Decimal("100000.00"), Decimal("90000.00"))
    assert "area_ha" not in changes
    assert site.history.count() == 2


def test_dry_run_writes_nothing(registry: Any, importer: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sites.csv",
        f"{SITE_HEADER}\ns-1,uz-alpha,plot,2.5,,available,USD,100000,3,40.9,69.6,survey,2024-12\n",
    )
    before = counts()

    run = importer(path, "--dry-run", "--json")

    assert run.code == 0
    summary = json.loads(run.stdout)
    assert summary["created"] == 1 and summary["dry_run"] and not summary["written"]
    assert counts() == before


def test_parks_and_their_sites_in_one_run_with_new_operator_and_utilities(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    parks = write(
        tmp_path,
        "parks.csv",
        (
            "park_id,name,kind,country,region,lat,lon,coord_precision,area_total_ha,area_free_ha,"
            "industries,operator,electricity_free_mw,gas_free_m3h,water_free_m3d,source,as_of\n"
            "kz-new,New Park,sez,KZ,Almaty Region,43.2,76.9,site,100,40,24;27,Gamma MC,12.5,,300,"
            "survey,2025-03\n"
        ),
    )
    sites = write(
        tmp_path,
        "sites.csv",
        f"{SITE_HEADER}\nkz-s-1,kz-new,plot,2,,available,KZT,5000000,4,43.2,76.9,survey,2025\n",
    )

    run = importer(sites, parks, "--json")  # parks are written first whatever the order

    assert run.code == 0, run.stderr
    park = Park.objects.get(park_id="kz-new")
    assert park.operator.name == "Gamma MC" and park.region.name == "Almaty Region"
    assert park.industries == ["24", "27"]
    utilities = {u.utility: u.free_capacity for u in ParkUtility.objects.filter(park=park)}
    assert utilities == {"electricity": Decimal("12.5"), "water": Decimal(300)}
    assert Site.objects.get(site_id="kz-s-1").park == park
    rid = json.loads(run.stdout)["request_id"]
    assert str(park.history.first().request_id) == rid
    assert str(Organization.history.get(name="Gamma MC").request_id) == rid


def test_operator_may_only_touch_its_own_parks(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "sites.csv",
        (f"{SITE_HEADER}\na-1,uz-alpha,plot,1,,,,,,,,,\nb-1,ru-beta,plot,1,,,,,,,,,\n"),
    )
    before = counts()

    run = importer(path, "--as", "alice")

    assert run.code == 2
    assert run.error_lines == [f"{path}:3: park_id: alice may not add sites of park 'ru-beta'"]
    assert counts() == before

    own = write(tmp_path, "own.csv", f"{SITE_HEADER}\na-1,uz-alpha,plot,1,,,,,,,,,\n")
    run = importer(own, "--as", "alice", "--quiet")
    assert run.code == 0, run.stderr
    assert Site.objects.get(site_id="a-1").history.first().history_user == registry["operator"]


def test_operator_cannot_move_another_operators_site_into_its_park(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    Site.objects.create(site_id="b-1", park=registry["park_b"], kind="plot")
    path = write(tmp_path, "sites.csv", "site_id,park_id\nb-1,uz-alpha\n")

    run = importer(path, "--as", "alice")

    assert run.code == 2
    assert run.error_lines == [f"{path}:2: park_id: alice may not change sites of park 'uz-alpha'"]
    assert Site.objects.get(site_id="b-1").park == registry["park_b"]


def test_operator_cannot_add_organizations_or_take_other_parks(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "parks.csv",
        (
            "park_id,name,kind,country,operator\n"
            "uz-alpha,Alpha Park,industrial_park,UZ,Beta MC\n"  # hands its park to Beta
            "ru-beta,Beta Park,technopark,RU,Alpha MC\n"  # takes Beta's park
            "uz-new,New,technopark,UZ,Delta MC\n"  # a new organization
        ),
    )
    before = counts()

    run = importer(path, "--as", "alice")

    assert run.code == 2
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in run.error_lines] == [
        f"{path}:2: operator",
        f"{path}:3: operator",
        f"{path}:4: operator",
        f"{path}:4: park_id",
    ]
    assert counts() == before


def test_unknown_user(registry: Any, importer: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "sites.csv", f"{SITE_HEADER}\n")
    run = importer(path, "--as", "nobody")
    assert run.code == 2 and "No user 'nobody'" in run.stderr


def test_synthetic_data_imports_cleanly(db: None, importer: Any, tmp_path: Path) -> None:
    paths = write_synth(tmp_path / "synth", parks=20, sites=500, seed=3)

    run = importer(paths["parks"], paths["sites"], "--json")

    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["created"] == 520
    assert Site.objects.count() == 500
    sources = set(Site.objects.values_list("source", flat=True))
    assert sources == {"synthetic (technopark synth, seed 3)"}
    assert Site.objects.filter(kind="premises").exists()
    assert Site.objects.filter(hazard_class__isnull=True).exists()  # some unknowns


@pytest.mark.parametrize("fmt", ["xlsx", "geojson"])
def test_synthetic_data_in_other_formats_imports(
    db: None, importer: Any, tmp_path: Path, fmt: str
) -> None:
    run = run_command(
        "synth",
        "--parks",
        "5",
        "--sites",
        "50",
        "--seed",
        "9",
        "--format",
        fmt,
        "-o",
        str(tmp_path),
        "--quiet",
    )
    assert run.code == 0

    run = importer(tmp_path / f"parks.{fmt}", tmp_path / f"sites.{fmt}", "--quiet")

    assert run.code == 0, run.stderr
    assert Site.objects.count() == 50 and Park.objects.count() == 5


def test_synth_is_reproducible(tmp_path: Path) -> None:
    a = write_synth(tmp_path / "a", parks=5, sites=100, seed=42)
    b = write_synth(tmp_path / "b", parks=5, sites=100, seed=42)
    assert a["sites"].read_bytes() == b["sites"].read_bytes()
    assert a["parks"].read_bytes() == b["parks"].read_bytes()


def test_reimport_of_the_reference_export(db: None, importer: Any, tmp_path: Path) -> None:
    from technopark.parks.services.reference import load_reference_parks

    load_reference_parks()
    reference = counts()["parks"]
    out = tmp_path / "reference.csv"
    assert run_command("export", "--what", "parks", "-o", str(out), "--quiet").code == 0
    Park.objects.all().delete()
    Organization.objects.all().delete()

    run = importer(out, "--json")

    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["created"] == reference > 40
    eltech = Park.objects.get(park_id="uz-eltech-industrial")
    assert eltech.as_of_display == "2024-12" and eltech.coord_precision == "city"


def test_workbook_with_a_parks_sheet_and_a_sites_sheet(
    db: None, importer: Any, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sites = workbook.active
    sites.title = "sites"  # first, yet parks are written first
    sites.append(["site_id", "park_id", "kind", "area_m2", "rail_siding"])
    sites.append(["by-s-1", "by-new", "premises", 1500, True])
    parks = workbook.create_sheet("parks")
    parks.append(["park_id", "name", "kind", "country", "as_of"])
    parks.append(["by-new", "New Park", "industrial_park", "BY", 2023])
    path = tmp_path / "registry.xlsx"
    workbook.save(path)

    run = importer(path, "--json")

    assert run.code == 0, run.stderr
    site = Site.objects.get(site_id="by-s-1")
    assert site.park.park_id == "by-new" and site.rail_siding is True
    assert site.area_m2 == Decimal(1500)
    assert site.park.as_of_display == "2023"


def test_unknown_column_and_row_errors_are_reported_together(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "sites.csv", "site_id,park_id,kind,colour\ns-1,uz-alpha,hut,red\n")

    run = importer(path)

    assert run.code == 2
    assert [line.split(":")[1:3] for line in run.error_lines] == [["1", " colour"], ["2", " kind"]]


def test_reimporting_the_same_file_changes_nothing(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "sites.csv",
        (
            f"{SITE_HEADER},owner,rail_siding,notes\n"
            "s-1,uz-alpha,plot,2.5,,available,USD,100000,3,40.9,69.6,survey,2024-12,Alpha MC,true,\n"
            "s-2,uz-alpha,premises,,1200,reserved,,,,,,,2024,,,a note\n"
        ),
    )
    assert importer(path, "--quiet").code == 0
    before = counts()

    run = importer(path, "--json")

    summary = json.loads(run.stdout)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2)
    assert counts() == before  # no history rows for rows that did not change


def test_unchanged_rows_of_other_operators_are_not_refused(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    Site.objects.create(site_id="b-1", park=registry["park_b"], kind="plot")
    path = write(
        tmp_path, "sites.csv", "site_id,park_id,kind\nb-1,ru-beta,plot\na-1,uz-alpha,plot\n"
    )

    run = importer(path, "--as", "alice", "--json")

    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["created"], summary["unchanged"]) == (1, 1)
