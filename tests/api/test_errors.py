"""Bad input never makes a 500: one error body, the right status for each kind of mistake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from technopark.parks.models import Park
from tests.api.conftest import ApiClient, assert_error_shape

pytestmark = pytest.mark.django_db


def test_malformed_json_is_400(api_as: Any, world: Any) -> None:
    client = api_as("operator")
    body = assert_error_shape(client.post("/sites", raw="{not json"), 400)
    assert "JSON" in body["detail"]
    assert_error_shape(client.patch(f"/parks/{world.own_park.park_id}", raw="[1, 2"), 400)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area_total_ha": "a lot"}, "area_total_ha"),
        ({"lat": [1, 2]}, "lat"),
        ({"established": "nineteen"}, "established"),
        ({"industries": "27"}, "industries"),
        ({"is_published": {"yes": 1}}, "is_published"),
        ({"residents_count": -3}, "residents_count"),
    ],
)
def test_wrong_types_are_422_naming_the_field(
    api_as: Any, world: Any, change: dict[str, Any], field: str
) -> None:
    response = api_as("operator").patch(f"/parks/{world.own_park.park_id}", change)
    body = assert_error_shape(response, 422)
    assert field in {e["field"].split(".")[0] for e in body["errors"]}


@pytest.mark.parametrize("value", [0, 1767225600, "1767225600", 1.5, True, "31.01.2026"])
def test_a_date_is_iso_text_not_a_number(api_as: Any, world: Any, value: Any) -> None:
    """Pydantic's lax mode would read 0 as 1970-01-01 (a Unix time) and store it."""
    before = Park.objects.get(pk=world.own_park.pk).as_of
    response = api_as("operator").patch(f"/parks/{world.own_park.park_id}", {"as_of": value})
    body = assert_error_shape(response, 422)
    assert body["errors"] == [{"field": "as_of", "message": "Give a date as YYYY-MM-DD."}]
    assert Park.objects.get(pk=world.own_park.pk).as_of == before


def test_a_date_as_iso_text_is_taken(api_as: Any, world: Any) -> None:
    response = api_as("operator").patch(f"/parks/{world.own_park.park_id}", {"as_of": "2026-01-31"})
    assert response.status_code == 200, response.content
    assert str(Park.objects.get(pk=world.own_park.pk).as_of) == "2026-01-31"


@pytest.mark.parametrize(
    ("schema", "body", "field"),
    [
        ("technopark.residents.schemas.CommitmentDoneIn", {"done_on": 0}, "done_on"),
        (
            "technopark.residents.schemas.AgreementPatch",
            {"certificate_date": 20260131},
            "certificate_date",
        ),
        ("technopark.parks.schemas.ResidentIn", {"since": 86400}, "since"),
    ],
)
def test_every_request_body_takes_dates_as_text(schema: str, body: Any, field: str) -> None:
    from django.utils.module_loading import import_string
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        import_string(schema).model_validate(body)
    errors = [e for e in caught.value.errors() if e["loc"] == (field,)]
    assert [e["msg"] for e in errors] == ["Give a date as YYYY-MM-DD."]


def test_unknown_fields_are_422(api_as: Any, world: Any) -> None:
    response = api_as("operator").patch(
        f"/parks/{world.own_park.park_id}", {"locality": "x", "secret_flag": True}
    )
    body = assert_error_shape(response, 422)
    assert body["errors"] == [{"field": "secret_flag", "message": "Unknown field."}]
    world.own_park.refresh_from_db()
    assert world.own_park.locality != "x"


