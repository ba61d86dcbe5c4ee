"""Write tables of exchange text to CSV, XLSX and GeoJSON, byte for byte reproducibly.

Rows come in as lists of text cells in schema order ('' for unknown), exactly as the importer
reads them; the writers only choose how each format represents a cell: CSV keeps the text,
XLSX stores numbers and booleans as typed cells, GeoJSON as JSON numbers and booleans, with the
geometry built from lat/lon (a Point) or, for a park with a boundary, the boundary itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from technopark.parks.exchange.schema import Column, Entity, Kind

NUMERIC = {Kind.DECIMAL, Kind.UTILITY, Kind.FLOAT, Kind.INT}
# Fixed workbook timestamps and zip entry dates, so that the same data gives the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_csv(columns: tuple[Column, ...], rows: Iterable[list[str]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _significant_digits(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0")) or 1


def _xlsx_value(column: Column, text: str) -> Any:
    if text == "":
        return None
    kind = column.kind
    if kind in (Kind.DECIMAL, Kind.UTILITY):
        if "." not in text:
            return int(text) if _significant_digits(text) <= 15 else text
        return float(text) if _significant_digits(text) <= 15 else text
    if kind == Kind.FLOAT:
        return float(text)
    if kind == Kind.INT:
        return int(text)
    if kind == Kind.BOOL:
        return text == "true"
    return text


def write_xlsx(
    columns: tuple[Column, ...], rows: Iterable[list[str]], path: Path | IO[bytes], sheet: str
) -> int:
    """A one-sheet workbook with numbers as numbers; the same data gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "technopark"
    ws = workbook.create_sheet(sheet)
    ws.append([c.name for c in columns])
    count = 0
    for row in rows:
        values: list[Any] = []
        for column, text in zip(columns, row, strict=True):
            value = _xlsx_value(column, text)
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(ws, value)
                cell.data_type = "s"  # text, never a formula
                values.append(cell)
            else:
                values.append(value)
        ws.append(values)
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = _reproducible_zip(buffer.getvalue())
    if isinstance(path, Path | str):
        Path(path).write_bytes(data)
    else:
        path.write(data)
    return count


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed dates: openpyxl stamps the time of saving on the entries
    and, whatever the workbook says, as the `modified` property."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def _json_value(column: Column, text: str) -> str:
    if text == "":
        return "null"
    if column.kind in NUMERIC:
        return text
    if column.kind == Kind.BOOL:
        return text
    return json.dumps(text, ensure_ascii=False)


def write_geojson(
    entity: Entity, columns: tuple[Column, ...], rows: Iterable[list[str]], out: IO[str]
) -> int:
    """A FeatureCollection, one feature per line; properties are the exchange columns.

    The geometry is a Point from lat/lon (null when unknown); a park with a boundary has the
    boundary as its geometry, and keeps its point in the lat/lon properties.
    """
    names = [c.name for c in columns]
    i_lat, i_lon = names.index("lat"), names.index("lon")
    i_boundary = names.index("boundary") if "boundary" in names else None
    out.write('{"type": "FeatureCollection", "features": [')
    count = 0
    for row in rows:
        if i_boundary is not None and row[i_boundary]:
            geometry = json.dumps(json.loads(row[i_boundary]), separators=(",", ":"))
        elif row[i_lat] and row[i_lon]:
            geometry = f'{{"type":"Point","coordinates":[{row[i_lon]},{row[i_lat]}]}}'
        else:
            geometry = "null"
        properties = ", ".join(
            f"{json.dumps(column.name)}: {_json_value(column, text)}"
            for j, (column, text) in enumerate(zip(columns, row, strict=True))
            if j != i_boundary
        )
        out.write("\n" if count == 0 else ",\n")
        out.write(f'{{"type": "Feature", "geometry": {geometry}, "properties": {{{properties}}}}}')
        count += 1
    out.write("\n]}\n")
    return count
