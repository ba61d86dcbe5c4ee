"""Helpers of the API tests: a client per role, JSON requests, expected visibility."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

ROLES = ["anonymous", "investor", "resident", "operator", "analyst", "admin", "superuser"]
SCOPES = ["own", "own_hidden", "other", "other_hidden"]

# Written out from the rules, not derived from core/permissions.py ("own" = the operator's
# park, in which the resident company is resident).
VIEW = {
    "anonymous": {"own", "other"},
    "investor": {"own", "other"},
    "resident": {"own", "other"},
    "operator": {"own", "own_hidden", "other"},
    "analyst": set(SCOPES),
    "admin": set(SCOPES),
    "superuser": set(SCOPES),
}
WRITE = {
    "anonymous": set(),
    "investor": set(),
    "resident": set(),
    "operator": {"own", "own_hidden"},
    "analyst": set(),
    "admin": set(SCOPES),
    "superuser": set(SCOPES),
}


def expected_read(role: str, scope: str) -> int:
    return 200 if scope in VIEW[role] else 404


def expected_write(role: str, scope: str, success: int) -> int:
    if role == "anonymous":
        return 401
    if scope not in VIEW[role]:
        return 404
    if scope not in WRITE[role]:
        return 403
    return success


class ApiClient:
    """Django's test client speaking JSON, as one role."""

    def __init__(self, client: Client, user: Any = None, token: str | None = None) -> None:
        self.client = client
        self.user = user
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif user is not None:
            client.force_login(user)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        raw: bytes | str | None = None,
        **headers: str,
    ) -> Any:
        # Headers may be given WSGI-style (HTTP_IF_MATCH=...) or by name.
        named = {
            (k[5:].replace("_", "-").title() if k.startswith("HTTP_") else k): v
            for k, v in headers.items()
        }
        kwargs: dict[str, Any] = {"headers": {**self.headers, **named}}
        if raw is not None:
            kwargs["data"] = raw
            kwargs["content_type"] = "application/json"
        elif body is not None:
            kwargs["data"] = json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self.request("GET", path, **headers)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api_as(world: Any) -> Callable[[str], ApiClient]:
    """`api_as("operator")` — a JSON client signed in (by session) as that role."""

    def make(role: str) -> ApiClient:
        return ApiClient(Client(), None if role == "anonymous" else world.users[role])

    return make


def scoped(world: Any, kind: str, scope: str) -> Any:
    """The park, site, utility or resident of a scope in the shared world."""
    parks = {
        "own": world.own_park,
        "own_hidden": world.own_hidden_park,
        "other": world.other_park,
        "other_hidden": world.other_hidden_park,
    }
    if kind == "park":
        return parks[scope]
    from tests.factories import ResidentFactory, SiteFactory

    if kind == "site":
        return SiteFactory(park=parks[scope])
    if kind == "resident":
        return ResidentFactory(park=parks[scope])
    raise ValueError(kind)


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body
