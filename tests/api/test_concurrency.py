"""Optimistic concurrency: ETag on every object, 412 for a stale If-Match, 304 when unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from technopark.parks.models import Park, Site
from tests.api.conftest import assert_error_shape

pytestmark = pytest.mark.django_db


def test_stale_if_match_is_412_and_changes_nothing(api_as: Any, world: Any) -> None:
    operator = api_as("operator")
    path = f"/parks/{world.own_park.park_id}"
    etag = operator.get(path)["ETag"]
    first = operator.patch(path, {"locality": "First edit"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    second = operator.patch(path, {"locality": "Second edit"}, HTTP_IF_MATCH=etag)
    assert_error_shape(second, 412)
    assert Park.objects.get(pk=world.own_park.pk).locality == "First edit"
    third = operator.patch(path, {"locality": "Third edit"}, HTTP_IF_MATCH=first["ETag"])
    assert third.status_code == 200


def test_if_match_on_put_and_delete(api_as: Any, world: Any) -> None:
    admin = api_as("admin")
    path = f"/sites/{world.own_site.site_id}"
    etag = admin.get(path)["ETag"]
    admin.patch(path, {"name": "Moved on"})
    assert_error_shape(admin.delete(path, HTTP_IF_MATCH=etag), 412)
    assert Site.objects.filter(pk=world.own_site.pk).exists()
    fresh = admin.get(path)["ETag"]
    assert admin.delete(path, HTTP_IF_MATCH=fresh).status_code == 204


def test_without_if_match_the_write_is_allowed(api_as: Any, world: Any) -> None:
    response = api_as("operator").patch(f"/sites/{world.own_site.site_id}", {"name": "Lot 9"})
    assert response.status_code == 200


def test_wildcard_and_weak_etags_match(api_as: Any, world: Any) -> None:
    admin = api_as("admin")
    path = f"/parks/{world.other_park.park_id}"
    assert admin.patch(path, {"locality": "A"}, HTTP_IF_MATCH="*").status_code == 200
    etag = admin.get(path)["ETag"]
    assert (
        admin.patch(path, {"locality": "B"}, HTTP_IF_MATCH=f'"nope", W/{etag}').status_code == 200
    )


def test_if_none_match_gives_304(api_as: Any, world: Any) -> None:
    client = api_as("anonymous")
    path = f"/parks/{world.own_park.park_id}"
    etag = client.get(path)["ETag"]
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_no_one_learns_an_etag_they_may_not_write(api_as: Any, world: Any) -> None:
    """Permission is checked before the precondition: a stranger gets 403, not 412."""
    response = api_as("investor").patch(
        f"/parks/{world.own_park.park_id}", {"locality": "x"}, HTTP_IF_MATCH='"stale"'
    )
    assert_error_shape(response, 403)
