"""All or nothing while checking and writing overlap: batches are written as soon as they are
checked, inside one transaction that an error in a later batch (or a failed write) rolls back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from technopark.parks.exchange import importer as importer_module
from technopark.parks.exchange.importer import import_files
from technopark.parks.models import Site
from tests.parks_exchange.conftest import SITE_HEADER, counts, write

PARKS = (
    "park_id,name,kind,country,operator\n"
    "uz-gamma,Gamma Park,technopark,UZ,Gamma MC\n"  # a new organization, created while importing
)


def _sites(n: int, bad_row: int | None = None) -> str:
    lines = [SITE_HEADER]
    for i in range(1, n + 1):
        area = "-1" if i == bad_row else "2.5"
        park = "uz-gamma" if i % 2 else "uz-alpha"
        lines.append(f"s-{i},{park},plot,{area},,available,,,,,,new lot {i},2024")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bad_row", [1, 7, 10])
def test_an_error_after_batches_were_written_leaves_nothing(
    registry: Any, tmp_path: Path, bad_row: int
) -> None:
    parks = write(tmp_path, "parks.csv", PARKS)
    sites = write(tmp_path, "sites.csv", _sites(10, bad_row=bad_row))
    before = counts()

    report = import_files([parks, sites], batch_rows=2)

    # The header is line 1, so site n is on line n + 1.
    assert [str(p) for p in report.errors] == [
        f"{sites}:{bad_row + 1}: area_ha: must not be negative, got -1"
    ]
    assert not report.written and report.request_id is None
    assert counts() == before  # no park, site, organization or history row is left


def test_a_failed_write_leaves_nothing(
    registry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parks = write(tmp_path, "parks.csv", PARKS)
    sites = write(tmp_path, "sites.csv", _sites(10))
    before = counts()
    rows = importer_module._Writer.rows
    written: list[int] = []

    def fail_on_the_third_batch(self: Any, entity: Any, creates: Any, updates: Any) -> None:
        if len(written) == 2:
            raise RuntimeError("the disk is full")
        rows(self, entity, creates, updates)
        written.append(len(creates) + len(updates))

    monkeypatch.setattr(importer_module._Writer, "rows", fail_on_the_third_batch)

    with pytest.raises(RuntimeError, match="the disk is full"):
        import_files([parks, sites], batch_rows=2)

    assert written == [1, 2]  # the park, then two sites were written before the failure
    assert counts() == before


def test_every_row_of_every_batch_is_written_with_its_history(
    registry: Any, tmp_path: Path
) -> None:
    parks = write(tmp_path, "parks.csv", PARKS)
    sites = write(tmp_path, "sites.csv", _sites(9))

    report = import_files([parks, sites], batch_rows=2)

    assert report.errors == [] and report.written
    assert report.created == {"parks": 1, "sites": 9}
    stored = Site.objects.filter(site_id__startswith="s-")
    assert stored.count() == 9
    assert stored.filter(park__park_id="uz-gamma").count() == 5
    history = Site.history.filter(site_id__startswith="s-")
    assert history.count() == 9
    assert {str(h.request_id) for h in history} == {report.request_id}
    assert {h.history_change_reason for h in history} == {"import parks.csv, sites.csv"}


def test_dry_run_in_batches_writes_nothing(registry: Any, tmp_path: Path) -> None:
    parks = write(tmp_path, "parks.csv", PARKS)
    sites = write(tmp_path, "sites.csv", _sites(9))
    before = counts()

    report = import_files([parks, sites], batch_rows=2, dry_run=True)

    assert report.errors == [] and not report.written
    assert report.created == {"parks": 1, "sites": 9}
    assert counts() == before
