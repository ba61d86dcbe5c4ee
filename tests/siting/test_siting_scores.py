"""Scores, ranking by overall score, explanations and edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from technopark.core.taxes import FxRate, FxTable
from technopark.siting.engine import match
from technopark.siting.index import SiteIndex

FX = FxTable({"UZS": {2025: FxRate("UZS", 2025, 10_000.0, "test", "test")}})
PARKS = [
    {"park_id": "P1", "name": "Cable park", "country": "UZ", "region": "Tashkent region",
     "kind": "sez", "industries": ["2732"], "as_of": "2025-01-01"},
    {"park_id": "P2", "name": "Metal park", "country": "UZ", "region": "Navoi region",
     "kind": "fez", "industries": ["2410", "27"]},
    {"park_id": "P3", "name": "Food park", "country": "UZ", "region": "Bukhara region",
     "kind": "technopark", "industries": ["1050"]},
    {"park_id": "P4", "name": "Empty park", "country": "UZ", "region": "Bukhara region",
     "kind": "technopark"},
]  # fmt: skip
AS_OF = "2025-06-01"


def _site(sid: str, **kw: Any) -> dict[str, Any]:
    row = {"site_id": sid, "park_id": "P1", "kind": "plot", "area_ha": 2.0,
           "status": "available", "tenure": "lease", "lease_per_year": 10_000, "currency": "USD",
           "electricity_mw": 4.0, "dist_rail_km": 10.0, "as_of": "2025-05-01"}  # fmt: skip
    row.update(kw)
    return row


def _run(sites: list[dict[str, Any]], doc: dict[str, Any]) -> dict[str, Any]:
    ix = SiteIndex.from_rows(sites, PARKS)
    return match(ix, {"as_of": AS_OF, **doc}, fx=FX, regimes={}).to_dict()


def test_empty_index_and_nothing_feasible() -> None:
    assert _run([], {})["feasible_count"] == 0
    res = _run([_site("A", status="occupied")], {"near_misses": 0})
    assert res["feasible_count"] == 0 and res["results"] == [] and res["near_misses"] == []
    ix = SiteIndex.from_rows([_site("A")], PARKS)
    ix.remove(["A"])
    assert match(ix, {"as_of": AS_OF}, fx=FX, regimes={}).to_dict()["results"] == []


@pytest.mark.parametrize(
    ("park", "score"),
    [("P1", 100.0), ("P2", 50.0), ("P3", 25.0), ("P4", None)],
    ids=["same class", "same division", "same section", "no specialisation"],
)
def test_cluster_fit_levels(park: str, score: float | None) -> None:
    res = _run([_site("A", park_id=park)], {"industry": "2732"})
    assert res["results"][0]["scores"]["cluster_fit"] == score


def test_infrastructure_headroom_and_logistics_curve() -> None:
    # need 2 MW: 4 MW free = twice the need → 100; 2 MW → 50; rail 10 km at limit 10 km → 50
    res = _run(
        [_site("A", electricity_mw=4.0), _site("B", electricity_mw=2.0)],
        {"electricity_mw": 2, "max_distance_km": {"rail": 10},
         "weights": {"infrastructure": 1, "logistics": 1}},
    )  # fmt: skip
    by_id = {r["site_id"]: r for r in res["results"]}
    assert by_id["A"]["scores"]["infrastructure"] == 100.0
    assert by_id["B"]["scores"]["infrastructure"] == 50.0
    assert by_id["A"]["scores"]["logistics"] == 50.0
    assert by_id["A"]["score"] == 75.0 and by_id["B"]["score"] == 50.0
    assert [r["site_id"] for r in res["results"]] == ["A", "B"]
    assert res["weights"] == {"infrastructure": 0.5, "logistics": 0.5}
    assert "4 MW of power free against 2 MW needed." in by_id["A"]["reasons"]
    assert any("10 km to rail (limit 10 km)" in s for s in by_id["A"]["reasons"])


def test_unscorable_factors_are_dropped_and_weights_renormalised() -> None:
    # no utility need and no ISIC code: infrastructure and cluster fit cannot be scored
    res = _run([_site("A")], {})
    assert set(res["weights"]) == {"cost", "logistics", "labour", "freshness"}
    assert sum(res["weights"].values()) == pytest.approx(1.0)
    r = res["results"][0]
    assert r["scores"]["infrastructure"] is None and r["scores"]["cluster_fit"] is None


def test_results_are_ordered_by_overall_score() -> None:
    sites = [_site(f"S{i}", electricity_mw=float(i), dist_rail_km=float(30 - i), as_of=None)
             for i in range(1, 25)]  # fmt: skip
    res = _run(sites, {"electricity_mw": 1, "top": 24})
    scores = [r["score"] for r in res["results"]]
    assert scores == sorted(scores, reverse=True)
    assert [r["rank"] for r in res["results"]] == list(range(1, 25))
    # no site date: the park's as_of is used (P1: 2025-01-01, 151 days before 2025-06-01)
    assert "Site data as of 2025-01-01 (151 days old)." in res["results"][0]["reasons"]


def test_freshness_falls_from_180_days_to_three_years() -> None:
    res = _run(
        [
            _site("new", as_of="2025-05-01"),
            _site("old", as_of="2021-01-01"),
            _site("mid", as_of="2024-01-11"),
        ],
        {"weights": {"freshness": 1}, "top": 3},
    )
    s = {r["site_id"]: r["scores"]["freshness"] for r in res["results"]}
    assert s["new"] == 100.0 and s["old"] == 0.0
    # 2024-01-11 → 2025-06-01 is 507 days: 100 × (1 − (507 − 180) / (1095 − 180)) = 64.26
    assert s["mid"] == pytest.approx(64.26, abs=0.01)


def test_budget_near_miss_names_prices_in_the_budget_currency() -> None:
    res = _run(
        [_site("A", lease_per_year=500_000_000, currency="UZS")],
        {"budget": {"max_lease_per_year": 20_000, "currency": "USD"}},
    )
    (miss,) = res["near_misses"]
    assert miss["violations"] == [
        {
            "constraint": "budget",
            "required": {"currency": "USD", "max_lease_per_year": 20_000.0},
            "available": {"currency": "USD", "lease_per_year": 50_000.0},
        }
    ]
    assert res["constraint_failures"] == {"status": 0, "budget": 1}


def test_a_currency_without_rate_makes_the_price_unknown() -> None:
    res = _run(
        [_site("A", lease_per_year=1000, currency="EUR")],
        {"budget": {"max_lease_per_year": 20_000, "currency": "USD"}},
    )
    assert res["near_misses"][0]["violations"][0]["available"]["lease_per_year"] == "unknown"
    ok = _run(
        [_site("A", lease_per_year=1000, currency="EUR")],
        {"budget": {"max_lease_per_year": 20_000, "currency": "USD"}, "unknown_ok": True},
    )
    r = ok["results"][0]
    assert (
        r["location_cost"]["components"]["land"] is None and "land" in r["location_cost"]["unknown"]
    )
