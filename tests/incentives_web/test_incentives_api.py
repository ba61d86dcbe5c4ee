"""POST /api/v1/incentives/evaluate and GET /api/v1/incentives/regimes[/{id}]."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.incentives_web.conftest import ELTECH, Run, load_example

URL = "/api/v1/incentives/evaluate"


def post(client: Client, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json", headers=headers)


@pytest.fixture
def analyst_token(world: Any) -> str:
    from technopark.core.tokens import token_create

    _, raw = token_create(user=world.users["analyst"], name="test")
    return raw


def test_same_result_as_the_command_line(
    client: Client, eltech_park: Any, cli: Callable[..., Run]
) -> None:
    response = post(client, {"park_id": "uz-eltech-industrial", "project": load_example()})
    assert response.status_code == 200, response.content
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(ELTECH), "--json")
    assert response.json() == run.json()
    # and the figure checked by hand in test_incentives_cli: 50 % of 22,125 property tax in 2026
    assert response.json()["total_saved"] == pytest.approx(11_062.50)


def test_language_of_regime_names(client: Client, eltech_park: Any) -> None:
    response = post(
        client, {"park_id": "uz-eltech-industrial", "project": load_example(), "lang": "uz"}
    )
    assert response.status_code == 200
    assert response.json()["regimes"][0]["name"] == (
        "Elektrotexnika sanoati korxonalari uchun imtiyozlar"
    )


def test_unknown_park_is_404(client: Client, db: Any) -> None:
    response = post(client, {"park_id": "no-such-park", "project": load_example()})
    assert response.status_code == 404
    body = response.json()
    assert "no-such-park" in body["detail"]
    assert body["errors"] == [{"field": "park_id", "message": "Unknown park."}]


def test_unpublished_park_is_404_for_anonymous_and_200_for_an_analyst(
    client: Client, world: Any, analyst_token: str
) -> None:
    hidden = world.other_hidden_park
    body = {"park_id": hidden.park_id, "project": load_example()}
    assert post(client, body).status_code == 404
    investor = Client()
    investor.force_login(world.users["investor"])
    assert post(investor, body).status_code == 404
    # a token ...
    response = post(client, body, Authorization=f"Bearer {analyst_token}")
    assert response.status_code == 200, response.content
    assert response.json()["park_id"] == hidden.park_id
    # ... or the browser session (no CSRF token needed: evaluating writes nothing)
    analyst = Client(enforce_csrf_checks=True)
    analyst.force_login(world.users["analyst"])
    assert post(analyst, body).status_code == 200


def test_bad_token_is_401(client: Client, eltech_park: Any) -> None:
    body = {"park_id": "uz-eltech-industrial", "project": load_example()}
    assert post(client, body, Authorization="Bearer tp_nonsense").status_code == 401


def test_invalid_project_is_422_with_json_paths(client: Client, eltech_park: Any) -> None:
    doc = load_example()
    doc["capex"][0]["year"] = 2040
    doc["revenue"].append({"year": 2030, "amount": 1})
    response = post(client, {"park_id": "uz-eltech-industrial", "project": doc})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The project document is not valid; see errors."
    assert {
        "field": "$.capex[0].year",
        "message": "must be within start_year..start_year+horizon_years-1 (2025..2034), got 2040",
    } in body["errors"]
    assert {
        "field": "$.revenue[9].year",
        "message": "year 2030 already given at $.revenue[4]; give one entry per year",
    } in body["errors"]


def test_schema_errors_are_422_each_with_its_path(client: Client, eltech_park: Any) -> None:
    doc = load_example()
    doc["currency"] = "usd"
    del doc["industry"]
    response = post(client, {"park_id": "uz-eltech-industrial", "project": doc})
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["$"] == "is required (missing industry)"
    assert fields["$.currency"] == "must match '^[A-Z]{3}$', got 'usd'"


def test_request_shape_errors_are_422(client: Client, eltech_park: Any) -> None:
    response = post(client, {"project": load_example(), "extra": 1})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"park_id", "extra"} <= fields


def test_malformed_json_is_400(client: Client, db: Any) -> None:
    response = post(client, '{"park_id": "uz-eltech-industrial", "project": {')
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "errors": []}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_huge_body_is_413(client: Client, eltech_park: Any) -> None:
    doc = load_example()
    doc["description"] = "x" * 20_000
    response = post(client, {"park_id": "uz-eltech-industrial", "project": doc})
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."


def test_regime_list(client: Client, db: Any) -> None:
    response = client.get("/api/v1/incentives/regimes")
    assert response.status_code == 200
    body = response.json()
    ids = [r["id"] for r in body["results"]]
    assert body["count"] == len(ids) and ids == sorted(ids)
    assert {"uz-sez", "uz-electrical-industry", "ru-sez-industrial"} <= set(ids)
    sez = next(r for r in body["results"] if r["id"] == "uz-sez")
    assert sez["jurisdiction"] == "UZ" and sez["effective_from"] == "2020-02-17"
    assert sez["effective_to"] is None and sez["confidence"] == "verified"
    assert sez["names"]["ru"].startswith("Режим")
    assert sez["legal_basis"][0]["number"] == "ZRU-604"
    assert "ZRU-604" in sez["legal_basis"][0]["citation"]
    assert "benefits" not in sez
    ru = client.get("/api/v1/incentives/regimes?lang=ru").json()
    assert next(r for r in ru["results"] if r["id"] == "uz-sez")["name"].startswith("Режим")


def test_regime_detail(client: Client, db: Any) -> None:
    response = client.get("/api/v1/incentives/regimes/uz-sez")
    assert response.status_code == 200
    sez = response.json()
    assert sez["applies_to"]["park_kinds"] == ["fez", "sez"]
    prop = next(b for b in sez["benefits"] if b["id"] == "property-exemption")
    assert [b["term_months"] for b in prop["brackets"]] == [36, 60, 84, 120]
    assert prop["brackets"][0]["min_investment"] == 300_000
    assert "Art. 473" in prop["citation"] and prop["confidence"] == "verified"
    # benefits_from resolved: the Chirchik technopark has the SEZ benefits
    chirchik = client.get("/api/v1/incentives/regimes/uz-chirchik-technopark").json()
    assert chirchik["benefits_from"] == "uz-sez"
    assert {b["id"] for b in chirchik["benefits"]} >= {"property-exemption", "profit-exemption"}
    pp15 = client.get("/api/v1/incentives/regimes/uz-electrical-industry").json()
    assert pp15["eligibility"]["min_activity_share"] == {
        "activity": "electrical_products",
        "share": 0.8,
        "label": "electrical products",
    }


def test_unknown_regime_is_404(client: Client, db: Any) -> None:
    response = client.get("/api/v1/incentives/regimes/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no regime 'nope'.", "errors": []}


def test_openapi_documents_the_schemas(client: Client, db: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    evaluate = spec["paths"]["/api/v1/incentives/evaluate"]["post"]
    assert set(evaluate["responses"]) >= {"200", "400", "404", "413", "422"}
    ok = evaluate["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/IncentiveResultOut")
    schemas = spec["components"]["schemas"]
    assert {"EvaluateIn", "RegimeOutcomeOut", "BenefitOutcomeOut", "RegimeOut"} <= set(schemas)
    assert "/api/v1/incentives/regimes/{regime_id}" in spec["paths"]