def test_model_validation_is_422_with_field_messages(api_as: Any, world: Any) -> None:
    response = api_as("operator").patch(
        f"/parks/{world.own_park.park_id}", {"area_free_ha": "500", "area_total_ha": "100"}
    )
    body = assert_error_shape(response, 422)
    assert any("free area" in e["message"].lower() for e in body["errors"])
    response = api_as("operator").patch(f"/sites/{world.own_site.site_id}", {"currency": "dollars"})
    assert assert_error_shape(response, 422)["errors"][0]["field"] == "currency"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": 999999}, "region"),
        ({"operator": 999999}, "operator"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_a_missing_related_object_is_422_not_500(
    api_as: Any, world: Any, change: dict[str, Any], field: str
) -> None:
    """Found by the fuzz test: Park.clean read the missing region and raised DoesNotExist."""
    body = {"park_id": "new-park", "name": "New", "kind": "technopark", "country": "UZ", **change}
    created = assert_error_shape(api_as("admin").post("/parks", body), 422)
    assert field in {e["field"] for e in created["errors"]}
    changed = api_as("admin").patch(f"/parks/{world.own_park.park_id}", change)
    assert field in {e["field"] for e in assert_error_shape(changed, 422)["errors"]}
    assert not Park.objects.filter(park_id="new-park").exists()


def test_duplicate_identifier_is_409(api_as: Any, world: Any) -> None:
    body = {
        "park_id": world.own_park.park_id,
        "name": "Copy",
        "kind": "technopark",
        "country": "UZ",
        "operator": world.op_org.pk,
    }
    assert_error_shape(api_as("operator").post("/parks", body), 409)
    assert Park.objects.filter(park_id=world.own_park.park_id).count() == 1


def test_huge_payload_is_413(api_as: Any, world: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    notes = "x" * 20_000
    response = api_as("operator").patch(f"/parks/{world.own_park.park_id}", {"notes": notes})
    assert_error_shape(response, 413)


def test_missing_required_fields_are_422(api_as: Any, world: Any) -> None:
    body = assert_error_shape(api_as("admin").post("/parks", {"name": "No id"}), 422)
    assert {"park_id", "kind", "country"} <= {e["field"] for e in body["errors"]}


def test_changing_an_id_is_refused(api_as: Any, world: Any) -> None:
    response = api_as("operator").patch(f"/parks/{world.own_park.park_id}", {"park_id": "renamed"})
    assert assert_error_shape(response, 422)["errors"][0]["field"] == "park_id"


def test_unknown_object_is_404_in_the_error_format(api_as: Any) -> None:
    assert_error_shape(api_as("admin").get("/parks/does-not-exist"), 404)
    assert_error_shape(api_as("admin").get("/organizations/999999"), 404)
    assert_error_shape(api_as("admin").get("/organizations/not-a-number"), 400)


def test_a_bad_token_is_401_even_for_reads(client: Client, world: Any) -> None:
    response = client.get("/api/v1/parks", headers={"Authorization": "Bearer tp_not-a-real-token"})
    body = assert_error_shape(response, 401)
    assert "token" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_writes_need_the_csrf_token(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["operator"])
    path = f"/api/v1/parks/{world.own_park.park_id}"
    response = client.patch(path, json.dumps({"locality": "x"}), content_type="application/json")
    assert_error_shape(response, 403)
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        path,
        json.dumps({"locality": "x"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.content


def test_tokens_need_no_csrf(world: Any) -> None:
    from technopark.core.tokens import token_create

    _token, raw = token_create(user=world.users["operator"], name="script")
    client = ApiClient(Client(enforce_csrf_checks=True), token=raw)
    response = client.patch(f"/parks/{world.own_park.park_id}", {"locality": "By token"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"park_id": "nul-park", "name": "A\x00B", "country": "UZ"}, "name"),
        (
            {"park_id": "nul-park", "name": "Ok", "country": "UZ", "notes": ["x", "y\x00"]},
            "notes[1]",
        ),
    ],
)
def test_a_nul_character_is_422_naming_the_field(
    api_as: Any, world: Any, body: dict[str, Any], field: str
) -> None:
    """PostgreSQL cannot store the NUL character (schemathesis found a 500 there)."""
    body_out = assert_error_shape(api_as("admin").post("/parks", body), 422)
    assert {"field": field, "message": "must not contain the NUL character (\\u0000)"} in body_out[
        "errors"
    ]
    assert not Park.objects.filter(park_id="nul-park").exists()


def test_a_nul_character_in_a_path_or_query_is_never_a_500(api_as: Any, world: Any) -> None:
    client = api_as("admin")
    for path in ("/parks/no%00such", "/parks?q=a%00b", "/sites?park=a%00b"):
        response = client.get(path)
        assert response.status_code in {400, 404, 422}, (path, response.content)
