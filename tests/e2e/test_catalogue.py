"""The investor's and the operator's way through the site, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import PASSWORD, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def listed(page: Any) -> list[str]:
    return page.locator("#results .park-list a.name").all_inner_texts()


def test_investor_filters_opens_a_park_and_a_site_and_switches_language(
    page: Any, live_server: Any, catalogue: Any, shot: Any
) -> None:
    page.goto(live_server.url + "/")
    wait_for_map(page, 4)
    assert len(listed(page)) == 4
    markers = page.locator("#map .leaflet-interactive, #map .cluster-icon").count()
    assert markers >= 2
    shot(page, "01-home")

    # Filter by country: the list and the map change without a page load; the URL keeps it.
    page.get_by_label("Russia").check()
    page.wait_for_url("**/?*country=RU*")
    page.wait_for_function("document.querySelectorAll('#results .park-list a.name').length === 2")
    wait_for_map(page, 2)
    assert sorted(listed(page)) == ["Alabuga zone (example)", "Lipetsk zone (example)"]
    # Then by industry (ISIC 27, electrical equipment).
    page.get_by_label("Industry (ISIC)").fill("27")
    page.wait_for_url("**industry=27*")
    assert "min_free_gas" not in page.url  # empty filters stay out of the URL
    page.wait_for_function("document.querySelectorAll('#results .park-list a.name').length === 1")
    wait_for_map(page, 1)
    assert listed(page) == ["Lipetsk zone (example)"]
    shot(page, "02-filtered")

    # The back button returns to the previous filters.
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#results .park-list a.name').length === 2")
    assert "industry=27" not in page.url
    assert "country=RU" in page.url

    # Open a park, then a site.
    page.goto(live_server.url + "/?country=UZ&industry=27")
    page.get_by_role("link", name="Eltech technopark (example)").click()
    page.wait_for_url("**/parks/uz-eltech/")
    assert page.locator("h1").inner_text() == "Eltech technopark (example)"
    assert page.get_by_text("Manufacture of electrical equipment").count() == 1
    shot(page, "03-park")
    page.get_by_role("link", name="Lot 7").first.click()
    page.wait_for_url("**/sites/eltech-lot-7/")
    assert page.locator("h1").inner_text() == "Lot 7"
    shot(page, "04-site")

    # Switch to Russian: the interface and the park's name change.
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert "Технопарк Eltech (пример)" in page.content()
    main_menu = page.get_by_role("navigation", name="Главное меню")
    assert main_menu.get_by_role("link", name="Парки", exact=True).count() == 1
    shot(page, "05-site-ru")


def test_operator_signs_in_edits_a_site_and_sees_the_history(
    page: Any, live_server: Any, catalogue: Any, shot: Any
) -> None:
    page.goto(live_server.url + "/sites/eltech-lot-7/")
    assert page.get_by_role("link", name="Edit the site").count() == 0
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("eltech-operator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/sites/eltech-lot-7/")
    page.get_by_role("link", name="Edit the site").click()
    page.get_by_label("Name", exact=True).fill("Lot 7A")
    page.get_by_label("Land area, ha").fill("-3")
    page.get_by_role("button", name="Save").click()
    # A validation message beside the field; nothing saved.
    assert page.locator(".field.has-error").count() >= 1
    shot(page, "06-edit-error")
    page.get_by_label("Land area, ha").fill("19.5")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/sites/eltech-lot-7/")
    assert page.locator("h1").inner_text() == "Lot 7A"
    page.get_by_role("link", name="Eltech technopark (example)").first.click()
    history = page.locator("section[aria-labelledby='history-h']")
    assert "Lot 7A" in history.inner_text()
    assert "eltech-operator" in history.inner_text()
    assert history.locator("ins", has_text="19.5").count() == 1
    shot(page, "07-history")


def test_phone_layout_and_keyboard(page: Any, live_server: Any, catalogue: Any, shot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    wait_for_map(page, 4)
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    shot(page, "08-phone")
