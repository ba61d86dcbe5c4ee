"""Every registry endpoint × role × whose object: the status codes the rules promise."""

from __future__ import annotations

from typing import Any

import pytest

from technopark.parks.models import Park, Resident, Site
from tests.api.conftest import (
    ROLES,
    SCOPES,
    VIEW,
    WRITE,
    assert_error_shape,
    expected_read,
    expected_write,
    scoped,
)

pytestmark = pytest.mark.django_db


def park_body(park: Park, **changes: Any) -> dict[str, Any]:
    body = {
        "park_id": park.park_id,
        "name": park.name,
        "kind": park.kind,
        "country": park.country_id,
        "operator": park.operator_id,
        "lat": park.lat,
        "lon": park.lon,
        "coord_precision": park.coord_precision,
        "area_total_ha": str(park.area_total_ha),
        "industries": park.industries,
        "is_published": park.is_published,
    }
    return {**body, **changes}


def site_body(site: Site, **changes: Any) -> dict[str, Any]:
    body = {
        "site_id": site.site_id,
        "park": site.park.park_id,
        "kind": site.kind,
        "area_ha": str(site.area_ha),
        "status": site.status,
        "currency": site.currency,
        "lease_per_year": str(site.lease_per_year),
    }
    return {**body, **changes}


# ---- parks -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_park_detail(api_as: Any, world: Any, role: str, scope: str) -> None:
    park = scoped(world, "park", scope)
    response = api_as(role).get(f"/parks/{park.park_id}")
    assert response.status_code == expected_read(role, scope)
    if response.status_code == 200:
        assert response.json()["park_id"] == park.park_id
        assert response["ETag"]
    else:
        assert_error_shape(response, 404)


@pytest.mark.parametrize("role", ROLES)
def test_park_list_shows_exactly_the_visible_parks(api_as: Any, world: Any, role: str) -> None:
    response = api_as(role).get("/parks?limit=500")
    assert response.status_code == 200
    got = {p["park_id"] for p in response.json()["results"]}
    expected = {scoped(world, "park", s).park_id for s in VIEW[role]}
    assert got == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_park_patch(api_as: Any, world: Any, role: str, scope: str) -> None:
    park = scoped(world, "park", scope)
    response = api_as(role).patch(f"/parks/{park.park_id}", {"locality": "Changed town"})
    status = expected_write(role, scope, 200)
    assert response.status_code == status, response.content
    park.refresh_from_db()
    assert (park.locality == "Changed town") == (status == 200)
    if status != 200:
        assert_error_shape(response, status)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_park_put(api_as: Any, world: Any, role: str, scope: str) -> None:
    park = scoped(world, "park", scope)
    response = api_as(role).put(f"/parks/{park.park_id}", park_body(park, name="Replaced name"))
    assert response.status_code == expected_write(role, scope, 200), response.content
    park.refresh_from_db()
    assert (park.name == "Replaced name") == (response.status_code == 200)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_park_delete(api_as: Any, world: Any, role: str, scope: str) -> None:
    park = scoped(world, "park", scope)
    # A park with residents is still deletable (residents cascade); clear them for a plain case.
    Resident.objects.filter(park=park).delete()
    response = api_as(role).delete(f"/parks/{park.park_id}")
    status = expected_write(role, scope, 204)
    assert response.status_code == status, response.content
    assert Park.objects.filter(pk=park.pk).exists() == (status != 204)


@pytest.mark.parametrize(
    ("role", "operator_scope", "status"),
    [
        ("anonymous", "own", 401),
        ("investor", "own", 403),
        ("resident", "own", 403),
        ("analyst", "own", 403),
        ("operator", "own", 201),
        ("operator", "other", 403),
        ("admin", "other", 201),
        ("superuser", "own", 201),
    ],
)
def test_park_create(api_as: Any, world: Any, role: str, operator_scope: str, status: int) -> None:
    org = world.op_org if operator_scope == "own" else world.other_org
    body = {
        "park_id": "new-park",
        "name": "New park (example)",
        "kind": "industrial_park",
        "country": "UZ",
        "operator": org.pk,
    }
    response = api_as(role).post("/parks", body)
    assert response.status_code == status, response.content
    assert Park.objects.filter(park_id="new-park").exists() == (status == 201)
    if status == 201:
        assert response["Location"].endswith("/api/v1/parks/new-park")
        assert response.json()["operator"]["id"] == org.pk


