"""Calendar arithmetic for review deadlines and commitment due dates (pure Python, no Django).

Rules (all dates are calendar dates, no times):

* ``add_business_days(start, n)`` counts working days *after* ``start``: the day an
  application arrives is not counted. Saturdays, Sundays and the listed holidays are skipped.
  ZRU-604 (Uzbekistan, SEZ) gives a directorate 10 working days to review an application.
* ``add_months(start, n)`` keeps the day of the month, clamped to the month's last day
  (31 January + 1 month = 28 or 29 February), as civil codes count month terms (RF Civil Code
  Art. 192 part 3; Uzbek Civil Code Art. 153 reads the same way).
* ``roll_to_working_day(day)`` moves a deadline that falls on a non-working day to the next
  working day (RF Civil Code Art. 193; Uzbek Civil Code Art. 155).

>>> import datetime as dt
>>> add_business_days(dt.date(2026, 1, 9), 1)  # Friday + 1 working day = Monday
datetime.date(2026, 1, 12)
>>> add_months(dt.date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Whether ``day`` is neither a weekend day nor a listed holiday."""
    return day.weekday() not in WEEKEND and day not in set(holidays)


def add_business_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    >>> import datetime as dt
    >>> add_business_days(dt.date(2026, 3, 2), 10)  # Monday + 10 working days
    datetime.date(2026, 3, 16)
    """
    if days < 0:
        raise ValueError("days must not be negative")
    off = frozenset(holidays)
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() not in WEEKEND and day not in off:
            left -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -business_days_between(end, start, holidays)
    off = frozenset(holidays)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() not in WEEKEND and day not in off:
            count += 1
    return count


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` plus whole months, the day clamped to the end of a shorter month.

    >>> import datetime as dt
    >>> add_months(dt.date(2024, 1, 31), 1)  # leap year
    datetime.date(2024, 2, 29)
    >>> add_months(dt.date(2025, 11, 30), 3)
    datetime.date(2026, 2, 28)
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def roll_to_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> dt.date:
    """``day`` itself if it is a working day, else the next working day.

    >>> import datetime as dt
    >>> roll_to_working_day(dt.date(2026, 2, 28))  # Saturday → Monday
    datetime.date(2026, 3, 2)
    """
    off = frozenset(holidays)
    while day.weekday() in WEEKEND or day in off:
        day += dt.timedelta(days=1)
    return day


def first_day_of_month(day: dt.date) -> dt.date:
    """The first day of ``day``'s month — when Uzbek benefits stop after loss of status
    (Tax Code Art. 474)."""
    return day.replace(day=1)


def offset_date(
    start: dt.date,
    *,
    days: int = 0,
    months: int = 0,
    years: int = 0,
    working_days: int = 0,
    roll: bool = True,
    holidays: Iterable[dt.date] = (),
) -> dt.date:
    """A due date ``years``/``months``/``days``/``working_days`` after ``start``.

    Months and years go first (clamped to month ends), then calendar days, then working
    days; with ``roll`` a calendar deadline on a non-working day moves to the next working day.

    >>> import datetime as dt
    >>> offset_date(dt.date(2026, 1, 31), months=1)  # 28.02.2026 is a Saturday
    datetime.date(2026, 3, 2)
    >>> offset_date(dt.date(2026, 1, 31), months=1, roll=False)
    datetime.date(2026, 2, 28)
    """
    holidays = tuple(holidays)
    day = add_months(start, months + 12 * years) if (months or years) else start
    day += dt.timedelta(days=days)
    if working_days:
        day = add_business_days(day, working_days, holidays)
    elif roll:
        day = roll_to_working_day(day, holidays)
    return day
