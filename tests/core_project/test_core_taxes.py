"""Baseline tax rates, tax bases and compute_taxes: hand calculations named in each test."""

from __future__ import annotations

import datetime as dt
import doctest
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import technopark.core.project as project_module
import technopark.core.taxes as taxes_module
from technopark.core.project import parse_project
from technopark.core.taxes import (
    FxError,
    baseline_rates,
    compute_taxes,
    load_fx,
    load_tax_data,
    months_in_year,
    tax_bases,
)


def doc(**changes: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": "t",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": 5,
        "discount_rate": 0.1,
        "industry": "27",
        "hazard_class": 4,
        "residency_start": "2025-04-01",
        "commissioning_year": 2025,
        "capex": [],
        "revenue": [],
        "opex": [],
        "jobs": [],
        "land_area_ha": 0,
    }
    d.update(changes)
    return d


@pytest.mark.parametrize("module", [project_module, taxes_module])
def test_doctests(module: Any) -> None:
    assert doctest.testmod(module).failed == 0


# ------------------------------------------------------------------ data
def test_every_rate_row_has_source_and_confidence() -> None:
    for country, cdata in load_tax_data().items():
        assert len(cdata["currency"]) == 3
        for tax, entries in cdata.items():
            if tax == "currency":
                continue
            for e in entries:
                assert e["source"], (country, tax)
                assert e["confidence"] in ("verified", "unverified"), (country, tax)
                assert "valid_from" in e


@pytest.mark.parametrize(
    ("country", "year", "tax", "expected"),
    [
        # reference/taxes.csv: RU profit 25 % from 2025 (176-FZ); 20 % before (Art. 284 old text)
        ("RU", 2025, "profit", 0.25),
        ("RU", 2024, "profit", 0.20),
        ("RU", 2025, "property", 0.022),  # Art. 380 maximum
        ("RU", 2025, "social", 0.30),  # Art. 425
        ("UZ", 2025, "profit", 0.15),  # ZRU-1014
        ("UZ", 2025, "property", 0.015),
        ("UZ", 2025, "social", 0.12),
    ],
)
def test_baseline_rates_from_data(country: str, year: int, tax: str, expected: float) -> None:
    p = parse_project(
        doc(
            country=country,
            start_year=year,
            horizon_years=1,
            commissioning_year=year,
            residency_start=f"{year}-01-01",
        )
    )
    r = baseline_rates(p)
    assert r.rate_of(tax)[0] == pytest.approx(expected)  # type: ignore[index]
    assert any(s.tax == tax and s.source for s in r.sources)


def test_ru_profit_rate_switches_in_2025() -> None:
    p = parse_project(
        doc(
            country="RU",
            currency="RUB",
            start_year=2024,
            horizon_years=2,
            commissioning_year=2024,
            residency_start="2024-01-01",
        )
    )
    assert baseline_rates(p).profit.tolist() == [0.20, 0.25]  # type: ignore[union-attr]


def test_uz_water_rate_converted_to_project_currency_with_named_fx() -> None:
    # 700 UZS/m³ (kun.uz 2024-11-08); 2025 has no UZS row → 2024 rate 12,652.3 UZS/USD (fx.csv)
    fx = load_fx()
    p = parse_project(doc(horizon_years=1))
    r = baseline_rates(p, fx)
    assert r.water_per_m3[0] == pytest.approx(700 / 12652.3)  # type: ignore[index]
    assert [(u.currency, u.year) for u in fx.used_rates()] == [("UZS", 2024)]


def test_uz_land_rate_unknown_unless_overridden() -> None:
    p = parse_project(doc(land_area_ha=2.0))
    t = compute_taxes(p)
    assert "land" in t.unknown and t.lines["land"].baseline.sum() == 0
    assert any("Land tax is unknown" in w for w in t.warnings)
    p2 = parse_project(doc(land_area_ha=2.0, tax_overrides={"land_rate_per_ha": 1000}))
    t2 = compute_taxes(p2)
    # 2 ha × 1,000 a year; title registration = residency 2025-04-01 → 9/12 in 2025
    assert t2.lines["land"].baseline.tolist() == [1500.0, 2000.0, 2000.0, 2000.0, 2000.0]


