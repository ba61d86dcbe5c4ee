"""The periodic-report workbook: a template to download and the reader of filled-in uploads.

One sheet, ``Reports``, a row per agreement and period; row 1 holds the column ids below (the
reader finds columns by these ids, so their order may change). The same layout serves a
resident's own upload and an operator's bulk upload of many residents.

| column | meaning | rule |
|---|---|---|
| agreement | agreement number | required |
| year | year of the period | whole number 1990–2100 |
| quarter | 1–4, blank for an annual report | |
| investment | investment made in the period, agreement currency | number ≥ 0, required |
| jobs | headcount at the end of the period | whole number ≥ 0, required |
| revenue | revenue of the period | number ≥ 0, required |
| taxes_paid | taxes paid in the period | number ≥ 0, required |
| exports | exports in the period | number ≥ 0, blank = 0 |
| imports_customs_benefits | imports under customs benefits | number ≥ 0, blank = 0 |
| satisfaction | satisfaction with the park, 1–5 | blank or whole number 1–5 |
| satisfaction_comment | comment | text |

Errors name the sheet, cell, column and what was expected: ``Reports!C5: revenue: expected a
number, got 'n/a'``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

SHEET = "Reports"
COLUMNS: tuple[str, ...] = (
    "agreement",
    "year",
    "quarter",
    "investment",
    "jobs",
    "revenue",
    "taxes_paid",
    "exports",
    "imports_customs_benefits",
    "satisfaction",
    "satisfaction_comment",
)
REQUIRED_NUMBERS = ("investment", "revenue", "taxes_paid")
OPTIONAL_NUMBERS = ("exports", "imports_customs_benefits")
MAX_ROWS = 10_000


def _labels() -> dict[str, str]:
    return {
        "agreement": _("Agreement number"),
        "year": _("Year"),
        "quarter": _("Quarter (1–4; blank for the year)"),
        "investment": _("Investment made in the period"),
        "jobs": _("Jobs at the end of the period"),
        "revenue": _("Revenue"),
        "taxes_paid": _("Taxes paid"),
        "exports": _("Exports"),
        "imports_customs_benefits": _("Imports under customs benefits"),
        "satisfaction": _("Satisfaction with the park, 1 (poor) – 5 (excellent)"),
        "satisfaction_comment": _("Comment"),
    }


def build_template(rows: Iterable[tuple[str, int, int | None]] = ()) -> bytes:
    """An XLSX template, pre-filled with (agreement number, year, quarter) rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for number, year, quarter in rows:
        ws.append([number, year, quarter])
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(name) + 2)
    ws.freeze_panes = "A2"
    sat = DataValidation(
        type="whole", operator="between", formula1="1", formula2="5", allow_blank=True
    )
    quarter = DataValidation(
        type="whole", operator="between", formula1="1", formula2="4", allow_blank=True
    )
    ws.add_data_validation(sat)
    ws.add_data_validation(quarter)
    sat.add(
        f"{get_column_letter(COLUMNS.index('satisfaction') + 1)}2:"
        f"{get_column_letter(COLUMNS.index('satisfaction') + 1)}{MAX_ROWS}"
    )
    quarter.add(f"C2:C{MAX_ROWS}")
    help_ws = wb.create_sheet(_("Instructions"))
    help_ws.append([_("Column"), _("Meaning")])
    for name, label in _labels().items():
        help_ws.append([name, label])
    help_ws.append([])
    help_ws.append(
        [
            _(
                "Amounts are in the agreement's currency, for the period. Nothing is saved "
                "until every row is valid."
            )
        ]
    )
    help_ws.column_dimensions["A"].width = 28
    help_ws.column_dimensions["B"].width = 70
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def read_reports_workbook(fileobj: IO[bytes]) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse a report workbook: (rows, errors). Each row has agreement, year, quarter, data and
    ``ref(column) -> "Sheet!C5"``; errors are complete sentences naming the cell."""
    errors: list[str] = []
    try:
        fileobj.seek(0)
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-workbook
        return [], [_("file: not an XLSX workbook")]
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    title = ws.title
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if header is None:
        return [], [f"{title}!A1: " + _("header: the sheet is empty")]
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if isinstance(name, str) and name.strip() in COLUMNS:
            positions[name.strip()] = index
    missing = [c for c in COLUMNS if c not in positions and c != "satisfaction_comment"]
    if missing:
        return [], [
            f"{title}!A1: " + _("header: missing column %(name)s") % {"name": name}
            for name in missing
        ]
    out: list[dict[str, Any]] = []
    for row_number, values in enumerate(rows_iter, start=2):
        if row_number > MAX_ROWS + 1:
            errors.append(
                f"{title}!A{row_number}: " + _("too many rows (at most %(n)s)") % {"n": MAX_ROWS}
            )
            break
        if values is None or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue

        def get(name: str, values: tuple[Any, ...] = values) -> Any:
            index = positions.get(name)
            if index is None or index >= len(values):
                return None
            value = values[index]
            return value.strip() if isinstance(value, str) else value

        def ref(name: str, row_number: int = row_number) -> str:
            return f"{title}!{get_column_letter(positions.get(name, 0) + 1)}{row_number}"

        def fail(name: str, message: str, ref: Callable[[str], str] = ref) -> None:
            errors.append(f"{ref(name)}: {name}: {message}")

        row_errors = len(errors)
        agreement = get("agreement")
        if agreement in (None, ""):
            fail("agreement", _("expected the agreement number, the cell is empty"))
        year = _whole(get("year"), "year", fail, 1990, 2100, required=True)
        quarter = _whole(get("quarter"), "quarter", fail, 1, 4, required=False)
        data: dict[str, Any] = {}
        for name in REQUIRED_NUMBERS + OPTIONAL_NUMBERS:
            raw = get(name)
            if raw in (None, ""):
                if name in REQUIRED_NUMBERS:
                    fail(name, _("expected a number, the cell is empty"))
                else:
                    data[name] = Decimal(0)
                continue
            try:
                number = _number(raw)
            except (InvalidOperation, ValueError):
                fail(name, _("expected a number, got %(value)r") % {"value": raw})
                continue
            if number < 0:
                fail(name, _("expected a number ≥ 0, got %(value)s") % {"value": raw})
                continue
            try:
                data[name] = number.quantize(Decimal("0.01"))
            except InvalidOperation:
                fail(
                    name,
                    _("expected a number of at most 18 digits, got %(value)s") % {"value": raw},
                )
        jobs = _whole(get("jobs"), "jobs", fail, 0, None, required=True)
        if jobs is not None:
            data["jobs"] = jobs
        satisfaction = _whole(get("satisfaction"), "satisfaction", fail, 1, 5, required=False)
        data["satisfaction"] = satisfaction
        comment = get("satisfaction_comment")
        data["satisfaction_comment"] = "" if comment is None else str(comment)[:5000]
        if len(errors) == row_errors:
            out.append(
                {
                    "agreement": str(agreement),
                    "year": year,
                    "quarter": quarter,
                    "data": data,
                    "ref": ref,
                    "row": row_number,
                }
            )
    wb.close()
    return out, errors


def _whole(
    raw: Any,
    name: str,
    fail: Callable[[str, str], None],
    low: int | None,
    high: int | None,
    *,
    required: bool,
) -> int | None:
    if raw in (None, ""):
        if required:
            fail(name, _("expected a whole number, the cell is empty"))
        return None
    if isinstance(raw, str) and name == "quarter" and raw.upper().startswith("Q"):
        raw = raw[1:]
    if isinstance(raw, dt.date | dt.datetime):
        fail(name, _("expected a whole number, got a date"))
        return None
    try:
        number = _number(raw)
    except (InvalidOperation, ValueError):
        fail(name, _("expected a whole number, got %(value)r") % {"value": raw})
        return None
    if number != number.to_integral_value():
        fail(name, _("expected a whole number, got %(value)s") % {"value": raw})
        return None
    value = int(number)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
        fail(
            name,
            _("expected a whole number %(bounds)s, got %(value)s")
            % {"bounds": bounds, "value": value},
        )
        return None
    return value
