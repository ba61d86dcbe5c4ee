"""Incentives engine: expected values from the law text (as summarised in
/work/shared/reference/incentives.md with its sources) and hand calculations written here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from technopark.core.project import Project, parse_project
from technopark.incentives.engine import (
    BenefitOutcome,
    IncentiveResult,
    ParkFacts,
    evaluate,
    render_text,
)
from technopark.incentives.loader import load_regimes

ROOT = Path(__file__).resolve().parents[2]
REGIMES = load_regimes()
FEZ = ParkFacts("test-fez", "UZ", "fez", ("uz-sez",))
RU_SEZ = ParkFacts("test-ru-sez", "RU", "sez", ("ru-sez-industrial",))


def project(**changes: Any) -> Project:
    d: dict[str, Any] = {
        "name": "test",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": 12,
        "discount_rate": 0.1,
        "industry": "2732",
        "hazard_class": 4,
        "residency_start": "2025-01-01",
        "commissioning_year": 2025,
        "capex": [{"year": 2025, "amount": 4_000_000, "asset": "buildings"}],
        "revenue": [{"year": y, "amount": 10_000_000} for y in range(2025, 2037)],
        "opex": [{"year": y, "amount": 8_000_000} for y in range(2025, 2037)],
        "jobs": [],
        "land_area_ha": 0,
    }
    d.update(changes)
    return parse_project(d)


def benefit(result: IncentiveResult, regime_id: str, benefit_id: str) -> BenefitOutcome:
    ro = next(r for r in result.regimes if r.regime.id == regime_id)
    return next(b for b in ro.benefits if b.benefit.id == benefit_id)


def saved(result: IncentiveResult, tax: str) -> list[float]:
    assert result.table is not None
    return [round(float(x), 6) for x in result.table.lines[tax].saved]


# ------------------------------------------------------------------ brackets (UZ SEZ)
# Tax Code UZ Arts. 473–474, terms of UP-4853 (fez.uz; tax-legal.uz): USD 0.3–3 m → 3 years,
# 3–5 m → 5, 5–10 m → 7, ≥10 m → 10; lower bound belongs to the bracket (reading stated in data).
@pytest.mark.parametrize(
    ("usd", "months"),
    [
        (299_999, 0),
        (300_000, 36),
        (2_999_999, 36),
        (3_000_000, 60),  # USD 3 m exactly → 3–5 m bracket → 5 years
        (4_999_999, 60),
        (5_000_000, 84),
        (9_999_999, 84),
        (10_000_000, 120),
        (50_000_000, 120),
    ],
)
def test_uz_sez_property_land_water_brackets(usd: float, months: int) -> None:
    p = project(capex=[{"year": 2025, "amount": usd, "asset": "buildings"}])
    r = evaluate(p, FEZ)
    for bid in ("property-exemption", "land-exemption", "water-exemption"):
        bo = benefit(r, "uz-sez", bid)
        assert (bo.term_months or 0) == months
        assert bo.applies is (months > 0)
        assert sum(bo.months_by_year.values()) == (months if bo.applies else 0)


# ZRU-783 (Tax Code Art. 473 part two): profit tax USD 3–5 m → 3 years, 5–15 m → 5, ≥15 m → 10,
# counted from commissioning.
@pytest.mark.parametrize(
    ("usd", "months"),
    [
        (2_999_999, 0),
        (3_000_000, 36),
        (4_999_999, 36),
        (5_000_000, 60),
        (14_999_999, 60),
        (15_000_000, 120),
    ],
)
def test_uz_sez_profit_brackets_from_commissioning(usd: float, months: int) -> None:
    p = project(
        commissioning_year=2026,
        milestones={"commissioning": "2026-07-01"},
        capex=[{"year": 2025, "amount": usd, "asset": "equipment"}],
    )
    bo = benefit(evaluate(p, FEZ), "uz-sez", "profit-exemption")
    assert (bo.term_months or 0) == months
    if months:
        assert bo.start is not None and bo.start.isoformat() == "2026-07-01"
        assert bo.months_by_year[2026] == 6  # July–December


# ------------------------------------------------------------------ month pro-rating
def test_certificate_in_april_covers_nine_months_of_the_first_year() -> None:
    # certificate 2025-04-01, USD 4 m (60 months) → April 2025 .. March 2030:
    # 2025: 9/12, 2026–2029: 12/12, 2030: 3/12.
    p = project(residency_start="2025-04-01")
    r = evaluate(p, FEZ)
    bo = benefit(r, "uz-sez", "property-exemption")
    assert [bo.months_by_year[y] for y in range(2025, 2032)] == [9, 12, 12, 12, 12, 3, 0]
    assert bo.relief is not None
    np.testing.assert_allclose(bo.relief[:7], [0.75, 1, 1, 1, 1, 0.25, 0])
    # property tax: USD 4 m buildings, 30 years, UZ 1.5 %: 2025 base (4,000,000 + 3,866,667)/2
    # = 3,933,333 → 59,000; saved 9/12 = 44,250
    assert r.table is not None
    assert r.table.lines["property"].baseline[0] == pytest.approx(59_000)
    assert saved(r, "property")[0] == pytest.approx(44_250)


def test_land_exemption_from_title_registration_is_not_double_prorated() -> None:
    # RU SEZ: land 0 % for 5 years from title registration (oezalga.ru). Title 2025-09-01:
    # land tax is due for 4 months of 2025 (1.5 % × 1,200,000 × 4/12 = 6,000) and all of it is
    # exempt; exemption runs to 2030-09-01 → 2030 saves 8/12 of 18,000 = 12,000.
    p = project(
        currency="RUB",
        country="RU",
        residency_start="2025-03-01",
        milestones={"title_registration": "2025-09-01"},
        land_area_ha=1,
        land_cadastral_value=1_200_000,
        capex=[{"year": 2025, "amount": 200_000_000, "asset": "buildings"}],
    )
    r = evaluate(p, RU_SEZ)
    assert r.table is not None
    assert r.table.lines["land"].baseline[0] == pytest.approx(6_000)
    assert saved(r, "land")[:7] == [6000, 18000, 18000, 18000, 18000, 12000, 0]


# ------------------------------------------------------------------ start events
def test_start_events() -> None:
    p = project(
        currency="RUB",
        country="RU",
        residency_start="2025-03-01",
        commissioning_year=2026,
        milestones={"title_registration": "2025-06-01", "commissioning": "2026-02-01"},
        capex=[{"year": 2025, "amount": 200_000_000, "asset": "buildings"}],
        revenue=[{"year": 2027, "amount": 100_000_000}],  # > depreciation 6.7 m
        opex=[],
    )
    park = ParkFacts("ru-alabuga-sez", "RU", "sez", ("ru-sez-industrial",))
    r = evaluate(p, park)  # ru-alabuga joins because it names the park
    starts = {
        (ro.regime.id, b.benefit.id): b.start.isoformat() if b.start else None
        for ro in r.regimes
        for b in ro.benefits
    }
    assert starts[("ru-sez-industrial", "property-exemption")] == "2025-03-01"  # registration
    assert starts[("ru-sez-industrial", "land-exemption")] == "2025-06-01"  # title registration
    assert starts[("ru-alabuga", "profit-reduced")] == "2027-01-01"  # first profit year


def test_first_profit_never_reached_means_no_profit_benefit() -> None:
    p = project(
        currency="RUB",
        country="RU",
        capex=[{"year": 2025, "amount": 200_000_000, "asset": "buildings"}],
        revenue=[],
    )
    r = evaluate(p, ParkFacts("ru-alabuga-sez", "RU", "sez", ()))
    bo = benefit(r, "ru-alabuga", "profit-reduced")
    assert not bo.applies
    assert any("No first profit within the horizon" in x.text for x in bo.reasons)


# ------------------------------------------------------------------ schedules
def test_alabuga_profit_schedule_relative_to_general_rate() -> None:
    # 5-ZRT: 2 % years 1–5, 7 % years 6–10, 15.5 % after, from the first profit; general 25 %
    # (176-FZ) → relief 1 − 2/25 = 0.92, then 1 − 7/25 = 0.72, then 1 − 15.5/25 = 0.38.
    p = project(
        currency="RUB",
        country="RU",
        capex=[{"year": 2025, "amount": 200_000_000, "asset": "equipment"}],
        revenue=[{"year": y, "amount": 1_000_000_000} for y in range(2025, 2037)],
        opex=[{"year": y, "amount": 900_000_000} for y in range(2025, 2037)],
    )
    r = evaluate(p, ParkFacts("ru-alabuga-sez", "RU", "sez", ()))
    bo = benefit(r, "ru-alabuga", "profit-reduced")
    assert bo.relief is not None
    np.testing.assert_allclose(bo.relief, [0.92] * 5 + [0.72] * 5 + [0.38] * 2)
    # 2025 taxable = 100 m − 20 m depreciation = 80 m; tax 20 m; payable 2 % = 1.6 m
    assert r.table is not None
    assert r.table.lines["profit"].payable[0] == pytest.approx(1_600_000)


def test_pp15_half_cut_ends_on_1_january_2027() -> None:
    # PP-15 of 13.01.2024: profit and property tax −50 % until 01.01.2027 (≥80 % electrical).
    p = project(activity_shares={"electrical_products": 0.85})
    r = evaluate(
        p, ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-electrical-industry",))
    )
    bo = benefit(r, "uz-electrical-industry", "profit-half")
    assert bo.relief is not None
    np.testing.assert_allclose(bo.relief[:3], [0.5, 0.5, 0.0])
    assert r.table is not None
    base = r.table.lines["profit"].baseline
    assert saved(r, "profit")[:3] == pytest.approx([base[0] / 2, base[1] / 2, 0])


def test_pp15_not_eligible_below_80_percent() -> None:
    p = project(activity_shares={"electrical_products": 0.79})
    r = evaluate(
        p, ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-electrical-industry",))
    )
    (ro,) = r.regimes
    assert not ro.eligible
    assert "Revenue share from electrical products 79% < 80%: not met" in [
        x.text for x in ro.reasons
    ]
    assert r.total_saved == 0


def test_benefits_on_one_tax_do_not_stack() -> None:
    # uz-sez profit exemption (USD 4 m → 3 years from commissioning 2025-01) and PP-15 −50 %:
    # 2025–2026 the larger (exemption) applies, not 150 %.
    p = project(activity_shares={"electrical_products": 1.0})
    park = ParkFacts("x", "UZ", "fez", ("uz-sez", "uz-electrical-industry"))
    r = evaluate(p, park)
    assert r.table is not None
    line = r.table.lines["profit"]
    assert saved(r, "profit")[:4] == pytest.approx(
        [line.baseline[0], line.baseline[1], line.baseline[2], 0]
    )


# ------------------------------------------------------------------ usable value
def test_loss_year_saves_no_profit_tax() -> None:
    # revenue 1 m, opex 3 m → loss; a profit-tax exemption is worth nothing that year
    p = project(
        revenue=[{"year": 2025, "amount": 1_000_000}], opex=[{"year": 2025, "amount": 3_000_000}]
    )
    r = evaluate(p, FEZ)
    assert benefit(r, "uz-sez", "profit-exemption").applies
    assert saved(r, "profit")[0] == 0.0
    assert r.table is not None and r.table.bases.ebt[0] < 0


def test_eligible_activity_share_scales_the_relief() -> None:
    p = project(eligible_activity_share=0.6)
    bo = benefit(evaluate(p, FEZ), "uz-sez", "property-exemption")
    assert bo.relief is not None and bo.relief[0] == pytest.approx(0.6)


# ------------------------------------------------------------------ thresholds
def test_project_below_every_threshold() -> None:
    # examples/project-small-workshop.json: USD 0.2 m < USD 0.3 m lowest bracket
    from technopark.core.project import load_project

    p = load_project(ROOT / "examples" / "project-small-workshop.json")
    r = evaluate(p, ParkFacts("x", "UZ", "fez", ("uz-sez",)))
    (ro,) = r.regimes
    assert ro.eligible  # the zone admits it, but no bracket is reached
    assert not any(b.applies for b in ro.benefits if b.benefit.quantified)
    bo = benefit(r, "uz-sez", "property-exemption")
    assert any("USD 0.2 m < USD 0.3 m, the lowest bracket: not met" in x.text for x in bo.reasons)
    assert r.total_saved == 0 and r.npv_saved == 0


def test_ru_sez_entry_threshold() -> None:
    # Decree 156 of 14.02.2024: at least RUB 120 m excluding VAT
    small = project(
        currency="RUB",
        country="RU",
        capex=[{"year": 2025, "amount": 119_999_999, "asset": "buildings"}],
    )
    (ro,) = evaluate(small, RU_SEZ).regimes
    assert not ro.eligible
    assert "Investment RUB 120 m < RUB 120 m threshold (excluding VAT): not met" in [
        x.text for x in ro.reasons
    ]
    ok = project(
        currency="RUB",
        country="RU",
        capex=[{"year": 2025, "amount": 120_000_000, "asset": "buildings"}],
    )
    (ro2,) = evaluate(ok, RU_SEZ).regimes
    assert ro2.eligible
    assert "Investment RUB 120 m ≥ RUB 120 m threshold (excluding VAT): met" in [
        x.text for x in ro2.reasons
    ]


def test_threshold_in_other_currency_names_fx_rate() -> None:
    # USD project, RUB threshold: USD 1.5 m × 83.3 RUB/USD (2025, fx.csv) = RUB 124.95 m ≥ 120 m
    p = project(capex=[{"year": 2025, "amount": 1_500_000, "asset": "buildings"}], country="RU")
    r = evaluate(p, RU_SEZ)
    assert r.regimes[0].eligible
    assert ("RUB", 2025) in [(f.currency, f.year) for f in r.fx]
    assert r.to_dict()["fx"][0]["source"]


def test_toser_jobs_and_insurance_rate() -> None:
    # ТОСЭР: RUB 2.5 m and 10 jobs in the first year; insurance 7.6 % vs 30 % general
    # → relief 1 − 0.076/0.30 for 10 years from registration.
    park = ParkFacts("tor", "RU", "toser", ("ru-toser",))
    base = dict(
        currency="RUB",
        country="RU",
        avg_monthly_wage=80_000,
        capex=[{"year": 2025, "amount": 3_000_000, "asset": "equipment"}],
    )
    few = project(**base, jobs=[{"year": 2025, "count": 9}])
    (ro,) = evaluate(few, park).regimes
    assert not ro.eligible
    assert any(x.text.startswith("Jobs by 2026-01-01 9 < 10 required") for x in ro.reasons)
    enough = project(**base, jobs=[{"year": y, "count": 10} for y in range(2025, 2037)])
    r = evaluate(enough, park)
    bo = benefit(r, "ru-toser", "insurance-reduced")
    assert bo.relief is not None
    np.testing.assert_allclose(bo.relief[:11], [1 - 0.076 / 0.30] * 10 + [0.0])


@pytest.mark.parametrize(
    ("sme", "occupancy", "eligible", "status"),
    [
        (True, 0.6, True, "met"),
        (True, 0.8, False, "not_met"),
        (True, None, False, "unknown"),
        (False, 0.5, False, "met"),
    ],
)
def test_tatarstan_industrial_park_conditions(
    sme: bool, occupancy: float | None, eligible: bool, status: str
) -> None:
    # 25-ZRT: SME residents, park ≤ 70 % occupied at signing, property tax exempt ≤ 10 years
    p = project(
        currency="RUB",
        country="RU",
        sme=sme,
        capex=[{"year": 2025, "amount": 50_000_000, "asset": "buildings"}],
    )
    park = ParkFacts(
        "ru-kip-master",
        "RU",
        "industrial_park",
        ("ru-tatarstan-industrial-park",),
        occupancy_share=occupancy,
        region="Republic of Tatarstan",
    )
    (ro,) = evaluate(p, park).regimes
    assert ro.eligible is eligible
    occ = next(x for x in ro.reasons if x.condition == "max_park_occupancy")
    assert occ.status == status


# ------------------------------------------------------------------ parks and periods
def test_park_with_no_regime_gives_empty_result() -> None:
    r = evaluate(project(), ParkFacts("plain-park", "UZ", "industrial_park", ()))
    assert r.regimes == () and r.table is None
    assert r.total_saved == 0 and r.npv_saved == 0
    d = r.to_dict()
    assert d["regimes"] == [] and d["by_year"] == []
    assert "no legal regime" in render_text(r).lower()


def test_unknown_regime_id_is_a_warning() -> None:
    r = evaluate(project(), ParkFacts("p", "UZ", "fez", ("no-such-regime",)))
    assert r.regimes == ()
    assert any("no-such-regime" in w for w in r.warnings)


def test_regime_kind_mismatch_when_not_listed(tmp_path: Path) -> None:
    # uz-sez applies to fez/sez kinds; a regime found by kind must match it
    r = evaluate(project(), ParkFacts("test-fez", "UZ", "fez", ("uz-sez",)))
    assert r.regimes[0].eligible
    # RU park listing a UZ regime: country not met
    r2 = evaluate(project(country="RU", currency="RUB"), ParkFacts("x", "RU", "sez", ("uz-sez",)))
    assert not r2.regimes[0].eligible
    assert "Park country RU in UZ: not met" in [x.text for x in r2.regimes[0].reasons]


def write_regime(path: Path, **changes: Any) -> Path:
    doc: dict[str, Any] = {
        "id": path.stem,
        "jurisdiction": "UZ",
        "names": {"ru": "т", "uz": "t", "en": "test regime"},
        "legal_basis": [{"act": "Example act", "number": "X-1"}],
        "effective_from": "2010-01-01",
        "effective_to": None,
        "confidence": "unverified",
        "applies_to": {"countries": ["UZ"]},
        "eligibility": {},
        "benefits": [
            {
                "tax": "property",
                "form": "exemption",
                "term_months": 24,
                "start_event": "certificate",
                "confidence": "unverified",
                "citation": "Example",
            }
        ],
    }
    doc.update(changes)
    import yaml

    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_expired_regime_is_not_eligible(tmp_path: Path) -> None:
    write_regime(tmp_path / "old-regime.yaml", effective_to="2020-01-01")
    regimes = load_regimes(tmp_path)
    r = evaluate(project(), ParkFacts("p", "UZ", "fez", ("old-regime",)), regimes)
    (ro,) = r.regimes
    assert not ro.eligible
    assert "The regime ended on 2020-01-01, before the residency start 2025-01-01: not met" in [
        x.text for x in ro.reasons
    ]
    assert r.total_saved == 0


def test_regime_ending_mid_term_clips_the_benefit(tmp_path: Path) -> None:
    # 24-month exemption from 2025-01 but the regime ends 2025-07-01 → 6 months
    write_regime(tmp_path / "short.yaml", effective_to="2025-07-01")
    r = evaluate(project(), ParkFacts("p", "UZ", "fez", ("short",)), load_regimes(tmp_path))
    bo = r.regimes[0].benefits[0]
    assert bo.months_by_year[2025] == 6 and bo.months_by_year[2026] == 0


def test_industries_allowed_and_excluded(tmp_path: Path) -> None:
    write_regime(
        tmp_path / "ind.yaml",
        eligibility={"industries_allowed": ["C"], "industries_excluded": ["1920"]},
    )
    regimes = load_regimes(tmp_path)
    park = ParkFacts("p", "UZ", "fez", ("ind",))
    assert evaluate(project(industry="2732"), park, regimes).regimes[0].eligible
    refinery = evaluate(project(industry="1920"), park, regimes).regimes[0]
    assert not refinery.eligible
    assert "Industry ISIC 1920 not among the excluded 1920: not met" in [
        x.text for x in refinery.reasons
    ]
    it = evaluate(project(industry="62"), park, regimes).regimes[0]
    assert "Industry ISIC 62 within the allowed C: not met" in [x.text for x in it.reasons]


def test_chirchik_grants_the_sez_benefits_for_30_years() -> None:
    r = evaluate(project(), ParkFacts("uz-chirchik-chemical-technopark", "UZ", "technopark", ()))
    (ro,) = r.regimes
    assert ro.eligible and ro.regime.effective_to is not None
    assert {b.benefit.id for b in ro.benefits} >= {"property-exemption", "profit-exemption"}


def test_small_industrial_zone_export_extension() -> None:
    # 2017 Tashkent rule (unverified): 2 years, +2 with ≥30 % exports
    park = ParkFacts("siz", "UZ", "small_industrial_zone", ("uz-small-industrial-zone",))
    low = evaluate(project(export_share=0.2), park)
    high = evaluate(project(export_share=0.3), park)
    assert not benefit(low, "uz-small-industrial-zone", "profit-exemption-export").applies
    bo = benefit(high, "uz-small-industrial-zone", "profit-exemption-export")
    assert bo.applies and bo.start is not None and bo.start.isoformat() == "2027-01-01"


# ------------------------------------------------------------------ later investment
def test_later_investment_moves_up_a_bracket_and_extends_the_term() -> None:
    # Art. 474: USD 1 m in 2025 (3 years to 2028-01) then +USD 3 m in 2026 → USD 4 m by the end
    # of 2026 while the term runs → 5 years (to 2030-01).
    p = project(
        capex=[
            {"year": 2025, "amount": 1_000_000, "asset": "buildings"},
            {"year": 2026, "amount": 3_000_000, "asset": "equipment"},
        ]
    )
    bo = benefit(evaluate(p, FEZ), "uz-sez", "property-exemption")
    assert bo.term_months == 60
    assert bo.end is not None and bo.end.isoformat() == "2030-01-01"
    assert any(x.condition == "bracket_extension" and x.status == "met" for x in bo.reasons)


def test_investment_after_the_term_ended_does_not_extend() -> None:
    # USD 1 m in 2025 → 36 months to 2028-01; +USD 3 m only in 2028 → too late
    p = project(
        capex=[
            {"year": 2025, "amount": 1_000_000, "asset": "buildings"},
            {"year": 2028, "amount": 3_000_000, "asset": "equipment"},
        ]
    )
    bo = benefit(evaluate(p, FEZ), "uz-sez", "property-exemption")
    assert bo.term_months == 36
    assert any(x.condition == "bracket_extension" and x.status == "not_met" for x in bo.reasons)


def test_profit_bracket_does_not_extend() -> None:
    # ZRU-783 profit term: no extension in the data (extends_on_higher_investment: false)
    p = project(
        capex=[
            {"year": 2025, "amount": 3_000_000, "asset": "buildings"},
            {"year": 2026, "amount": 20_000_000, "asset": "equipment"},
        ]
    )
    assert benefit(evaluate(p, FEZ), "uz-sez", "profit-exemption").term_months == 36


# ------------------------------------------------------------------ totals and output
def test_npv_uses_the_finance_model_convention() -> None:
    # docs/finance-model.md: NPV = sum of CF_t / (1 + r)^t with t = 0 in start_year.
    p = project(discount_rate=0.1)
    r = evaluate(p, FEZ)
    assert r.table is not None
    s = r.table.total("saved")
    expected = sum(v / 1.1**i for i, v in enumerate(s))
    assert r.npv_saved == pytest.approx(expected)
    assert r.total_saved == pytest.approx(s.sum())


def test_to_dict_is_json_and_has_the_contract_fields() -> None:
    from technopark.core.project import load_project

    p = load_project(ROOT / "examples" / "project-eltech-cable-plant.json")
    r = evaluate(
        p,
        ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry")),
    )
    d = json.loads(json.dumps(r.to_dict()))
    assert {"park_id", "currency", "regimes", "by_year", "total_saved", "npv_saved", "fx"} <= set(d)
    reg = d["regimes"][0]
    assert {"id", "name", "eligible", "reasons", "benefits"} <= set(reg)
    assert {"tax", "form", "years", "citation"} <= set(reg["benefits"][0])
    assert {"year", "tax", "baseline", "payable", "saved"} == set(d["by_year"][0])
    assert d["fx"] and d["fx"][0]["currency"] == "UZS" and d["fx"][0]["year"] == 2024
    assert d["total_saved"] > 0
    text = render_text(r)
    assert "[ELIGIBLE] uz-sez" in text and "Total saved:" in text and "FX: " in text


def test_every_packaged_regime_loads_with_citations() -> None:
    assert set(REGIMES) >= {
        "uz-sez",
        "uz-chirchik-technopark",
        "uz-electrical-industry",
        "uz-small-industrial-zone",
        "ru-sez-industrial",
        "ru-alabuga",
        "ru-sez-alga",
        "ru-toser",
        "ru-tatarstan-industrial-park",
    }
    for r in REGIMES.values():
        assert r.legal_basis and r.names["ru"] and r.names["uz"] and r.names["en"]
        for b in r.benefits:
            assert b.citation and b.confidence in ("verified", "unverified")


# ------------------------------------------------------------------ properties
capex_amounts = st.lists(st.integers(0, 20_000_000), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(amounts=capex_amounts, revenue=st.integers(0, 30_000_000), opex=st.integers(0, 30_000_000))
def test_savings_never_exceed_baseline(amounts: list[int], revenue: int, opex: int) -> None:
    p = project(
        capex=[
            {"year": 2025 + i, "amount": a, "asset": "buildings"} for i, a in enumerate(amounts)
        ],
        revenue=[{"year": y, "amount": revenue} for y in range(2025, 2037)],
        opex=[{"year": y, "amount": opex} for y in range(2025, 2037)],
        activity_shares={"electrical_products": 1.0},
    )
    r = evaluate(p, ParkFacts("x", "UZ", "fez", ("uz-sez", "uz-electrical-industry")))
    assert r.table is not None
    for line in r.table.lines.values():
        assert (line.saved >= -1e-9).all()
        assert (line.saved <= line.baseline + 1e-6).all()
    assert r.total_saved <= r.table.total("baseline").sum() + 1e-6


@settings(max_examples=40, deadline=None)
@given(amounts=capex_amounts, extra=st.integers(0, 20_000_000), year=st.integers(0, 3))
def test_more_investment_never_shortens_a_term(amounts: list[int], extra: int, year: int) -> None:
    def terms(capex: list[dict[str, Any]]) -> dict[str, int]:
        r = evaluate(project(capex=capex), FEZ)
        return {
            b.benefit.id: (b.term_months or 0) if b.applies else 0
            for b in r.regimes[0].benefits
            if b.benefit.brackets
        }

    base = [{"year": 2025 + i, "amount": a, "asset": "equipment"} for i, a in enumerate(amounts)]
    more = [*base, {"year": 2025 + year, "amount": extra, "asset": "equipment"}]
    t0, t1 = terms(base), terms(more)
    for k in t0:
        assert t1[k] >= t0[k], (k, t0, t1)


@pytest.mark.parametrize("module_name", ["engine", "loader"])
def test_doctests(module_name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"technopark.incentives.{module_name}")
    assert doctest.testmod(module).failed == 0


def test_reliefs_for_feeds_compute_taxes_identically() -> None:
    # one tax calculation: the finance model calls compute_taxes with the engine's reliefs
    from technopark.core.taxes import compute_taxes
    from technopark.incentives.engine import reliefs_for

    p = project(activity_shares={"electrical_products": 1.0})
    park = ParkFacts("x", "UZ", "fez", ("uz-sez", "uz-electrical-industry"))
    r = evaluate(p, park)
    t = compute_taxes(p, reliefs=reliefs_for(p, park))
    assert r.table is not None
    assert t.total("saved").tolist() == pytest.approx(r.table.total("saved").tolist())


def test_regime_starting_after_residency_counts_from_its_start(tmp_path: Path) -> None:
    # residency 2025-01; regime in force from 2026-07-01; 24-month term from the certificate
    # → only 2026-07 .. 2026-12 is covered (the term still ends 2027-01).
    write_regime(tmp_path / "late.yaml", effective_from="2026-07-01")
    r = evaluate(project(), ParkFacts("p", "UZ", "fez", ("late",)), load_regimes(tmp_path))
    (ro,) = r.regimes
    assert ro.eligible
    assert any(
        "after the residency start 2025-01-01; benefits count from then" in x.text
        for x in ro.reasons
    )
    bo = ro.benefits[0]
    assert [bo.months_by_year[y] for y in (2025, 2026, 2027)] == [0, 6, 0]


def test_eltech_example_by_hand() -> None:
    # examples/project-eltech-cable-plant.json (invented figures), park lists uz-sez + PP-15.
    from technopark.core.project import load_project

    p = load_project(ROOT / "examples" / "project-eltech-cable-plant.json")
    r = evaluate(
        p,
        ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry")),
    )
    prop = benefit(r, "uz-sez", "property-exemption")
    # capex by end of 2025 USD 1.7 m → 36 months; 4.2 m by end of 2026 → 60; 5.7 m by end of
    # 2028 (term still running to 2030-04) → 84 months: 2025-04-01 .. 2032-04-01 (Art. 474).
    assert prop.term_months == 84 and prop.end is not None
    assert prop.end.isoformat() == "2032-04-01"
    # property tax 2032: buildings 1.5 m from 2026, 30 years → 50,000 a year; 2032 NBV
    # (1,200,000 + 1,150,000)/2 = 1,175,000 × 1.5 % = 17,625; exempt Jan–Mar → 3/12 = 4,406.25
    assert r.table is not None
    assert r.table.lines["property"].baseline[7] == pytest.approx(17_625)
    assert saved(r, "property")[7] == pytest.approx(4_406.25)
    # profit: commissioning 2026-07-01, USD 4.2 m by end of 2026 → 36 months to 2029-07-01;
    # 2029 saves 6/12 of the 2029 profit tax
    prof = benefit(r, "uz-sez", "profit-exemption")
    assert prof.end is not None and prof.end.isoformat() == "2029-07-01"
    assert saved(r, "profit")[4] == pytest.approx(r.table.lines["profit"].baseline[4] / 2)
    # land: 3 ha × USD 3,000 (override) = 9,000 a year; 2025 due for Apr–Dec = 6,750, all exempt
    assert saved(r, "land")[0] == pytest.approx(6_750)
