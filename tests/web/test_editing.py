"""Operators' editing screens: through core.services, answering to core.permissions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from technopark.parks.models import Park, ParkUtility, Site
from tests.api.conftest import ROLES, SCOPES, expected_write, scoped
from tests.factories import ParkUtilityFactory, SiteFactory

pytestmark = pytest.mark.django_db


def as_role(world: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def site_form(site: Site, **changes: Any) -> dict[str, Any]:
    data = {
        "name": site.name,
        "kind": site.kind,
        "status": site.status,
        "tenure": site.tenure,
        "area_ha": site.area_ha,
        "lease_per_year": site.lease_per_year,
        "currency": site.currency,
        "electricity_mw": site.electricity_mw,
        "source": site.source,
        "as_of": site.as_of.isoformat() if site.as_of else "",
        "as_of_precision": site.as_of_precision,
    }
    data.update(changes)
    return {k: "" if v is None else v for k, v in data.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_edit_screens_answer_to_permissions(world: Any, role: str, scope: str) -> None:
    client = as_role(world, role)
    park = scoped(world, "park", scope)
    site = SiteFactory(park=park)
    utility = ParkUtilityFactory(park=park, utility="water")
    urls = [
        f"/parks/{park.park_id}/edit/",
        f"/parks/{park.park_id}/sites/new/",
        f"/parks/{park.park_id}/utilities/new/",
        f"/sites/{site.site_id}/edit/",
        f"/sites/{site.site_id}/delete/",
        f"/utilities/{utility.pk}/edit/",
        f"/utilities/{utility.pk}/delete/",
        f"/parks/{park.park_id}/delete/",
    ]
    expected = expected_write(role, scope, 200)
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/account/sign-in/" in response["Location"], url
        else:
            assert response.status_code == expected, url
        # Posting is refused alike, and changes nothing.
        response = client.post(url, {})
        if role != "anonymous" and expected != 200:
            assert response.status_code == expected, url
    # Those who may not write changed nothing (those who may, deleted the park last).
    assert Park.objects.filter(pk=park.pk).exists() == (expected != 200 or role == "anonymous")
    if expected != 200 or role == "anonymous":
        assert Site.objects.filter(pk=site.pk).exists()


def test_operator_edits_a_site_and_the_change_is_in_the_history(world: Any) -> None:
    client = as_role(world, "operator")
    site = world.own_site
    response = client.post(
        f"/sites/{site.site_id}/edit/", site_form(site, name="Lot 7", area_ha="12.5")
    )
    assert response.status_code == 302, response.content
    site.refresh_from_db()
    assert site.name == "Lot 7" and site.area_ha == Decimal("12.5")
    page = client.get(f"/parks/{site.park.park_id}/")
    history = page.context["history"]
    change = next(h for h in history if h.object_label == "Lot 7" and h.kind == "~")
    fields = {c["field"]: c for c in change.changes}
    assert str(fields["area_ha"]["after"]) == "12.5000"
    assert change.user == world.users["operator"]
    html = page.content.decode()
    assert "History of changes" in html and "<ins>Lot 7</ins>" in html
    assert "Land area, ha: <del>" in html


def test_validation_messages_appear_beside_the_fields(world: Any) -> None:
    client = as_role(world, "operator")
    site = world.own_site
    response = client.post(
        f"/sites/{site.site_id}/edit/", site_form(site, currency="", area_ha="-1")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "area_ha" in errors and "currency" in errors
    assert b"errorlist" in response.content and b'role="alert"' in response.content
    site.refresh_from_db()
    assert site.area_ha == Decimal("5")


def test_operator_adds_and_deletes_a_site_and_a_utility(world: Any) -> None:
    client = as_role(world, "operator")
    park = world.own_park
    data = site_form(SiteFactory.build(park=park), site_id="lot-new", name="New lot")
    response = client.post(f"/parks/{park.park_id}/sites/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    site = Site.objects.get(site_id="lot-new")
    assert site.park == park
    response = client.post(
        f"/parks/{park.park_id}/utilities/new/",
        {
            "utility": "gas",
            "capacity": "900",
            "free_capacity": "300",
            "tariff": "0.12",
            "currency": "USD",
            "as_of_precision": "day",
        },
    )
    assert response.status_code == 302
    gas = ParkUtility.objects.get(park=park, utility="gas")
    # A second gas line for the same park is refused by the model's constraint, as a form error.
    response = client.post(
        f"/parks/{park.park_id}/utilities/new/",
        {"utility": "gas", "capacity": "1", "as_of_precision": "day"},
    )
    assert response.status_code == 422
    assert client.post(f"/utilities/{gas.pk}/delete/").status_code == 302
    assert client.post(f"/sites/{site.site_id}/delete/").status_code == 302
    assert not Site.objects.filter(site_id="lot-new").exists()
    assert not ParkUtility.objects.filter(pk=gas.pk).exists()


def test_operator_creates_a_park_only_for_its_own_company(world: Any) -> None:
    client = as_role(world, "operator")
    form = client.get("/parks/new/").context["form"]
    assert list(form.fields["operator"].queryset) == [world.op_org]
    data = {
        "park_id": "new-one",
        "name": "New one",
        "kind": "technopark",
        "country": "UZ",
        "operator": world.other_org.pk,
        "as_of_precision": "day",
        "is_published": "on",
    }
    assert client.post("/parks/new/", data).status_code == 422  # not a choice for them
    data["operator"] = world.op_org.pk
    response = client.post("/parks/new/", data)
    assert response.status_code == 302
    assert Park.objects.get(park_id="new-one").operator == world.op_org
    assert as_role(world, "investor").get("/parks/new/").status_code == 403


def test_sign_in_and_out(world: Any) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("opa", password="a long enough password 1")
    client = Client()
    page = client.get("/account/sign-in/?next=/compare/")
    assert page.status_code == 200 and b'name="username"' in page.content
    response = client.post(
        "/account/sign-in/",
        {"username": "opa", "password": "a long enough password 1", "next": "/compare/"},
    )
    assert response.status_code == 302 and response["Location"] == "/compare/"
    assert client.get("/").context["user"] == user
    response = client.post("/account/sign-out/")
    assert response.status_code == 302
    assert not client.get("/").context["user"].is_authenticated
    wrong = client.post("/account/sign-in/", {"username": "opa", "password": "nope"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
