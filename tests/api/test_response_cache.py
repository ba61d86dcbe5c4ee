"""The read cache of parks and sites: a change is visible at once, and no caller ever receives
a body cached for a caller who may see different rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from technopark.core import services

LISTS = ["/parks", "/sites"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def park_ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["park_id"] for row in response.json()["results"]}


def site_ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["site_id"] for row in response.json()["results"]}


def test_a_repeated_read_runs_one_query(api_as: Any, world: Any) -> None:
    anonymous = api_as("anonymous")
    for path in [*LISTS, f"/parks/{world.own_park.park_id}", f"/sites/{world.own_site.site_id}"]:
        first = anonymous.get(path)
        with CaptureQueriesContext(connection) as queries:
            again = anonymous.get(path)
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]  # the version


def test_an_edit_is_visible_at_once(api_as: Any, world: Any) -> None:
    anonymous, admin = api_as("anonymous"), api_as("admin")
    park = world.own_park.park_id
    before = anonymous.get("/parks").json()
    detail = anonymous.get(f"/parks/{park}")
    assert admin.patch(f"/parks/{park}", {"name": "Renamed park"}).status_code == 200

    names = {r["park_id"]: r["name"] for r in anonymous.get("/parks").json()["results"]}
    assert (
        names[park] == "Renamed park" != {r["park_id"]: r["name"] for r in before["results"]}[park]
    )
    again = anonymous.get(f"/parks/{park}")
    assert again.json()["name"] == "Renamed park"
    assert again["ETag"] != detail["ETag"]
    # A site's name comes from its park: renaming the park shows in the site list too.
    sites = anonymous.get(f"/sites?park={park}").json()["results"]
    assert {s["park_name"] for s in sites} == {"Renamed park"}


def test_an_edit_of_a_site_or_utility_is_visible_at_once(api_as: Any, world: Any) -> None:
    anonymous, admin = api_as("anonymous"), api_as("admin")
    site = world.own_site.site_id
    park = world.own_park.park_id
    anonymous.get(f"/sites/{site}")
    anonymous.get(f"/parks/{park}")
    assert admin.patch(f"/sites/{site}", {"notes": "Fenced in 2026"}).status_code == 200
    assert anonymous.get(f"/sites/{site}").json()["notes"] == "Fenced in 2026"

    utility = world.own_utility
    services.object_update(obj=utility, user=world.users["admin"], data={"notes": "New tariff"})
    utilities = anonymous.get(f"/parks/{park}").json()["utilities"]
    assert "New tariff" in {u["notes"] for u in utilities}


def test_unpublish_and_publish_are_visible_at_once(api_as: Any, world: Any) -> None:
    anonymous, admin = api_as("anonymous"), api_as("admin")
    park = world.own_park.park_id
    site = world.own_site.site_id
    assert park in park_ids(anonymous.get("/parks"))
    assert site in site_ids(anonymous.get("/sites"))
    assert anonymous.get(f"/parks/{park}").status_code == 200

    assert admin.patch(f"/parks/{park}", {"is_published": False}).status_code == 200
    assert park not in park_ids(anonymous.get("/parks"))
    assert site not in site_ids(anonymous.get("/sites"))
    assert anonymous.get(f"/parks/{park}").status_code == 404
    assert anonymous.get(f"/sites/{site}").status_code == 404

    assert admin.patch(f"/parks/{park}", {"is_published": True}).status_code == 200
    assert park in park_ids(anonymous.get("/parks"))
    assert site in site_ids(anonymous.get("/sites"))
    assert anonymous.get(f"/sites/{site}").status_code == 200


def test_a_delete_is_visible_at_once(api_as: Any, world: Any) -> None:
    anonymous, admin = api_as("anonymous"), api_as("admin")
    site = world.own_site.site_id
    assert site in site_ids(anonymous.get("/sites"))
    assert admin.delete(f"/sites/{site}").status_code == 204
    assert site not in site_ids(anonymous.get("/sites"))
    assert anonymous.get(f"/sites/{site}").status_code == 404


def test_an_import_is_visible_at_once(api_as: Any, world: Any, tmp_path: Path) -> None:
    anonymous = api_as("anonymous")
    park = world.own_park.park_id
    before = site_ids(anonymous.get(f"/sites?park={park}"))
    path = tmp_path / "sites.csv"
    path.write_text(
        f"site_id,park_id,kind,area_ha,status\nimported-1,{park},plot,2.5,available\n",
        encoding="utf-8",
    )
    call_command("import", str(path), "--quiet", stdout=io.StringIO(), stderr=io.StringIO())

    assert site_ids(anonymous.get(f"/sites?park={park}")) == before | {"imported-1"}
    assert anonymous.get("/sites/imported-1").status_code == 200


@pytest.mark.parametrize("first", ["more rights first", "fewer rights first"])
@pytest.mark.parametrize("role", ["operator", "analyst", "admin"])
def test_no_body_crosses_permission_scopes(api_as: Any, world: Any, role: str, first: str) -> None:
    """The same URLs, asked in either order, answer each caller with what it may see."""
    hidden = world.own_hidden_park.park_id
    privileged, public = api_as(role), api_as("anonymous")
    callers = [privileged, public] if first == "more rights first" else [public, privileged]
    answers = {}
    for caller in callers:
        answers[caller] = (
            park_ids(caller.get("/parks")),
            caller.get(f"/parks/{hidden}").status_code,
            caller.get(f"/sites?park={hidden}").status_code,
        )
    assert hidden in answers[privileged][0] and answers[privileged][1] == 200
    assert hidden not in answers[public][0] and answers[public][1] == 404
    # The hidden park is not even a valid choice of the `park` filter for the public.
    assert answers[privileged][2] == 200 and answers[public][2] == 400


def test_a_token_and_a_session_of_different_roles_do_not_share(api_as: Any, world: Any) -> None:
    from technopark.core.tokens import token_create
    from tests.api.conftest import ApiClient

    _, raw = token_create(user=world.users["operator"], name="cache test")
    from django.test import Client

    by_token = ApiClient(Client(), token=raw)
    investor = api_as("investor")
    hidden = world.own_hidden_park.park_id
    assert hidden not in park_ids(investor.get("/parks"))
    assert hidden in park_ids(by_token.get("/parks"))
    assert hidden not in park_ids(investor.get("/parks"))


def test_a_new_role_is_visible_at_once(api_as: Any, world: Any) -> None:
    from technopark.core.choices import Role
    from technopark.core.models import Membership

    investor_user = world.users["investor"]
    investor = api_as("investor")
    hidden = world.own_hidden_park.park_id
    assert hidden not in park_ids(investor.get("/parks"))
    Membership.objects.create(user=investor_user, organization=world.op_org, role=Role.OPERATOR)
    assert hidden in park_ids(api_as("investor").get("/parks"))


def test_a_list_answers_304_to_its_etag(api_as: Any, world: Any) -> None:
    anonymous = api_as("anonymous")
    first = anonymous.get("/parks")
    etag = first["ETag"]
    assert etag
    again = anonymous.get("/parks", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert anonymous.get("/parks?limit=1", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_cache_outage_only_slows_reads(
    api_as: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assert world.own_park.park_id in park_ids(api_as("anonymous").get("/parks"))


def test_the_count_is_shared_by_the_pages_of_a_filter_and_kept_exact(
    api_as: Any, world: Any
) -> None:
    anonymous, admin = api_as("anonymous"), api_as("admin")
    total = anonymous.get("/parks?limit=1").json()["count"]
    with CaptureQueriesContext(connection) as queries:
        second = anonymous.get("/parks?limit=1&offset=1&ordering=name")
    assert second.json()["count"] == total
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    # Another filter is another count.
    assert anonymous.get("/parks?limit=1&kind=sez").json()["count"] <= total

    assert (
        admin.patch(f"/parks/{world.own_park.park_id}", {"is_published": False}).status_code == 200
    )
    assert anonymous.get("/parks?limit=1&offset=1").json()["count"] == total - 1
    # A caller who sees more has a count of its own.
    assert api_as("admin").get("/parks?limit=1&offset=1").json()["count"] > total - 1


SQLITE_FILE_SCENARIO = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from technopark.geo.models import Country
from technopark.parks.selectors import registry_version

call_command("migrate", verbosity=0)
first = registry_version()
with CaptureQueriesContext(connection) as queries:
    assert registry_version() == first
assert not queries.captured_queries, queries.captured_queries  # nothing changed: not read again

def other_connection_writes():
    Country.objects.create(code="KZ", name="Kazakhstan", currency="KZT")
    connection.close()

writer = threading.Thread(target=other_connection_writes)  # a thread has its own connection
writer.start()
writer.join()
second = registry_version()
assert second != first, "another connection's commit"

country = Country.objects.get(code="KZ")
country.name = "Qazaqstan"
country.save()
assert registry_version() != second, "this connection's own write"
print("ok")
"""