def test_overrides_win_and_are_named_as_user_sources() -> None:
    p = parse_project(doc(tax_overrides={"profit_rate": 0.2, "loss_offset_limit": 0.3}))
    r = baseline_rates(p)
    assert r.profit.tolist() == [0.2] * 5  # type: ignore[union-attr]
    assert r.loss_offset_limit.tolist() == [0.3] * 5
    assert {s.tax for s in r.sources if s.confidence == "user"} == {
        "profit_rate",
        "loss_offset_limit",
    }


def test_project_without_country_needs_one() -> None:
    d = doc(park_id="some-park")
    del d["country"]
    p = parse_project(d)
    with pytest.raises(ValueError, match="no country"):
        baseline_rates(p)
    assert baseline_rates(p, country="RU").profit is not None


# ------------------------------------------------------------------ FX
def test_fx_nearest_earlier_year_and_error_when_none() -> None:
    fx = load_fx()
    # fx.csv: RUB 85.25 (2023), 83.3 (2025)
    assert fx.convert(1.0, "USD", "RUB", 2024) == pytest.approx(85.25)
    assert fx.convert(1.0, "USD", "RUB", 2030) == pytest.approx(83.3)
    assert fx.convert(85.25, "RUB", "USD", 2023) == pytest.approx(1.0)
    # cross rate through USD: 1 RUB in UZS in 2024 = 12652.3 / 85.25
    assert fx.convert(1.0, "RUB", "UZS", 2024) == pytest.approx(12652.3 / 85.25)
    with pytest.raises(FxError, match="RUB in 2022 or earlier"):
        fx.convert(1.0, "USD", "RUB", 2022)
    with pytest.raises(FxError, match="no exchange rate for EUR"):
        fx.convert(1.0, "EUR", "USD", 2025)
    assert fx.convert(5.0, "KZT", "KZT", 1999) == 5.0


# ------------------------------------------------------------------ bases
def test_months_in_year() -> None:
    # certificate 2025-04-01 → April..December = 9 months of 2025
    assert months_in_year(dt.date(2025, 4, 1), 2025) == 9
    assert months_in_year(dt.date(2025, 4, 1), 2024) == 0
    assert months_in_year(dt.date(2025, 12, 31), 2025) == 1


def test_depreciation_straight_line_from_commissioning() -> None:
    # buildings 3,000 (2025) and equipment 1,000 (2026), commissioning 2026; land 500 never.
    # buildings: 3000/30 = 100 from 2026; equipment 1000/10 = 100 from 2026.
    p = parse_project(
        doc(
            commissioning_year=2026,
            capex=[
                {"year": 2025, "amount": 3000, "asset": "buildings"},
                {"year": 2026, "amount": 1000, "asset": "equipment"},
                {"year": 2025, "amount": 500, "asset": "land"},
            ],
        )
    )
    b = tax_bases(p, baseline_rates(p))
    assert b.depreciation.tolist() == [0, 200, 200, 200, 200]
    # property base: buildings only, from commissioning: (3000 + 2900)/2 = 2950, then 2850 ...
    assert b.property_base.tolist() == [0, 2950, 2850, 2750, 2650]


def test_depreciation_life_override_and_end_of_life() -> None:
    p = parse_project(
        doc(
            depreciation_lives={"equipment": 2},
            capex=[{"year": 2025, "amount": 100, "asset": "equipment"}],
        )
    )
    assert tax_bases(p, baseline_rates(p)).depreciation.tolist() == [50, 50, 0, 0, 0]


def test_loss_year_saves_no_profit_tax() -> None:
    # revenue 100, opex 300 in 2025 → loss −200; a full exemption saves nothing that year
    p = parse_project(
        doc(
            horizon_years=1,
            revenue=[{"year": 2025, "amount": 100}],
            opex=[{"year": 2025, "amount": 300}],
        )
    )
    t = compute_taxes(p, reliefs={"profit": np.array([1.0])})
    assert t.bases.ebt.tolist() == [-200.0]
    assert t.lines["profit"].baseline.tolist() == [0.0]
    assert t.lines["profit"].saved.tolist() == [0.0]


