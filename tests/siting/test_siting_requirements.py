"""The requirements document: defaults, every error with its JSON path, schema and examples."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from technopark.siting.requirements import (
    REQUIREMENTS_SCHEMA,
    RequirementsError,
    load_requirements,
    parse_requirements,
)

ROOT = Path(__file__).resolve().parents[2]


def _errors(doc: dict) -> list[str]:
    with pytest.raises(RequirementsError) as e:
        parse_requirements(doc)
    return e.value.errors


def test_defaults_of_an_empty_document() -> None:
    r = parse_requirements({})
    assert (r.site_kind, r.tenure, r.horizon_years, r.top, r.unknown_ok) == (
        "any",
        "any",
        10,
        10,
        False,
    )
    assert r.countries is None and r.project is None and r.budget is None
    assert set(r.weights.values()) == {1.0}
    assert r.output_currency == "USD"


def test_areas_are_held_in_square_metres() -> None:
    r = parse_requirements({"area_ha_min": 1.5, "area_m2_max": 40_000})
    assert (r.area_m2_min, r.area_m2_max) == (15_000.0, 40_000.0)


def test_every_problem_is_reported_with_its_json_path() -> None:
    errors = _errors(
        {
            "countries": ["uz"],
            "tenure": "rent",
            "area_ha_min": 10,
            "area_ha_max": 5,
            "max_distance_km": {"rail": -1, "moon": 3},
            "budget": {"max_sale_price": 100},
            "weights": {"cost": 0, "logistics": 0},
            "industry": "04",
            "colour": "red",
        }
    )
    text = "\n".join(errors)
    for expected in (
        "$.countries[0]: must match",
        "$.tenure: must be one of ['sale', 'lease', 'any'], got 'rent'",
        "$.area_ha_min: must be <= area_ha_max (5), got 10",
        "$.max_distance_km.rail: must be >= 0, got -1",
        "$.max_distance_km: unknown field(s): 'moon'",
        "$.budget.currency: is required when a price limit is given",
        "$.weights: at least one weight must be positive",
        "$.industry: '04' is not an ISIC Rev.4 division",
        "$: unknown field(s): 'colour'",
    ):
        assert expected in text, (expected, errors)


def test_a_quantity_beyond_any_real_one_is_refused() -> None:
    """1e300 m³/day overflowed the yearly water cost to infinity (found by the API fuzz test)."""
    errors = _errors({"water_m3d": 1e300, "weights": {"cost": 2e18}})
    text = "\n".join(errors)
    assert "$.water_m3d: must be <= 1e+18, got 1e+300" in text, errors
    assert "$.weights.cost: must be <= 1e+18" in text, errors
    assert parse_requirements({"water_m3d": 1e18}).water_m3d == 1e18


def test_project_errors_are_reported_under_project() -> None:
    errors = _errors({"project": {"name": "x"}, "top": 0})
    assert any(e.startswith("$.project: is required") for e in errors)
    assert "$.top: must be >= 1, got 0" in errors


def test_a_project_path_needs_the_caller_to_resolve_it() -> None:
    errors = _errors({"project": "project.json"})
    assert errors[0].startswith("$.project: a file path must be resolved by the caller")


def test_load_requirements_resolves_the_project_next_to_the_file(tmp_path: Path) -> None:
    project = json.loads((ROOT / "examples" / "project-small-workshop.json").read_text())
    (tmp_path / "p.json").write_text(json.dumps(project))
    (tmp_path / "r.json").write_text(json.dumps({"project": "p.json", "tenure": "lease"}))
    r = load_requirements(tmp_path / "r.json")
    assert r.project is not None and r.project.currency == "USD"
    assert r.hazard_class == project["hazard_class"]  # the project's, as none was given
    assert r.industry == project["industry"]
    (tmp_path / "bad.json").write_text('{"top": 1,,}')
    with pytest.raises(RequirementsError) as e:
        load_requirements(tmp_path / "bad.json")
    assert "bad.json:1: invalid JSON" in e.value.errors[0]


def test_schema_file_matches_the_code() -> None:
    on_disk = json.loads((ROOT / "docs" / "site-finder.schema.json").read_text())
    assert on_disk == json.loads(json.dumps(REQUIREMENTS_SCHEMA))


@pytest.mark.parametrize(
    "path", sorted((ROOT / "examples").glob("requirements-*.json")), ids=lambda p: p.name
)
def test_examples_are_valid(path: Path) -> None:
    doc = json.loads(path.read_text())
    jsonschema.Draft202012Validator(REQUIREMENTS_SCHEMA).validate(doc)
    r = load_requirements(path)
    assert r.top >= 1
