"""The catalogue's pages pass axe-core's WCAG 2.1 A and AA rules in a real browser, in the three
languages: labels, names of links and buttons, contrast, landmarks, language of the page, ARIA.

axe-core (Deque, bundled by axe-playwright-python) is the checker most accessibility audits
use; it reports only what it can decide from the page (about half of WCAG's success criteria),
so the keyboard and phone checks of test_catalogue.py stay beside it.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PASSWORD, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Any) -> list[str]:
    """Each rule axe finds broken on the page, with the elements that break it."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in found
    ]


def broken_pages(
    page: Any, server: str, paths: list[str], language: str | None = None
) -> dict[str, list[str]]:
    """The rules each page breaks, by path (the home page once its map has its parks)."""
    found: dict[str, list[str]] = {}
    for path in paths:
        page.goto(server + path)
        if path == "/":
            wait_for_map(page, 4)
        if language is not None:
            assert page.evaluate("document.documentElement.lang") == language
        if broken := violations(page):
            found[path] = broken
    return found


@pytest.mark.parametrize("language", ["en", "ru", "uz"])
def test_public_pages_pass_wcag_aa(
    page: Any, live_server: Any, catalogue: dict[str, Any], language: str, shot: Any
) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    park, site = catalogue["park"], catalogue["site"]
    paths = [
        "/",
        f"/parks/{park.park_id}/",
        f"/sites/{site.site_id}/",
        f"/compare/?sites={site.site_id}",
        "/site-finder/",
        f"/incentives/parks/{park.park_id}/calculator/",
        "/account/sign-in/",
    ]
    assert broken_pages(page, live_server.url, paths, language=language) == {}


def test_the_operators_editing_screens_pass_wcag_aa(
    page: Any, live_server: Any, catalogue: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/account/sign-in/")
    page.get_by_label("Username").fill(catalogue["user"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/**")
    park, site = catalogue["park"], catalogue["site"]
    paths = [
        f"/parks/{park.park_id}/edit/",
        f"/parks/{park.park_id}/sites/new/",
        f"/sites/{site.site_id}/edit/",
        f"/parks/{park.park_id}/utilities/new/",
        "/account/api-tokens/",
        "/finance/",
        "/finance/projects/new/",
        "/residents/inbox/",
    ]
    assert broken_pages(page, live_server.url, paths) == {}


def test_the_checker_sees_a_broken_page(
    page: Any, live_server: Any, catalogue: dict[str, Any]
) -> None:
    """The rules run in this browser: an unlabelled field, an image without a text
    alternative and pale grey text on white, put into the home page, are reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend",
                '<input type="text" name="unlabelled">' +
                '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' +
                '<p style="color:#ccc;background:#fff">pale text</p>');
        }"""
    )
    broken = " ".join(violations(page))
    for rule in ("label", "image-alt", "color-contrast"):
        assert f"{rule} (" in broken, broken
