"""Matching through the CLI and the API against a brute-force check over the same rows, and
the index kept current after imports, edits, deletes and unpublishing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from technopark.parks.models import Park, Site
from technopark.siting.registry_index import registry_index
from tests.siting_web.conftest import (
    REQUIREMENTS,
    brute_force_feasible,
    check_violations,
    run_command,
)

ROOT = Path(__file__).resolve().parents[2]


def api_match(doc: dict[str, Any], client: Client | None = None) -> Any:
    client = client or Client()
    return client.post("/api/v1/match", data=json.dumps(doc), content_type="application/json")


def cli_match(tmp_path: Path, doc: dict[str, Any], *args: Any) -> dict[str, Any]:
    path = tmp_path / "requirements.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = run_command("match", path, "--json", *args)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def assert_matches_brute_force(result: dict[str, Any], doc: dict[str, Any]) -> set[str]:
    expected = brute_force_feasible(doc)
    found = {r["site_id"] for r in result["results"]}
    assert result["feasible_count"] == len(expected)
    assert found == expected  # top is larger than the registry: every feasible site is listed
    for n in result["near_misses"]:
        assert n["site_id"] not in expected
        assert 1 <= len(n["violations"]) <= 2
        check_violations(doc, n["site_id"], n["violations"])
    return expected


def test_cli_and_api_find_exactly_the_feasible_sites(synth_import: Any, tmp_path: Path) -> None:
    synth_import(parks=20, sites=400, seed=1)
    cli = cli_match(tmp_path, REQUIREMENTS)
    expected = assert_matches_brute_force(cli, REQUIREMENTS)
    assert expected, "the synthetic registry should have some feasible sites for this test"
    api = api_match(REQUIREMENTS)
    assert api.status_code == 200
    assert api.json()["results"] == cli["results"]
    first = cli["results"][0]
    assert first["rank"] == 1
    assert {"npv", "currency", "components", "unknown"} <= set(first["location_cost"])
    assert "benefits_value" in first and first["reasons"]
    assert cli["near_misses"], "a 400-site registry has near misses for this document"
    for n in cli["near_misses"]:
        assert {"constraint", "required", "available"} <= set(n["violations"][0])


def test_cli_table_and_top(synth_import: Any, tmp_path: Path) -> None:
    synth_import(parks=20, sites=300, seed=2)
    doc = {**REQUIREMENTS}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = run_command("match", path, "--top", 3)
    assert run.code == 0, run.stderr
    assert "sites in scope fit" in run.stdout
    top3 = cli_match(tmp_path, doc, "--top", 3)
    assert len(top3["results"]) == min(3, top3["feasible_count"])
    assert [r["rank"] for r in top3["results"]] == list(range(1, len(top3["results"]) + 1))


@pytest.mark.parametrize("lag", [0, 300])
def test_index_stays_correct_after_import_edit_and_delete(
    synth_import: Any, tmp_path: Path, settings: Any, lag: int, admin: Any
) -> None:
    from technopark.core.services import object_delete, object_update

    settings.SITING_INDEX_LAG_SECONDS = lag
    synth_import(parks=20, sites=300, seed=1)
    assert_matches_brute_force(api_match(REQUIREMENTS).json(), REQUIREMENTS)
    registry = registry_index()
    assert registry.rebuilds == 1

    # a second import: the first 300 sites updated (other values), 150 new ones
    synth_import(parks=20, sites=450, seed=5)
    assert Site.objects.count() == 450
    result = api_match(REQUIREMENTS).json()
    expected = assert_matches_brute_force(result, REQUIREMENTS)
    assert result["site_count"] == Site.objects.filter(park__is_published=True).count()

    # an edit through core.services makes a feasible site infeasible, and another feasible
    gone = Site.objects.get(site_id=sorted(expected)[0])
    object_update(obj=gone, user=admin, data={"electricity_mw": 0})
    candidate = (
        Site.objects.filter(
            park__country_id="UZ",
            park__is_published=True,
            kind="plot",
            status="available",
            area_ha__gte=2,
            area_ha__lte=7,
        )
        .exclude(site_id__in=expected)
        .first()
    )
    assert candidate is not None
    object_update(
        obj=candidate,
        user=admin,
        data={
            "electricity_mw": 5,
            "water_m3d": 100,
            "tenure": "lease",
            "hazard_class": 1,
            "dist_rail_km": 1,
            "dist_highway_km": 1,
        },
    )
    result = api_match(REQUIREMENTS).json()
    now_expected = assert_matches_brute_force(result, REQUIREMENTS)
    assert gone.site_id not in now_expected and candidate.site_id in now_expected

    # a delete
    object_delete(obj=Site.objects.get(site_id=candidate.site_id), user=admin)
    result = api_match(REQUIREMENTS).json()
    assert candidate.site_id not in {r["site_id"] for r in result["results"]}
    assert_matches_brute_force(result, REQUIREMENTS)
    assert result["site_count"] == Site.objects.filter(park__is_published=True).count()

    # a rename of a site id
    renamed = Site.objects.get(site_id=sorted(now_expected - {candidate.site_id})[0])
    old_id = renamed.site_id
    object_update(obj=renamed, user=admin, data={"site_id": "renamed-site"})
    found = {r["site_id"] for r in api_match(REQUIREMENTS).json()["results"]}
    assert "renamed-site" in found and old_id not in found
    assert registry.rebuilds == 1 and registry.refreshes >= 4  # incremental all along


def test_unpublished_parks_sites_never_appear_for_anonymous(
    synth_import: Any, tmp_path: Path, admin: Any
) -> None:
    from technopark.core.services import object_update

    synth_import(parks=20, sites=400, seed=1)
    before = api_match(REQUIREMENTS).json()
    park_id = before["results"][0]["park_id"]
    park = Park.objects.get(park_id=park_id)
    object_update(obj=park, user=admin, data={"is_published": False})
    hidden = set(Site.objects.filter(park=park).values_list("site_id", flat=True))
    for result in (api_match(REQUIREMENTS).json(), cli_match(tmp_path, REQUIREMENTS)):
        ids = {r["site_id"] for r in result["results"]} | {
            n["site_id"] for n in result["near_misses"]
        }
        assert not ids & hidden
        assert_matches_brute_force(result, REQUIREMENTS)
    object_update(obj=Park.objects.get(pk=park.pk), user=admin, data={"is_published": True})
    again = {r["site_id"] for r in api_match(REQUIREMENTS).json()["results"]}
    assert again == {r["site_id"] for r in before["results"]}


def test_bad_documents_are_422_with_json_paths(db: None) -> None:
    bad = {"countries": "UZ", "area_ha_min": 10, "area_ha_max": 5, "budget": {"max_sale_price": 1}}
    response = api_match(bad)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    fields = {e["field"] for e in body["errors"]}
    assert {"$.countries", "$.area_ha_min", "$.budget.currency"} <= fields
    project = api_match({"project": {"name": "x"}})
    assert project.status_code == 422
    assert all(e["field"].startswith("$.project") for e in project.json()["errors"])
    not_json = Client().post("/api/v1/match", data="{", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["errors"] == []


def test_bad_documents_exit_2_with_file_and_json_path(db: None, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"tenure": "rent", "weights": {"cost": 0}}), encoding="utf-8")
    run = run_command("match", path)
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert f"{path}: $.tenure: must be one of ['sale', 'lease', 'any'], got 'rent'" in lines
    assert f"{path}: $.weights: at least one weight must be positive" in lines
    missing = run_command("match", tmp_path / "nope.json")
    assert missing.code == 2 and "nope.json" in missing.stderr


def test_cli_subprocess_with_its_own_database(tmp_path: Path) -> None:
    """As a user runs it: a fresh SQLite file, migrate, import synthetic data, match."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cli = [sys.executable, "-m", "technopark.cli"]

    def run(*args: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *map(str, args)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )

    assert run("migrate", "-v0").returncode == 0
    assert (
        run(
            "synth", "--parks", 10, "--sites", 200, "--seed", 4, "-o", tmp_path / "s", "--quiet"
        ).returncode
        == 0
    )
    imported = run("import", tmp_path / "s" / "parks.csv", tmp_path / "s" / "sites.csv")
    assert imported.returncode == 0, imported.stderr
    req = tmp_path / "req.json"
    req.write_text(json.dumps({**REQUIREMENTS, "countries": ["UZ", "RU"]}), encoding="utf-8")
    done = run("match", req, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["site_count"] == 200
    assert len(result["results"]) == result["feasible_count"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"top": 0}', encoding="utf-8")
    refused = run("match", bad)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"{bad}: $.top:")


