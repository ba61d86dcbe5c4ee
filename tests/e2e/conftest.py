"""End-to-end tests in Debian's chromium, driven by Playwright's sync API, against live_server.

Locally a missing chromium skips these tests with a message; with CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from technopark.core.choices import Role
from technopark.core.models import Membership
from tests.factories import (
    CountryFactory,
    OrganizationFactory,
    ParkFactory,
    SiteFactory,
    UserFactory,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    # Nothing may come from the internet: any request off the live server fails the test.
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert outside == [], f"requests outside the server: {outside}"


@pytest.fixture
def shot() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page: Any, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save


PASSWORD = "correct horse battery staple"


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    uz = CountryFactory(code="UZ", name="Uzbekistan", name_ru="Узбекистан", currency="UZS")
    ru = CountryFactory(code="RU", name="Russia", name_ru="Россия", currency="RUB")
    operator_org = OrganizationFactory(name="Eltech directorate (example)")
    eltech = ParkFactory(
        park_id="uz-eltech",
        name="Eltech technopark (example)",
        name_ru="Технопарк Eltech (пример)",
        country=uz,
        operator=operator_org,
        industries=["27", "24"],
        lat=40.91,
        lon=69.64,
        coord_precision="city",
    )
    ParkFactory(
        park_id="uz-textile",
        name="Textile park (example)",
        country=uz,
        industries=["13"],
        lat=41.3,
        lon=69.2,
    )
    ParkFactory(
        park_id="ru-alabuga",
        name="Alabuga zone (example)",
        country=ru,
        industries=["20", "29"],
        lat=55.83,
        lon=52.04,
        coord_precision="site",
        kind="sez",
    )
    ParkFactory(
        park_id="ru-lipetsk",
        name="Lipetsk zone (example)",
        country=ru,
        industries=["27"],
        lat=52.6,
        lon=39.6,
        kind="sez",
    )
    site = SiteFactory(site_id="eltech-lot-7", name="Lot 7", park=eltech, area_ha=Decimal("21"))
    user = UserFactory(username="eltech-operator", password=PASSWORD)
    Membership.objects.create(user=user, organization=operator_org, role=Role.OPERATOR)
    return {"park": eltech, "site": site, "user": user}


def wait_for_map(page: Any, parks: int) -> None:
    page.wait_for_function(f"document.getElementById('map').dataset.parks === '{parks}'")
