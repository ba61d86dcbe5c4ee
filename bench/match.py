"""Site-finder benchmark: one match over N synthetic sites, beside three references.

    .venv/bin/python bench/match.py [--sites 1000000] [--runs 30] [--seed 42]

Measures, with the index warm (built once; the park tax cache filled by a first query):

* engine   — ``siting.engine.match``: every hard constraint, the quality scores, the location
             cost of every feasible site (the totals that rank them) and every component of
             the top 50 with their explanations, ``to_dict``. The judged figure is a new query
             each run for the same project: the need for electricity changes, so the pass,
             the utility costs, every feasible site's cost and every score are worked out
             again; the project's taxes and labour per park stay cached. That is the
             operation the issue names ("filter, score, full location cost of the top 50");
             the same with the default 10 near misses (scoring ~55,000 sites that fail one
             constraint) is printed beside it, and the same query again (nothing changed);
             the new-query runs alternate with the floor's, run by run, so both see the
             same load on this shared machine;
* (a) loop — the same query as a pure-Python loop over 10,000 site dicts, scaled × N/10,000
             (the naive implementation; simplified: land, park-level costs and transport, no
             explanations or near misses — so it flatters the loop; the lead may swap in the
             Django ORM);
* (a′) ORM  — the same query through the Django ORM: 10,000 of the sites written to a fresh
             SQLite database, each run reading them with ``Site.objects.select_related("park")``
             into the same Python loop, scaled × N/10,000 (what a Django view without the index
             would do);
* (b) duckdb — the same filter and ordering as SQL in DuckDB over the same arrays;
* (c) floor — a numpy pass summing every column the filter reads (memory-bandwidth floor).

Prints p50/p95 in ms, the ratios, and the index memory. Budget (DESIGN.md): p50 ≤ 100 ms for
1,000,000 sites on 2 cores, and within 3× of the floor. All data is synthetic (seeded); tariffs,
prices and wages are invented for the benchmark and mean nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from technopark.core.taxes import FxRate, FxTable  # noqa: E402
from technopark.siting.cost import WageTable  # noqa: E402
from technopark.siting.engine import match  # noqa: E402
from technopark.siting.index import SiteIndex  # noqa: E402
from technopark.siting.requirements import parse_requirements  # noqa: E402

UZ_REGIONS = [
    "Tashkent region",
    "Tashkent city",
    "Navoi region",
    "Bukhara region",
    "Jizzakh region",
    "Samarkand region",
    "Fergana region",
    "Khorezm region",
]
RU_REGIONS = ["Moscow", "Moscow Oblast", "Pskov Oblast"] + [f"RU region {i:02d}" for i in range(20)]
KINDS = [
    "technopark",
    "industrial_park",
    "sez",
    "fez",
    "small_industrial_zone",
    "technopolis",
    "cluster",
]
ISIC = ["2732", "2710", "2790", "2910", "2011", "2220", "3100", "1050", "2599", "2811"]
PER_USD = {"UZS": 12_652.3, "RUB": 83.3}

QUERY: dict[str, Any] = {
    "countries": ["UZ", "RU"],
    "site_kind": "plot",
    "area_ha_min": 1,
    "area_ha_max": 10,
    "electricity_mw": 2,
    "water_m3d": 20,
    "tenure": "any",
    "max_distance_km": {"rail": 30, "highway": 20},
    "budget": {"max_lease_per_year": 100_000, "max_sale_price": 2_000_000, "currency": "USD"},
    "top": 50,
    "near_misses": 10,
    "as_of": "2025-12-01",
    "freight": {"tonnes_per_year": 10_000, "cost_per_tonne_km": {"rail": 0.05}, "currency": "USD"},
}


# --------------------------------------------------------------------------- data


def make_parks(n_parks: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    parks = []
    for i in range(n_parks):
        uz = rng.random() < 0.6
        country = "UZ" if uz else "RU"
        region = str(rng.choice(UZ_REGIONS if uz else RU_REGIONS))
        kind = str(rng.choice(KINDS))
        cur = "UZS" if uz else "RUB"
        regimes: list[str] = []
        if uz and kind in ("sez", "fez"):
            regimes = ["uz-sez"]
        elif uz and kind == "small_industrial_zone":
            regimes = ["uz-small-industrial-zone"]
        elif not uz and kind == "sez":
            regimes = ["ru-sez-industrial"]

        def maybe(v: float) -> float | None:
            return None if rng.random() < 0.2 else v

        parks.append(
            {
                "park_id": f"P{i:06d}",
                "name": f"Synthetic park {i}",
                "kind": kind,
                "country": country,
                "region": region,
                "industries": list(rng.choice(ISIC, size=int(rng.integers(0, 4)), replace=False)),
                "regime_ids": regimes,
                "tariff_electricity_kwh": maybe(1000.0 if uz else 8.1),
                "tariff_electricity_currency": cur,
                "tariff_gas_1000m3": maybe(1_800_000.0 if uz else 6000.0),
                "tariff_gas_currency": cur,
                "tariff_water_m3": maybe(3000.0 if uz else 40.0),
                "tariff_water_currency": cur,
                "tariff_wastewater_m3": maybe(2200.0 if uz else 30.0),
                "tariff_wastewater_currency": cur,
                "conn_electricity_per_kw": maybe(float(rng.integers(50, 300)) * PER_USD[cur]),
                "conn_water_per_m3d": maybe(float(rng.integers(100, 900)) * PER_USD[cur]),
                "conn_currency": cur,
                "as_of": "2025-01-01",
            }
        )
    return parks


def make_sites(n: int, parks: list[dict[str, Any]], rng: np.random.Generator) -> dict[str, Any]:
    park_idx = rng.integers(0, len(parks), size=n)
    park_ids = np.array([p["park_id"] for p in parks], dtype=object)[park_idx]
    park_cur = np.array(["UZS" if p["country"] == "UZ" else "RUB" for p in parks], dtype=object)
    cur = park_cur[park_idx]
    per_usd = np.where(cur == "UZS", PER_USD["UZS"], PER_USD["RUB"])

    def holes(a: np.ndarray, share: float) -> np.ndarray:
        a = a.astype(np.float64)
        a[rng.random(len(a)) < share] = np.nan
        return a

    kind = np.where(rng.random(n) < 0.7, "plot", "premises").astype(object)
    area_ha = holes(np.round(rng.lognormal(1.0, 1.0, n), 2), 0.05)
    return {
        "site_id": [f"S{i:07d}" for i in range(n)],
        "park_id": park_ids,
        "kind": kind,
        "area_ha": area_ha,
        "area_m2": holes(np.round(rng.lognormal(7.5, 1.0, n)), 0.05),
        "status": rng.choice(
            np.array(["available", "reserved", "occupied"], dtype=object), n, p=[0.6, 0.2, 0.2]
        ),
        "tenure": rng.choice(np.array(["sale", "lease", "both"], dtype=object), n),
        "sale_price": holes(np.round(rng.lognormal(13.0, 1.0, n)) * per_usd, 0.1),
        "lease_per_year": holes(np.round(rng.lognormal(10.5, 1.0, n)) * per_usd, 0.1),
        "currency": cur,
        "electricity_mw": holes(np.round(rng.lognormal(1.0, 1.0, n), 1), 0.1),
        "gas_m3h": holes(np.round(rng.lognormal(5.0, 1.0, n)), 0.15),
        "water_m3d": holes(np.round(rng.lognormal(3.5, 1.0, n)), 0.1),
        "wastewater_m3d": holes(np.round(rng.lognormal(3.0, 1.0, n)), 0.15),
        "rail_siding": rng.choice(np.array([True, False, None], dtype=object), n),
        "hazard_class": rng.choice(np.array([1, 2, 3, 4, 5, None], dtype=object), n),
        "dist_airport_km": holes(np.round(rng.uniform(1, 200, n)), 0.05),
        "dist_rail_km": holes(np.round(rng.uniform(0, 80, n)), 0.05),
        "dist_port_km": holes(np.round(rng.uniform(50, 3000, n)), 0.05),
        "dist_highway_km": holes(np.round(rng.uniform(0, 50, n)), 0.05),
        "dist_border_km": holes(np.round(rng.uniform(5, 600, n)), 0.05),
        "source": np.full(n, "synthetic", dtype=object),
        "as_of": (np.datetime64("2022-01-01") + rng.integers(0, 4 * 365, n)).astype(
            "datetime64[D]"
        ),
    }


def make_wages() -> list[dict[str, Any]]:
    rows = [
        {
            "country": "UZ",
            "region": r,
            "year": 2024,
            "avg_monthly_wage": 5_000_000.0 + i * 4e5,
            "currency": "UZS",
        }
        for i, r in enumerate(UZ_REGIONS)
    ]
    rows += [
        {
            "country": "RU",
            "region": r,
            "year": 2024,
            "avg_monthly_wage": 60_000.0 + i * 9e3,
            "currency": "RUB",
        }
        for i, r in enumerate(RU_REGIONS[:3])
    ]
    rows.append(
        {
            "country": "RU",
            "region": "national",
            "year": 2024,
            "avg_monthly_wage": 87952,
            "currency": "RUB",
        }
    )
    return rows


def make_fx() -> FxTable:
    return FxTable(
        {c: {2024: FxRate(c, 2024, v, "synthetic", "synthetic")} for c, v in PER_USD.items()}
    )


# --------------------------------------------------------------------------- references


def python_loop(
    sites: list[dict[str, Any]], parks: dict[str, dict[str, Any]], pv: dict[str, Any]
) -> list[tuple[float, str]]:
    """The same query, naively: a dict per site, every constraint in Python, score and
    location cost of every feasible site, sort, top 50."""
    q = QUERY
    lo, hi = q["area_ha_min"] * 1e4, q["area_ha_max"] * 1e4
    annuity = pv["annuity"]
    out = []
    for s in sites:
        park = parks.get(s["park_id"])
        if park is None or park["country"] not in q["countries"]:
            continue
        if s["status"] != "available" or s["kind"] != "plot":
            continue
        area = s["area_ha"] * 1e4 if not math.isnan(s["area_ha"]) else s["area_m2"]
        if not (lo <= area <= hi):
            continue
        if not s["electricity_mw"] >= q["electricity_mw"] or not s["water_m3d"] >= q["water_m3d"]:
            continue
        if not s["dist_rail_km"] <= 30 or not s["dist_highway_km"] <= 20:
            continue
        if s["hazard_class"] is None or s["hazard_class"] > pv["hazard"]:
            continue
        f = 1.0 / PER_USD[s["currency"]]
        options = []
        if s["tenure"] in ("sale", "both") and s["sale_price"] * f <= 2_000_000:
            options.append(s["sale_price"] * f)
        if s["tenure"] in ("lease", "both") and s["lease_per_year"] * f <= 100_000:
            options.append(s["lease_per_year"] * f * annuity)
        if not options:
            continue
        land = min(options)
        cost = land + pv["park_cost"][s["park_id"]] + 10_000 * 0.05 * s["dist_rail_km"] * annuity
        infra = (min(s["electricity_mw"] / 2 / 2, 1) + min(s["water_m3d"] / 20 / 2, 1)) * 50
        logi = (100 * 30 / (30 + s["dist_rail_km"]) + 100 * 20 / (20 + s["dist_highway_km"])) / 2
        out.append((cost, infra, logi, s["site_id"]))
    costs = [o[0] for o in out]
    cmin, cmax = (min(costs), max(costs)) if costs else (0, 1)
    scored = [(-(100 * (cmax - c) / (cmax - cmin or 1) + i + g) / 3, sid) for c, i, g, sid in out]
    scored.sort()
    return scored[:50]


def duckdb_query(con: Any) -> list[tuple[Any, ...]]:
    """The same filter and ordering as SQL."""
    return con.execute(
        """
        WITH f AS (
          SELECT s.site_id, s.dist_rail_km, s.dist_highway_km, s.electricity_mw, s.water_m3d,
                 s.fx, s.tenure, s.sale_price, s.lease_per_year, p.park_cost, p.annuity
          FROM sites s JOIN parks p ON s.park = p.park
          WHERE s.country IN (0, 1) AND s.status = 0 AND s.kind = 0
            AND s.area_m2 BETWEEN 10000 AND 100000
            AND s.electricity_mw >= 2 AND s.water_m3d >= 20
            AND s.dist_rail_km <= 30 AND s.dist_highway_km <= 20
            AND s.hazard_class BETWEEN 1 AND 4
            AND ((s.tenure & 1 = 1 AND s.sale_price * s.fx <= 2000000)
              OR (s.tenure & 2 = 2 AND s.lease_per_year * s.fx <= 100000))
        ), c AS (
          SELECT *, least(
              CASE WHEN tenure & 1 = 1 AND sale_price * fx <= 2000000 THEN sale_price * fx END,
              CASE WHEN tenure & 2 = 2 AND lease_per_year * fx <= 100000
                   THEN lease_per_year * fx * annuity END)
            + park_cost + 10000 * 0.05 * dist_rail_km * annuity AS cost
          FROM f
        )
        SELECT site_id, cost,
          (100 * (max(cost) OVER () - cost) / (max(cost) OVER () - min(cost) OVER ())
           + (least(electricity_mw / 4, 1) + least(water_m3d / 40, 1)) * 50
           + (100 * 30 / (30 + dist_rail_km) + 100 * 20 / (20 + dist_highway_km)) / 2) / 3
           AS score
        FROM c ORDER BY score DESC LIMIT 50
        """
    ).fetchall()


def floor_pass(ix: SiteIndex) -> float:
    """Sum every column the filter reads (one read of each, the memory-bandwidth floor)."""
    total = 0.0
    for name in (
        "country",
        "status",
        "kind",
        "area_m2",
        "electricity_mw",
        "water_m3d",
        "hazard_class",
        "tenure",
        "dist_rail_km",
        "dist_highway_km",
        "sale_price",
        "lease_per_year",
        "currency",
    ):
        total += float(ix.col(name).sum())
    total += float(ix.alive.sum())
    return total


# --------------------------------------------------------------------------- timing


def orm_reference(
    cols: dict[str, Any], parks: list[dict[str, Any]], m: int, pv: dict[str, Any], runs: int
) -> list[float]:
    """(a′): the first ``m`` sites in a fresh SQLite database through the Django ORM, read
    with ``select_related`` into :func:`python_loop` each run. Times in ms, unscaled."""
    import os
    import tempfile
    from decimal import Decimal

    tmp = tempfile.mkdtemp(prefix="bench-match-orm-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from technopark.parks.models import Park, Site
    from technopark.parks.services.reference import ensure_countries

    call_command("migrate", verbosity=0)
    ensure_countries()
    used = {str(pid) for pid in cols["park_id"][:m]}
    Park.objects.bulk_create(
        [
            Park(park_id=p["park_id"], name=p["name"], kind=p["kind"], country_id=p["country"])
            for p in parks
            if p["park_id"] in used
        ]
    )
    park_pk = dict(Park.objects.values_list("park_id", "id"))

    def num(v: Any) -> Decimal | None:
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else Decimal(str(v))

    decimal_fields = (
        "area_ha",
        "area_m2",
        "sale_price",
        "lease_per_year",
        "electricity_mw",
        "gas_m3h",
        "water_m3d",
        "wastewater_m3d",
        "dist_airport_km",
        "dist_rail_km",
        "dist_port_km",
        "dist_highway_km",
        "dist_border_km",
    )
    Site.objects.bulk_create(
        [
            Site(
                site_id=str(cols["site_id"][i]),
                park_id=park_pk[str(cols["park_id"][i])],
                kind=str(cols["kind"][i]),
                status=str(cols["status"][i]),
                tenure=str(cols["tenure"][i]),
                currency=str(cols["currency"][i]),
                hazard_class=cols["hazard_class"][i],
                rail_siding=cols["rail_siding"][i],
                **{f: num(float(cols[f][i])) for f in decimal_fields},
            )
            for i in range(m)
        ],
        batch_size=2000,
    )

    def fl(v: Any) -> float:
        return math.nan if v is None else float(v)

    def run() -> list[tuple[float, str]]:
        sites, park_rows = [], {}
        for s in Site.objects.select_related("park"):
            park_rows[s.park.park_id] = {"country": s.park.country_id}
            row = {f: fl(getattr(s, f)) for f in decimal_fields}
            row.update(
                site_id=s.site_id,
                park_id=s.park.park_id,
                kind=s.kind,
                status=s.status,
                tenure=s.tenure,
                currency=s.currency,
                hazard_class=s.hazard_class,
            )
            sites.append(row)
        return python_loop(sites, park_rows, pv)

    run()
    return timed(run, runs)


def timed(fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000.0)
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    n = args.sites
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    parks = make_parks(max(n // 50, 10), rng)
    cols = make_sites(n, parks, rng)
    t1 = time.perf_counter()
    ix = SiteIndex.from_columns(cols, parks)
    t2 = time.perf_counter()
    project = json.loads((ROOT / "examples" / "project-eltech-cable-plant.json").read_text())
    req = parse_requirements({**QUERY, "project": project, "near_misses": 0})
    fx, wages = make_fx(), WageTable(make_wages())
    cache: dict[Any, Any] = {}

    def engine() -> dict[str, Any]:
        return match(ix, req, wages=wages, fx=fx, tax_cache=cache).to_dict()

    t3 = time.perf_counter()
    first = engine()  # fills the per-park tax cache
    t4 = time.perf_counter()
    engine_ms = timed(engine, args.runs)

    # A different query each run for the same project (the need for electricity changes, so
    # the constraint pass, the utility costs, every feasible site's cost and every score are
    # worked out again; the project's taxes and labour per park stay cached). Timed in turns
    # with the floor, run by run, so that both see the same load on this shared machine.
    def variant(i: int, near: int) -> Any:
        doc = {**QUERY, "project": project, "electricity_mw": 2 + 0.001 * (i + 1)}
        return parse_requirements({**doc, "near_misses": near})

    plain = [variant(i, 0) for i in range(args.runs)]
    near = [variant(i, QUERY["near_misses"]) for i in range(args.runs)]
    fresh_ms: list[float] = []
    near_ms: list[float] = []
    floor_ms: list[float] = []
    for i in range(args.runs):
        for req_i, out in ((plain[i], fresh_ms), (near[i], near_ms)):
            t = time.perf_counter()
            match(ix, req_i, wages=wages, fx=fx, tax_cache=cache).to_dict()
            out.append((time.perf_counter() - t) * 1000.0)
        t = time.perf_counter()
        floor_pass(ix)
        floor_ms.append((time.perf_counter() - t) * 1000.0)
    from technopark.siting.cost import CostContext
    from technopark.siting.engine import evaluate_constraints

    fctx = CostContext(requirements=req, fx=fx, wages=wages, tax_cache=cache)
    filter_ms = timed(lambda: evaluate_constraints(ix, req, fctx), args.runs)

    # (a) pure-Python loop over 10,000 site dicts, scaled
    m = min(10_000, n)
    keys = list(cols)
    dict_sites = [
        {k: (cols[k][i].item() if hasattr(cols[k][i], "item") else cols[k][i]) for k in keys}
        for i in range(m)
    ]
    for s in dict_sites:
        s["hazard_class"] = s["hazard_class"]
    park_by_id = {p["park_id"]: p for p in parks}
    from technopark.siting.cost import PARK_COMPONENTS, park_costs

    ctx = CostContext(requirements=req, fx=fx, wages=wages, tax_cache=cache)
    pc = park_costs(ix, ctx)
    park_cost_arr = np.nansum(np.vstack([pc.component(k) for k in PARK_COMPONENTS]), axis=0)
    pv = {
        "annuity": float(ctx.disc.sum()),
        "hazard": req.hazard_class,
        "park_cost": {pid: float(park_cost_arr[ix.parks.vocab.get(pid)]) for pid in park_by_id},
    }
    loop_ms = [t * (n / m) for t in timed(lambda: python_loop(dict_sites, park_by_id, pv), 3)]
    orm_ms = [t * (n / m) for t in orm_reference(cols, parks, m, pv, 3)]

    # (b) DuckDB over the same arrays
    import duckdb

    con = duckdb.connect()
    f_usd = np.array([1.0 / PER_USD[c] for c in ix.currencies] + [math.nan])
    site_tbl = {
        name: ix.col(name)
        for name in (
            "park",
            "country",
            "status",
            "kind",
            "area_m2",
            "electricity_mw",
            "water_m3d",
            "hazard_class",
            "tenure",
            "dist_rail_km",
            "dist_highway_km",
            "sale_price",
            "lease_per_year",
        )
    }
    site_tbl["fx"] = f_usd[ix.col("currency")]
    site_tbl["site_id"] = ix.ids
    con.register("sites", site_tbl)
    con.register(
        "parks",
        {
            "park": np.arange(len(ix.parks), dtype=np.int32),
            "park_cost": park_cost_arr,
            "annuity": np.full(len(ix.parks), pv["annuity"]),
        },
    )
    duckdb_query(con)
    duck_ms = timed(lambda: duckdb_query(con), max(5, args.runs // 3))

    e50, e95 = pct(fresh_ms, 50), pct(fresh_ms, 95)
    rows = [
        ("engine, new query each run (the judged figure)", fresh_ms),
        ("engine, the same with 10 near misses", near_ms),
        ("engine, same query again (park costs cached)", engine_ms),
        ("  hard-constraint pass alone", filter_ms),
        (f"(a) pure-Python loop, {m:,} dicts × {n / m:g}", loop_ms),
        (f"(a′) Django ORM + Python loop, {m:,} rows × {n / m:g}", orm_ms),
        ("(b) DuckDB SQL, same filter and ordering", duck_ms),
        ("(c) floor: numpy sum of the filter's columns", floor_ms),
    ]
    print(
        f"sites {n:,}  parks {len(parks):,}  feasible {first['feasible_count']:,}  "
        f"in scope {first['in_scope_count']:,}"
    )
    print(
        f"data generation {t1 - t0:.1f} s, index build {t2 - t1:.1f} s, first (cold tax "
        f"cache) match {(t4 - t3) * 1000:.0f} ms"
    )
    print(f"index memory: {ix.nbytes / 1e6:,.1f} MB ({ix.nbytes / n:,.0f} bytes per site)")
    print("ratios: the first row (a new query each run) ÷ each row, p50")
    print(f"{'':52}{'p50 ms':>10}{'p95 ms':>10}{'ratio':>10}")
    for label, xs in rows:
        p50 = pct(xs, 50)
        print(f"{label:52}{p50:>10.1f}{pct(xs, 95):>10.1f}{e50 / p50:>10.2f}")
    floor50 = pct(floor_ms, 50)
    ok_abs = e50 <= 100.0
    ok_rel = e50 <= 3 * floor50
    f50 = pct(filter_ms, 50)
    print(
        f"budget (new query each run): p50 ≤ 100 ms: {'yes' if ok_abs else 'NO'} "
        f"({e50:.1f} ms); within 3× of the floor: {'yes' if ok_rel else 'NO'} "
        f"({e50 / floor50:.1f}×; with 10 near misses {pct(near_ms, 50) / floor50:.1f}×; "
        f"same query again {pct(engine_ms, 50) / floor50:.1f}×; "
        f"hard-constraint pass alone {f50 / floor50:.1f}×)"
    )
    print(
        f"speed-up over the Python loop ×{pct(loop_ms, 50) / e50:,.0f}; "
        f"over the Django ORM loop ×{pct(orm_ms, 50) / e50:,.0f}; "
        f"over DuckDB ×{pct(duck_ms, 50) / e50:.1f}; p95 {e95:.1f} ms"
    )


if __name__ == "__main__":
    main()