def test_openapi_documents_the_match_endpoint(db: None) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    post = doc["paths"]["/api/v1/match"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "weights" in schema["properties"] and "project" in schema["properties"]
    assert "422" in post["responses"]


def test_match_with_a_bearer_token(synth_import: Any) -> None:
    from technopark.core.choices import Role
    from technopark.core.tokens import token_create
    from tests.factories import user_with_role

    synth_import(parks=10, sites=100, seed=1)
    user = user_with_role(Role.INVESTOR)
    _token, secret = token_create(user=user, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api_match({"countries": ["UZ"]}, client).status_code == 200
    bad = Client(HTTP_AUTHORIZATION="Bearer nonsense")
    assert api_match({"countries": ["UZ"]}, bad).status_code == 401


def test_deleting_a_park_removes_its_sites(synth_import: Any, admin: Any) -> None:
    from technopark.core.services import object_delete

    synth_import(parks=20, sites=300, seed=1)
    before = api_match(REQUIREMENTS).json()
    park = Park.objects.get(park_id=before["results"][0]["park_id"])
    park.residents.all().delete()
    object_delete(obj=park, user=admin)
    result = api_match(REQUIREMENTS).json()
    assert before["results"][0]["site_id"] not in {r["site_id"] for r in result["results"]}
    assert_matches_brute_force(result, REQUIREMENTS)
    assert result["site_count"] == Site.objects.count()
    assert registry_index().rebuilds == 1
