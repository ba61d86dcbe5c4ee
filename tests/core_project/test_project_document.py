"""The investment project document: parsing, errors with JSON paths, round trip, arrays."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from technopark.core.project import (
    PROJECT_SCHEMA,
    Loan,
    ProjectError,
    isic_section,
    load_project,
    parse_project,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("project-*.json"))


def minimal(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "Test plant",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": 10,
        "discount_rate": 0.1,
        "industry": "2732",
        "hazard_class": 4,
        "residency_start": "2025-04-01",
        "commissioning_year": 2026,
        "capex": [
            {"year": 2025, "amount": 1000.0, "asset": "buildings"},
            {"year": 2025, "amount": 500.0, "asset": "equipment"},
            {"year": 2026, "amount": 100.0, "asset": "land"},
        ],
        "revenue": [{"year": 2026, "amount": 2000.0}],
        "opex": [{"year": 2026, "amount": 1500.0}],
        "jobs": [{"year": 2026, "count": 12}],
        "land_area_ha": 1.5,
    }
    doc.update(changes)
    return doc


def errors_of(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(ProjectError) as exc:
        parse_project(doc)
    return exc.value.errors


def test_minimal_document_parses_with_defaults() -> None:
    p = parse_project(minimal())
    assert p.years.tolist() == list(range(2025, 2035))
    assert p.sme is False and p.export_share == 0.0 and p.eligible_activity_share == 1.0
    assert p.depreciation_lives.buildings == 30 and p.depreciation_lives.life("land") is None
    assert p.commissioning_date.isoformat() == "2026-01-01"
    assert p.title_registration_date == p.residency_start


def test_per_year_arrays_over_the_horizon() -> None:
    p = parse_project(minimal())
    np.testing.assert_array_equal(p.capex_by_year()[:3], [1500.0, 100.0, 0.0])
    np.testing.assert_array_equal(p.capex_by_year("buildings")[:2], [1000.0, 0.0])
    assert p.revenue_by_year()[1] == 2000.0 and p.revenue_by_year().sum() == 2000.0
    assert p.jobs_by_year()[1] == 12
    assert p.payroll_by_year() is None
    assert len(p.opex_by_year()) == 10


def test_water_use_defaults_to_daily_need_times_365_from_commissioning() -> None:
    p = parse_project(minimal(utilities={"water_m3d": 10}))
    assert p.water_use_by_year().tolist()[:3] == [0.0, 3650.0, 3650.0]
    p2 = parse_project(minimal(water_use_m3=[{"year": 2027, "amount": 99}]))
    assert p2.water_use_by_year().tolist()[:3] == [0.0, 0.0, 99.0]


def test_payroll_is_jobs_times_monthly_wage_times_12() -> None:
    p = parse_project(minimal(avg_monthly_wage=500))
    assert p.payroll_by_year()[1] == 12 * 500 * 12  # type: ignore[index]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_parse_and_round_trip(path: Path) -> None:
    p = load_project(path)
    assert p.example is True
    again = parse_project(json.loads(json.dumps(p.to_dict())))
    assert again == p
    assert again.to_dict() == p.to_dict()


def test_round_trip_keeps_explicit_null_override() -> None:
    p = parse_project(minimal(tax_overrides={"loss_carry_years": None, "profit_rate": 0.1}))
    assert p.to_dict()["tax_overrides"] == {"loss_carry_years": None, "profit_rate": 0.1}
    assert parse_project(p.to_dict()) == p


def test_schema_file_in_docs_is_in_sync() -> None:
    on_disk = json.loads((ROOT / "docs" / "project.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(PROJECT_SCHEMA))


def test_every_error_is_reported_with_its_json_path() -> None:
    doc = minimal(
        currency="usd",
        hazard_class=7,
        capex=[
            {"year": 2025, "amount": 1.0, "asset": "buildings"},
            {"year": 2025, "amount": -1.0, "asset": "machines"},
            {"year": 2040, "amount": 1.0, "asset": "equipment"},
        ],
    )
    errs = errors_of(doc)
    # schema errors stop the cross-field pass, so the out-of-horizon year is reported separately
    assert "$.currency: must match '^[A-Z]{3}$', got 'usd'" in errs
    assert "$.hazard_class: must be <= 5, got 7" in errs
    assert "$.capex[1].amount: must be >= 0, got -1.0" in errs
    assert any(e.startswith("$.capex[1].asset: must be one of") for e in errs)
    assert len(errs) == 4


def test_amounts_beyond_any_real_one_are_refused() -> None:
    """1e300 overflowed the cost arithmetic to infinity (found by the API fuzz test)."""
    doc = minimal(
        capex=[{"year": 2025, "amount": 1e300, "asset": "buildings"}],
        jobs=[{"year": 2026, "count": 10**12}],
    )
    errs = errors_of(doc)
    assert "$.capex[0].amount: must be <= 1e+18, got 1e+300" in errs, errs
    assert "$.jobs[0].count: must be <= 10000000, got 1000000000000" in errs, errs


def test_cross_field_errors_with_paths() -> None:
    doc = minimal(
        commissioning_year=2040,
        capex=[
            {"year": 2025, "amount": 1.0, "asset": "buildings"},
            {"year": 2026, "amount": 1.0, "asset": "other"},
            {"year": 2040, "amount": 1.0, "asset": "equipment"},
        ],
        revenue=[{"year": 2026, "amount": 1}, {"year": 2026, "amount": 2}],
        activity_shares={"a": 0.7, "b": 0.6},
        residency_start="2025-02-30",
        financing={"loan": {"amount": 1, "rate": 0.1, "tenor_years": 3, "grace_years": 3}},
    )
    del doc["country"]
    errs = errors_of(doc)
    assert (
        "$.capex[2].year: must be within start_year..start_year+horizon_years-1 "
        "(2025..2034), got 2040" in errs
    )
    assert any(e.startswith("$.commissioning_year: must be within") for e in errs)
    assert any(
        e.startswith("$.revenue[1].year: year 2026 already given at $.revenue[0]") for e in errs
    )
    assert "$.activity_shares: shares must add up to at most 1, got 1.3" in errs
    assert "$.residency_start: must be a valid ISO date YYYY-MM-DD, got '2025-02-30'" in errs
    assert "$.country: is required when park_id is not given" in errs
    assert "$.financing.loan.grace_years: must be less than tenor_years" in errs


def test_missing_required_fields_each_named() -> None:
    errs = errors_of({"name": "x"})
    assert "$: is required (missing currency)" in errs
    assert "$: is required (missing capex)" in errs
    assert len([e for e in errs if e.startswith("$: is required")]) == 13


def test_unknown_fields_and_wrong_types() -> None:
    errs = errors_of(minimal(colour="red", utilities={"electricity_mw": "lots"}))
    assert any(e.startswith("$: unknown field(s): 'colour'") for e in errs)
    assert "$.utilities.electricity_mw: must be of type number, got str" in errs


def test_not_an_object() -> None:
    assert errors_of([1, 2]) == ["$: must be a JSON object, got list"]  # type: ignore[arg-type]


def test_country_optional_when_park_given() -> None:
    doc = minimal(park_id="uz-eltech-industrial")
    del doc["country"]
    assert parse_project(doc).country is None


def test_load_project_prefixes_file_name(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps(minimal(hazard_class=0)), encoding="utf-8")
    with pytest.raises(ProjectError) as exc:
        load_project(bad)
    assert exc.value.errors == [f"{bad}: $.hazard_class: must be >= 1, got 0"]
    broken = tmp_path / "q.json"
    broken.write_text("{\n  nope", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"q.json:2: invalid JSON"):
        load_project(broken)


@pytest.mark.parametrize(
    ("code", "section"),
    # ISIC Rev.4 (UN, 2008): 27 = manufacture of electrical equipment (section C);
    # 35 = electricity supply (D); 62 = computer programming (J); 04 is not a division.
    [("C", "C"), ("27", "C"), ("2732", "C"), ("3510", "D"), ("62", "J"), ("04", None)],
)
def test_isic_section(code: str, section: str | None) -> None:
    assert isic_section(code) == section


def test_industry_must_be_a_real_division() -> None:
    assert errors_of(minimal(industry="04")) == ["$.industry: '04' is not an ISIC Rev.4 division"]


# Loan schedules: hand calculations.
def test_equal_principal_loan_with_grace() -> None:
    # 1,000 at 10 %, 3 years, 1 year grace: 2025 interest 100 only; then 500 principal a year:
    # 2026 interest 100, 2027 interest 50.
    s = Loan(1000.0, 0.10, 3, 1, "equal_principal", 2025).schedule(np.arange(2025, 2029))
    assert s.interest.tolist() == [100.0, 100.0, 50.0, 0.0]
    assert s.principal.tolist() == [0.0, 500.0, 500.0, 0.0]
    assert s.balance_end.tolist() == [1000.0, 500.0, 0.0, 0.0]


def test_annuity_loan_payment() -> None:
    # 1,000 at 10 % over 2 years: payment = 1000*0.1/(1-1.1**-2) = 576.19; year 1 interest 100,
    # principal 476.19; year 2 interest 52.38, principal 523.81 (standard annuity table).
    s = Loan(1000.0, 0.10, 2, 0, "annuity", 2025).schedule(np.arange(2025, 2027))
    np.testing.assert_allclose(s.interest, [100.0, 52.381], atol=1e-3)
    np.testing.assert_allclose(s.principal, [476.190, 523.810], atol=1e-3)
    assert s.balance_end[-1] == pytest.approx(0.0)


def test_interest_by_year_without_loan_is_zero() -> None:
    p = parse_project(minimal())
    assert p.interest_by_year().sum() == 0.0


def test_project_is_immutable() -> None:
    p = parse_project(minimal())
    with pytest.raises(AttributeError):
        p.name = "other"  # type: ignore[misc]
    assert parse_project(copy.deepcopy(minimal())) == p
