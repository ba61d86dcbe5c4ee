"""The project-level model: hand-worked documents, numpy-financial agreement, bad documents.

Every expected number is worked out in the comments beside it.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest

from technopark.core.project import ProjectError, parse_project
from technopark.finance.engine import Drivers, evaluate, evaluate_project
from technopark.incentives.engine import ParkFacts
from technopark.incentives.engine import evaluate as incentives

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

NO_TAX = {
    "profit_rate": 0.0,
    "property_rate": 0.0,
    "land_rate_per_ha": 0.0,
    "water_rate_per_m3": 0.0,
    "social_rate": 0.0,
}


def doc(**changes: Any) -> dict[str, Any]:
    """A small Uzbek project: 1,000 of equipment in 2025, 10-year life."""
    base: dict[str, Any] = {
        "name": "Test workshop",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": 5,
        "discount_rate": 0.10,
        "industry": "C",
        "hazard_class": 5,
        "residency_start": "2025-01-01",
        "commissioning_year": 2025,
        "land_area_ha": 0,
        "capex": [{"year": 2025, "amount": 1000, "asset": "equipment"}],
        "revenue": [{"year": y, "amount": 600} for y in range(2026, 2030)],
        "opex": [{"year": y, "amount": 200} for y in range(2026, 2030)],
        "jobs": [],
    }
    base.update(changes)
    return base


# --------------------------------------------------------------------------- tax-free


def test_tax_free_flows_agree_with_numpy_financial() -> None:
    r = evaluate(doc(tax_overrides=NO_TAX))
    # -1000, then 600 - 200 = 400 for four years
    assert r.net_cash_flow.tolist() == [-1000.0, 400.0, 400.0, 400.0, 400.0]
    assert r.npv == pytest.approx(npf.npv(0.10, r.net_cash_flow), rel=1e-12)
    assert r.irr == pytest.approx(npf.irr(r.net_cash_flow), rel=1e-10)
    assert r.mirr == pytest.approx(npf.mirr(r.net_cash_flow, 0.10, 0.10), rel=1e-12)
    # hand: 400 x (1 - 1.1**-4)/0.1 = 400 x 3.169865 = 1267.946; - 1000
    assert r.npv == pytest.approx(267.946, abs=1e-3)
    # cumulative -1000, -600, -200, +200: payback 2 + 200/400 = 2.5
    assert r.payback_years == 2.5
    # NPV at the IRR is zero
    assert npf.npv(r.irr, r.net_cash_flow) == pytest.approx(0.0, abs=1e-8)


def test_tax_free_random_projects_agree_with_numpy_financial() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        years = int(rng.integers(3, 15))
        revenue = rng.uniform(0, 900, years - 1)
        opex = rng.uniform(0, 300, years - 1)
        d = doc(
            horizon_years=years,
            tax_overrides=NO_TAX,
            revenue=[{"year": 2026 + i, "amount": float(a)} for i, a in enumerate(revenue)],
            opex=[{"year": 2026 + i, "amount": float(a)} for i, a in enumerate(opex)],
        )
        r = evaluate(d)
        expected = np.concatenate([[-1000.0], revenue - opex])
        np.testing.assert_allclose(r.net_cash_flow, expected, rtol=1e-12)
        assert r.npv == pytest.approx(npf.npv(0.10, expected), rel=1e-10, abs=1e-9)
        ref = npf.irr(expected)
        if not math.isnan(ref) and (np.diff(np.sign(expected[expected != 0])) != 0).sum() == 1:
            assert r.irr == pytest.approx(ref, rel=1e-8, abs=1e-10)


# --------------------------------------------------------------------------- taxes by hand


def test_depreciation_and_profit_tax_by_hand() -> None:
    # Uzbek profit tax 15 % (core/data/tax_rates.yaml), equipment 1,000 / 10 years = 100 a year
    # from commissioning (2025). Property tax: buildings only, so none here.
    # 2025: EBT = 0 - 0 - 100 = -100 (loss, carried forward); tax 0.
    # 2026: EBT = 600 - 200 - 100 = 300; loss used 100 (no limit in UZ); taxable 200;
    #       tax 200 x 0.15 = 30.
    # 2027..2029: EBT 300, taxable 300, tax 45.
    r = evaluate(doc())
    assert r.depreciation.tolist() == [100.0] * 5
    assert r.taxes.tolist() == pytest.approx([0.0, 30.0, 45.0, 45.0, 45.0])
    # CF: -1000, 400 - 30 = 370, then 355 x 3
    assert r.net_cash_flow.tolist() == pytest.approx([-1000.0, 370.0, 355.0, 355.0, 355.0])
    # NPV = -1000 + 370/1.1 + 355/1.21 + 355/1.331 + 355/1.4641
    #     = -1000 + 336.3636 + 293.3884 + 266.7167 + 242.4698 = 138.9385
    assert r.npv == pytest.approx(138.9385, abs=1e-4)


def test_loss_carry_forward_with_the_russian_50_percent_limit() -> None:
    # Russia, profit tax 25 %, property/land/social set to 0 so only profit tax remains.
    # Losses offset at most 50 % of a year's profit (Tax Code Art. 283 p.2.1, in the shared
    # tax data; the test reads it from there).
    # Capex 1,000 equipment, life 10 -> depreciation 100.
    # 2025: EBT = 0 - 500 - 100 = -600 (loss pool 600)
    # 2026: EBT = 900 - 200 - 100 = 600; offset limited to 300 -> taxable 300, tax 75; pool 300
    # 2027: EBT 600; offset min(300, 300) = 300 -> taxable 300, tax 75; pool 0
    # 2028: EBT 600; taxable 600, tax 150
    d = doc(
        country="RU",
        currency="RUB",
        horizon_years=4,
        opex=[{"year": 2025, "amount": 500}]
        + [{"year": y, "amount": 200} for y in (2026, 2027, 2028)],
        revenue=[{"year": y, "amount": 900} for y in (2026, 2027, 2028)],
        tax_overrides={"property_rate": 0.0, "land_rate": 0.0, "social_rate": 0.0},
    )
    r = evaluate(d)
    profit = r.tax_table.lines["profit"].payable
    assert profit.tolist() == pytest.approx([0.0, 75.0, 75.0, 150.0])
    assert r.tax_table.bases.loss_balance_end.tolist() == pytest.approx([600.0, 300.0, 0.0, 0.0])


def test_tax_overrides_replace_baseline_rates() -> None:
    # Profit tax 20 % instead of 15 %: 2026 taxable 200 -> 40; later 300 -> 60.
    r = evaluate(doc(tax_overrides={"profit_rate": 0.20}))
    assert r.taxes.tolist() == pytest.approx([0.0, 40.0, 60.0, 60.0, 60.0])


# --------------------------------------------------------------------------- benefits


def test_benefits_value_is_the_present_value_of_taxes_saved() -> None:
    # A full profit-tax exemption in 2026 and 2027: saved 30 and 45.
    relief = {"profit": np.array([0, 1, 1, 0, 0], dtype=float)}
    r = evaluate(doc(), reliefs=relief)
    assert r.taxes.tolist() == pytest.approx([0.0, 0.0, 0.0, 45.0, 45.0])
    assert r.taxes_without_benefits.tolist() == pytest.approx([0.0, 30.0, 45.0, 45.0, 45.0])
    # benefits value = 30/1.1 + 45/1.21 = 27.2727 + 37.1901 = 64.4628
    assert r.benefits_value == pytest.approx(64.4628, abs=1e-4)
    out = r.to_dict()
    assert out["benefits_value"] == pytest.approx(64.4628, abs=1e-4)
    assert out["without_benefits"]["npv"] == pytest.approx(138.9385, abs=1e-4)
    assert set(out["without_benefits"]) >= {"npv", "irr", "payback_years"}
    assert out["taxes_saved_total"] == pytest.approx(75.0)


def test_relief_source_is_called_with_the_adjusted_project() -> None:
    seen = []

    def source(project: Any) -> dict[str, np.ndarray]:
        seen.append(project.revenue_by_year().tolist())
        return {"profit": np.ones(project.horizon_years)}

    r = evaluate(doc(), reliefs=source, drivers=Drivers(revenue=2.0))
    assert seen == [[0.0, 1200.0, 1200.0, 1200.0, 1200.0]]
    assert r.tax_table.lines["profit"].payable.sum() == 0.0


def test_without_a_park_there_is_no_without_benefits_part() -> None:
    out = evaluate_project(doc())
    assert "without_benefits" not in out and "benefits_value" not in out


# --------------------------------------------------------------------------- financing


def test_loan_schedule_against_numpy_financial_amortisation_table() -> None:
    # 800 at 8 % for 5 years, 1 year interest-only, then a 4-year annuity, drawn in 2025.
    d = doc(
        horizon_years=7,
        revenue=[{"year": y, "amount": 600} for y in range(2026, 2032)],
        opex=[{"year": y, "amount": 200} for y in range(2026, 2032)],
        financing={
            "loan": {
                "amount": 800,
                "rate": 0.08,
                "tenor_years": 5,
                "grace_years": 1,
                "repayment": "annuity",
                "drawdown_year": 2025,
            }
        },
    )
    r = evaluate(d)
    loan = r.loan
    assert loan is not None
    # Independent table: grace year interest 800 x 8 % = 64, then periods 1..4 of an annuity.
    per = np.arange(1, 5)
    interest = np.concatenate([[64.0], -npf.ipmt(0.08, per, 4, 800)])
    principal = np.concatenate([[0.0], -npf.ppmt(0.08, per, 4, 800)])
    np.testing.assert_allclose(loan.interest[:5], interest, rtol=1e-10)
    np.testing.assert_allclose(loan.principal[:5], principal, rtol=1e-10)
    assert loan.interest[:5] + loan.principal[:5] == pytest.approx(
        [64.0] + [-float(npf.pmt(0.08, 4, 800))] * 4
    )
    assert loan.balance_end[4] == pytest.approx(0.0, abs=1e-9)

    # Interest is deducted from taxable profit: EBT 2026 = 600 - 200 - 100 - interest.
    ebt = r.tax_table.bases.ebt
    assert ebt[1] == pytest.approx(300.0 - loan.interest[1])

    # Equity flow = project flow + drawdown - interest - principal.
    np.testing.assert_allclose(
        r.equity_cash_flow,
        r.net_cash_flow + loan.drawdown - loan.interest - loan.principal,
    )
    # DSCR = (revenue - opex - taxes - dWC) / debt service, where there is debt service.
    ds = loan.interest + loan.principal
    cfads = 600.0 - 200.0 - r.taxes
    expected = np.where(ds > 0, cfads / np.where(ds > 0, ds, 1), np.nan)
    expected[0] = (0 - 0 - r.taxes[0]) / ds[0]
    np.testing.assert_allclose(r.dscr, expected, rtol=1e-12)
    assert r.min_dscr == pytest.approx(np.nanmin(expected))
    out = r.to_dict()
    assert out["min_dscr"] == pytest.approx(np.nanmin(expected))
    assert out["cashflows"][0]["loan_drawdown"] == 800.0
    assert out["equity"]["npv"] is not None


def test_equal_principal_loan_by_hand() -> None:
    # 600 at 10 %, 3 years, no grace, equal principal 200: interest 60, 40, 20.
    d = doc(
        financing={
            "loan": {
                "amount": 600,
                "rate": 0.10,
                "tenor_years": 3,
                "repayment": "equal_principal",
                "drawdown_year": 2026,
            }
        }
    )
    loan = evaluate(d).loan
    assert loan is not None
    assert loan.interest.tolist() == pytest.approx([0, 60, 40, 20, 0])
    assert loan.principal.tolist() == pytest.approx([0, 200, 200, 200, 0])


def test_a_loan_outliving_the_horizon_is_flagged() -> None:
    d = doc(financing={"loan": {"amount": 500, "rate": 0.1, "tenor_years": 10}})
    out = evaluate_project(d)
    assert any("not repaid within the horizon" in w for w in out["warnings"])


# --------------------------------------------------------------------------- working capital


def test_working_capital_by_hand() -> None:
    # 73 days of receivables on revenue 600 -> 120; inventory 0, payables 36.5 days on opex 200
    # -> 20; WC = 120 - 20 = 100 from 2026 on. dWC: 0, 100, 0, 0, 0.
    d = doc(
        tax_overrides=NO_TAX,
        working_capital={"receivable_days": 73, "inventory_days": 0, "payable_days": 36.5},
    )
    r = evaluate(d)
    assert r.delta_working_capital.tolist() == pytest.approx([0, 100, 0, 0, 0])
    assert r.net_cash_flow.tolist() == pytest.approx([-1000, 300, 400, 400, 400])


# --------------------------------------------------------------------------- metrics edges


def test_never_paying_back_gives_null_with_reasons() -> None:
    d = doc(tax_overrides=NO_TAX, revenue=[{"year": 2026, "amount": 100}])
    out = evaluate_project(d)
    assert out["payback_years"] is None and out["payback_reason"]
    assert out["discounted_payback_years"] is None
    assert out["npv"] < 0
    json.dumps(out, allow_nan=False)


def test_result_dict_is_json_safe_and_has_the_contract_fields() -> None:
    d = json.loads((EXAMPLES / "project-eltech-cable-plant.json").read_text())
    out = evaluate_project(d, reliefs={"profit": np.full(10, 0.5)})
    text = json.dumps(out, allow_nan=False)
    assert "NaN" not in text
    for key in (
        "currency",
        "npv",
        "irr",
        "mirr",
        "payback_years",
        "discounted_payback_years",
        "min_dscr",
        "cashflows",
        "without_benefits",
        "benefits_value",
    ):
        assert key in out
    row = out["cashflows"][0]
    for key in (
        "year",
        "revenue",
        "opex",
        "capex",
        "depreciation",
        "taxes",
        "net_cash_flow",
        "cumulative",
    ):
        assert key in row
    assert out["cashflows"][-1]["cumulative"] == pytest.approx(
        sum(r["net_cash_flow"] for r in out["cashflows"])
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("project-*.json")), ids=lambda p: p.name)
def test_every_example_document_evaluates(path: Path) -> None:
    out = evaluate_project(json.loads(path.read_text()))
    json.dumps(out, allow_nan=False)
    assert len(out["cashflows"]) >= 1


# --------------------------------------------------------------------------- drivers


def test_drivers_scale_and_delay() -> None:
    base = evaluate(doc(tax_overrides=NO_TAX))
    up = evaluate(doc(tax_overrides=NO_TAX), drivers=Drivers(revenue=1.1))
    # revenue +10 % adds 60 a year for four years
    assert up.net_cash_flow.sum() - base.net_cash_flow.sum() == pytest.approx(240.0)
    late = evaluate(doc(tax_overrides=NO_TAX), drivers=Drivers(delay_years=1))
    # commissioning 2025 -> 2026: the flows from 2025 on move a year; 2029's falls off
    assert late.net_cash_flow.tolist() == [-1000.0, 0.0, 400.0, 400.0, 400.0]
    r = evaluate(doc(tax_overrides=NO_TAX), drivers=Drivers(discount_rate=2.0))
    assert r.discount_rate == pytest.approx(0.20)
    taxed = evaluate(doc(), drivers=Drivers(tax_rates=2.0))
    assert taxed.taxes.tolist() == pytest.approx([0.0, 60.0, 90.0, 90.0, 90.0])


# --------------------------------------------------------------------------- bad documents


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"horizon_years": -3}, "$.horizon_years: must be >= 1"),
        ({"horizon_years": 2}, "$.revenue[1].year: must be within"),
        ({"discount_rate": "ten"}, "$.discount_rate: must be of type number"),
        ({"capex": [{"year": 2040, "amount": 5, "asset": "equipment"}]}, "$.capex[0].year"),
        ({"revenue": [{"year": 2026, "amount": -5}]}, "$.revenue[0].amount: must be >= 0"),
    ],
)
def test_bad_documents_give_json_path_errors(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ProjectError) as err:
        evaluate(doc(**change))
    assert any(e.startswith(message) for e in err.value.errors), err.value.errors


def test_missing_field_is_named() -> None:
    d = doc()
    del d["discount_rate"]
    with pytest.raises(ProjectError) as err:
        evaluate_project(d)
    assert "$: is required (missing discount_rate)" in err.value.errors


def test_the_document_is_not_modified() -> None:
    d = doc()
    before = copy.deepcopy(d)
    evaluate(d, drivers=Drivers(revenue=1.5, delay_years=1))
    assert d == before


# --------------------------------------------------------------------------- park benefits


def test_a_named_park_applies_the_incentives_engine_reliefs() -> None:
    d = json.loads((EXAMPLES / "project-eltech-cable-plant.json").read_text())
    park = ParkFacts(
        "uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry")
    )
    r = evaluate(d, park=park)
    inc = incentives(parse_project(d), park)
    assert inc.table is not None
    # The same taxes as the incentives engine computes with its reliefs ...
    np.testing.assert_allclose(r.taxes, inc.table.total("payable"), rtol=1e-12)
    np.testing.assert_allclose(r.taxes_without_benefits, inc.table.total("baseline"), rtol=1e-12)
    # ... and the value of benefits is the NPV difference = PV of the taxes saved, t = 0
    # undiscounted (this model's convention).
    saved = inc.table.total("saved")
    pv = sum(s / 1.12**t for t, s in enumerate(saved))
    assert r.benefits_value == pytest.approx(pv, rel=1e-10)
    assert r.benefits_value > 0
    out = r.to_dict()
    assert out["without_benefits"]["npv"] < out["npv"]


def test_jobs_appear_in_the_yearly_rows() -> None:
    d = doc(jobs=[{"year": 2026, "count": 12}], avg_monthly_wage=1000, tax_overrides=NO_TAX)
    rows = evaluate_project(d)["cashflows"]
    assert [r["jobs"] for r in rows] == [0, 12, 0, 0, 0]
    assert "jobs" not in evaluate_project(doc())["cashflows"][0]


def test_capex_by_asset_class_in_the_yearly_rows() -> None:
    d = doc(
        capex=[
            {"year": 2025, "amount": 1000, "asset": "equipment"},
            {"year": 2025, "amount": 300, "asset": "land"},
            {"year": 2026, "amount": 600, "asset": "buildings"},
        ]
    )
    rows = evaluate_project(d)["cashflows"]
    assert rows[0]["capex_by_asset"] == {"equipment": 1000.0, "land": 300.0}
    assert rows[1]["capex_by_asset"] == {"buildings": 600.0}
    assert [r["capex"] for r in rows[:2]] == [1300.0, 600.0]
