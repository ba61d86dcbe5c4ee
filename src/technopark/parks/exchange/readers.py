"""Read exchange files (CSV, XLSX, GeoJSON) into tables of text cells, row by row.

A reader never interprets values: it yields every cell as text ('' for empty), numbered as a
person sees the row (CSV: the line number with the header as line 1; XLSX: the sheet row;
GeoJSON: the index of the feature in `features`, from 0), and reports what it cannot read
as `Problem`s with that number. Cells of a GeoJSON feature's geometry become lat/lon (a Point)
or boundary (a Polygon or MultiPolygon).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from technopark.parks.exchange.schema import Entity, detect_entity

# One cell may hold a long source list or a boundary; csv's default limit (128 KiB) is too low.
csv.field_size_limit(64 * 1024 * 1024)

FILE_LEVEL = "-"  # the column named by errors about the whole file or row


@dataclass(frozen=True)
class Problem:
    """Something wrong at one place of one file."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class UnreadableFile(Exception):
    """The file as a whole cannot be read (corrupt, truncated, not the format it claims)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class Batch:
    numbers: list[int]
    rows: list[list[Any]]  # cells: str, or None for "not given" (GeoJSON boundary of a point)
    problems: list[Problem] = field(default_factory=list)
    bytes_read: int = 0


@dataclass
class Table:
    """One table of one file: its header and a way to read its rows in batches."""

    label: str  # what errors name: the file, with the sheet when a workbook has several
    entity: Entity
    header: list[str]
    header_row: int
    batches: Any  # Callable[[int], Iterator[Batch]]
    size: int = 0  # bytes, for progress


def sniff_format(path: Path) -> str:
    """'xlsx', 'geojson' or 'csv', from the first bytes, else from the extension."""
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"{"):
        return "geojson"
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix in {".geojson", ".json"}:
        return "geojson"
    return "csv"


def open_tables(path: Path, label: str | None = None) -> list[Table]:
    """The tables of one file; raises UnreadableFile when it cannot be read at all."""
    label = label or str(path)
    if not path.exists():
        raise UnreadableFile([Problem(label, 0, FILE_LEVEL, "no such file")])
    try:
        fmt = sniff_format(path)
    except OSError as exc:
        raise UnreadableFile(
            [Problem(label, 0, FILE_LEVEL, f"cannot read the file: {exc}")]
        ) from exc
    if fmt == "xlsx":
        return _xlsx_tables(path, label)
    if fmt == "geojson":
        return [_geojson_table(path, label)]
    return [_csv_table(path, label)]


def _entity_or_fail(header: list[str], label: str, row: int) -> Entity:
    entity = detect_entity(header)
    if entity is None:
        raise UnreadableFile(
            [
                Problem(
                    label,
                    row,
                    FILE_LEVEL,
                    "cannot tell parks from sites: the header has neither a site_id nor a park_id "
                    f"column (found: {', '.join(h for h in header if h) or 'nothing'})",
                )
            ]
        )
    return entity


# --- CSV -------------------------------------------------------------------------------


def _first_undecodable(path: Path) -> tuple[int, int, int] | None:
    """(line, byte offset in the line, byte) of the first bytes that are not UTF-8, if any."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # Re-scan just this chunk line by line to place the error.
                for raw in chunk.split(b"\n"):
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as inner:
                        return line, inner.start, raw[inner.start]
                    line += 1
                return line, exc.start, chunk[exc.start]
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return line, 0, 0
    return None


