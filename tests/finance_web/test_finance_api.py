"""/api/v1/projects/...: evaluate, simulate (inline and in the background), sensitivity and the
saved projects of the workspace."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tests.finance_web.conftest import ELTECH, WORKSHOP, People, Run, load

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, raw, content_type="application/json", headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---- evaluate ----------------------------------------------------------------------------


def test_evaluate_is_the_command_lines_result(
    client: Client, db: Any, cli: Callable[..., Run], tmp_path: Any
) -> None:
    doc = load(WORKSHOP)
    response = post(client, "/api/v1/projects/evaluate", {"project": doc})
    assert response.status_code == 200, response.content
    run = cli("finance", str(WORKSHOP), "--json")
    assert response.json() == run.json()
    assert "without_benefits" not in response.json()


def test_evaluate_in_the_documents_park(client: Client, eltech_park: Any) -> None:
    response = post(client, "/api/v1/projects/evaluate", {"project": load(ELTECH)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["park_id"] == "uz-eltech-industrial"
    assert body["benefits_value"] == pytest.approx(11_062.50 / 1.12, abs=0.01)
    assert body["without_benefits"]["npv"] < body["npv"]


def test_park_id_overrides_the_document(client: Client, eltech_park: Any, navoi_park: Any) -> None:
    response = post(
        client, "/api/v1/projects/evaluate", {"project": load(ELTECH), "park_id": "uz-navoi-fez"}
    )
    assert response.status_code == 200
    assert response.json()["park_id"] == "uz-navoi-fez"


def test_unknown_and_unpublished_parks_are_404(
    client: Client, hidden_park: Any, people: People, token_of: Callable[[Any], str]
) -> None:
    doc = load(WORKSHOP)
    for park_id in ("no-such-park", "uz-hidden-park"):
        response = post(client, "/api/v1/projects/evaluate", {"project": doc, "park_id": park_id})
        assert response.status_code == 404
        assert response.json()["errors"] == [{"field": "park_id", "message": "Unknown park."}]
    doc["park_id"] = "uz-hidden-park"
    response = post(client, "/api/v1/projects/evaluate", {"project": doc})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "$.park_id"
    # an analyst sees unpublished parks (core.permissions)
    response = post(
        client, "/api/v1/projects/evaluate", {"project": doc}, **bearer(token_of(people.analyst))
    )
    assert response.status_code == 200


def test_invalid_document_is_422_with_json_paths(client: Client, db: Any) -> None:
    doc = load(WORKSHOP)
    doc["revenue"][1]["year"] = 2040
    response = post(client, "/api/v1/projects/evaluate", {"project": doc})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The project document is not valid; see errors."
    assert body["errors"] == [
        {
            "field": "$.revenue[1].year",
            "message": "must be within start_year..start_year+horizon_years-1 (2025..2029), "
            "got 2040",
        }
    ]


def test_unknown_request_field_is_422(client: Client, db: Any) -> None:
    response = post(client, "/api/v1/projects/evaluate", {"project": {}, "colour": "red"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "colour", "message": "Unknown field."}]


# ---- simulate ----------------------------------------------------------------------------


def test_simulate_inline(client: Client, db: Any) -> None:
    from technopark.finance.risk import simulate

    doc = load(WORKSHOP)
    response = post(client, "/api/v1/projects/simulate", {"project": doc, "n": 3000, "seed": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    expected = simulate(doc, 3000, seed=5).to_dict()
    assert body["npv_p50"] == pytest.approx(expected["npv"]["p50"])
    assert body["expected_npv"] == pytest.approx(expected["npv"]["mean"])
    assert body["prob_npv_negative"] == expected["npv"]["probability_negative"]
    assert body["irr_p95"] == pytest.approx(expected["irr"]["p95"])
    assert (body["n"], body["seed"]) == (3000, 5)


def test_simulate_without_seed_reports_the_one_used(client: Client, db: Any) -> None:
    doc = load(WORKSHOP)
    first = post(client, "/api/v1/projects/simulate", {"project": doc, "n": 500}).json()
    again = post(
        client, "/api/v1/projects/simulate", {"project": doc, "n": 500, "seed": first["seed"]}
    ).json()
    assert again == first


def test_bad_risk_specification_is_422(client: Client, db: Any) -> None:
    body = {
        "project": load(WORKSHOP),
        "n": 100,
        "distributions": {"revenue": {"dist": "pert", "low": 1.2, "mode": 1.0, "high": 1.1}},
    }
    response = post(client, "/api/v1/projects/simulate", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("distributions.revenue")


def test_progress_in_blocks_gives_the_engines_result(db: Any) -> None:
    """The background path reports progress block by block; its result is `risk.simulate`'s."""
    from technopark.finance.risk import simulate
    from technopark.finance.services import _simulate_in_blocks, simulation_summary

    doc = load(ELTECH)
    seen: list[float] = []
    stepped = _simulate_in_blocks(
        doc,
        1000,
        seed=11,
        distributions=None,
        correlation=[["revenue", "opex", 0.5]],
        park=None,
        progress=seen.append,
        block=128,
    )
    direct = simulate(doc, 1000, seed=11, correlation=[["revenue", "opex", 0.5]])
    assert simulation_summary(stepped.to_dict()) == simulation_summary(direct.to_dict())
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == 8


