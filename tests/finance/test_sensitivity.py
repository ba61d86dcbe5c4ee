"""Tornado and two-way tables on hand-worked and example documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from technopark.finance.engine import Drivers, evaluate
from technopark.finance.sensitivity import SENSITIVITY_DRIVERS, tornado, two_way
from technopark.incentives.engine import ParkFacts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def tax_free() -> dict[str, Any]:
    """-1,000 now; 500 of revenue and 100 of opex in each of 4 years; no tax; 10 %."""
    return {
        "name": "Tax-free",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": 5,
        "discount_rate": 0.10,
        "industry": "C",
        "hazard_class": 5,
        "residency_start": "2025-01-01",
        "commissioning_year": 2026,
        "land_area_ha": 0,
        "capex": [{"year": 2025, "amount": 1000, "asset": "equipment"}],
        "revenue": [{"year": y, "amount": 500} for y in range(2026, 2030)],
        "opex": [{"year": y, "amount": 100} for y in range(2026, 2030)],
        "jobs": [],
        "tax_overrides": {
            "profit_rate": 0,
            "property_rate": 0,
            "land_rate_per_ha": 0,
            "water_rate_per_m3": 0,
            "social_rate": 0,
        },
    }


def test_tornado_by_hand() -> None:
    # Annuity factor A4 = (1 - 1.1**-4)/0.1 = 3.169865; base NPV = -1000 + 400 A4 = 267.946.
    # revenue ±10 %: ±50 A4 = ±158.493; opex ±10 %: ∓10 A4 = ∓31.699;
    # capex ±10 %: ∓100;
    # delay 1 year: flows 2027..2029 only: -1000 + 400 (A4 - 1/1.1) = -95.690 (the 2030 flow
    # falls past the horizon);
    # discount rate ±10 % (9 % and 11 %): -1000 + 400 x 3.239720 = 295.888,
    #                                     -1000 + 400 x 3.102446 = 240.978;
    # tax rates ±10 %: all zero, no effect.
    a4 = (1 - 1.1**-4) / 0.1
    t = tornado(tax_free())
    assert t["base"] == pytest.approx(-1000 + 400 * a4)
    bars = {b["driver"]: b for b in t["bars"]}
    assert set(bars) == set(SENSITIVITY_DRIVERS)
    assert bars["revenue"]["low"] == pytest.approx(t["base"] - 50 * a4)
    assert bars["revenue"]["high"] == pytest.approx(t["base"] + 50 * a4)
    assert bars["opex"]["low"] == pytest.approx(t["base"] + 10 * a4)
    assert bars["capex"]["high"] == pytest.approx(t["base"] - 100)
    delay = -1000 + 400 * (a4 - 1 / 1.1)
    assert bars["commissioning_delay"]["low"] == pytest.approx(t["base"])
    assert bars["commissioning_delay"]["high"] == pytest.approx(delay, abs=1e-3)
    assert bars["discount_rate"]["low"] == pytest.approx(295.888, abs=1e-3)
    assert bars["discount_rate"]["high"] == pytest.approx(240.978, abs=1e-3)
    assert bars["tax_rates"]["swing"] == pytest.approx(0.0)
    # Largest swing first: delay (363.6), revenue (317.0), capex (200), opex (63.4), ...
    assert [b["driver"] for b in t["bars"]][:4] == [
        "commissioning_delay",
        "revenue",
        "capex",
        "opex",
    ]


def test_tornado_of_irr_and_with_a_park() -> None:
    doc = json.loads((EXAMPLES / "project-eltech-cable-plant.json").read_text())
    park = ParkFacts(
        "uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry")
    )
    t = tornado(doc, metric="irr", park=park, change=0.2)
    base = evaluate(doc, park=park)
    assert t["base"] == pytest.approx(base.irr)
    bars = {b["driver"]: b for b in t["bars"]}
    # Higher tax rates lower the IRR; a lower discount rate leaves the IRR alone.
    assert bars["tax_rates"]["high"] < t["base"] < bars["tax_rates"]["low"]
    assert bars["discount_rate"]["swing"] == pytest.approx(0.0, abs=1e-12)
    json.dumps(t, allow_nan=False)


def test_two_way_table_matches_single_evaluations() -> None:
    xs, ys = [0.9, 1.0, 1.1], [0, 1]
    t = two_way(tax_free(), ("revenue", xs), ("commissioning_delay", ys))
    assert t["x"] == {"driver": "revenue", "values": xs}
    assert len(t["table"]) == 2 and len(t["table"][0]) == 3
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            expected = evaluate(tax_free(), drivers=Drivers(revenue=x, delay_years=y)).npv
            assert t["table"][i][j] == pytest.approx(expected)
    # The middle of the first row is the base case.
    assert t["table"][0][1] == pytest.approx(evaluate(tax_free()).npv)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: tornado(tax_free(), change=1.5), "between 0 and 1"),
        (lambda: tornado(tax_free(), metric="ebitda"), "Unknown metric"),
        (lambda: tornado(tax_free(), drivers=["price"]), "Unknown driver"),
        (lambda: two_way(tax_free(), ("revenue", [1]), ("revenue", [1])), "must differ"),
        (lambda: two_way(tax_free(), ("revenue", [-1]), ("opex", [1])), ">= 0"),
        (
            lambda: two_way(tax_free(), ("commissioning_delay", [0.5]), ("opex", [1])),
            "whole number",
        ),
        (lambda: tornado(tax_free(), delay_years=0), "whole number of years >= 1"),
        (
            lambda: two_way(tax_free(), ("revenue", [1.0] * 60), ("opex", [1.0] * 60)),
            "at most 2,500 cells",
        ),
    ],
)
def test_bad_requests_are_explained(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_a_delay_past_the_horizon_is_a_project_that_never_starts() -> None:
    # Commissioning in the last year (2029) and a 1-year delay: no revenue within the horizon.
    doc = tax_free()
    doc["commissioning_year"] = 2029
    doc["revenue"] = [{"year": 2029, "amount": 500}]
    doc["opex"] = [{"year": 2029, "amount": 100}]
    park = ParkFacts("some-fez", "UZ", "fez", ("uz-sez",))
    late = evaluate(doc, drivers=Drivers(delay_years=1), park=park)
    assert late.revenue.sum() == 0 and late.npv == pytest.approx(-1000.0)
    assert late.to_dict()["irr"] is None
