"""Every web page, sent hostile query strings and hostile forms, answers without a server
error.

The URL patterns are read from the URLconf (so a new page is swept without being listed here);
path parameters take the test world's objects, or a number no row has. The query strings put
the parameter names the pages read (filters, pages, sorts, site-finder and finance fields) to
values of the wrong kind, out of range, very long, repeated or with a NUL character. A page may
refuse them (400, 404, a form error, a redirect to sign in), but never with a 500. The REST API
is fuzzed from its OpenAPI document instead (tests/api/test_openapi_fuzz.py); the admin is
Django's.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

NAMES = [
    "page",
    "q",
    "sort",
    "ordering",
    "country",
    "region",
    "industry",
    "kind",
    "stage",
    "available_sites",
    "min_free_area",
    "bbox",
    "zoom",
    "ids",
    "sites",
    "site",
    "park",
    "lang",
    "year",
    "currency",
    "scenarios",
    "seed",
    "driver",
    "format",
    "next",
    "status",
]
VALUES = ["-1", "abc", "9" * 30, "1e309", "nan", "%00", "x" * 3000, "[]", "'; --", "0"]


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def _paths(world: Any) -> list[str]:
    values = {
        "park_id": world.own_park.park_id,
        "site_id": world.own_site.site_id,
        "pk": "999999",
        "fmt": "pdf",
    }
    paths = []
    for route in _patterns(get_resolver()):
        if route.startswith(("admin/", "api/", "^admin/", "^api/")):
            continue
        # re_path groups ((?P<fmt>xlsx|pdf)) and path() converters (<slug:park_id>).
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m[1], "1"), route)
        route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m[1], "1"), route)
        route = route.replace("^", "").replace("$", "").replace("\\.", ".")
        if re.search(r"[\\()\[\]*+?]", route):
            continue  # a pattern this sweep cannot fill in
        paths.append("/" + route)
    return sorted(set(paths))


@pytest.mark.parametrize("caller", ["anonymous", "admin"])
def test_no_page_answers_hostile_queries_with_a_server_error(world: Any, caller: str) -> None:
    client = Client(raise_request_exception=False)
    if caller != "anonymous":
        client.force_login(world.users[caller])
    paths = _paths(world)
    assert len(paths) > 30, paths  # the sweep found the pages
    queries = [f"{name}={value}" for value in VALUES for name in NAMES[:1]]
    queries += ["&".join(f"{name}={value}" for name in NAMES) for value in VALUES]
    queries.append("&".join(f"{name}=1&{name}=2" for name in NAMES))
    failures = []
    for path in paths:
        for query in queries:
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {path}?{query[:120]}")
    assert failures == []


#: Form fields the pages read (the editing screens', the inquiry's, the report's, the site
#: finder's and finance's), each posted with every hostile value at once.
FORM_FIELDS = [
    *NAMES,
    "name",
    "site_id",
    "park_id",
    "area_ha",
    "area_m2",
    "sale_price",
    "lease_per_year",
    "electricity_mw",
    "utility",
    "capacity",
    "tariff",
    "as_of",
    "source",
    "lat",
    "lon",
    "project",
    "requirements",
    "comment",
    "company_name",
    "email",
    "quarter",
    "investment",
    "jobs",
    "expires",
]


def test_no_page_answers_hostile_forms_with_a_server_error(world: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    failures = []
    for path in _paths(world):
        for value in [*VALUES, "\x00", "a\x00b"]:
            response = client.post(path, dict.fromkeys(FORM_FIELDS, value))
            if response.status_code >= 500:
                failures.append(f"{response.status_code} POST {path} {value[:20]!r}")
    assert failures == []


@pytest.mark.parametrize(
    "path",
    ["/compare/?sites=%00", "/?q=a%00b", "/residents/inquiries/new/?park=%00", "/parks/%00/"],
)
def test_a_nul_character_in_a_page_url_is_a_400(world: Any, path: str) -> None:
    """PostgreSQL cannot store or compare it: /compare/ answered 500 there before."""
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 400


def test_a_nul_character_in_a_posted_form_is_a_400(world: Any) -> None:
    """/residents/inquiries/new/ looked the posted park up and PostgreSQL refused it (500)."""
    client = Client(raise_request_exception=False)
    response = client.post("/residents/inquiries/new/", {"park": "a\x00b", "company_name": "x"})
    assert response.status_code == 400


def test_the_api_answers_a_nul_character_in_its_own_format(world: Any) -> None:
    response = Client().get("/api/v1/parks?q=a%00b")
    assert response.status_code in {400, 422}
    assert set(response.json()) == {"detail", "errors"}
