"""The engine's short cuts give what the plain definitions give: ranking totals against the
components shown, the near-miss quality against the overall score, and the values the index
derives (prices in the budget currency, each site's as-of date) after edits."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from technopark.siting.cost import CostContext, WageTable, cached_park_costs
from technopark.siting.engine import (
    _NearMissQuality,
    _overall,
    evaluate_constraints,
    match,
    quality_scores,
)
from technopark.siting.index import SiteIndex
from technopark.siting.requirements import parse_requirements

from .test_siting_cost import FX, PARK, PROJECT, WAGES, fake_taxes
from .test_siting_match import site_st

PARKS = [
    PARK,
    {**PARK, "park_id": "P2", "region": "Navoi region", "industries": ["27"], "as_of": "2020-01"},
    {"park_id": "P3", "country": "UZ", "region": "Tashkent region", "kind": "technopark"},
]
AS_OF = "2025-06-01"


def _rows(sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    parks = ["P1", "P2", "P3"]
    return [{**s, "site_id": f"S{i}", "park_id": parks[i % 3]} for i, s in enumerate(sites)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(site_st, min_size=1, max_size=30), st.sampled_from([None, 0, 1, 2]))
def test_each_total_is_the_sum_of_its_known_components(sites: list[dict], need: Any) -> None:
    """Every feasible site is ranked by a total worked out without its components; the
    components shown for it must add up to that total (the unknown ones left out)."""
    ix = SiteIndex.from_rows(_rows(sites), PARKS)
    doc: dict[str, Any] = {"project": PROJECT, "as_of": AS_OF, "top": 100}
    doc["weights"] = {"cost": 1}
    if need is not None:
        doc["electricity_mw"] = need
    res = match(ix, doc, wages=WAGES, fx=FX, tax_function=fake_taxes, regimes={}).to_dict()
    for r in res["results"]:
        cost = r["location_cost"]
        known = [v for v in cost["components"].values() if v is not None]
        assert cost["npv"] == pytest.approx(sum(known), abs=0.05)
        assert sorted(k for k, v in cost["components"].items() if v is None) == cost["unknown"]
    totals = [r["location_cost"]["npv"] for r in res["results"]]
    assert totals == sorted(totals)  # cost only: cheapest first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(site_st, min_size=1, max_size=30),
    st.fixed_dictionaries(
        {k: st.integers(0, 3) for k in ("infrastructure", "logistics", "labour", "freshness")}
        | {"cluster_fit": st.integers(0, 3), "cost": st.integers(0, 3)}
    ),
    st.booleans(),
    st.booleans(),
)
def test_near_miss_quality_is_the_overall_score_without_cost(
    sites: list[dict], weights: dict[str, int], with_needs: bool, with_limits: bool
) -> None:
    ix = SiteIndex.from_rows(_rows(sites), PARKS)
    doc: dict[str, Any] = {"as_of": AS_OF, "weights": weights}
    if with_needs:
        doc |= {"electricity_mw": 2, "gas_m3h": 5}
    if with_limits:
        doc["max_distance_km"] = {"rail": 30, "port": 300}
    if not any(weights.values()):
        doc["weights"] = {"freshness": 1}
    doc["industry"] = "2732"
    req = parse_requirements(doc)
    ctx = CostContext(requirements=req, fx=FX, wages=WageTable(WAGES), tax_cache={})
    pc = cached_park_costs(ix, ctx)
    rows = evaluate_constraints(ix, req, ctx).counts.nonzero()[0]  # any rows will do
    rows = rows if len(rows) else ix.col("park").nonzero()[0]
    plain, _ = _overall(
        quality_scores(ix, rows, req, pc),
        {k: w for k, w in req.weights.items() if k != "cost"},
        len(rows),
    )
    fast = _NearMissQuality(ix, req, pc).score(rows)
    assert fast == pytest.approx(plain, abs=1e-9)


def _site(sid: str, **kw: Any) -> dict[str, Any]:
    row = {"site_id": sid, "park_id": "P1", "kind": "plot", "area_ha": 2.0,
           "status": "available", "tenure": "lease", "lease_per_year": 10_000,
           "currency": "USD", "as_of": None}  # fmt: skip
    return row | kw


def test_budget_prices_follow_an_edited_price() -> None:
    """The prices in the budget currency are derived once per index version: an edit after
    a match must be seen by the next match."""
    ix = SiteIndex.from_rows([_site("A"), _site("B", lease_per_year=50_000)], PARKS)
    doc = {"as_of": AS_OF, "budget": {"max_lease_per_year": 20_000, "currency": "USD"}}
    first = match(ix, doc, fx=FX, regimes={}).to_dict()
    assert [r["site_id"] for r in first["results"]] == ["A"]
    ix.upsert([_site("A", lease_per_year=30_000), _site("B", lease_per_year=15_000)])
    second = match(ix, doc, fx=FX, regimes={}).to_dict()
    assert [r["site_id"] for r in second["results"]] == ["B"]
    # 12,000 USD = 120,000,000 UZS at the test rate of 10,000 per USD
    ix.upsert([_site("B", lease_per_year=120_000_000, currency="UZS")])
    third = match(ix, doc, fx=FX, regimes={}).to_dict()
    assert [r["site_id"] for r in third["results"]] == ["B"]
    # the same limit in UZS (20,000 USD = 200,000,000 UZS), then in USD again, then an edit
    in_uzs = {**doc, "budget": {"max_lease_per_year": 200_000_000, "currency": "UZS"}}
    assert [r["site_id"] for r in match(ix, in_uzs, fx=FX, regimes={}).to_dict()["results"]] == [
        "B"
    ]
    ix.upsert([_site("A", lease_per_year=19_000)])
    for d in (doc, in_uzs, doc):
        got = match(ix, d, fx=FX, regimes={}).to_dict()["results"]
        assert sorted(r["site_id"] for r in got) == ["A", "B"]


def test_a_site_without_a_date_takes_its_parks_even_after_the_park_changes() -> None:
    ix = SiteIndex.from_rows([_site("A")], [{**PARK, "as_of": "2025-05-01"}])
    doc = {"as_of": AS_OF, "weights": {"freshness": 1}}
    assert match(ix, doc, fx=FX, regimes={}).to_dict()["results"][0]["scores"]["freshness"] == 100
    ix.upsert_parks([{**PARK, "as_of": "2021-01-01"}])  # over three years before 2025-06-01
    res = match(ix, doc, fx=FX, regimes={}).to_dict()
    assert res["results"][0]["scores"]["freshness"] == 0
    ix.upsert_parks([{**PARK, "as_of": None}])
    res = match(ix, doc, fx=FX, regimes={}).to_dict()
    assert res["results"][0]["scores"]["freshness"] is None
    assert not math.isnan(res["results"][0]["score"])


_tariff = st.one_of(st.none(), st.floats(0.5, 5_000))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_tariff, _tariff, _tariff, _tariff), min_size=1, max_size=6),
    st.sampled_from([0, 2]),
    st.sampled_from([0, 40]),
)
def test_park_totals_are_the_sums_of_the_known_park_components(
    tariffs: list[tuple[float | None, ...]], mw: float, gas: float
) -> None:
    """A park's total for ranking (the labour and tax sum kept per project, plus one
    price × use product for the utilities) is the plain sum of its known components: each
    utility its PV-weighted consumption × tariff, 0 for a need of 0 even without a tariff,
    unknown (left out, counted) for a need without a tariff."""
    from technopark.siting.cost import PARK_COMPONENTS, park_totals

    utilities = ("electricity", "gas", "water", "wastewater")
    parks = [
        {
            **PARK,
            "park_id": f"P{i}",
            "tariffs": {
                u: {"price": p, "currency": "UZS"}
                for u, p in zip(utilities, prices, strict=True)
                if p is not None
            },
        }
        for i, prices in enumerate(tariffs)
    ]
    ix = SiteIndex.from_rows([], parks)
    doc = {"project": PROJECT, "as_of": AS_OF, "electricity_mw": mw, "gas_m3h": gas}
    req = parse_requirements(doc)
    ctx = CostContext(
        requirements=req, fx=FX, wages=WageTable(WAGES), tax_function=fake_taxes, tax_cache={}
    )
    pc = cached_park_costs(ix, ctx)
    total, unknown = park_totals(pc)
    for code in range(len(parks)):
        values = []
        for key in PARK_COMPONENTS:
            if key.startswith("utility."):
                u = key.split(".")[1]
                use = pc.utility_use[u]
                price = pc.unit_price[u][code]
                values.append(0.0 if use == 0 else use * price)
            else:
                values.append(float(pc.components[key][code]))
        known = [v for v in values if not math.isnan(v)]
        assert total[code] == pytest.approx(sum(known), rel=1e-12, abs=1e-6)
        assert unknown[code] == len(values) - len(known)


def test_land_costs_follow_an_edited_price() -> None:
    """Land costs read the prices the index derives in the output currency: an edit, or a
    change of currency, must show in the next match. No project: 10 years undiscounted, so
    a lease costs 10 × its yearly amount."""
    ix = SiteIndex.from_rows([_site("A")], PARKS)
    doc = {"as_of": AS_OF, "weights": {"cost": 1}, "currency": "USD"}

    def land() -> float:
        res = match(ix, doc, fx=FX, regimes={}).to_dict()
        return float(res["results"][0]["location_cost"]["components"]["land"])

    assert land() == pytest.approx(100_000)
    ix.upsert([_site("A", lease_per_year=30_000)])
    assert land() == pytest.approx(300_000)
    # 120,000,000 UZS a year at the test rate of 10,000 UZS per USD = 12,000 USD
    ix.upsert([_site("A", lease_per_year=120_000_000, currency="UZS")])
    assert land() == pytest.approx(120_000)
    doc["currency"] = "UZS"
    assert land() == pytest.approx(1_200_000_000)
