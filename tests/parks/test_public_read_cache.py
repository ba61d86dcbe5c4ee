"""PublicReadCacheMiddleware answers anonymous cached park and site reads early in MIDDLEWARE
(before the session, the user and URL routing): the answer is the endpoint's in the caller's
language, and nobody with credentials and no request the middleware below would refuse gets
it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

API = "/api/v1"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.items() if k != "X-Request-ID"}


def _park_ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["park_id"] for row in response.json()["results"]}


# Expected languages by Django's rules (docs "How Django discovers language preference"): the
# language cookie before Accept-Language; Accept-Language by quality, a region variant
# (ru-RU) falling back to its language; nothing supported: LANGUAGE_CODE (en). The API has no
# language prefix in its URLs.
LANGUAGE_CASES = [
    ({}, "en"),
    ({"HTTP_ACCEPT_LANGUAGE": "ru"}, "ru"),
    ({"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9,en;q=0.5"}, "ru"),
    ({"HTTP_ACCEPT_LANGUAGE": "de-DE,uz;q=0.8,ru;q=0.5"}, "uz"),
    ({"HTTP_ACCEPT_LANGUAGE": "en;q=0.1,ru;q=0.9"}, "ru"),
    ({"HTTP_ACCEPT_LANGUAGE": "de, fr;q=0.8"}, "en"),
    # A malformed header is ignored as a whole (parse_accept_lang_header returns nothing).
    ({"HTTP_ACCEPT_LANGUAGE": "*;q=x, ;;, ru"}, "en"),
    # Over 500 characters (ACCEPT_LANGUAGE_HEADER_MAX_LENGTH): cut at the last comma before.
    ({"HTTP_ACCEPT_LANGUAGE": "ru" + ",x" * 400}, "ru"),
    ({"HTTP_ACCEPT_LANGUAGE": "x," * 300 + "ru"}, "en"),
    ({"cookie": "uz", "HTTP_ACCEPT_LANGUAGE": "ru"}, "uz"),
    ({"cookie": "xx", "HTTP_ACCEPT_LANGUAGE": "ru"}, "ru"),  # an unknown cookie value
]


@pytest.mark.parametrize(("headers", "language"), LANGUAGE_CASES)
def test_the_language_is_chosen_as_locale_middleware_chooses_it(
    world: Any,
    routed: list[str],
    headers: dict[str, str],
    language: str,
    endpoint_first_reads: None,
) -> None:
    headers = dict(headers)
    client = Client()
    if "cookie" in headers:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = headers.pop("cookie")
    for path in ["/parks?limit=2", f"/parks/{world.own_park.park_id}", "/sites"]:
        first = client.get(API + path, **headers)
        assert routed, path  # the first read goes to the endpoint
        routed.clear()
        again = client.get(API + path, **headers)
        assert not routed, f"{path} was routed"
        assert first["Content-Language"] == again["Content-Language"] == language
        assert (again.status_code, again.content) == (200, first.content)
        assert _headers(again) == _headers(first)


def test_each_language_has_its_own_entry(world: Any, routed: list[str]) -> None:
    client = Client()
    client.get(f"{API}/parks", HTTP_ACCEPT_LANGUAGE="en")
    routed.clear()
    client.get(f"{API}/parks", HTTP_ACCEPT_LANGUAGE="en")
    assert not routed
    russian = client.get(f"{API}/parks", HTTP_ACCEPT_LANGUAGE="ru")
    assert routed  # not the English answer
    assert russian["Content-Language"] == "ru"


def test_a_session_cookie_goes_to_the_endpoint(world: Any, routed: list[str]) -> None:
    """A session cookie is not looked up early: it goes the usual way, signed in or not."""
    public = Client().get(f"{API}/parks")  # now cached for the public
    hidden = world.own_hidden_park.park_id
    assert hidden not in _park_ids(public)

    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    routed.clear()
    answer = stale.get(f"{API}/parks")
    assert routed  # the session was looked up: unknown, so the caller is the public
    assert answer.content == public.content

    signed_in = Client()
    signed_in.force_login(world.users["operator"])
    routed.clear()
    own = signed_in.get(f"{API}/parks")
    assert routed
    assert hidden in _park_ids(own)


def test_any_authorization_header_goes_to_the_endpoint(world: Any, routed: list[str]) -> None:
    Client().get(f"{API}/parks")  # cached for the public
    for value in ["Bearer tp_not-a-token", "Basic Zm9vOmJhcg==", ""]:
        routed.clear()
        answer = Client().get(f"{API}/parks", HTTP_AUTHORIZATION=value)
        assert routed, value
        if value.startswith("Bearer"):
            assert answer.status_code == 401  # a bad token is refused, not the public


@pytest.mark.parametrize(
    "host", ["evil.example.org", "testserver@evil.example.org", "testserver/../x", "a" * 300]
)
def test_a_host_the_site_does_not_serve_is_refused_as_before(world: Any, host: str) -> None:
    client = Client()
    path = f"{API}/parks/{world.own_park.park_id}"
    public = client.get(path)
    assert public.status_code == 200  # cached
    refused = client.get(path, HTTP_HOST=host)
    assert refused.status_code == 400  # DisallowedHost, answered by Django as without a cache
    assert world.own_park.park_id.encode() not in refused.content


def test_a_conditional_read_is_answered_early_with_304(world: Any, routed: list[str]) -> None:
    client = Client()
    first = client.get(f"{API}/parks")
    routed.clear()
    again = client.get(f"{API}/parks", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not routed
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert again["Vary"] == first["Vary"]


def test_other_methods_paths_and_exports_are_not_answered_early(
    world: Any, routed: list[str]
) -> None:
    client = Client()
    for path in ["/parks", "/parks/export?format=csv"]:
        client.get(API + path)
        routed.clear()
        client.get(API + path)
        assert bool(routed) == path.endswith("csv"), path
    routed.clear()
    assert client.head(f"{API}/parks").status_code in {200, 405}
    assert routed


def test_a_miss_looks_the_key_up_once(
    world: Any, routed: list[str], monkeypatch: pytest.MonkeyPatch, endpoint_first_reads: None
) -> None:
    """The middleware's miss is the endpoint's: the body is looked up in the shared cache once
    per request, not again by the endpoint (a round trip to Redis in production)."""
    from django.core.cache import caches

    shared = caches["default"]
    looked_up: list[str] = []
    get = shared.get

    def counting_get(key: str, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(shared, "get", counting_get)
    client = Client()
    path = f"{API}/parks/{world.own_park.park_id}"
    first = client.get(path)
    assert first.status_code == 200 and routed
    assert len(looked_up) == 1, looked_up  # the middleware's look-up; the endpoint built it
    looked_up.clear()
    assert client.get(path).content == first.content
    assert len(looked_up) == 1  # the hit
    # A signed-in caller's read is looked up by the endpoint, under its own scope.
    looked_up.clear()
    signed_in = Client()
    signed_in.force_login(world.users["operator"])
    assert signed_in.get(path).status_code == 200
    assert len(looked_up) == 1


# ---- a public park detail's first read, built early ---------------------------------------


@pytest.mark.parametrize(("headers", "language"), LANGUAGE_CASES[:4])
def test_a_first_park_read_is_built_early_as_the_endpoint_builds_it(
    world: Any,
    routed: list[str],
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
    language: str,
) -> None:
    from technopark.parks.api import PublicReadCacheMiddleware

    path = f"{API}/parks/{world.own_park.park_id}"
    with monkeypatch.context() as endpoint_only:
        endpoint_only.setattr(
            PublicReadCacheMiddleware, "_first_read", lambda self, request, key: None
        )
        endpoint = Client().get(path, **headers)
    assert endpoint.status_code == 200 and routed
    cache.clear()
    routed.clear()
    early = Client().get(path, **headers)
    assert not routed  # built before URL routing
    assert (early.status_code, early.content) == (200, endpoint.content)
    assert _headers(early) == _headers(endpoint)
    assert early["Content-Language"] == language
    again = Client().get(path, **headers)
    assert not routed and again.content == endpoint.content  # it was cached
    assert Client().get(path, HTTP_IF_NONE_MATCH=early["ETag"], **headers).status_code == 304


@pytest.mark.parametrize(
    ("suffix", "status"),
    [("no-such-park", 404), ("HIDDEN", 404), ("bad%00id", 422)],
)
def test_anything_but_a_public_park_goes_to_the_endpoint(
    world: Any, routed: list[str], suffix: str, status: int
) -> None:
    """Unknown and unpublished parks and values the database refuses (NUL on PostgreSQL) are
    answered by the endpoint in the API's error format, and nothing is cached for them."""
    park_id = world.own_hidden_park.park_id if suffix == "HIDDEN" else suffix
    answer = Client().get(f"{API}/parks/{park_id}")
    expected = 422 if status == 422 and connection.vendor == "postgresql" else 404
    assert answer.status_code == expected, answer.content
    assert set(answer.json()) == {"detail", "errors"}
    assert routed  # the endpoint answered


def test_other_reads_are_not_built_early(world: Any, routed: list[str]) -> None:
    for path in [
        f"/parks/{world.own_park.park_id}?fields=x",  # a query string: the endpoint's key
        f"/parks/{world.own_park.park_id}/",
        f"/sites/{world.own_site.site_id}",
        "/parks",
    ]:
        routed.clear()
        Client().get(API + path)
        assert routed, path