@override_settings(TASKS=IMMEDIATE, FINANCE_INLINE_SIMULATION_MAX=100)
def test_large_simulation_runs_in_the_background(
    client: Client, people: People, token_of: Callable[[Any], str]
) -> None:
    from technopark.finance.risk import simulate
    from technopark.finance.services import simulation_summary

    token = token_of(people.investor)
    doc = load(WORKSHOP)
    response = post(
        client, "/api/v1/projects/simulate", {"project": doc, "n": 400, "seed": 9}, **bearer(token)
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/projects/simulations/{body['id']}")
    status = client.get(body["url"], headers=bearer(token))
    assert status.status_code == 200
    run = status.json()
    assert run["status"] == "done" and run["progress"] == 1.0
    assert run["result"] == simulation_summary(simulate(doc, 400, seed=9).to_dict())
    # somebody else's run does not exist for them
    other = client.get(body["url"], headers=bearer(token_of(people.other_investor)))
    assert other.status_code == 404


@override_settings(FINANCE_INLINE_SIMULATION_MAX=100)
def test_background_simulation_needs_a_signed_in_caller(client: Client, db: Any) -> None:
    response = post(client, "/api/v1/projects/simulate", {"project": load(WORKSHOP), "n": 400})
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE, FINANCE_INLINE_SIMULATION_MAX=100)
def test_database_backend_and_the_worker(client: Client, token_of: Callable[[Any], str]) -> None:
    """Queued in the database, picked up by `technopark db_worker --batch`, polled."""
    from technopark.core.choices import Role
    from tests.factories import user_with_role

    token = token_of(user_with_role(Role.INVESTOR))
    body = {"project": load(WORKSHOP), "n": 20_000, "seed": 3}
    response = post(client, "/api/v1/projects/simulate", body, **bearer(token))
    assert response.status_code == 202, response.content
    url = response["Location"]
    queued = client.get(url, headers=bearer(token)).json()
    assert queued["status"] == "queued" and queued["progress"] == 0.0
    assert queued["result"] is None
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload")
    done = client.get(url, headers=bearer(token)).json()
    assert done["status"] == "done", done
    assert done["progress"] == 1.0
    assert done["result"]["n"] == 20_000 and done["result"]["seed"] == 3
    assert sum(done["result"]["npv_histogram"]["counts"]) == 20_000


@override_settings(TASKS=IMMEDIATE)
def test_failed_run_reports_its_error(people: People) -> None:
    from technopark.finance import services

    doc = load(WORKSHOP)
    run = services.simulation_start(
        owner=people.investor,
        request={"project": doc, "park_id": "gone-park", "n": 10, "seed": 1},
    )
    run.refresh_from_db()
    assert run.status == "failed" and "gone-park" in run.error


# ---- sensitivity -------------------------------------------------------------------------


