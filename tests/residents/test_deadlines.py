"""Deadlines computed by hand (calendar of 2026: 1 January is a Thursday)."""

from __future__ import annotations

import datetime as dt

import pytest

from technopark.residents.deadlines import (
    add_business_days,
    add_months,
    business_days_between,
    first_day_of_month,
    offset_date,
    roll_to_working_day,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "holidays", "expected", "why"),
    [
        (D(2026, 1, 9), 1, (), D(2026, 1, 12), "Friday + 1 working day skips the weekend: Monday"),
        (
            D(2026, 3, 5),
            10,
            (),
            D(2026, 3, 19),
            "ZRU-604 10 working days from Thursday 5 March: 6, 9–13, 16–19 → Thursday 19 March",
        ),
        (D(2026, 3, 6), 1, (D(2026, 3, 9),), D(2026, 3, 10), "Monday 9 March a holiday → Tuesday"),
        (D(2026, 1, 29), 3, (), D(2026, 2, 3), "across a month end: 30 Jan, 2 Feb, 3 Feb"),
        (D(2026, 1, 10), 1, (), D(2026, 1, 12), "from a Saturday, the first working day is Monday"),
        (
            D(2026, 12, 30),
            3,
            (D(2027, 1, 1),),
            D(2027, 1, 5),
            "across the year end with 1 January a holiday: 31 Dec, (1 Jan off), (2–3 weekend), 4, 5 Jan",
        ),
        (D(2026, 3, 5), 0, (), D(2026, 3, 5), "zero days is the same day"),
    ],
)
def test_add_business_days(start, days, holidays, expected, why):
    assert add_business_days(start, days, holidays) == expected, why


def test_business_days_between_is_the_inverse():
    assert business_days_between(D(2026, 3, 5), D(2026, 3, 19)) == 10
    assert business_days_between(D(2026, 3, 19), D(2026, 3, 5)) == -10


@pytest.mark.parametrize(
    ("start", "months", "expected", "why"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28), "31 January + 1 month: February has 28 days in 2026"),
        (D(2024, 1, 31), 1, D(2024, 2, 29), "leap year: 29 February"),
        (D(2026, 1, 31), 2, D(2026, 3, 31), "March has a 31st"),
        (D(2026, 1, 31), 3, D(2026, 4, 30), "April has 30 days"),
        (D(2026, 11, 30), 3, D(2027, 2, 28), "across the year end"),
        (D(2026, 3, 31), -1, D(2026, 2, 28), "backwards too"),
        (D(2026, 1, 15), 24, D(2028, 1, 15), "two years"),
    ],
)
def test_add_months(start, months, expected, why):
    assert add_months(start, months) == expected, why


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 2, 28), D(2026, 3, 2)),  # Saturday → Monday
        (D(2026, 2, 15), D(2026, 2, 16)),  # Sunday → Monday
        (D(2026, 2, 16), D(2026, 2, 16)),  # Monday stays
    ],
)
def test_roll_to_working_day(day, expected):
    assert roll_to_working_day(day) == expected


def test_deadline_on_a_weekend_moves_to_monday():
    # Small industrial zone: documents within 15 days of Saturday 31 January 2026 → Sunday
    # 15 February → Monday 16 February (RF Civil Code Art. 193 / Uzbek CC Art. 155).
    assert offset_date(D(2026, 1, 31), days=15) == D(2026, 2, 16)
    # 31 January + 1 month = Saturday 28 February → Monday 2 March.
    assert offset_date(D(2026, 1, 31), months=1) == D(2026, 3, 2)
    assert offset_date(D(2026, 1, 31), months=1, roll=False) == D(2026, 2, 28)


def test_first_day_of_month():
    assert first_day_of_month(D(2027, 1, 16)) == D(2027, 1, 1)
    assert first_day_of_month(D(2026, 2, 1)) == D(2026, 2, 1)


def test_review_deadline_of_an_uzbek_sez_is_ten_working_days(rw, draft, monkeypatch):
    from django.utils import timezone

    from technopark.residents.services import application_submit

    thursday = dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: thursday)
    application_submit(application=draft, user=rw.users["applicant"])
    assert draft.regime_id == "uz-sez"
    assert draft.review_deadline == D(2026, 3, 19)
    assert not draft.is_overdue(D(2026, 3, 19))
    assert draft.is_overdue(D(2026, 3, 20))


def test_review_deadline_skips_listed_holidays(rw, draft, monkeypatch):
    from django.utils import timezone

    from technopark.residents import data
    from technopark.residents.services import application_submit

    monkeypatch.setattr(data, "holidays", lambda: {"UZ": frozenset({D(2026, 3, 9)})})
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.UTC))
    application_submit(application=draft, user=rw.users["applicant"])
    assert draft.review_deadline == D(2026, 3, 20)


def test_holidays_are_empty_by_default():
    from technopark.residents.data import holidays

    assert all(not days for days in holidays().values())


def test_templates_put_commitments_on_the_right_days():
    from decimal import Decimal

    from technopark.residents.data import instantiate_template

    sputnik = instantiate_template("uz-small-industrial-zone", start=D(2026, 1, 31))
    assert [(c.kind, c.due) for c in sputnik.commitments] == [
        ("documents", D(2026, 2, 16)),  # 15 days → Sunday 15 Feb → Monday
        ("project", D(2026, 3, 31)),  # 2 months
        ("construction_start", D(2026, 4, 30)),  # 3 months
    ]
    ru = instantiate_template(
        "ru-sez-industrial", start=D(2026, 3, 2), parameters={"declared_investment": 150_000_000}
    )
    first = ru.commitments[0]
    assert first.target == Decimal("100000000.00")  # two-thirds of 150 m RUB
    assert first.due == D(2029, 3, 2)  # 3 years (template parameter, unverified)


def test_ru_template_refuses_less_than_the_minimum_investment():
    from technopark.residents.data import TemplateError, instantiate_template

    with pytest.raises(TemplateError) as err:
        instantiate_template(
            "ru-sez-industrial",
            start=D(2026, 3, 2),
            parameters={"declared_investment": 100_000_000, "bogus": 1},
        )
    assert err.value.errors == [
        "parameters.bogus: not a parameter of template ru-sez-industrial",
        "parameters.declared_investment: must be at least 120000000 RUB, got 100000000",
    ]


# --------------------------------------------------------------------------- properties

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


@given(start=dates, days=st.integers(min_value=1, max_value=400))
def test_business_days_land_on_working_days_and_invert(start, days):
    end = add_business_days(start, days)
    assert end.weekday() < 5
    assert business_days_between(start, end) == days
    # never more than days + 2 days of weekend per 5 working days (plus a starting weekend)
    assert (end - start).days <= days + 2 * (days // 5 + 1) + 2


@given(start=dates, months=st.integers(min_value=-240, max_value=240))
def test_add_months_keeps_the_day_or_the_month_end(start, months):
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    next_day = end + dt.timedelta(days=1)
    assert end.day == start.day or (end.day < start.day and next_day.month != end.month)


@given(day=dates)
def test_roll_is_idempotent_and_at_most_two_days(day):
    rolled = roll_to_working_day(day)
    assert roll_to_working_day(rolled) == rolled and 0 <= (rolled - day).days <= 2
