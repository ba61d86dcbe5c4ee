"""Column cleaners: what they accept, what they refuse, and that export text reads back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from technopark.parks.exchange.cleaning import clean_column
from technopark.parks.exchange.exporter import decimal_text, float_text
from technopark.parks.exchange.schema import columns_of

SITE = {c.name: c for c in columns_of("sites")}
PARK = {c.name: c for c in columns_of("parks")}


@given(
    st.decimals(
        min_value=0,
        max_value=Decimal("9999999999.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_exported_decimals_read_back_exactly(value: Decimal) -> None:
    text = decimal_text(value)
    values, errors = clean_column(SITE["area_ha"], [text])
    assert errors == []
    assert "E" not in text and (text == "0" or not text.endswith(".0"))
    assert Decimal(values[0]) == value


@given(st.floats(min_value=-90, max_value=90, allow_nan=False))
def test_exported_latitudes_read_back_exactly(value: float) -> None:
    values, errors = clean_column(SITE["lat"], [float_text(value)])
    assert errors == [] and values[0] == value


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("2.5", "2.5"),
        (" 2.5 ", "2.5"),
        ("1e2", "100"),
        ("2.50000", "2.5"),
        ("", None),
        ("0012", "0012"),
    ],
)
def test_untidy_decimals_are_accepted(cell: str, value: str | None) -> None:
    values, errors = clean_column(SITE["area_ha"], [cell])
    assert errors == [] and values == [value]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("1,5", "'1,5' is not a number (use a point as the decimal separator)"),
        ("-1", "must not be negative, got -1"),
        ("1.23456", "1.23456 has 5 decimal places; at most 4"),
        ("12345678901", "12345678901 is too large: at most 10 digits before the point"),
        ("NaN", "'NaN' is not a finite number"),
    ],
)
def test_bad_decimals_are_named(cell: str, message: str) -> None:
    values, errors = clean_column(SITE["area_ha"], ["1", cell])
    assert errors == [(1, message)] and values[1] is None


def test_enums_accept_any_case_and_list_the_allowed_values() -> None:
    values, errors = clean_column(SITE["status"], ["Reserved", "", "sold"])
    assert values[:2] == ["reserved", "available"]
    assert errors == [(2, "'sold' is not allowed; allowed: available, reserved, occupied")]


def test_as_of_keeps_its_precision() -> None:
    values, errors = clean_column(SITE["as_of"], ["2024", "2024-12", "2024-12-18", ""])
    assert errors == []
    assert values == [
        ("2024-01-01", "year"),
        ("2024-12-01", "month"),
        ("2024-12-18", "day"),
        (None, "day"),
    ]


def test_lists_and_booleans() -> None:
    assert clean_column(PARK["industries"], ["24; 27", ""])[0] == ['["24", "27"]', "[]"]
    assert clean_column(SITE["rail_siding"], ["true", "0", "yes", ""])[0] == [
        True,
        False,
        True,
        None,
    ]
    assert clean_column(PARK["is_published"], [""])[0] == [True]