def test_sensitivity_tornado_and_two_way(client: Client, db: Any) -> None:
    from technopark.finance.sensitivity import tornado

    doc = load(WORKSHOP)
    body = {
        "project": doc,
        "change": 0.2,
        "two_way": {
            "x": {"driver": "revenue", "values": [0.9, 1.0, 1.1]},
            "y": {"driver": "capex", "values": [1.0, 1.2]},
        },
    }
    response = post(client, "/api/v1/projects/sensitivity", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["tornado"] == tornado(doc, change=0.2)
    table = out["two_way"]["table"]
    assert len(table) == 2 and len(table[0]) == 3
    assert table[0][1] == pytest.approx(out["tornado"]["base"])


def test_sensitivity_bad_driver_is_422(client: Client, db: Any) -> None:
    body = {"project": load(WORKSHOP), "drivers": ["weather"]}
    response = post(client, "/api/v1/projects/sensitivity", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("drivers")


# ---- saved projects ----------------------------------------------------------------------


def test_saved_project_lifecycle(
    client: Client, people: People, eltech_park: Any, token_of: Callable[[Any], str]
) -> None:
    token = bearer(token_of(people.investor))
    doc = load(ELTECH)
    created = post(client, "/api/v1/projects", {"name": "Cable plant", "project": doc}, **token)
    assert created.status_code == 201, created.content
    body = created.json()
    assert created["Location"] == body["url"]
    assert body["organization_id"] == people.company.pk
    assert body["park_id"] == "uz-eltech-industrial"
    assert body["project"] == doc
    listed = client.get("/api/v1/projects", headers=token).json()
    assert [p["id"] for p in listed["results"]] == [body["id"]] and listed["count"] == 1

    doc["discount_rate"] = 0.1
    replaced = client.put(
        body["url"],
        json.dumps({"name": "Cable plant v2", "project": doc}),
        content_type="application/json",
        headers=token,
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["name"] == "Cable plant v2"
    assert replaced.json()["project"]["discount_rate"] == 0.1

    xlsx = client.get(body["xlsx_url"], headers=token)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.content[:2] == b"PK"

    # the colleague in the same company sees it; another company does not
    colleague = bearer(token_of(people.colleague))
    assert client.get(body["url"], headers=colleague).status_code == 200
    other = bearer(token_of(people.other_investor))
    assert client.get(body["url"], headers=other).status_code == 404
    assert client.get(body["xlsx_url"], headers=other).status_code == 404
    assert client.delete(body["url"], headers=other).status_code == 404
    assert client.get("/api/v1/projects", headers=other).json()["count"] == 0

    assert client.delete(body["url"], headers=token).status_code == 204
    assert client.get(body["url"], headers=token).status_code == 404


def test_analyst_does_not_read_private_projects(
    client: Client, people: People, saved: Any, token_of: Callable[[Any], str]
) -> None:
    analyst = bearer(token_of(people.analyst))
    assert client.get(f"/api/v1/projects/{saved.pk}", headers=analyst).status_code == 404
    assert client.get("/api/v1/projects", headers=analyst).json()["count"] == 0
    admin = bearer(token_of(people.admin))
    assert client.get(f"/api/v1/projects/{saved.pk}", headers=admin).status_code == 200


def test_saved_project_needs_an_organization_and_valid_data(
    client: Client, people: People, token_of: Callable[[Any], str]
) -> None:
    doc = load(WORKSHOP)
    loner = bearer(token_of(people.loner))
    response = post(client, "/api/v1/projects", {"name": "x", "project": doc}, **loner)
    assert response.status_code == 403
    investor = bearer(token_of(people.investor))
    response = post(
        client,
        "/api/v1/projects",
        {"name": "x", "project": doc, "organization_id": people.other_company.pk},
        **investor,
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "organization_id"
    doc["horizon_years"] = 0
    response = post(client, "/api/v1/projects", {"name": "x", "project": doc}, **investor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "$.horizon_years"


def test_workspace_needs_credentials(client: Client, db: Any) -> None:
    assert client.get("/api/v1/projects").status_code == 401
    response = post(client, "/api/v1/projects", {"name": "x", "project": load(WORKSHOP)})
    assert response.status_code == 401


def test_openapi_lists_the_endpoints(client: Client, db: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/projects/evaluate",
        "/api/v1/projects/simulate",
        "/api/v1/projects/sensitivity",
        "/api/v1/projects/simulations/{run_id}",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/xlsx",
    ):
        assert path in paths, sorted(paths)
