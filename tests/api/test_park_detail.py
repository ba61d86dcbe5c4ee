"""A park's detail is written from plain rows (parks/api.py park_detail_response): it must say
exactly what its response schema says, in a fixed number of queries, with the park's ETag."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from technopark.parks.models import Park, ParkUtility, RegisterEntry


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def _furnish(park: Park) -> None:
    """A park with everything its detail shows: two utilities, two register entries."""
    park.name_ru = "Технопарк"
    park.boundary = {
        "type": "Polygon",
        "coordinates": [[[69.0, 41.0], [69.1, 41.0], [69.1, 41.1], [69.0, 41.0]]],
    }
    park.save()
    ParkUtility.objects.create(
        park=park,
        utility="gas",
        capacity=Decimal("1200"),
        tariff=Decimal("0.123456"),
        currency="UZS",
        tariff_date=dt.date(2025, 1, 1),
        as_of=dt.date(2020, 5, 1),
        as_of_precision="month",
    )
    RegisterEntry.objects.create(
        park=park, kind="register", register="GISIP", number="7", date=dt.date(2019, 6, 1)
    )
    RegisterEntry.objects.create(
        park=park,
        kind="certificate",
        register="ISO 14001",
        date=dt.date(2024, 3, 2),
        url="https://example.org/cert",
    )


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    ("role", "which"), [("anonymous", "own_park"), ("admin", "own_hidden_park")]
)
def test_the_detail_says_what_its_schema_says(
    api_as: Any, world: Any, language: str, role: str, which: str
) -> None:
    from ninja.responses import NinjaJSONEncoder

    from technopark.parks import selectors
    from technopark.parks.schemas import ParkDetailOut

    park = getattr(world, which)
    _furnish(park)
    if which == "own_hidden_park":
        ParkUtility.objects.create(park=park, utility="electricity", capacity=Decimal("5"))
    response = api_as(role).get(f"/parks/{park.park_id}", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    body = response.json()

    with translation.override(language):
        obj = selectors.park_detail(user=world.users.get(role), park_id=park.park_id)
        expected = json.loads(
            json.dumps(ParkDetailOut.from_orm(obj).model_dump(), cls=NinjaJSONEncoder)
        )
    assert body == expected
    # Written out, not taken from the code: the order park_detail promises and the units.
    assert [u["utility"] for u in body["utilities"]] == sorted(
        u["utility"] for u in body["utilities"]
    )
    gas = next(u for u in body["utilities"] if u["utility"] == "gas")
    assert gas["capacity"] == "1200.000" and gas["tariff_unit"] == "per 1000 m3"
    assert gas["as_of_display"] == "2020-05" and gas["is_stale"] is True
    assert body["register_entries"][0]["register_name"] == "ISO 14001"  # newest first
    assert body["display_name"] == ("Технопарк" if language == "ru" else park.name)
    assert body["boundary"]["type"] == "Polygon"


def test_the_detail_etag_is_the_parks_and_works_for_a_write(api_as: Any, world: Any) -> None:
    admin = api_as("admin")
    park = world.own_park.park_id
    etag = admin.get(f"/parks/{park}")["ETag"]
    assert admin.get(f"/parks/{park}", HTTP_IF_NONE_MATCH=etag).status_code == 304
    changed = admin.patch(f"/parks/{park}", {"notes": "Gate moved"}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] != etag
    assert admin.get(f"/parks/{park}")["ETag"] == changed["ETag"]
    stale = admin.patch(f"/parks/{park}", {"notes": "Again"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412


@pytest.mark.parametrize("role", ["anonymous", "resident", "operator", "admin"])
def test_a_detail_miss_runs_a_fixed_number_of_queries(api_as: Any, world: Any, role: str) -> None:
    client = api_as(role)
    park = world.own_park
    client.get(f"/parks/{park.park_id}")  # warm: session, content types
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/parks/{park.park_id}").status_code == 200
    _furnish(park)
    for utility in ("water", "heat"):  # besides the world's electricity and _furnish's gas
        ParkUtility.objects.create(park=park, utility=utility)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"/parks/{park.park_id}").json()
    assert len(body["utilities"]) == 4 and len(body["register_entries"]) == 2
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # The registry version, the park, its utilities, its register entries (and, signed in,
    # the session, its user and the user's roles).
    assert len(few) <= (4 if role == "anonymous" else 7), [q["sql"] for q in few.captured_queries]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 404), ("operator", 200)])
def test_a_hidden_park_is_404_to_who_may_not_see_it(
    api_as: Any, world: Any, role: str, status: int
) -> None:
    response = api_as(role).get(f"/parks/{world.own_hidden_park.park_id}")
    assert response.status_code == status
    if status == 404:
        assert set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_each_caller_gets_its_own_answer_when_nothing_is_cached(
    api_as: Any, world: Any, order: str
) -> None:
    """The detail's queries are compiled once per permission scope and reused: whoever asks
    first, every role sees exactly the parks the rules let it see (conftest.VIEW)."""
    from tests.api.conftest import ROLES, SCOPES, expected_read

    parks = {
        "own": world.own_park,
        "own_hidden": world.own_hidden_park,
        "other": world.other_park,
        "other_hidden": world.other_hidden_park,
    }
    roles = ROLES if order == "as listed" else ROLES[::-1]
    for scope in SCOPES:
        for role in roles:
            cache.clear()
            response = api_as(role).get(f"/parks/{parks[scope].park_id}")
            assert response.status_code == expected_read(role, scope), (role, scope)
            if response.status_code == 200:
                assert response.json()["park_id"] == parks[scope].park_id
