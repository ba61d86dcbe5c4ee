"""Row numbers of CSV errors are the line a row starts on, as a person sees the file, across
quoted cells that span lines, blank lines and batch boundaries (readers read a batch of rows
at a time and number them afterwards)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from technopark.parks.exchange.importer import import_files
from technopark.parks.models import Site
from tests.parks_exchange.conftest import counts, write

HEADER = "site_id,park_id,kind,area_ha,notes"


@pytest.mark.parametrize("batch_rows", [1, 2, 20_000])
def test_errors_name_the_line_each_row_starts_on(
    registry: Any, tmp_path: Path, batch_rows: int
) -> None:
    lines = [
        HEADER,  # line 1
        's-1,uz-alpha,plot,1,"two',  # line 2: a cell over lines 2-3
        'lines"',  # line 3
        "",  # line 4: blank
        "s-2,uz-alpha,plot,-1,",  # line 5: negative area
        ",,,,",  # line 6: empty cells, skipped
        "s-3,uz-alpha,plot",  # line 7: too few fields
        's-4,uz-alpha,plot,x,"a',  # line 8: over lines 8-10, area not a number
        "b",
        'c"',
        "s-5,uz-alpha,plot,2,",  # line 11: good
    ]
    sites = write(tmp_path, "sites.csv", "\n".join(lines) + "\n")
    before = counts()

    report = import_files([sites], batch_rows=batch_rows)

    assert [str(p) for p in report.errors] == [
        f"{sites}:5: area_ha: must not be negative, got -1",
        f"{sites}:7: -: expected 5 fields as in the header, found 3 (a truncated line or an "
        "unquoted delimiter?)",
        f"{sites}:8: area_ha: 'x' is not a number",
    ]
    assert counts() == before


def test_a_good_file_with_cells_over_several_lines_is_written(
    registry: Any, tmp_path: Path
) -> None:
    text = f'{HEADER}\ns-1,uz-alpha,plot,1,"two\nlines"\n\ns-2,uz-alpha,plot,2,\n'
    sites = write(tmp_path, "sites.csv", text)

    report = import_files([sites], batch_rows=1)

    assert report.errors == [] and report.written
    assert dict(Site.objects.values_list("site_id", "notes")) == {"s-1": "two\nlines", "s-2": ""}


def test_an_unclosed_quote_is_reported_on_the_line_after_the_last_good_row(
    registry: Any, tmp_path: Path
) -> None:
    text = f'{HEADER}\ns-1,uz-alpha,plot,1,\ns-2,uz-alpha,plot,1,"never closed\nmore\n'
    sites = write(tmp_path, "sites.csv", text)

    report = import_files([sites])

    assert [(p.row, p.column) for p in report.errors] == [(3, "-")]
    assert report.errors[0].message.startswith("unreadable CSV")
    assert not report.written
