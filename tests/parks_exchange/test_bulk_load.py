"""The PostgreSQL write path of large imports: COPY text joined from whole columns, primary keys
taken from the sequence in one round trip, and, for the first large load into an empty table,
indexes and foreign keys built after the load (importer._Writer.bulk_load). Every test runs on
both databases: on SQLite the same imports must give the same rows, with no schema change."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from technopark.parks.exchange import importer as importer_module
from technopark.parks.exchange.importer import import_files
from technopark.parks.models import Site
from tests.parks_exchange.conftest import counts, write

TABLES = ("parks_site", "parks_historicalsite")
HEADER = "site_id,park_id,kind,area_ha,status,rail_siding,hazard_class,lat,lon,notes,as_of"


def _sites(n: int, bad_row: int | None = None) -> str:
    lines = [HEADER]
    for i in range(1, n + 1):
        area = "-1" if i == bad_row else "2.5"
        park = "uz-alpha" if i % 2 else "ru-beta"
        lines.append(f"s-{i},{park},plot,{area},available,true,3,41.5,69.25,lot {i},2024-05")
    return "\n".join(lines) + "\n"


def _schema() -> dict[str, dict[str, Any]]:
    """Every index and constraint of the sites and site-history tables, as Django sees them."""
    with connection.cursor() as cursor:
        return {table: connection.introspection.get_constraints(cursor, table) for table in TABLES}


def _secondary(schema: dict[str, dict[str, Any]]) -> int:
    """The indexes that are neither primary nor unique, and the foreign keys: what bulk_load
    drops and builds again."""
    return sum(
        1
        for constraints in schema.values()
        for c in constraints.values()
        if c["foreign_key"] or (c["index"] and not c["primary_key"] and not c["unique"])
    )


@pytest.fixture
def rebuilt(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Large means 2 rows here; records how many statements each finish() ran."""
    monkeypatch.setattr(importer_module, "BULK_MIN_ROWS", 2)
    finish = importer_module._Writer.finish
    seen: list[int] = []

    def recording(self: Any) -> None:
        seen.append(len(self._rebuild))
        finish(self)

    monkeypatch.setattr(importer_module._Writer, "finish", recording)
    return seen


def test_a_large_first_load_builds_the_indexes_after_it(
    registry: Any, tmp_path: Path, rebuilt: list[int]
) -> None:
    before = _schema()
    sites = write(tmp_path, "sites.csv", _sites(9))

    report = import_files([sites], batch_rows=4)

    assert report.errors == [] and report.written
    # PostgreSQL: each dropped index and foreign key is built again. Counted by hand from the
    # migrations: sites have 3 (owner, park+status, site_id's LIKE index) and 2 foreign keys
    # (park, owner); site history 5 (history_date, history_user, id, park, request_id) and 1
    # foreign key (history_user). SQLite: nothing is dropped.
    if connection.vendor == "postgresql":
        assert _secondary(before) == 11
        assert rebuilt == [11]
    else:
        assert rebuilt == [0]
    assert _schema() == before
    stored = Site.objects.order_by("pk")
    assert [s.site_id for s in stored] == [f"s-{i}" for i in range(1, 10)]
    assert [s.park.park_id for s in stored][:2] == ["uz-alpha", "ru-beta"]
    first = stored[0]
    # Written as COPY text from the cleaned cells: each type as the file gave it.
    assert (first.area_ha, first.rail_siding, first.hazard_class) == (Decimal("2.5"), True, 3)
    assert (first.lat, first.lon, str(first.as_of), first.as_of_precision) == (
        41.5,
        69.25,
        "2024-05-01",
        "month",
    )
    history = Site.history.order_by("id")
    assert [h.id for h in history] == [s.pk for s in stored]
    assert {str(h.request_id) for h in history} == {report.request_id}