def _csv_table(path: Path, label: str) -> Table:
    bad = _first_undecodable(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        first_line = f.readline()
    dialect: dict[str, Any] = {"delimiter": ","}
    if "," not in first_line and ";" in first_line:
        dialect["delimiter"] = ";"
    elif "," not in first_line and "\t" in first_line:
        dialect["delimiter"] = "\t"
    try:
        header_cells = next(csv.reader([first_line], strict=True, **dialect), [])
    except csv.Error as exc:
        raise UnreadableFile([Problem(label, 1, FILE_LEVEL, f"unreadable header: {exc}")]) from exc
    header = [h.strip() for h in header_cells]
    if not any(header):
        raise UnreadableFile([Problem(label, 1, FILE_LEVEL, "the file is empty: no header row")])
    entity = _entity_or_fail(header, label, 1)
    size = path.stat().st_size

    def batches(size_hint: int) -> Iterator[Batch]:
        # The raw file's position is the bytes read so far, for the progress bar.
        raw = open(path, "rb", buffering=0)  # noqa: SIM115
        text = io.TextIOWrapper(
            io.BufferedReader(raw, 1 << 20),
            encoding="utf-8-sig",
            errors="surrogateescape",
            newline="",
        )
        width = len(header)
        try:
            reader = csv.reader(text, strict=True, **dialect)
            next(reader, None)
            line_end = reader.line_num  # the line the previous row ended on
            last_count = 0
            while True:
                # A tight loop over the C reader; each row's first line is the line after the
                # one the previous row ended on (a quoted cell may span lines).
                read: list[list[str]] = []
                ends: list[int] = []
                failure = None
                try:
                    for row in reader:
                        read.append(row)
                        ends.append(reader.line_num)
                        if len(read) >= size_hint:
                            break
                except csv.Error as exc:
                    failure = exc
                starts = [line_end + 1, *(end + 1 for end in ends[:-1])] if ends else []
                if ends:
                    line_end = ends[-1]
                numbers, rows, problems = _csv_rows(label, width, starts, read)
                if failure is not None:
                    problems.append(
                        Problem(
                            label,
                            line_end + 1,
                            FILE_LEVEL,
                            f"unreadable CSV ({failure}); the file may be truncated or a quote "
                            "is not closed",
                        )
                    )
                if bad is not None:
                    problems += _surrogate_problems(label, header, numbers, rows)
                if rows or problems:
                    yield Batch(numbers, rows, problems, raw.tell() - last_count)
                    last_count = raw.tell()
                if failure is not None or not read:
                    break
        finally:
            text.close()

    table = Table(label, entity, header, 1, batches, size)
    if bad is not None and bad[0] == 1:
        _line, offset, byte = bad
        raise UnreadableFile(
            [
                Problem(
                    label,
                    1,
                    FILE_LEVEL,
                    f"the header is not valid UTF-8 text (byte 0x{byte:02x} at position {offset + 1}); "
                    "save the file as UTF-8 (it may be Windows-1251)",
                )
            ]
        )
    return table


def _csv_rows(
    label: str, width: int, starts: list[int], read: list[list[str]]
) -> tuple[list[int], list[list[str]], list[Problem]]:
    """The rows to check with their line numbers, and the rows that cannot be: blank lines and
    rows of empty cells are skipped, a row with another number of fields than the header is
    reported."""
    lengths = set(map(len, read))
    if lengths == {width} and "" not in [row[0] for row in read]:
        return starts, read, []  # the usual case, checked at C speed
    numbers: list[int] = []
    rows: list[list[str]] = []
    problems: list[Problem] = []
    for start, row in zip(starts, read, strict=True):
        if len(row) != width:
            if not any(row):
                continue  # blank line
            problems.append(
                Problem(
                    label,
                    start,
                    FILE_LEVEL,
                    f"expected {width} fields as in the header, found {len(row)} "
                    "(a truncated line or an unquoted delimiter?)",
                )
            )
            continue
        if not row[0] and not any(row):  # a row of empty cells (the id first)
            continue
        numbers.append(start)
        rows.append(row)
    return numbers, rows, problems


def _surrogate_problems(
    label: str, header: list[str], numbers: list[int], rows: list[list[Any]]
) -> list[Problem]:
    """Cells holding bytes that were not UTF-8 (decoded as lone surrogates)."""
    found = []
    keep_numbers, keep_rows = [], []
    for number, row in zip(numbers, rows, strict=True):
        bad_here = False
        for name, cell in zip(header, row, strict=True):
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError as exc:
                byte = ord(cell[exc.start]) - 0xDC00
                found.append(
                    Problem(
                        label,
                        number,
                        name,
                        f"not valid UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8 "
                        "(it may be Windows-1251)",
                    )
                )
                bad_here = True
        if not bad_here:
            keep_numbers.append(number)
            keep_rows.append(row)
    # Rows with undecodable cells are dropped from the batch: their errors are reported.
    numbers[:] = keep_numbers
    rows[:] = keep_rows
    return found


# --- XLSX ------------------------------------------------------------------------------


def xlsx_cell_text(value: Any) -> str:
    """A workbook cell as exchange text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_tables(path: Path, label: str) -> list[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    def corrupt(exc: Exception) -> UnreadableFile:
        return UnreadableFile(
            [
                Problem(
                    label,
                    0,
                    FILE_LEVEL,
                    f"not a readable XLSX workbook (truncated or corrupt: {exc.__class__.__name__}: "
                    f"{exc})",
                )
            ]
        )

    try:
        if not zipfile.is_zipfile(path):
            raise zipfile.BadZipFile("File is not a zip file")
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            if broken is not None:
                raise zipfile.BadZipFile(f"bad CRC in {broken}")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        EOFError,
    ) as exc:
        raise corrupt(exc) from exc

    tables: list[Table] = []
    sheets = []
    try:
        for ws in workbook.worksheets:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
            header = [xlsx_cell_text(v).strip() for v in (first or ())]
            while header and header[-1] == "":
                header.pop()
            if not header:
                continue
            sheets.append((ws, header))
    except Exception as exc:  # openpyxl raises many kinds on damaged XML
        raise corrupt(exc) from exc
    if not sheets:
        raise UnreadableFile([Problem(label, 1, FILE_LEVEL, "the workbook has no header row")])
    size = path.stat().st_size
    for ws, header in sheets:
        sheet_label = f"{label}[{ws.title}]" if len(sheets) > 1 else label
        entity = _entity_or_fail(header, sheet_label, 1)
        tables.append(
            Table(
                sheet_label,
                entity,
                header,
                1,
                _xlsx_batches(ws, header, sheet_label, size // len(sheets), corrupt),
                size,
            )
        )
    return tables


def _xlsx_batches(ws: Any, header: list[str], label: str, size: int, corrupt: Any) -> Any:
    width = len(header)

    def batches(size_hint: int) -> Iterator[Batch]:
        numbers: list[int] = []
        rows: list[list[Any]] = []
        problems: list[Problem] = []
        count = 0
        number = 1
        try:
            for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                cells = [xlsx_cell_text(v) for v in values[:width]]
                extra = [v for v in values[width:] if v not in (None, "")]
                if extra:
                    problems.append(
                        Problem(
                            label,
                            number,
                            FILE_LEVEL,
                            f"{len(extra)} value(s) beyond the last column of the header",
                        )
                    )
                    continue
                if not any(cells):
                    continue
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                numbers.append(number)
                rows.append(cells)
                count += 1
                if len(rows) >= size_hint:
                    yield Batch(numbers, rows, problems, 0)
                    numbers, rows, problems = [], [], []
        except Exception as exc:  # damaged sheet XML: report where reading stopped
            problems.append(
                Problem(
                    label,
                    number + 1,
                    FILE_LEVEL,
                    f"the sheet cannot be read beyond this row (truncated or corrupt: {exc})",
                )
            )
        if rows or problems:
            yield Batch(numbers, rows, problems, 0)

    return batches


# --- GeoJSON ---------------------------------------------------------------------------


def _json_cell(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return None  # objects and arrays are not cells


def _geojson_table(path: Path, label: str) -> Table:
    try:
        with open(path, encoding="utf-8-sig") as f:
            document = json.load(f, parse_float=str, parse_int=str)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            [
                Problem(
                    label,
                    0,
                    FILE_LEVEL,
                    f"not valid UTF-8 text (byte at offset {exc.start}); GeoJSON must be UTF-8",
                )
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            [
                Problem(
                    label,
                    0,
                    FILE_LEVEL,
                    f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg} "
                    "(a truncated file?)",
                )
            ]
        ) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise UnreadableFile(
            [
                Problem(
                    label,
                    0,
                    FILE_LEVEL,
                    'invalid GeoJSON: expected {"type": "FeatureCollection", ...}',
                )
            ]
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise UnreadableFile(
            [Problem(label, 0, FILE_LEVEL, "invalid GeoJSON: `features` must be a list")]
        )
    header: list[str] = []
    seen: set[str] = set()
    has_polygon = False
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            for key in props:
                if key not in seen:
                    seen.add(key)
                    header.append(key)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict) and geometry.get("type") in {"Polygon", "MultiPolygon"}:
            has_polygon = True
    if not header:
        raise UnreadableFile([Problem(label, 0, FILE_LEVEL, "no feature has properties")])
    entity = _entity_or_fail(header, label, 0)
    for name in ("lat", "lon"):
        if name not in seen:
            header.append(name)
    if has_polygon and "boundary" not in seen:
        header.append("boundary")
    size = path.stat().st_size

    def batches(size_hint: int) -> Iterator[Batch]:
        numbers: list[int] = []
        rows: list[list[Any]] = []
        problems: list[Problem] = []
        for index, feature in enumerate(features):
            row, errors = _feature_row(feature, header, entity, label, index)
            problems += errors
            if row is not None and not errors:
                numbers.append(index)
                rows.append(row)
            if len(rows) >= size_hint:
                yield Batch(numbers, rows, problems, 0)
                numbers, rows, problems = [], [], []
        if rows or problems:
            yield Batch(numbers, rows, problems, 0)

    return Table(label, entity, header, 0, batches, size)


def _coordinate_text(value: Any) -> str | None:
    if isinstance(value, str):  # parse_float/parse_int keep numbers as their text
        try:
            Decimal(value)
        except ArithmeticError:
            return None
        return value
    return None


def _feature_row(
    feature: Any, header: list[str], entity: Entity, label: str, index: int
) -> tuple[list[Any] | None, list[Problem]]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [Problem(label, index, FILE_LEVEL, 'invalid GeoJSON: not a "Feature"')]
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return None, [Problem(label, index, FILE_LEVEL, "properties must be an object")]
    problems: list[Problem] = []
    cells: dict[str, Any] = {}
    for key, value in props.items():
        text = _json_cell(value)
        if text is None:
            problems.append(Problem(label, index, key, "expected a text, number or boolean"))
            continue
        cells[key] = text
    geometry = feature.get("geometry")
    if geometry is not None:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind == "Point":
            coords = geometry.get("coordinates")
            pair = (
                [_coordinate_text(c) for c in coords[:2]]
                if isinstance(coords, list) and len(coords) >= 2
                else [None, None]
            )
            if None in pair:
                problems.append(
                    Problem(
                        label, index, "geometry", "a Point needs coordinates [longitude, latitude]"
                    )
                )
            else:
                lon, lat = pair
                for name, value in (("lat", lat), ("lon", lon)):
                    given = cells.get(name, "")
                    if given and Decimal(given) != Decimal(value):  # type: ignore[arg-type]
                        problems.append(
                            Problem(
                                label,
                                index,
                                name,
                                f"the property ({given}) disagrees with the Point geometry ({value})",
                            )
                        )
                    cells[name] = value
        elif kind in {"Polygon", "MultiPolygon"}:
            if entity == Entity.SITES:
                problems.append(
                    Problem(label, index, "geometry", "a site's geometry must be a Point (or null)")
                )
            elif cells.get("boundary"):
                problems.append(
                    Problem(
                        label,
                        index,
                        "boundary",
                        "give the boundary once: as the feature's geometry",
                    )
                )
            else:
                cells["boundary"] = json.dumps(
                    _numbers(geometry), ensure_ascii=False, separators=(",", ":")
                )
        else:
            problems.append(
                Problem(
                    label,
                    index,
                    "geometry",
                    f"unsupported geometry type {kind!r}: use Point, Polygon, MultiPolygon or null",
                )
            )
    row: list[Any] = []
    for name in header:
        if name == "boundary" and "boundary" not in cells:
            row.append(None)  # not given: an existing boundary is kept
        else:
            row.append(cells.get(name, ""))
    return row, problems


def _numbers(value: Any) -> Any:
    """Coordinates parsed as text (parse_float=str) back to numbers."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if isinstance(value, str) and value and (value[0].isdigit() or value[0] == "-"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value
