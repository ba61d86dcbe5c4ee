"""Turn a column of exchange text into database values, the whole column at a time.

Each cleaner first tries a fast path that runs at C speed over the column (a compiled regular
expression mapped over it, or a lookup of each distinct value), and only when that finds
something unusual walks the column cell by cell to accept what is merely untidy (spaces, an
exponent) and to name what is wrong. Values are returned in the form the database drivers take
(text for decimals and dates, JSON text for lists) so that nothing is converted twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from technopark.core.models import parse_as_of
from technopark.core.validators import CURRENCY_RE, ISIC_RE, validate_boundary
from technopark.parks.exchange.schema import BOOL_FALSE, BOOL_TRUE, Column, Kind

Errors = list[tuple[int, str]]  # (index in the column, message)
ID_RE = re.compile(r"[-a-zA-Z0-9_]+")


class Keep:
    """A cell that was not given at all (as opposed to given empty): keep what is stored."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


def _allowed(choices: Sequence[str]) -> str:
    return ", ".join(choices)


def clean_decimal(column: Column, cells: Sequence[Any]) -> tuple[list[Any], Errors]:
    places = column.decimal_places or 0
    whole = (column.max_digits or 0) - places
    # ASCII digits only: other scripts' digits take the slow path, which writes them as ASCII.
    fast = re.compile(
        rf"\d{{1,{whole}}}(?:\.\d{{1,{places}}})?" if places else rf"\d{{1,{whole}}}",
        re.ASCII,
    )
    if all(map(fast.fullmatch, filter(None, cells))):
        return [c or None for c in cells], []
    values: list[Any] = []
    errors: Errors = []
    for i, cell in enumerate(cells):
        text = (cell or "").strip()
        if not text:
            values.append(None)
            continue
        if fast.fullmatch(text):
            values.append(text)
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            hint = " (use a point as the decimal separator)" if "," in text else ""
            errors.append((i, f"{text!r} is not a number{hint}"))
            values.append(None)
            continue
        if not number.is_finite():
            errors.append((i, f"{text!r} is not a finite number"))
        elif number < 0:
            errors.append((i, f"must not be negative, got {text}"))
        else:
            normal = number.normalize()
            exponent = int(normal.as_tuple().exponent)
            decimals = max(0, -exponent)
            digits_before = len(format(normal.to_integral_value(rounding="ROUND_DOWN"), "f"))
            if decimals > places:
                errors.append((i, f"{text} has {decimals} decimal places; at most {places}"))
            elif digits_before > whole:
                errors.append((i, f"{text} is too large: at most {whole} digits before the point"))
            else:
                values.append(format(normal, "f"))
                continue
        values.append(None)
    return values, errors


_FLOAT_RE = re.compile(r"-?\d{1,3}(?:\.\d{1,17})?")


def clean_float(column: Column, cells: Sequence[Any]) -> tuple[list[Any], Errors]:
    low, high = column.min_value, column.max_value
    if all(map(_FLOAT_RE.fullmatch, filter(None, cells))):
        values = [float(c) if c else None for c in cells]
        present = [v for v in values if v is not None]
        if not present or (min(present) >= low and max(present) <= high):  # type: ignore[operator]
            return values, []
    values = []
    errors: Errors = []
    for i, cell in enumerate(cells):
        text = (cell or "").strip()
        value = None
        if text:
            try:
                value = float(text)
            except ValueError:
                errors.append((i, f"{text!r} is not a number"))
            else:
                if not (low <= value <= high):  # type: ignore[operator]
                    errors.append((i, f"{text} is outside {low:g} … {high:g}"))
                    value = None
        values.append(value)
    return values, errors


def _by_distinct(cells: Sequence[Any], one: Callable[[str], Any]) -> tuple[list[Any], Errors]:
    """Clean each distinct cell once (`one` raises ValueError with the message)."""
    mapping: dict[Any, Any] = {}
    failures: dict[Any, str] = {}
    for cell in set(cells):
        try:
            mapping[cell] = one(cell)
        except ValueError as exc:
            failures[cell] = str(exc)
            mapping[cell] = None
    if not failures and all(k == v and type(k) is type(v) for k, v in mapping.items()):
        return list(cells), []  # every value is already as stored
    values = list(map(mapping.__getitem__, cells))
    if not failures:
        return values, []
    return values, [(i, failures[c]) for i, c in enumerate(cells) if c in failures]


def _enum(column: Column) -> Callable[[str], Any]:
    allowed = set(column.choices)
    lowered = {c.lower(): c for c in column.choices}

    def one(cell: str) -> str:
        text = (cell or "").strip()
        if not text:
            return column.default
        if text in allowed:
            return text
        if text.lower() in lowered:
            return lowered[text.lower()]
        raise ValueError(f"{text!r} is not allowed; allowed: {_allowed(column.choices)}")

    return one