def test_an_error_after_a_bulk_load_began_leaves_table_and_indexes_as_they_were(
    registry: Any, tmp_path: Path, rebuilt: list[int]
) -> None:
    before_schema, before = _schema(), counts()
    sites = write(tmp_path, "sites.csv", _sites(9, bad_row=8))

    report = import_files([sites], batch_rows=4)

    # Rows 1-4 were written (with the indexes dropped on PostgreSQL) before row 8 was checked.
    assert [str(p) for p in report.errors] == [f"{sites}:9: area_ha: must not be negative, got -1"]
    assert not report.written and rebuilt == []
    assert counts() == before
    assert _schema() == before_schema


def test_a_table_that_has_rows_is_written_row_by_row(
    registry: Any, tmp_path: Path, rebuilt: list[int]
) -> None:
    Site.objects.create(site_id="old", park=registry["park_a"], kind="plot")
    sites = write(tmp_path, "sites.csv", _sites(5))

    report = import_files([sites], batch_rows=4)

    assert report.errors == [] and report.created["sites"] == 5
    assert Site.history.filter(site_id="old").exists()  # so neither table was empty
    assert rebuilt == [0]
    assert Site.objects.count() == 6


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_given(
    registry: Any, tmp_path: Path
) -> None:
    notes = 'tab\there, "quoted"\nnew line, back\\slash, \\N, \\t and ü'
    quoted = notes.replace('"', '""')
    sites = write(
        tmp_path,
        "sites.csv",
        f'{HEADER}\ns-1,uz-alpha,plot,1,available,,,,,"{quoted}",2024\n'
        "s-2,uz-alpha,plot,1,available,,,,,\\N,2024\n",
    )

    report = import_files([sites])

    assert report.errors == [] and report.written
    stored = dict(Site.objects.values_list("site_id", "notes"))
    assert stored == {"s-1": notes, "s-2": "\\N"}  # the text "\N", not a null
    assert Site.history.get(site_id="s-1").notes == notes


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a sequence that hands out gaps: PostgreSQL only"
)
@pytest.mark.parametrize("bulk_min_rows", [2, 20_000])  # bulk load or row by row
def test_primary_keys_with_gaps_still_match_their_history(
    registry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk_min_rows: int
) -> None:
    monkeypatch.setattr(importer_module, "BULK_MIN_ROWS", bulk_min_rows)
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE parks_site_id_seq INCREMENT BY 3")
    sites = write(tmp_path, "sites.csv", _sites(4))

    report = import_files([sites])

    assert report.errors == [] and report.written
    pks = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    assert [b - a for a, b in itertools.pairwise(pks)] == [3, 3, 3]
    history = dict(Site.history.values_list("site_id", "id"))
    assert history == dict(Site.objects.values_list("site_id", "pk"))


def test_parks_and_organizations_of_the_same_import_are_checked_before_the_bulk_load(
    registry: Any, tmp_path: Path, rebuilt: list[int]
) -> None:
    # The new park and organization leave deferred foreign-key checks pending in the
    # transaction; PostgreSQL alters no table they touch until those have run.
    parks = write(
        tmp_path,
        "parks.csv",
        "park_id,name,kind,country,operator\nuz-gamma,Gamma Park,technopark,UZ,Gamma MC\n",
    )
    sites = write(tmp_path, "sites.csv", _sites(6).replace("ru-beta", "uz-gamma"))

    report = import_files([parks, sites], batch_rows=3)

    assert report.errors == [] and report.written
    assert report.created == {"parks": 1, "sites": 6}
    assert Site.objects.filter(park__operator__name="Gamma MC").count() == 3
    assert len(rebuilt) == 1


def test_digits_of_other_scripts_are_written_as_ascii_digits(registry: Any, tmp_path: Path) -> None:
    # Python's \d and Decimal accept Arabic-Indic digits, PostgreSQL's numeric does not:
    # "٢.٥" is 2.5 (U+0662 ARABIC-INDIC DIGIT TWO, U+0665 FIVE).
    sites = write(tmp_path, "sites.csv", f"{HEADER}\ns-1,uz-alpha,plot,٢.٥,available,,,,,,2024\n")

    report = import_files([sites])

    assert report.errors == [] and report.written
    assert Site.objects.get(site_id="s-1").area_ha == Decimal("2.5")