@pytest.mark.slow  # migrates a fresh database file
def test_on_a_sqlite_file_the_version_is_reread_after_any_commit(tmp_path: Path) -> None:
    """The version is kept between reads while the file has not changed (a SQLite file only:
    the suite's in-memory database always reads it), and read again after any commit."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "technopark.config.settings",
        "SECRET_KEY": "test-only",
    }
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_FILE_SCENARIO],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def _headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.items() if k != "X-Request-ID"}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_an_anonymous_hit_is_the_endpoints_answer_without_routing(
    api_as: Any, world: Any, language: str, routed: list[str], endpoint_first_reads: None
) -> None:
    """Anonymous cached reads are answered by PublicReadCacheMiddleware before URL routing:
    the same body, status and headers as the endpoint's, and no other query than the
    version's."""
    anonymous = api_as("anonymous")
    paths = ["/parks?limit=2", "/sites", f"/parks/{world.own_park.park_id}"]
    paths.append(f"/sites/{world.own_site.site_id}")
    for path in paths:
        first = anonymous.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert first.status_code == 200 and routed  # the first read goes to the endpoint
        routed.clear()
        with CaptureQueriesContext(connection) as queries:
            again = anonymous.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert not routed, f"{path} was routed"
        assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
        assert (again.status_code, again.content) == (first.status_code, first.content)
        assert _headers(again) == _headers(first)
        assert again["Content-Language"] == language
        assert anonymous.get(path, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_signed_in_and_token_callers_are_not_answered_from_the_public_cache(
    api_as: Any, world: Any
) -> None:
    from django.test import Client

    from technopark.core.tokens import token_create
    from tests.api.conftest import ApiClient

    hidden = world.own_hidden_park.park_id
    assert hidden not in park_ids(api_as("anonymous").get("/parks"))  # now cached for the public
    assert hidden in park_ids(api_as("operator").get("/parks"))
    _, raw = token_create(user=world.users["operator"], name="cache test")
    assert hidden in park_ids(ApiClient(Client(), token=raw).get("/parks"))
    # A bad token is refused, not answered as the public.
    assert ApiClient(Client(), token="tp_not-a-token").get("/parks").status_code == 401