def test_ru_loss_offset_limited_to_half_of_the_year_base() -> None:
    # Tax Code RF Art. 283 p.2.1: base may be reduced by losses by at most 50 %.
    # 2025 loss −1,000; 2026 profit 600 → offset 300 → taxable 300, profit tax 25 % = 75;
    # 2027 profit 600 → offset 300 (pool 700 left) → taxable 300; pool 400 carried on.
    p = parse_project(
        doc(
            country="RU",
            currency="RUB",
            horizon_years=3,
            revenue=[{"year": 2026, "amount": 600}, {"year": 2027, "amount": 600}],
            opex=[{"year": 2025, "amount": 1000}],
        )
    )
    t = compute_taxes(p)
    assert t.bases.taxable_profit.tolist() == [0, 300, 300]
    assert t.bases.loss_balance_end.tolist() == [1000, 700, 400]
    assert t.lines["profit"].baseline.tolist() == [0, 75, 75]


def test_uz_loss_offset_uncapped_and_carry_years_override() -> None:
    # UZ default: uncapped. 2025 loss −500, 2026 +300 → 0, 2027 +300 → 100.
    base = {
        "revenue": [{"year": 2026, "amount": 300}, {"year": 2027, "amount": 300}],
        "opex": [{"year": 2025, "amount": 500}],
        "horizon_years": 3,
    }
    p = parse_project(doc(**base))
    assert compute_taxes(p).bases.taxable_profit.tolist() == [0, 0, 100]
    # carried for 1 year only: 2027 may no longer use the 2025 loss (200 left) → 300 taxable
    p1 = parse_project(doc(**base, tax_overrides={"loss_carry_years": 1}))
    assert compute_taxes(p1).bases.taxable_profit.tolist() == [0, 0, 300]


def test_interest_reduces_taxable_profit_and_can_be_given() -> None:
    p = parse_project(
        doc(
            horizon_years=2,
            revenue=[{"year": 2025, "amount": 1000}, {"year": 2026, "amount": 1000}],
            financing={
                "loan": {
                    "amount": 1000,
                    "rate": 0.1,
                    "tenor_years": 2,
                    "repayment": "equal_principal",
                }
            },
        )
    )
    # loan schedule: interest 100 (2025), 50 (2026)
    assert compute_taxes(p).bases.taxable_profit.tolist() == [900, 950]
    t = compute_taxes(p, interest=np.array([0.0, 400.0]))
    assert t.bases.taxable_profit.tolist() == [1000, 600]
    with pytest.raises(ValueError, match="one value per project year"):
        compute_taxes(p, interest=np.array([1.0]))


def test_social_tax_ru_cap_per_employee() -> None:
    # Art. 425: 30 % up to RUB 2,759,000 a year per employee, 15.1 % above (2025).
    # 10 employees at RUB 300,000/month = 3,600,000/year each:
    # 10 × (0.30 × 2,759,000 + 0.151 × 841,000) = 10 × (827,700 + 126,991) = 9,546,910
    p = parse_project(
        doc(
            country="RU",
            currency="RUB",
            horizon_years=1,
            jobs=[{"year": 2025, "count": 10}],
            avg_monthly_wage=300000,
        )
    )
    assert compute_taxes(p).lines["social"].baseline[0] == pytest.approx(9_546_910)


def test_social_tax_uz_and_unknown_without_wage() -> None:
    # UZ 12 % of payroll: 5 jobs × 1,000 × 12 = 60,000 → 7,200
    p = parse_project(
        doc(horizon_years=1, jobs=[{"year": 2025, "count": 5}], avg_monthly_wage=1000)
    )
    assert compute_taxes(p).lines["social"].baseline[0] == pytest.approx(7200)
    p2 = parse_project(doc(horizon_years=1, jobs=[{"year": 2025, "count": 5}]))
    assert "social" in compute_taxes(p2).unknown


def test_ru_land_tax_cadastral_from_title_registration() -> None:
    # Art. 394: 1.5 % of cadastral value 1,000,000 = 15,000 a year; title 2025-09-01 → 4/12
    p = parse_project(
        doc(
            country="RU",
            currency="RUB",
            horizon_years=2,
            land_area_ha=1,
            land_cadastral_value=1_000_000,
            milestones={"title_registration": "2025-09-01"},
        )
    )
    assert compute_taxes(p).lines["land"].baseline.tolist() == [5000.0, 15000.0]


