"""Monte Carlo budget: 100,000 scenarios x 20 years with an IRR for each, in at most 1 s.

Measures, in one run on the same machine:

* the whole simulation of a 20-year project in a park (drawing the drivers, taxes with
  benefits, cash flows, NPV and IRR of every scenario): ``finance.risk.simulate``;
* the vectorised IRR alone on those scenarios' cash flows;
* the reference: ``numpy_financial.irr`` called scenario by scenario on a subset, scaled to
  the full count — the naive implementation the vectorised one replaces;

and prints the ratio, and how closely the two IRRs agree on the subset.

    .venv/bin/python bench/finance.py [--n 100000] [--reference 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy_financial as npf

from technopark.core.project import parse_project
from technopark.finance import metrics
from technopark.finance.risk import ScenarioModel, simulate
from technopark.incentives.engine import ParkFacts, reliefs_for

ROOT = Path(__file__).resolve().parents[1]
PARK = ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry"))


def twenty_year_project() -> dict[str, Any]:
    """The Eltech cable-plant example stretched to a 20-year horizon."""
    doc = json.loads((ROOT / "examples" / "project-eltech-cable-plant.json").read_text())
    start = doc["start_year"]
    doc["horizon_years"] = 20
    last = {k: doc[k][-1]["amount"] for k in ("revenue", "opex")}
    for key in ("revenue", "opex"):
        doc[key] += [{"year": y, "amount": last[key]} for y in range(start + 10, start + 20)]
    doc["jobs"] += [{"year": y, "count": 180} for y in range(start + 10, start + 20)]
    return doc


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="scenarios (default 100,000)")
    ap.add_argument("--reference", type=int, default=1_000, help="scenarios for the loop")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    doc = twenty_year_project()
    simulate(doc, 1_000, seed=args.seed, park=PARK)  # warm up: imports, regime data, caches

    t_sim, sim = timed(lambda: simulate(doc, args.n, seed=args.seed, park=PARK), args.repeat)

    # The same scenarios' cash flows again, for timing the IRR alone.
    project = parse_project(doc)
    model = ScenarioModel.build(project, sim.base, reliefs_for(project, PARK))
    factors = {
        k: sim.drivers.get(k, np.ones(args.n)) for k in ("revenue", "opex", "capex", "tax_rates")
    }
    cf = model.cash_flows(factors)
    assert np.allclose(metrics.npv(sim.base.discount_rate, cf), sim.npv)

    t_irr, (ours, codes) = timed(lambda: metrics.irr(cf, return_codes=True), args.repeat)
    m = min(args.reference, args.n)
    subset = cf[:m]
    t_ref, ref = timed(lambda: np.array([npf.irr(row) for row in subset]), 1)
    t_ref_scaled = t_ref * args.n / m

    both = ~np.isnan(ours[:m]) & ~np.isnan(ref)
    diff = np.abs(ours[:m][both] - ref[both]).max() if both.any() else float("nan")
    s = sim.to_dict()

    years = cf.shape[1]
    rows = [
        (
            f"simulate(): {args.n:,} scenarios x {years} years, taxes + benefits + NPV + IRR",
            f"{t_sim:.3f} s",
        ),
        (f"vectorised IRR only ({args.n:,} scenarios)", f"{t_irr:.3f} s"),
        (f"numpy_financial.irr loop ({m:,} scenarios, x{args.n / m:g})", f"{t_ref_scaled:.3f} s"),
        ("speed-up of the IRR (reference / vectorised)", f"{t_ref_scaled / t_irr:.0f}x"),
        ("budget (DESIGN.md): simulate <= 1 s", "met" if t_sim <= 1.0 else "NOT met"),
        (f"max |IRR - numpy_financial.irr| on {int(both.sum())} scenarios", f"{diff:.1e}"),
        ("scenarios with a unique IRR", f"{(codes == 0).mean():.1%}"),
        (
            "NPV P5 / P50 / P95",
            f"{s['npv']['p5']:,.0f} / {s['npv']['p50']:,.0f} / "
            f"{s['npv']['p95']:,.0f} {s['currency']}",
        ),
    ]
    width = max(len(a) for a, _ in rows)
    print(f"{'measure':<{width}}  value")
    for a, b in rows:
        print(f"{a:<{width}}  {b}")


if __name__ == "__main__":
    main()
