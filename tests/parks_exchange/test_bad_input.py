"""Every kind of bad input: exit code 2, every error as FILE:ROW: column: message, nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.parks_exchange.conftest import SITE_HEADER, counts, write

GOOD_SITE = "s-1,uz-alpha,plot,2.5,,available,USD,100000,3,40.9,69.6,survey,2024-12"

# (file name, content, expected "ROW: column: message start")
CSV_CASES = [
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER},colour\n{GOOD_SITE},red\n",
        "1: colour: unknown column",
        id="unknown-column",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\n{GOOD_SITE}\ns-2,uz-alpha,plot,abc,,,,,,,,,\n",
        "3: area_ha: 'abc' is not a number",
        id="wrong-type",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,-1.5,,,,,,,,,\n",
        "2: area_ha: must not be negative",
        id="negative-area",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,1,,,,,,91,69,,\n",
        "2: lat: 91 is outside -90 … 90",
        id="lat-out-of-range",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,1,,,,,,40,-181,,\n",
        "2: lon: -181 is outside -180 … 180",
        id="lon-out-of-range",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,1,,,,,6,,,,\n",
        "2: hazard_class: 6 is outside 1 … 5",
        id="hazard-class",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,warehouse,1,,,,,,,,,\n",
        "2: kind: 'warehouse' is not allowed; allowed: plot, premises",
        id="enum",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-nowhere,plot,1,,,,,,,,,\n",
        "2: park_id: unknown park 'uz-nowhere'",
        id="unknown-park",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\n{GOOD_SITE}\n{GOOD_SITE}\n",
        "3: site_id: duplicate site_id 's-1': also on row 2",
        id="duplicate-id",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,,1,,,,,,,,,\n",
        "2: kind: required, but empty",
        id="empty-required",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\n{GOOD_SITE}\ns-3,uz-alpha,plot\n",
        "3: -: expected 13 fields as in the header, found 3",
        id="short-row",
    ),
    pytest.param(
        "sites.csv",
        f'{SITE_HEADER}\n{GOOD_SITE}\ns-3,uz-alpha,plot,1,,,,,,,,"unclosed',
        "3: -: unreadable CSV",
        id="truncated-quote",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,1,,,,10,,,,,\n",
        "2: currency: required when sale_price or lease_per_year is given",
        id="price-without-currency",
    ),
    pytest.param(
        "sites.csv",
        f"{SITE_HEADER}\ns-2,uz-alpha,plot,1,,,,,,,,,2024-13\n",
        "2: as_of: '2024-13' is not a date",
        id="bad-as-of",
    ),
    pytest.param(
        "parks.csv",
        "park_id,name,kind,country,area_total_ha,area_free_ha\nuz-new,New,technopark,UZ,10,12\n",
        "2: area_free_ha: the free area (12 ha) exceeds the total area (10 ha)",
        id="free-area-above-total",
    ),
    pytest.param(
        "parks.csv",
        "park_id,name,kind,country\nuz-new,New,technopark,XX\n",
        "2: country: 'XX' is not a known country",
        id="unknown-country",
    ),
    pytest.param(
        "parks.csv",
        "park_id,name,kind,country,industries\nuz-new,New,technopark,UZ,25;999999\n",
        "2: industries: '999999' is not an ISIC Rev.4 code",
        id="isic",
    ),
    pytest.param(
        "parks.csv",
        "name,kind\nNew,technopark\n",
        "1: -: cannot tell parks from sites",
        id="no-id-column",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CSV_CASES)
def test_bad_csv_is_refused_with_the_row_and_column(
    registry: dict[str, Any],
    importer: Any,
    tmp_path: Path,
    name: str,
    content: str,
    expected: str,
) -> None:
    path = write(tmp_path, name, content)
    before = counts()

    run = importer(path)

    assert run.code == 2
    assert f"{path}:{expected}" in run.error_lines[0] or any(
        line.startswith(f"{path}:{expected}") for line in run.error_lines
    ), run.stderr
    assert all(line.startswith(f"{path}:") for line in run.error_lines), run.stderr
    assert "nothing was imported" in run.stderr
    assert counts() == before


def test_every_error_is_reported_not_only_the_first(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "sites.csv",
        (
            f"{SITE_HEADER}\n"
            "s-1,uz-alpha,plot,-1,,,,,,,,,\n"  # negative area
            "s-2,uz-nowhere,plot,1,,,,,7,,,,\n"  # unknown park, hazard class
            "s-3,uz-alpha,shed,1,,,,,,95,,,\n"  # kind, lat out of range
        ),
    )
    before = counts()

    run = importer(path)

    assert run.code == 2
    located = sorted(
        line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in run.error_lines
    )
    assert located == sorted(
        [
            f"{path}:2: area_ha:",
            f"{path}:3: park_id:",
            f"{path}:3: hazard_class:",
            f"{path}:4: kind:",
            f"{path}:4: lat:",
        ]
    )
    assert counts() == before


def test_text_that_is_not_utf8_names_the_cell(registry: Any, importer: Any, tmp_path: Path) -> None:
    content = (
        b"site_id,park_id,kind,name\ns-1,uz-alpha,plot,Lot 1\n"
        + "s-2,uz-alpha,plot,Участок\n".encode("cp1251")
    )
    path = write(tmp_path, "sites.csv", content)
    before = counts()

    run = importer(path)

    assert run.code == 2
    assert run.error_lines[0].startswith(f"{path}:3: name: not valid UTF-8 text"), run.stderr
    assert counts() == before


def _xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "sites.xlsx") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "sites"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_bad_xlsx_cells_are_named_by_sheet_row(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["site_id", "park_id", "kind", "hazard_class", "lat"],
            ["s-1", "uz-alpha", "plot", 3, 40.5],
            ["s-2", "uz-alpha", "plot", 9, 40.5],
            ["s-3", "uz-alpha", "plot", 2, -100],
        ],
    )
    before = counts()

    run = importer(path)

    assert run.code == 2
    assert run.error_lines == [
        f"{path}:3: hazard_class: 9 is outside 1 … 5",
        f"{path}:4: lat: -100 is outside -90 … 90",
    ]
    assert counts() == before


def test_truncated_xlsx_is_refused(registry: Any, importer: Any, tmp_path: Path) -> None:
    good = _xlsx(tmp_path, [["site_id", "park_id", "kind"], ["s-1", "uz-alpha", "plot"]])
    data = good.read_bytes()
    path = write(tmp_path, "broken.xlsx", data[: len(data) // 2])
    before = counts()

    run = importer(path)

    assert run.code == 2
    assert run.error_lines[0].startswith(f"{path}:0: -: not a readable XLSX workbook")
    assert counts() == before


def test_zip_that_is_not_a_workbook_is_refused(
    registry: Any, importer: Any, tmp_path: Path
) -> None:
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    run = importer(path)

    assert run.code == 2
    assert run.error_lines[0].startswith(f"{path}:0: -: not a readable XLSX workbook")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"site_',
            "0: -: invalid JSON at line 1",
        ),
        ('{"type": "Feature"}', '0: -: invalid GeoJSON: expected {"type": "FeatureCollection"'),
        ('{"type": "FeatureCollection", "features": {}}', "0: -: invalid GeoJSON: `features`"),
    ],
)
def test_invalid_geojson_is_refused(
    registry: Any, importer: Any, tmp_path: Path, content: str, expected: str
) -> None:
    path = write(tmp_path, "sites.geojson", content)

    run = importer(path)

    assert run.code == 2
    assert run.error_lines[0].startswith(f"{path}:{expected}"), run.stderr


def test_geojson_rows_are_feature_indexes(registry: Any, importer: Any, tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [69.6, 40.9]},
            "properties": {"site_id": "s-1", "park_id": "uz-alpha", "kind": "plot"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [69.6, 40.9]},
            "properties": {"site_id": "s-2", "park_id": "uz-alpha", "kind": "plot", "area_ha": -3},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [200, 40.9]},
            "properties": {"site_id": "s-3", "park_id": "uz-alpha", "kind": "plot"},
        },
    ]
    path = write(
        tmp_path, "sites.geojson", json.dumps({"type": "FeatureCollection", "features": features})
    )
    before = counts()

    run = importer(path)

    assert run.code == 2
    assert run.error_lines == [
        f"{path}:1: area_ha: must not be negative, got -3",
        f"{path}:2: lon: 200 is outside -180 … 180",
    ]
    assert counts() == before


def test_missing_file(registry: Any, importer: Any, tmp_path: Path) -> None:
    run = importer(tmp_path / "nope.csv")

    assert run.code == 2
    assert run.error_lines == [f"{tmp_path / 'nope.csv'}:0: -: no such file"]