def test_relief_shape_checked_and_clipped() -> None:
    p = parse_project(doc(horizon_years=2, revenue=[{"year": 2025, "amount": 100}]))
    with pytest.raises(ValueError, match="relief for profit"):
        compute_taxes(p, reliefs={"profit": np.array([1.0])})
    t = compute_taxes(p, reliefs={"profit": np.array([2.0, -1.0])})
    assert t.lines["profit"].payable.tolist() == [0.0, 0.0]
    assert t.lines["profit"].saved.tolist() == [15.0, 0.0]


def test_rows_and_totals() -> None:
    p = parse_project(doc(horizon_years=2, revenue=[{"year": 2025, "amount": 100}]))
    t = compute_taxes(p)
    rows = t.rows()
    assert len(rows) == 2 * 5
    assert rows[0] == {
        "year": 2025,
        "tax": "profit",
        "baseline": 15.0,
        "payable": 15.0,
        "saved": 0.0,
    }
    assert t.total("baseline").tolist() == [15.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    revenue=st.lists(st.floats(0, 1e7), min_size=5, max_size=5),
    opex=st.lists(st.floats(0, 1e7), min_size=5, max_size=5),
    relief=st.lists(st.floats(-0.5, 1.5), min_size=5, max_size=5),
)
def test_savings_never_exceed_baseline(
    revenue: list[float], opex: list[float], relief: list[float]
) -> None:
    p = parse_project(
        doc(
            revenue=[{"year": 2025 + i, "amount": v} for i, v in enumerate(revenue)],
            opex=[{"year": 2025 + i, "amount": v} for i, v in enumerate(opex)],
            capex=[{"year": 2025, "amount": 1e6, "asset": "buildings"}],
        )
    )
    r = np.array(relief)
    t = compute_taxes(p, reliefs={tax: r for tax in ("profit", "property", "water")})
    for line in t.lines.values():
        assert (line.saved >= 0).all()
        assert (line.saved <= line.baseline + 1e-9).all()
        assert (line.baseline >= 0).all()


def test_data_dir_files_exist() -> None:
    data = Path(taxes_module.__file__).parent / "data"
    assert (data / "fx.csv").exists() and (data / "tax_rates.yaml").exists()


def test_country_without_data_is_unknown_not_invented() -> None:
    p = parse_project(doc(country="KZ", horizon_years=1, revenue=[{"year": 2025, "amount": 100}]))
    t = compute_taxes(p)
    assert "profit" in t.unknown
    assert t.lines["profit"].baseline.tolist() == [0.0]
    assert any("No baseline tax data for country KZ" in w for w in t.warnings)


def test_module_level_convert() -> None:
    from technopark.core.taxes import convert

    # fx.csv: 83.3 RUB per USD in 2025
    assert convert(1.0, "USD", "RUB", 2025) == pytest.approx(83.3)
    with pytest.raises(FxError):
        convert(1.0, "UZS", "USD", 2020)


def test_small_workshop_profit_tax_by_hand() -> None:
    # examples/project-small-workshop.json (UZ, 15 %, losses uncapped):
    # depreciation: buildings 50,000/30 = 1,666.67 + equipment 150,000/10 = 15,000 = 16,666.67
    # 2025: 100,000 − 120,000 − 16,666.67 = −36,666.67 (loss)
    # 2026: 300,000 − 250,000 − 16,666.67 = 33,333.33 → fully offset → 0 (3,333.33 left)
    # 2027: 350,000 − 280,000 − 16,666.67 = 53,333.33 − 3,333.33 = 50,000 → tax 7,500
    from technopark.core.project import load_project

    root = Path(__file__).resolve().parents[2]
    p = load_project(root / "examples" / "project-small-workshop.json")
    t = compute_taxes(p)
    np.testing.assert_allclose(t.bases.taxable_profit[:3], [0, 0, 50_000], atol=1e-6)
    np.testing.assert_allclose(t.lines["profit"].baseline[:3], [0, 0, 7_500], atol=1e-6)
