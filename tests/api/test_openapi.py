"""The OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_lists_every_registry_endpoint(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/parks", "/api/v1/sites", "/api/v1/organizations", "/api/v1/residents"):
        assert {"get", "post"} <= set(paths[path])
        detail = next(p for p in paths if p.startswith(path + "/{"))
        assert {"get", "put", "patch", "delete"} <= set(paths[detail])
    assert "/api/v1/parks/export" in paths and "/api/v1/tokens" in paths
    # Every documented error has the one error body.
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "errors"}
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_uses_only_bundled_assets(client: Client) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_tile_server_is_optional(client: Client, world: Any, settings: Any) -> None:
    html = client.get("/").content.decode()
    assert 'data-tile-url=""' in html
    settings.TECHNOPARK_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = client.get("/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