# ---- sites -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_site_read_and_write(api_as: Any, world: Any, role: str, scope: str) -> None:
    site = scoped(world, "site", scope)
    client = api_as(role)
    assert client.get(f"/sites/{site.site_id}").status_code == expected_read(role, scope)
    response = client.patch(f"/sites/{site.site_id}", {"status": "reserved"})
    status = expected_write(role, scope, 200)
    assert response.status_code == status, response.content
    site.refresh_from_db()
    assert (site.status == "reserved") == (status == 200)
    response = client.put(f"/sites/{site.site_id}", site_body(site, name="Lot 1"))
    assert response.status_code == status, response.content
    response = client.delete(f"/sites/{site.site_id}")
    assert response.status_code == expected_write(role, scope, 204)


@pytest.mark.parametrize("role", ROLES)
def test_site_list_shows_only_sites_of_visible_parks(api_as: Any, world: Any, role: str) -> None:
    expected = {scoped(world, "site", s).site_id for s in VIEW[role]}
    for scope in SCOPES:
        if scope not in VIEW[role]:
            scoped(world, "site", scope)  # a site the role must not see
    response = api_as(role).get("/sites?limit=500")
    got = {s["site_id"] for s in response.json()["results"]}
    assert expected <= got
    hidden = {"own_hidden", "other_hidden"} - VIEW[role]
    for s in response.json()["results"]:
        park = Park.objects.get(park_id=s["park"])
        scope = next(k for k in SCOPES if scoped(world, "park", k).pk == park.pk)
        assert scope not in hidden


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_site_create(api_as: Any, world: Any, role: str, scope: str) -> None:
    park = scoped(world, "park", scope)
    body = {"site_id": "new-site", "park": park.park_id, "kind": "plot", "area_ha": "3.5"}
    response = api_as(role).post("/sites", body)
    if role == "anonymous":
        expected = 401
    elif scope not in VIEW[role]:
        expected = 422  # the park does not exist for this caller
    elif scope not in WRITE[role]:
        expected = 403
    else:
        expected = 201
    assert response.status_code == expected, response.content
    assert Site.objects.filter(site_id="new-site").exists() == (expected == 201)


# ---- residents ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_resident_read_and_write(api_as: Any, world: Any, role: str, scope: str) -> None:
    resident = scoped(world, "resident", scope)
    client = api_as(role)
    assert client.get(f"/residents/{resident.pk}").status_code == expected_read(role, scope)
    response = client.patch(f"/residents/{resident.pk}", {"activity": "Cable plant"})
    assert response.status_code == expected_write(role, scope, 200), response.content
    response = client.delete(f"/residents/{resident.pk}")
    assert response.status_code == expected_write(role, scope, 204), response.content


def test_operator_registers_a_resident_on_its_sites(api_as: Any, world: Any) -> None:
    from tests.factories import OrganizationFactory, SiteFactory

    site = SiteFactory(park=world.own_park)
    company = OrganizationFactory(kind="company")
    body = {"park": world.own_park.park_id, "organization": company.pk, "sites": [site.site_id]}
    response = api_as("operator").post("/residents", body)
    assert response.status_code == 201, response.content
    assert response.json()["sites"] == [{"site_id": site.site_id, "name": site.name}]
    # A site of another park is refused with a field error, and nothing is written.
    body["sites"] = [world.other_site.site_id]
    response = api_as("operator").post("/residents", body)
    errors = assert_error_shape(response, 422)["errors"]
    assert errors[0]["field"] == "sites"
    assert Resident.objects.filter(organization=company).count() == 1


# ---- organizations -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organizations_are_public_and_admin_written(api_as: Any, world: Any, role: str) -> None:
    client = api_as(role)
    org = world.other_org
    assert client.get(f"/organizations/{org.pk}").status_code == 200
    assert client.get("/organizations").json()["count"] >= 2
    admin = role in {"admin", "superuser"}
    expected = 401 if role == "anonymous" else (200 if admin else 403)
    response = client.patch(f"/organizations/{org.pk}", {"phone": "+998 71 000 00 00"})
    assert response.status_code == expected, response.content
    response = client.post("/organizations", {"name": f"New org {role}", "kind": "company"})
    assert response.status_code == (201 if admin else expected)


def test_deleting_an_organization_in_use_is_a_conflict(api_as: Any, world: Any) -> None:
    response = api_as("admin").delete(f"/organizations/{world.op_org.pk}")
    assert_error_shape(response, 409)


def test_operator_cannot_hand_its_park_to_another_operator(api_as: Any, world: Any) -> None:
    park = world.own_park
    response = api_as("operator").patch(f"/parks/{park.park_id}", {"operator": world.other_org.pk})
    assert_error_shape(response, 403)
    park.refresh_from_db()
    assert park.operator_id == world.op_org.pk
