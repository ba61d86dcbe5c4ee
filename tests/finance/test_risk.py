"""Monte Carlo: sampling, the vectorised scenario model against compute_taxes, convergence."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from technopark.core.project import parse_project
from technopark.finance import metrics
from technopark.finance.engine import Drivers, evaluate
from technopark.finance.risk import (
    Distribution,
    RiskSpecError,
    ScenarioModel,
    normal_cdf,
    parse_distributions,
    sample_drivers,
    simulate,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def tax_free(horizon: int = 6) -> dict[str, Any]:
    """1,000 of capex now, 400 of revenue and 100 of opex a year after, no taxes."""
    return {
        "name": "Tax-free test",
        "currency": "USD",
        "country": "UZ",
        "start_year": 2025,
        "horizon_years": horizon,
        "discount_rate": 0.10,
        "industry": "C",
        "hazard_class": 5,
        "residency_start": "2025-01-01",
        "commissioning_year": 2025,
        "land_area_ha": 0,
        "capex": [{"year": 2025, "amount": 1000, "asset": "equipment"}],
        "revenue": [{"year": 2025 + i, "amount": 400} for i in range(1, horizon)],
        "opex": [{"year": 2025 + i, "amount": 100} for i in range(1, horizon)],
        "jobs": [],
        "tax_overrides": {
            "profit_rate": 0,
            "property_rate": 0,
            "land_rate_per_ha": 0,
            "water_rate_per_m3": 0,
            "social_rate": 0,
        },
    }


# --------------------------------------------------------------------------- sampling


def test_normal_cdf_known_values() -> None:
    # Abramowitz-Stegun table 26.1: Phi(1) = 0.8413447461, Phi(-1.959964) = 0.025,
    # Phi(-8) = 6.22096e-16 (the tail stays accurate because erfc is used).
    out = normal_cdf(np.array([1.0, -1.959963984540054, 0.0, -8.0]))
    assert out[:3] == pytest.approx([0.8413447461, 0.025, 0.5], abs=1e-10)
    assert out[3] == pytest.approx(6.220960574271785e-16, rel=1e-9)


@pytest.mark.parametrize(
    ("spec", "mean", "sd"),
    [
        ({"dist": "normal", "mean": 1.0, "sd": 0.1}, 1.0, 0.1),
        ({"dist": "lognormal", "mean": 1.0, "sd": 0.2}, 1.0, 0.2),  # moments of the variable
        ({"dist": "uniform", "low": 0.8, "high": 1.2}, 1.0, 0.4 / math.sqrt(12)),
        # triangular: mean (a+b+c)/3, var (a²+b²+c²-ab-ac-bc)/18
        ({"dist": "triangular", "low": 0.8, "mode": 1.0, "high": 1.1}, 2.9 / 3, None),
        # PERT: mean (a + 4m + b)/6 (Vose 2008, §9.1.4)
        ({"dist": "pert", "low": 0.8, "mode": 1.0, "high": 1.3}, 6.1 / 6, None),
    ],
)
def test_sample_moments(spec: dict[str, Any], mean: float, sd: float | None) -> None:
    n = 400_000
    d = parse_distributions({"revenue": spec})
    x = sample_drivers(d, n, seed=3)["revenue"]
    se = x.std() / math.sqrt(n)
    assert abs(x.mean() - mean) < 5 * se
    if sd is not None:
        assert x.std() == pytest.approx(sd, rel=0.01)
    if spec["dist"] == "triangular":
        a, c, b = 0.8, 1.0, 1.1
        var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
        assert x.var() == pytest.approx(var, rel=0.01)
        assert x.min() >= a and x.max() <= b


def test_pert_quantiles_match_the_beta_distribution() -> None:
    # PERT(0, 0.5, 1) is Beta(3, 3), whose CDF is 10x^3 - 15x^4 + 6x^5: at x = 0.3 it is
    # 0.27 - 0.1215 + 0.01458 = 0.16308.
    d = Distribution("pert", (0.0, 0.5, 1.0))
    z = np.array([-0.98215])  # Phi(z) = 0.16308
    u = float(normal_cdf(z)[0])
    x = float(d.from_normal(z)[0])
    assert 10 * x**3 - 15 * x**4 + 6 * x**5 == pytest.approx(u, abs=1e-7)


def test_correlation_through_the_gaussian_copula() -> None:
    d = parse_distributions(
        {
            "revenue": {"dist": "normal", "mean": 1, "sd": 0.1},
            "opex": {"dist": "normal", "mean": 1, "sd": 0.1},
            "capex": {"dist": "uniform", "low": 0.9, "high": 1.2},
        }
    )
    s = sample_drivers(
        d, 200_000, seed=11, correlation=[["revenue", "opex", 0.7], ["capex", "revenue", -0.3]]
    )
    assert np.corrcoef(s["revenue"], s["opex"])[0, 1] == pytest.approx(0.7, abs=0.01)
    # Uniform marginal: Pearson correlation with a normal is rho x 3/pi x ... ; check the
    # rank correlation instead: (6/pi) arcsin(rho/2) for a Gaussian copula.
    ranks = [np.argsort(np.argsort(s[k])) for k in ("capex", "revenue")]
    spearman = np.corrcoef(*ranks)[0, 1]
    assert spearman == pytest.approx(6 / math.pi * math.asin(-0.15), abs=0.01)


def test_same_seed_same_draws() -> None:
    d = parse_distributions({"revenue": {"dist": "pert", "low": 0.8, "mode": 1, "high": 1.1}})
    a = sample_drivers(d, 1000, seed=5)["revenue"]
    b = sample_drivers(d, 1000, seed=5)["revenue"]
    c = sample_drivers(d, 1000, seed=6)["revenue"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("spec", "correlation", "message"),
    [
        ({"price": {"dist": "normal", "mean": 1, "sd": 1}}, None, "$.price: unknown driver"),
        ({"revenue": {"dist": "gamma"}}, None, "$.revenue.dist: must be one of"),
        ({"revenue": {"dist": "normal", "mean": "x", "sd": 1}}, None, "$.revenue.mean: must be"),
        ({"revenue": {"dist": "normal", "mean": 1, "sd": -1}}, None, "$.revenue.sd: must be >= 0"),
        (
            {"revenue": {"dist": "triangular", "low": 1.2, "mode": 1, "high": 1.1}},
            None,
            "$.revenue: must have low <= mode <= high",
        ),
        (
            {"revenue": {"dist": "normal", "mean": 1, "sd": 0.1}},
            [["revenue", "opex", 0.5]],
            "$.correlation[0]: both drivers must have a distribution",
        ),
        (
            {
                "revenue": {"dist": "normal", "mean": 1, "sd": 0.1},
                "opex": {"dist": "normal", "mean": 1, "sd": 0.1},
                "capex": {"dist": "normal", "mean": 1, "sd": 0.1},
            },
            [["revenue", "opex", 0.9], ["revenue", "capex", 0.9], ["opex", "capex", -0.9]],
            "$.correlation: the correlations are inconsistent",
        ),
    ],
)
def test_bad_specifications_are_named(
    spec: dict[str, Any], correlation: list[Any] | None, message: str
) -> None:
    with pytest.raises(RiskSpecError) as err:
        sample_drivers(parse_distributions(spec), 10, seed=1, correlation=correlation)
    assert any(e.startswith(message) for e in err.value.errors), err.value.errors


# --------------------------------------------------------------------------- scenario model


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("project-eltech-cable-plant.json", {}),
        ("project-ru-sez-components-plant.json", {}),
        ("project-small-workshop.json", {}),
        # a loss that expires after two years and may offset half a year's profit
        (
            "project-ru-sez-components-plant.json",
            {"tax_overrides": {"loss_carry_years": 2, "loss_offset_limit": 0.5}},
        ),
    ],
)
def test_scenario_taxes_equal_compute_taxes(name: str, changes: dict[str, Any]) -> None:
    doc = {**example(name), **changes}
    project = parse_project(doc)
    reliefs = {"profit": np.linspace(1.0, 0.0, project.horizon_years)}
    model = ScenarioModel.build(project, evaluate(project, reliefs=reliefs), reliefs)
    rng = np.random.default_rng(2)
    for _ in range(15):
        f = dict(
            zip(("revenue", "opex", "capex", "tax_rates"), rng.uniform(0.3, 1.7, 4), strict=True)
        )
        one = evaluate(project, reliefs=reliefs, drivers=Drivers(**f))
        arrays = {k: np.array([v]) for k, v in f.items()}
        np.testing.assert_allclose(model.taxes(arrays)[0], one.taxes, rtol=1e-10, atol=1e-6)
        np.testing.assert_allclose(
            model.cash_flows(arrays)[0], one.net_cash_flow, rtol=1e-10, atol=1e-6
        )


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("project-*.json")))
def test_zero_variance_equals_the_deterministic_result(name: str) -> None:
    doc = example(name)
    fixed = {
        "revenue": {"dist": "normal", "mean": 1.0, "sd": 0.0},
        "opex": {"dist": "triangular", "low": 1.0, "mode": 1.0, "high": 1.0},
        "capex": {"dist": "pert", "low": 1.0, "mode": 1.0, "high": 1.0},
        "discount_rate": {"dist": "uniform", "low": 1.0, "high": 1.0},
        "tax_rates": {"dist": "lognormal", "mean": 1.0, "sd": 0.0},
    }
    sim = simulate(doc, 50, seed=1, distributions=fixed)
    base = evaluate(doc)
    np.testing.assert_allclose(sim.npv, base.npv, rtol=1e-10)
    if math.isnan(base.irr):
        assert np.isnan(sim.irr).all() and (sim.irr_codes == base.irr_code).all()
    else:
        np.testing.assert_allclose(sim.irr, base.irr, rtol=1e-10)
    out = sim.to_dict()
    assert out["npv"]["p5"] == pytest.approx(base.npv)
    assert out["npv"]["std"] <= 1e-9 * abs(base.npv)


# --------------------------------------------------------------------------- results


def test_percentiles_converge_to_the_analytic_quantiles() -> None:
    # Tax-free: NPV(f) = -1000 + f x 400 x A - 100 x A with A = (1 - 1.1**-5)/0.1 = 3.790787,
    # linear in the revenue factor f ~ U(0.9, 1.1), so the p-quantile of NPV is NPV at
    # f = 0.9 + 0.2 p: P5 at 0.91, P50 at 1.00, P95 at 1.09; P(NPV < 0) = 0 since
    # NPV(0.9) = -1000 + 1364.68 - 379.08 = -14.40 < 0 ... so P(NPV<0) = P(f < f0) with
    # f0 = (1000 + 379.0787)/(400 x 3.790787) = 0.909495, i.e. (0.909495 - 0.9)/0.2 = 0.047473.
    annuity = (1 - 1.1**-5) / 0.1
    npv_at = lambda f: -1000 + f * 400 * annuity - 100 * annuity  # noqa: E731
    spec = {"revenue": {"dist": "uniform", "low": 0.9, "high": 1.1}}
    errors = []
    for n in (2_000, 20_000, 200_000):
        s = simulate(tax_free(), n, seed=123, distributions=spec).to_dict()
        errors.append(abs(s["npv"]["p50"] - npv_at(1.0)))
        if n == 200_000:
            assert s["npv"]["p5"] == pytest.approx(npv_at(0.91), abs=1.0)
            assert s["npv"]["p50"] == pytest.approx(npv_at(1.00), abs=1.0)
            assert s["npv"]["p95"] == pytest.approx(npv_at(1.09), abs=1.0)
            assert s["npv"]["mean"] == pytest.approx(npv_at(1.0), abs=0.5)
            assert s["npv"]["probability_negative"] == pytest.approx(0.047473, abs=0.002)
    assert errors[-1] < 1.0  # standard error of the median at n = 200,000 is about 0.2


def test_simulation_output_is_complete_and_json_safe() -> None:
    sim = simulate(example("project-eltech-cable-plant.json"), 5_000, seed=9)
    out = sim.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert "NaN" not in text
    assert sum(out["npv_histogram"]["counts"]) == 5_000
    assert len(out["npv_histogram"]["bin_edges"]) == len(out["npv_histogram"]["counts"]) + 1
    for key in ("p5", "p50", "p95", "mean", "probability_negative"):
        assert out["npv"][key] is not None
    assert out["npv"]["p5"] <= out["npv"]["p50"] <= out["npv"]["p95"]
    assert 0 <= out["irr"]["share_with_irr"] <= 1
    # Every IRR found solves its scenario's NPV = 0.
    model = ScenarioModel.build(parse_project(example("project-eltech-cable-plant.json")), sim.base)
    f = {
        k: sim.drivers.get(k, np.ones(5_000))[:200]
        for k in ("revenue", "opex", "capex", "tax_rates")
    }
    cf = model.cash_flows(f)
    ok = ~np.isnan(sim.irr[:200])
    assert np.abs(metrics.npv(sim.irr[:200][ok], cf[ok])).max() < 1e-4


def test_simulation_is_reproducible_with_a_seed() -> None:
    doc = example("project-small-workshop.json")
    a = simulate(doc, 3_000, seed=77).to_dict()
    b = simulate(doc, 3_000, seed=77).to_dict()
    assert a == b


def test_bad_document_in_simulation_is_a_project_error() -> None:
    from technopark.core.project import ProjectError

    with pytest.raises(ProjectError):
        simulate({"name": "x"}, 10, seed=1)
    for n in (0, -5, 2.5, 10**9):
        with pytest.raises(RiskSpecError, match="from 1 to"):
            simulate(tax_free(), n, seed=1)  # type: ignore[arg-type]
    with pytest.raises(RiskSpecError, match=r"\$\.bins"):
        simulate(tax_free(), 10, seed=1, bins=0)