def _int(column: Column) -> Callable[[str], Any]:
    low, high = column.min_value, column.max_value

    def one(cell: str) -> int | None:
        text = (cell or "").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
            if number != number.to_integral_value():
                raise InvalidOperation
            value = int(number)
        except (InvalidOperation, ValueError):
            raise ValueError(f"{text!r} is not a whole number") from None
        if not (low <= value <= high):  # type: ignore[operator]
            raise ValueError(f"{value} is outside {low:g} … {high:g}")
        return value

    return one


def _bool(column: Column) -> Callable[[str], Any]:
    def one(cell: str) -> bool | None:
        text = (cell or "").strip()
        if not text:
            return {"true": True, "false": False}.get(column.default)
        if text in BOOL_TRUE:
            return True
        if text in BOOL_FALSE:
            return False
        raise ValueError(f"{text!r} is not a boolean; allowed: true, false (or 1/0, yes/no)")

    return one


def _as_of(cell: str) -> tuple[str | None, str]:
    text = (cell or "").strip()
    if not text:
        return None, "day"
    try:
        date, precision = parse_as_of(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return date.isoformat(), precision


def _currency(cell: str) -> str:
    text = (cell or "").strip()
    if text and not CURRENCY_RE.match(text):
        if CURRENCY_RE.match(text.upper()):
            return text.upper()
        raise ValueError(f"{text!r} is not an ISO 4217 currency code (three capital letters)")
    return text


def _isic_list(cell: str) -> str:
    codes = [c.strip() for c in (cell or "").split(";") if c.strip()]
    for code in codes:
        if not ISIC_RE.match(code):
            raise ValueError(
                f"{code!r} is not an ISIC Rev.4 code (a section letter A–U or 2–4 digits)"
            )
    return json.dumps(codes)


def _text_list(cell: str) -> str:
    items = [c.strip() for c in (cell or "").split(";") if c.strip()]
    return json.dumps(items)


def _text_key(cell: str) -> str | None:
    text = (cell or "").strip()
    return text or None


def _geometry(cell: Any) -> Any:
    if cell is None:
        return KEEP
    text = cell.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
    try:
        validate_boundary(value)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return json.dumps(value)


def clean_id(column: Column, cells: Sequence[Any]) -> tuple[list[Any], Errors]:
    limit = column.max_length or 100
    if all(map(ID_RE.fullmatch, cells)) and max(map(len, cells), default=0) <= limit:
        return list(cells), []
    values: list[Any] = []
    errors: Errors = []
    for i, cell in enumerate(cells):
        text = (cell or "").strip()
        if not text:
            errors.append((i, "required, but empty"))
        elif not ID_RE.fullmatch(text):
            errors.append((i, f"{text!r} is not an id: use letters, digits, '-' and '_' only"))
        elif len(text) > limit:
            errors.append((i, f"longer than {limit} characters"))
        else:
            values.append(text)
            continue
        values.append(None)
    return values, errors


def clean_text(column: Column, cells: Sequence[Any]) -> tuple[list[Any], Errors]:
    limit = column.max_length
    if limit is None or max(map(len, cells), default=0) <= limit:
        return list(cells), []
    values, errors = [], []
    for i, cell in enumerate(cells):
        text = cell.strip()
        if len(text) > limit:
            errors.append((i, f"longer than {limit} characters ({len(text)})"))
        values.append(text)
    return values, errors


def clean_column(column: Column, cells: Sequence[Any]) -> tuple[list[Any], Errors]:
    """Database values of one column and the errors found in it."""
    kind = column.kind
    if kind == Kind.ID:
        return clean_id(column, cells)
    if kind in (Kind.DECIMAL, Kind.UTILITY):
        return clean_decimal(column, cells)
    if kind == Kind.FLOAT:
        return clean_float(column, cells)
    if kind == Kind.TEXT:
        return clean_text(column, cells)
    one: Callable[[Any], Any]
    if kind == Kind.ENUM:
        one = _enum(column)
    elif kind == Kind.INT:
        one = _int(column)
    elif kind == Kind.BOOL:
        one = _bool(column)
    elif kind == Kind.AS_OF:
        one = _as_of
    elif kind == Kind.CURRENCY:
        one = _currency
    elif kind == Kind.ISIC_LIST:
        one = _isic_list
    elif kind == Kind.TEXT_LIST:
        one = _text_list
    elif kind == Kind.GEOMETRY:
        one = _geometry
    elif kind in (Kind.COUNTRY, Kind.REGION, Kind.ORGANIZATION, Kind.PARK_REF):
        one = _text_key  # resolved against the database by the importer
    else:  # pragma: no cover - every kind is listed above
        raise AssertionError(kind)
    values, errors = _by_distinct(cells, one)
    if column.max_length and kind in (Kind.REGION, Kind.ORGANIZATION):
        limit = column.max_length
        errors += [
            (i, f"longer than {limit} characters")
            for i, v in enumerate(values)
            if v and len(v) > limit
        ]
    return values, errors
