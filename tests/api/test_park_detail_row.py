"""PostgreSQL reads a park's detail in one query, its utilities and register entries as JSON
arrays (parks.selectors._park_detail_row); the rows must be exactly those of the three plain
`.values()` queries it replaces (_park_detail_rows_apart, what SQLite runs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.http import Http404

from technopark.parks import api, selectors
from technopark.parks.models import ParkUtility, RegisterEntry

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-query read is PostgreSQL's"
)

FIELDS = ((*api.PARK_VALUES, "boundary"), api.UTILITY_VALUES, api.REGISTER_ENTRY_VALUES)


def both(user: Any, scope: str, park_id: str) -> tuple[Any, Any]:
    one = selectors._park_detail_row(user, scope, park_id, FIELDS)
    apart = selectors._park_detail_rows_apart(user, scope, park_id, FIELDS)
    return one, apart


@pytest.mark.django_db
def test_the_one_query_read_gives_the_rows_of_the_three(world: Any) -> None:
    park = world.own_park
    # Decimals with trailing zeros and six places, missing values, dates and none.
    ParkUtility.objects.filter(park=park).delete()
    ParkUtility.objects.create(
        park=park,
        utility="electricity",
        capacity=Decimal("120.50"),
        free_capacity=Decimal("0"),
        tariff=Decimal("0.061000"),
        connection_fee=Decimal("12345678901234.123456"),
        currency="UZS",
        tariff_date=dt.date(2026, 1, 1),
        notes="Quotes \" and 'apostrophes', a backslash \\ and Кириллица (example)",
        source="Example source",
        as_of=dt.date(2026, 3, 31),
    )
    ParkUtility.objects.create(park=park, utility="water")
    RegisterEntry.objects.create(
        park=park,
        kind="register",
        register="Example register",
        number="№ 17",
        date=dt.date(2025, 12, 31),
        valid_until=None,
        url="https://example.org/entry?a=1&b=2",
    )
    RegisterEntry.objects.create(park=park, kind="certificate", register="Another (example)")

    one, apart = both(None, "public", park.park_id)
    assert one == apart
    assert [u["utility"] for u in one.utilities] == ["electricity", "water"]
    electricity = one.utilities[0]
    assert electricity["capacity"] == Decimal("120.50")
    assert str(electricity["tariff"]) == "0.061000"  # the scale is kept, as .values() keeps it
    assert str(electricity["connection_fee"]) == "12345678901234.123456"
    assert electricity["tariff_date"] == dt.date(2026, 1, 1)
    assert one.utilities[1]["capacity"] is None and one.utilities[1]["tariff_date"] is None
    # Newest entry first; an entry without a date sorts as PostgreSQL sorts NULL descending.
    assert [e["register"] for e in one.register_entries] == [
        e["register"] for e in apart.register_entries
    ]

    # A park without utilities or entries, and one the caller may not see.
    bare = world.other_park
    ParkUtility.objects.filter(park=bare).delete()
    one, apart = both(None, "public", bare.park_id)
    assert one == apart and one.utilities == [] and one.register_entries == []
    for read in (selectors._park_detail_row, selectors._park_detail_rows_apart):
        with pytest.raises(Http404):
            read(None, "public", world.own_hidden_park.park_id, FIELDS)


@pytest.mark.django_db
def test_the_api_answer_is_the_same_either_way(
    api_as: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ParkUtility.objects.create(
        park=world.own_park, utility="gas", tariff=Decimal("7.500000"), currency="RUB"
    )
    path = f"/parks/{world.own_park.park_id}"
    one = api_as("operator").get(path)
    monkeypatch.setattr(selectors, "_park_detail_row", selectors._park_detail_rows_apart)
    from django.core.cache import cache

    cache.clear()
    apart = api_as("operator").get(path)
    assert one.status_code == apart.status_code == 200
    assert one.content == apart.content
