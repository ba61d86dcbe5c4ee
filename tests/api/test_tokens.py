"""Personal API tokens: shown once, stored hashed, revocable, by web page and by API."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from technopark.core.models_tokens import ApiToken
from tests.api.conftest import ApiClient, assert_error_shape

pytestmark = pytest.mark.django_db


def test_token_lifecycle_through_the_api(api_as: Any, world: Any) -> None:
    session = api_as("operator")
    created = session.post("/tokens", {"name": "nightly export"})
    assert created.status_code == 201, created.content
    raw = created.json()["token"]
    assert raw.startswith("tp_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    listing = session.get("/tokens").json()
    assert [t["name"] for t in listing] == ["nightly export"]
    assert "token" not in listing[0]

    by_token = ApiClient(Client(), token=raw)
    response = by_token.get(f"/parks/{world.own_hidden_park.park_id}")
    assert response.status_code == 200  # the token acts as the operator
    stored.refresh_from_db()
    assert stored.last_used is not None

    assert session.delete(f"/tokens/{stored.pk}").status_code == 204
    assert_error_shape(by_token.get("/parks"), 401)


def test_tokens_are_private_to_their_user(api_as: Any, world: Any) -> None:
    token_id = api_as("operator").post("/tokens", {"name": "mine"}).json()["id"]
    other = api_as("investor")
    assert other.get("/tokens").json() == []
    assert_error_shape(other.delete(f"/tokens/{token_id}"), 404)
    assert_error_shape(api_as("anonymous").get("/tokens"), 401)


def test_inactive_users_tokens_stop_working(api_as: Any, world: Any) -> None:
    raw = api_as("operator").post("/tokens", {"name": "x"}).json()["token"]
    user = world.users["operator"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error_shape(ApiClient(Client(), token=raw).get("/parks"), 401)


def test_token_page_shows_the_token_once_and_revokes(client: Client, world: Any) -> None:
    assert client.get("/account/api-tokens/").status_code == 302  # sign in first
    client.force_login(world.users["analyst"])
    response = client.post("/account/api-tokens/", {"name": "dashboard"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    page = client.get("/account/api-tokens/")
    assert raw.encode() not in page.content
    assert b"dashboard" in page.content
    token = ApiToken.objects.get(user=world.users["analyst"])
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked is not None
    # Another user cannot revoke it (it does not exist for them).
    other = Client()
    other.force_login(world.users["investor"])
    assert other.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404


def test_token_form_validation(client: Client, world: Any) -> None:
    client.force_login(world.users["investor"])
    response = client.post("/account/api-tokens/", {"name": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
