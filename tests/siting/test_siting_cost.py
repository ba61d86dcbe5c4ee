"""Location cost by hand for a small case, the cost-only ranking, and the tax hook."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from technopark.core.project import parse_project
from technopark.core.taxes import FxRate, FxTable, compute_taxes
from technopark.siting.cost import TaxOutcome, discount_factors
from technopark.siting.engine import match
from technopark.siting.index import SiteIndex

# test rates, not real ones: 10,000 UZS and 80 RUB per USD in 2025
FX = FxTable(
    {
        "UZS": {2025: FxRate("UZS", 2025, 10_000.0, "test", "test")},
        "RUB": {2025: FxRate("RUB", 2025, 80.0, "test", "test")},
    }
)
WAGES = [
    {
        "country": "UZ",
        "region": "Tashkent region",
        "year": 2025,
        "avg_monthly_wage": 5_000_000,
        "currency": "UZS",
    },
    {
        "country": "UZ",
        "region": "Tashkent region",
        "year": 2026,
        "avg_monthly_wage": 9_000_000,
        "currency": "UZS",
    },  # after the valuation year: never used
]
PARK = {
    "park_id": "P1",
    "name": "Test park",
    "country": "UZ",
    "region": "Tashkent region",
    "kind": "sez",
    "industries": ["2732"],
    "regime_ids": ["test-regime"],
    "tariffs": {
        "electricity": {"price": 1000, "currency": "UZS"},
        "water": {"price": 3000, "currency": "UZS"},
    },
    "connection_fees": {"water_per_m3d": 100, "currency": "USD"},
}
PROJECT = {
    "name": "hand case",
    "currency": "USD",
    "country": "UZ",
    "start_year": 2025,
    "horizon_years": 3,
    "discount_rate": 0.10,
    "industry": "2732",
    "hazard_class": 4,
    "residency_start": "2025-01-01",
    "commissioning_year": 2025,
    "land_area_ha": 1,
    "capex": [],
    "revenue": [],
    "opex": [],
    "jobs": [{"year": 2025, "count": 10}, {"year": 2026, "count": 10}, {"year": 2027, "count": 10}],
    "utilities": {"electricity_mw": 1, "water_m3d": 10},
    "tax_overrides": {"social_rate": 0.12},
}


def fake_taxes(project: Any, park: Any, regimes: Any, fx: Any, disc: np.ndarray) -> TaxOutcome:
    """Fixed PVs (project currency) so that the arithmetic below is independent of tax data."""
    calls.append(park)
    return TaxOutcome(
        {"property": 1000.0, "land": 0.0, "profit": 5000.0, "water": math.nan},
        2000.0,
        np.zeros(len(disc)),
        ("Property tax exempt for 3 years under Test regime.",),
    )


calls: list[Any] = []


def _site(sid: str, **kw: Any) -> dict[str, Any]:
    row = {
        "site_id": sid,
        "park_id": "P1",
        "kind": "plot",
        "area_ha": 2.0,
        "status": "available",
        "tenure": "lease",
        "lease_per_year": 12_000,
        "currency": "USD",
        "electricity_mw": 2.0,
        "water_m3d": 4.0,
        "as_of": "2025-05-01",
        "hazard_class": 3,
    }
    row.update(kw)
    return row


def test_location_cost_by_hand() -> None:
    ix = SiteIndex.from_rows([_site("A")], [PARK])
    doc = {
        "project": PROJECT,
        "electricity_mw": 1,
        "horizon_years": 3,
        "as_of": "2025-06-01",
        "assumptions": {"electricity_load_factor": 0.5},
    }
    calls.clear()
    res = match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes={}).to_dict()
    r = res["results"][0]
    c = r["location_cost"]["components"]
    # discount factors, year 0 undiscounted: 1, 1/1.1, 1/1.21 → Σ = 2.7355372
    annuity = 1 + 1 / 1.1 + 1 / 1.21
    assert annuity == pytest.approx(discount_factors(0.10, 3).sum())
    # land: lease 12,000 USD a year × 2.7355372 = 32,826.45
    assert c["land"] == pytest.approx(12_000 * annuity, abs=0.01)
    # electricity: 1 MW × 8,760 h × 0.5 load = 4,380 MWh = 4,380,000 kWh × 1,000 UZS
    #   = 4.38e9 UZS = 438,000 USD a year × 2.7355372 = 1,198,165.29
    assert c["utility.electricity"] == pytest.approx(438_000 * annuity, abs=0.01)
    # water: 10 m³/day × 365 = 3,650 m³ × 3,000 UZS = 10.95 m UZS = 1,095 USD × 2.7355372
    assert c["utility.water"] == pytest.approx(1_095 * annuity, abs=0.01)
    # connection: 10 m³/day needed − 4 available = 6 × 100 USD = 600 (year 0); power: 2 ≥ 1 → 0
    assert c["connection.water"] == pytest.approx(600)
    assert c["connection.electricity"] == 0
    # labour: 10 jobs × 12 × (5,000,000 UZS = 500 USD) × (1 + 0.12) = 67,200 USD a year
    assert c["labour"] == pytest.approx(67_200 * annuity, abs=0.01)
    # taxes from the tax function; water tax unknown → excluded and listed
    assert (c["tax.property"], c["tax.land"], c["tax.profit"], c["tax.water"]) == (
        1000.0,
        0.0,
        5000.0,
        None,
    )
    assert "tax.water" in r["location_cost"]["unknown"]
    # no gas or wastewater needed → 0, not unknown
    assert c["utility.gas"] == 0 and c["connection.gas"] == 0
    total = (12_000 + 438_000 + 1_095 + 67_200) * annuity + 600 + 1000 + 0 + 5000
    assert r["location_cost"]["npv"] == pytest.approx(total, abs=0.05)
    assert r["location_cost"]["currency"] == "USD"
    assert r["benefits_value"] == 2000.0
    assert "Property tax exempt for 3 years under Test regime." in r["reasons"]
    assert "2 MW of power free against 1 MW needed." in r["reasons"]
    assert [f["currency"] for f in res["fx_rates"]] == ["UZS"]
    assert res["horizon_years"] == 3 and res["discount_rate"] == 0.10


def test_taxes_are_evaluated_once_per_park_regime_set() -> None:
    parks = [
        PARK,
        {**PARK, "park_id": "P2"},
        {**PARK, "park_id": "P3", "regime_ids": []},
        {**PARK, "park_id": "P4", "country": "RU", "region": "Moscow Oblast"},
    ]
    sites = [_site(f"S{i}", park_id=f"P{1 + i % 4}") for i in range(40)]
    ix = SiteIndex.from_rows(sites, parks)
    calls.clear()
    cache: dict[Any, Any] = {}
    regimes: dict[str, Any] = {}  # the same regime data on every call
    doc = {"project": PROJECT, "as_of": "2025-06-01"}
    match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes=regimes, tax_cache=cache)
    # P1 and P2 share one regime set; P3 has none; P4 is in another country
    facts = sorted((c["country"], c["region"], c["regime_ids"]) for c in calls)
    assert facts == [
        ("RU", "Moscow Oblast", ("test-regime",)),
        ("UZ", "Tashkent region", ()),
        ("UZ", "Tashkent region", ("test-regime",)),
    ]
    match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes=regimes, tax_cache=cache)
    assert len(calls) == 3  # cached between calls
    match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes={"x": 1}, tax_cache=cache)
    assert len(calls) == 6  # other regime data: evaluated again


def test_a_missing_tariff_or_wage_is_unknown_never_filled_in() -> None:
    bare = {"park_id": "P1", "country": "UZ", "region": "Navoi region", "kind": "sez"}
    ix = SiteIndex.from_rows([_site("A")], [bare])
    res = match(
        ix,
        {
            "project": PROJECT,
            "as_of": "2025-06-01",
            "assumptions": {"wage_fallback_national": False},
        },
        wages=WAGES,
        fx=FX,
        tax_function=fake_taxes,
        regimes={},
    ).to_dict()
    r = res["results"][0]
    for key in ("utility.electricity", "utility.water", "connection.water", "labour"):
        assert r["location_cost"]["components"][key] is None
        assert key in r["location_cost"]["unknown"]
    assert r["scores"]["labour"] is None  # no wage figure for the region


def test_tenure_any_takes_the_cheaper_present_value() -> None:
    # 3 years at 10 %: lease 12,000 a year → PV 32,826; sale 30,000 → sale is cheaper
    ix = SiteIndex.from_rows(
        [
            _site("A", tenure="both", sale_price=30_000),
            _site("B", tenure="both", sale_price=40_000),
        ],
        [PARK],
    )
    res = match(
        ix,
        {"project": PROJECT, "as_of": "2025-06-01", "weights": {"cost": 1}},
        wages=WAGES,
        fx=FX,
        tax_function=fake_taxes,
        regimes={},
    ).to_dict()
    land = {
        r["site_id"]: (r["location_cost"]["land_tenure"], r["location_cost"]["components"]["land"])
        for r in res["results"]
    }
    assert land["A"] == ("sale", 30_000.0)
    assert land["B"][0] == "lease" and land["B"][1] == pytest.approx(12_000 * 2.7355372, abs=0.01)


def test_cost_only_ranks_by_location_cost_cheapest_first() -> None:
    rng = np.random.default_rng(7)
    leases = rng.integers(1_000, 100_000, size=40)
    currencies = rng.choice(["USD", "UZS", "RUB"], size=40)
    sites = [
        _site(
            f"S{i}",
            lease_per_year=float(v) * {"USD": 1, "UZS": 10_000, "RUB": 80}[c],
            currency=c,
            dist_rail_km=float(rng.integers(1, 50)),
        )
        for i, (v, c) in enumerate(zip(leases, currencies, strict=True))
    ]
    ix = SiteIndex.from_rows(sites, [PARK])
    doc = {
        "project": PROJECT,
        "as_of": "2025-06-01",
        "weights": {"cost": 1},
        "top": 40,
        "freight": {"tonnes_per_year": 1000, "cost_per_tonne_km": {"rail": 0.1}, "currency": "USD"},
    }
    res = match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes={}).to_dict()
    assert res["ranking"] == "location cost, cheapest first"
    npv = [r["location_cost"]["npv"] for r in res["results"]]
    assert npv == sorted(npv) and len(npv) == 40
    # brute force: only land and transport vary between these sites
    annuity = 2.7355371900826446
    want = sorted(
        (float(v) * annuity + 1000 * 0.1 * s["dist_rail_km"] * annuity, s["site_id"])
        for v, s in zip(leases, sites, strict=True)
    )
    assert [r["site_id"] for r in res["results"]] == [sid for _, sid in want]
    # the transport proxy: 1,000 t × 0.1 USD/t·km × distance, every operating year
    first = res["results"][0]
    d = next(s["dist_rail_km"] for s in sites if s["site_id"] == first["site_id"])
    assert first["location_cost"]["components"]["transport"] == pytest.approx(
        100 * d * annuity, abs=0.01
    )


def test_default_tax_function_uses_core_taxes() -> None:
    """Without regimes the taxes are core.taxes.compute_taxes at the park country's rates."""
    proj = {**PROJECT, "revenue": [{"year": 2026, "amount": 1_000_000}], "tax_overrides": {}}
    ix = SiteIndex.from_rows([_site("A")], [{**PARK, "regime_ids": []}])
    res = match(
        ix, {"project": proj, "as_of": "2025-06-01"}, wages=WAGES, fx=FX, regimes={}
    ).to_dict()
    r = res["results"][0]
    table = compute_taxes(parse_project(proj), fx=FX)
    want = float(table.lines["profit"].payable @ discount_factors(0.10, 3))
    assert r["location_cost"]["components"]["tax.profit"] == pytest.approx(want, abs=0.01)
    assert r["benefits_value"] == 0.0


def test_cached_park_costs_follow_park_edits_and_needs() -> None:
    cache: dict[Any, Any] = {}
    regimes: dict[str, Any] = {}
    ix = SiteIndex.from_rows([_site("A")], [PARK])
    doc = {"project": PROJECT, "horizon_years": 3, "as_of": "2025-06-01"}

    def electricity(d: dict[str, Any]) -> float:
        res = match(ix, d, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes=regimes,
                    tax_cache=cache).to_dict()  # fmt: skip
        return float(res["results"][0]["location_cost"]["components"]["utility.electricity"])

    annuity = 2.7355371900826446
    # 1 MW (the project's need) × 8,760 h × 1,000 UZS / 10,000 = 876,000 USD a year
    assert electricity(doc) == pytest.approx(876_000 * annuity, abs=0.01)
    assert electricity(doc) == pytest.approx(876_000 * annuity, abs=0.01)  # from the cache
    assert electricity({**doc, "electricity_mw": 2}) == pytest.approx(
        2 * 876_000 * annuity, abs=0.01
    )
    ix.upsert_parks([{**PARK, "tariffs": {"electricity": {"price": 500, "currency": "UZS"}}}])
    assert electricity(doc) == pytest.approx(438_000 * annuity, abs=0.01)
