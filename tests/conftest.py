"""Fixtures shared by the whole suite: a world of two operators' parks and a user per role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Model imports stay inside fixtures: the pure-engine tests run without Django (-p no:django).


@dataclass
class World:
    """Two operators, each with a published and an unpublished park, sites and a resident."""

    op_org: Any
    other_org: Any
    own_park: Any
    own_hidden_park: Any
    other_park: Any
    other_hidden_park: Any
    own_site: Any
    other_site: Any
    other_hidden_site: Any
    own_utility: Any
    other_utility: Any
    own_resident: Any
    other_resident: Any
    resident_org: Any
    users: dict[str, Any]


@pytest.fixture(scope="session", autouse=True)
def _registry_notices_closed(django_db_setup: Any) -> Iterator[None]:
    """A test served over a live server on PostgreSQL leaves its process listening for
    registry notices (parks.selectors.registry_version) on a connection of its own; closed
    before the test database is dropped, which it would otherwise keep open."""
    yield
    from technopark.parks.selectors import close_registry_notices

    close_registry_notices()


@pytest.fixture
def world(db: Any) -> World:
    from technopark.core.choices import Role
    from tests.factories import (
        OrganizationFactory,
        ParkFactory,
        ParkUtilityFactory,
        ResidentFactory,
        SiteFactory,
        user_with_role,
    )

    op_org = OrganizationFactory(name="Own management company (example)")
    other_org = OrganizationFactory(name="Other management company (example)")
    own_park = ParkFactory(operator=op_org)
    own_hidden_park = ParkFactory(operator=op_org, is_published=False)
    other_park = ParkFactory(operator=other_org)
    other_hidden_park = ParkFactory(operator=other_org, is_published=False)
    resident_company = OrganizationFactory(name="Resident company (example)", kind="company")
    own_resident = ResidentFactory(park=own_park, organization=resident_company)
    other_resident = ResidentFactory(park=other_park)
    users = {
        "admin": user_with_role(Role.ADMINISTRATOR),
        "superuser": user_with_role("superuser"),
        "analyst": user_with_role(Role.ANALYST, OrganizationFactory(kind="association")),
        "operator": user_with_role(Role.OPERATOR, op_org),
        "resident": user_with_role(Role.RESIDENT, resident_company),
        "investor": user_with_role(Role.INVESTOR, OrganizationFactory(kind="investor")),
    }
    return World(
        op_org=op_org,
        other_org=other_org,
        own_park=own_park,
        own_hidden_park=own_hidden_park,
        other_park=other_park,
        other_hidden_park=other_hidden_park,
        own_site=SiteFactory(park=own_park),
        other_site=SiteFactory(park=other_park),
        other_hidden_site=SiteFactory(park=other_hidden_park),
        own_utility=ParkUtilityFactory(park=own_park),
        other_utility=ParkUtilityFactory(park=other_park),
        own_resident=own_resident,
        other_resident=other_resident,
        resident_org=resident_company,
        users=users,
    )


# --------------------------------------------------------------------------- browser
# One Playwright instance and one Debian chromium for every browser test of the run: the sync
# API allows only one instance per thread.
CHROMIUM = os.environ.get("TECHNOPARK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip locally, fail in CI (CI=true), when Debian's chromium is missing."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = (
        f"chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_redis() -> None:
    """Skip locally, fail in CI (CI=true), when no Redis server answers on 127.0.0.1:6379."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("no Redis server on 127.0.0.1:6379")


@pytest.fixture
def routed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths URL routing resolved during the test: empty when a middleware answered alone."""
    from django.urls import resolvers

    seen: list[str] = []
    resolve = resolvers.URLResolver.resolve

    def spy(self: Any, path_info: str) -> Any:
        seen.append(path_info)
        return resolve(self, path_info)

    monkeypatch.setattr(resolvers.URLResolver, "resolve", spy)
    return seen


@pytest.fixture
def endpoint_first_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """PublicReadCacheMiddleware leaves a public park detail's first read to the endpoint
    (as every other first read), so that a test compares its hits with the endpoint's own
    answer."""
    from technopark.parks.api import PublicReadCacheMiddleware

    monkeypatch.setattr(PublicReadCacheMiddleware, "_first_read", lambda self, request, key: None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    # The sync Playwright API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
