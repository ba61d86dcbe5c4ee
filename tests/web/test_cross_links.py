"""Pages lead to the other parts of the product: inquiries, the calculator, the workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_park_page_links_to_inquiry_application_and_calculator(world: Any) -> None:
    park = world.own_park
    park.regime_ids = ["uz-sez"]
    park.save(update_fields=["regime_ids"])
    html = Client().get(park.get_absolute_url()).content.decode()
    assert f"{reverse('residents:inquiry-create')}?park={park.park_id}" in html
    assert reverse("incentives:calculator", args=[park.park_id]) in html
    # Applying needs an account; anonymous visitors are not offered it.
    assert reverse("residents:application-create") not in html


@pytest.mark.django_db
def test_park_without_regime_offers_no_calculator(world: Any) -> None:
    html = Client().get(world.other_park.get_absolute_url()).content.decode()
    assert reverse("incentives:calculator", args=[world.other_park.park_id]) not in html


@pytest.mark.django_db
def test_available_site_page_links_to_an_inquiry_about_it(world: Any) -> None:
    site = world.own_site
    html = Client().get(site.get_absolute_url()).content.decode()
    assert f"site={site.site_id}" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "inbox", "dashboard"),
    [("operator", True, False), ("resident", False, True), ("analyst", False, False)],
)
def test_menu_shows_what_the_role_can_use(
    world: Any, role: str, inbox: bool, dashboard: bool
) -> None:
    client = Client()
    client.force_login(world.users[role])
    html = client.get("/").content.decode()
    assert (reverse("residents:inbox") in html) == inbox
    assert (reverse("residents:dashboard") in html) == dashboard
    assert reverse("finance:project-list") in html
    assert reverse("siting:find") in html
