"""The workspace in a real browser (Debian's chromium via Playwright): charts drawn with the
application's own plotly.js, errors shown while typing, a simulation swapped in by htmx, and
nothing requested from outside the server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.finance_web.conftest import ELTECH, People, load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Any, live_server: Any, people: People) -> Iterator[Any]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(people.investor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    p = context.new_page()
    p.set_default_timeout(20_000)
    p.base = live_server.url  # type: ignore[attr-defined]
    yield p
    context.close()
    assert outside == [], outside


def test_charts_simulation_and_live_validation(page: Any, people: People) -> None:
    from technopark.finance import services

    project = services.saved_project_create(
        user=people.investor, organization=people.company, name="Cable", document=load(ELTECH)
    )
    page.goto(f"{page.base}/finance/projects/{project.pk}/")
    for chart in ("chart-cashflows", "chart-cumulative", "chart-tornado"):
        page.wait_for_selector(f"#{chart} .main-svg")
    page.fill("#id_n", "1000")
    page.click("text=Simulate")
    page.wait_for_selector("#chart-histogram .main-svg")
    assert "Expected NPV" in page.inner_text("#simulation")

    page.goto(f"{page.base}/finance/projects/{project.pk}/edit/")
    page.fill("#id_commissioning_year", "2040")
    page.wait_for_selector("#errors-commissioning_year li")
    assert "within start_year" in page.inner_text("#errors-commissioning_year")
    page.fill("#id_commissioning_year", "2026")
    page.wait_for_function("document.querySelector('#errors-commissioning_year li') === null")
    page.wait_for_selector("#form-status >> text=The project is valid.")
