"""List endpoints: the web filters, pagination with a total, ordering, constant query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from technopark.geo.models import Country
from technopark.parks.filtersets import ParkFilterSet, SiteFilterSet
from tests.api.conftest import assert_error_shape
from tests.factories import (
    CountryFactory,
    OrganizationFactory,
    ParkFactory,
    ParkUtilityFactory,
    ResidentFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world: Any) -> dict[str, Any]:
    ru = CountryFactory(code="RU", name="Russia", currency="RUB")
    chem = ParkFactory(
        park_id="ru-chem",
        name="Kazan chemical park (example)",
        country=ru,
        industries=["20", "2220"],
        kind="industrial_park",
        stage="operating",
        area_free_ha=Decimal("80"),
        locality="Kazan",
    )
    ParkUtilityFactory(
        park=chem, utility="gas", capacity=Decimal("9000"), free_capacity=Decimal("5000")
    )
    ParkUtilityFactory(
        park=chem, utility="electricity", capacity=Decimal("100"), free_capacity=Decimal("30")
    )
    SiteFactory(park=chem, status="occupied")
    cable = ParkFactory(
        park_id="uz-cable",
        name="Cable technopark (example)",
        industries=["27"],
        area_free_ha=Decimal("5"),
        stage="concept",
    )
    SiteFactory(park=cable, status="available", area_ha=Decimal("12"))
    return {"chem": chem, "cable": cable}


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {p["park_id"] for p in response.json()["results"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=RU", {"ru-chem"}),
        ("industry=2", {"ru-chem", "uz-cable", "OWN", "OTHER"}),
        ("industry=20", {"ru-chem"}),
        ("industry=222", {"ru-chem"}),
        ("industry=27&country=UZ", {"uz-cable", "OWN", "OTHER"}),
        ("kind=industrial_park", {"ru-chem"}),
        ("stage=concept", {"uz-cable"}),
        ("stage=concept&stage=operating", {"uz-cable", "ru-chem"}),
        ("min_free_area=50", {"ru-chem"}),
        ("min_free_gas=4000", {"ru-chem"}),
        ("min_free_gas=6000", set()),
        ("min_free_electricity=25", {"ru-chem"}),
        ("available_sites=true&industry=27", {"uz-cable", "OWN", "OTHER"}),
        ("available_sites=true&country=RU", set()),
        # "Only parks with available sites": false is no filter; a checked checkbox sends "on".
        ("available_sites=false&country=RU", {"ru-chem"}),
        ("available_sites=on&country=RU", set()),
        ("available_sites=&country=RU", {"ru-chem"}),
        ("q=kazan chemical", {"ru-chem"}),
        ("q=Cable", {"uz-cable"}),
    ],
)
def test_park_filters(
    api_as: Any, world: Any, catalogue: Any, query: str, expected: set[str]
) -> None:
    names = {"OWN": world.own_park.park_id, "OTHER": world.other_park.park_id}
    expected = {names.get(e, e) for e in expected}
    assert ids(api_as("anonymous").get(f"/parks?{query}&limit=500")) == expected


def test_the_web_list_and_the_api_filter_alike(
    client: Any, api_as: Any, world: Any, catalogue: Any
) -> None:
    """One FilterSet: the same query string selects the same parks on / and /api/v1/parks."""
    for query in ("country=RU", "industry=27", "min_free_gas=4000", "q=cable", "stage=concept"):
        page = client.get(f"/?{query}")
        api_ids = ids(api_as("anonymous").get(f"/parks?{query}&limit=500"))
        listed = {p.park_id for p in page.context["page"].object_list}
        assert listed == api_ids, query


def test_bad_filters_are_400_with_the_parameter_named(api_as: Any, world: Any) -> None:
    body = assert_error_shape(api_as("anonymous").get("/parks?industry=2x&min_free_area=lots"), 400)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"query.industry", "query.min_free_area"}
    assert_error_shape(api_as("anonymous").get("/parks?country=ZZ"), 400)
    assert_error_shape(api_as("anonymous").get("/parks?ordering=secret"), 400)


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/parks?available_sites=null", "available_sites"),
        ("/parks?available_sites=maybe", "available_sites"),
        ("/sites?rail_siding=null", "rail_siding"),
        ("/sites?available=2", "available"),
        ("/residents?current=none", "current"),
    ],
)
def test_a_yes_or_no_filter_refuses_other_values(
    api_as: Any, world: Any, path: str, parameter: str
) -> None:
    """Django's BooleanFilter read these as "no filter" (or, behind a checkbox, as yes)."""
    body = assert_error_shape(api_as("anonymous").get(path), 400)
    assert body["errors"] == [
        {"field": f"query.{parameter}", "message": f"Give true or false, not {path.split('=')[1]}."}
    ]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/parks?operator=1&operator=", "operator"),
        ("/parks?industry=27&industry=20", "industry"),
        ("/sites?available=true&available=false", "available"),
        ("/parks?limit=5&limit=6", "limit"),
        ("/residents?offset=0&offset=", "offset"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_400(
    api_as: Any, world: Any, path: str, parameter: str
) -> None:
    body = assert_error_shape(api_as("anonymous").get(path), 400)
    assert body["errors"] == [{"field": f"query.{parameter}", "message": "Give one value, not 2."}]


def test_pagination_and_ordering(api_as: Any, world: Any, catalogue: Any) -> None:
    client = api_as("admin")
    total = client.get("/parks").json()["count"]
    assert total == 6
    seen: list[str] = []
    for offset in range(0, total, 4):
        page = client.get(f"/parks?limit=4&offset={offset}&ordering=-area_free_ha").json()
        assert page["count"] == total and page["limit"] == 4 and page["offset"] == offset
        seen += [p["park_id"] for p in page["results"]]
    assert len(seen) == len(set(seen)) == total
    assert seen[0] == "ru-chem"
    by_name = [p["name"] for p in client.get("/parks?ordering=name&limit=500").json()["results"]]
    assert by_name == sorted(by_name)
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=x"):
        assert_error_shape(client.get(f"/parks?{bad}"), 400)


def test_site_filters(api_as: Any, world: Any, catalogue: Any) -> None:
    client = api_as("anonymous")

    def site_ids(query: str) -> set[str]:
        response = client.get(f"/sites?{query}&limit=500")
        assert response.status_code == 200, response.content
        return {s["park"] for s in response.json()["results"]}

    assert site_ids("country=RU") == {"ru-chem"}
    assert site_ids("park=uz-cable") == {"uz-cable"}
    assert site_ids("status=occupied") == {"ru-chem"}
    assert site_ids("min_area_ha=10") == {"uz-cable"}
    assert site_ids("industry=20") == {"ru-chem"}
    # A hidden park is not a valid choice for a caller who cannot see it.
    assert_error_shape(client.get(f"/sites?park={world.other_hidden_park.park_id}"), 400)


def test_every_filter_of_the_filtersets_is_documented_in_openapi(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, filterset in (("/api/v1/parks", ParkFilterSet), ("/api/v1/sites", SiteFilterSet)):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert set(filterset.base_filters) | {"limit", "offset"} <= names


LIST_ENDPOINTS = ["/parks", "/sites", "/organizations", "/residents"]


def _grow(world: Any, n: int) -> None:
    country = Country.objects.get(code="UZ")
    for _ in range(n):
        park = ParkFactory(country=country, operator=world.op_org)
        SiteFactory(park=park)
        ResidentFactory(park=park, organization=OrganizationFactory(kind="company"))


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
@pytest.mark.parametrize("role", ["anonymous", "resident", "operator", "admin"])
def test_list_query_count_does_not_grow_with_rows(
    api_as: Any, world: Any, endpoint: str, role: str
) -> None:
    client = api_as(role)
    client.get(endpoint)  # warm: session, content types
    cache.clear()  # both measured reads miss the response cache (hits: test_response_cache.py)
    with CaptureQueriesContext(connection) as few:
        response = client.get(f"{endpoint}?limit=100")
    assert response.status_code == 200
    _grow(world, 19)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{endpoint}?limit=100")
    assert response.status_code == 200
    assert response.json()["count"] >= 20 or endpoint == "/organizations"
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 8


@pytest.mark.parametrize("language", ["en", "ru"])
def test_fast_list_rows_equal_the_response_schema(
    api_as: Any, world: Any, catalogue: Any, language: str
) -> None:
    """The list endpoints write rows without the schema; they must say exactly what it says."""
    import json as _json

    from django.utils import translation
    from ninja.responses import NinjaJSONEncoder

    from technopark.parks.models import Park, Site
    from technopark.parks.schemas import ParkOut, SiteOut

    world.own_park.name_ru = "Парк"
    world.own_park.save()
    client = api_as("admin")
    headers = {"Accept-Language": language}
    with translation.override(language):
        for path, model, schema, key in (
            ("/parks?limit=500", Park, ParkOut, "park_id"),
            ("/sites?limit=500", Site, SiteOut, "site_id"),
        ):
            rows = client.get(path, **headers).json()["results"]
            assert rows
            for row in rows:
                obj = model.objects.get(**{key: row[key]})
                expected = _json.loads(
                    _json.dumps(schema.from_orm(obj).model_dump(), cls=NinjaJSONEncoder)
                )
                assert row == expected


@pytest.mark.parametrize(
    "path",
    [
        "/parks?ordering=-area_free_ha",
        "/parks?ordering=name",
        "/parks",
        "/parks?country=UZ&ordering=-area_free_ha",
        "/parks?industry=2&q=park",
        "/sites",
        "/organizations",
    ],
)
def test_deep_pages_read_in_two_steps_are_the_pages_of_one_query(
    api_as: Any, world: Any, catalogue: Any, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """From DEFERRED_OFFSET on, a page is read as its rows' keys, then those rows: every page
    must hold what the plain offset query gives, in the same order, so that walking the
    pages sees every row once."""
    from technopark.parks import api as parks_api

    client = api_as("admin")
    sep = "&" if "?" in path else "?"

    def walk() -> list[Any]:
        cache.clear()
        total = client.get(path).json()["count"]
        rows: list[Any] = []
        for offset in range(0, total + 2, 2):
            page = client.get(f"{path}{sep}limit=2&offset={offset}")
            assert page.status_code == 200, page.content
            rows += page.json()["results"]
        assert len(rows) == total
        return rows

    monkeypatch.setattr(parks_api, "DEFERRED_OFFSET", 10**9)
    plain = walk()
    assert len(plain) >= 3
    monkeypatch.setattr(parks_api, "DEFERRED_OFFSET", 1)
    assert walk() == plain
