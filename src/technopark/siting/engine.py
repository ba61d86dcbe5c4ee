"""The site finder: hard constraints, quality scores, location cost, ranking, near misses.

``match(index, requirements, ...)`` runs, over the columnar :class:`SiteIndex`:

1. **Hard constraints**, vectorised (one boolean pass per constraint over every row):
   scope (country, region, park kind — they define where to search), status = available,
   site kind, area within [min, max], each utility's free capacity ≥ need, rail siding,
   hazard class (a project of class c fits where c ≥ the site's class), tenure, each distance
   ≤ its maximum, budget (prices converted to the budget currency with dated FX). An unknown
   value fails its constraint as "unknown" unless ``unknown_ok``.
2. **Location cost** (:mod:`.cost`) of *every* feasible site — site components vectorised
   over sites, park components over parks, taxes once per park regime set — so the cost
   ranking is exact, not a re-ranking of a pre-filtered top N.
3. **Scores** 0..100 (fDi Benchmark style quality factors, weighted by the user):

   - infrastructure: per needed utility 100 × min(capacity / need / 2, 1) (twice the need or
     more = 100, exactly the need = 50), averaged;
   - logistics: per transport kind 100 × ref / (ref + distance), ref = the requirement's
     maximum distance or ``LOGISTICS_REF_KM`` (a distance of ref scores 50), averaged over the
     kinds the requirement limits (all five when none);
   - labour: what the data supports is only whether a wage figure exists for the park's
     region — 100 regional figure, 50 national fallback, 0 none. It measures data coverage,
     not the depth of the labour market (no labour-force counts are held);
   - cluster fit: the park's ISIC Rev.4 specialisations against the project's code: same
     class 100, group 75, division 50, section 25, else 0;
   - freshness: 100 up to ``FRESH_DAYS`` old, falling linearly to 0 at ``STALE_DAYS``;
   - cost: min–max over the feasible sites of the known location cost (cheapest = 100).

   A score that cannot be computed for any site (no needs given, no project ISIC code) is
   dropped and the remaining weights renormalised; a site whose own data is unknown scores 0
   on that factor. Overall = Σ w_k s_k / Σ w_k.
4. **Ranking** by overall score (ties: cheaper first); when only ``cost`` has a weight, by
   location cost, cheapest first.
5. **Near misses**: sites inside the search scope that fail one or two other constraints,
   each violation as ``{constraint, required, available}``; fewest violations first, then
   best quality score.

Reference: KPMG, *Competitive Alternatives* (2020), methodology; fDi Benchmark (Financial
Times), location-quality and cost-competitiveness model.

Pure Python + numpy: must not import Django.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from technopark.core.taxes import FxTable, load_fx

from . import explain
from .cost import (
    CostContext,
    ParkCosts,
    TaxFunction,
    WageTable,
    baseline_tax_outcome,
    cached_park_costs,
    prices_in,
    site_costs,
    site_totals,
)
from .index import (
    _EPOCH,
    KINDS,
    NO_DATE,
    PARK_KIND_CODES,
    STATUSES,
    RowsView,
    SiteIndex,
    parse_isic,
)
from .requirements import (
    SCORE_KEYS,
    TRANSPORT_KINDS,
    UTILITY_KEYS,
    Requirements,
    parse_requirements,
)

__all__ = [
    "FRESH_DAYS",
    "LOGISTICS_REF_KM",
    "STALE_DAYS",
    "Evaluation",
    "MatchResult",
    "evaluate_constraints",
    "match",
    "quality_scores",
]

#: Distance (km) at which a transport kind scores 50 when the requirement sets no maximum.
#: Scale parameters of the score curve, not facts about any place.
LOGISTICS_REF_KM: dict[str, float] = {
    "airport": 50.0,
    "rail": 10.0,
    "port": 200.0,
    "highway": 10.0,
    "border": 100.0,
}
FRESH_DAYS = 180
STALE_DAYS = 3 * 365
CLUSTER_LEVEL_SCORE = (0.0, 25.0, 50.0, 75.0, 100.0)  # none, section, division, group, class
_SCOPE = ("country", "region", "park_kind")


# --------------------------------------------------------------------------- constraints


#: rows per block of the constraint pass: the block's temporaries stay in the CPU cache
BLOCK = 1 << 17
#: ``Evaluation.counts`` of a row outside the search scope (or removed); more than any
#: number of constraints, so that a count below it means "in scope"
OUT_OF_SCOPE = np.uint8(128)

Check = Callable[[slice], np.ndarray]


@dataclass
class Evaluation:
    """Outcome of the hard constraints over every row of the index.

    ``counts[row]`` is how many constraints the row fails (an unknown value counts as failing
    unless ``unknown_ok``), or ``OUT_OF_SCOPE`` or more when it is outside the search scope;
    ``failures[k]`` counts in-scope rows failing constraint ``names[k]``. Which constraints a
    row fails is worked out again, for the few rows that are shown (:meth:`violated`), by the
    same checks: one byte per row instead of a bit mask keeps the pass near the speed of
    reading the columns.
    """

    names: list[str]
    counts: np.ndarray
    failures: np.ndarray
    checks: list[Check]

    @cached_property
    def feasible_rows(self) -> np.ndarray:
        return np.flatnonzero(self.counts == 0)

    #: rows inside the search scope (counted by the pass)
    in_scope: int = 0

    def near_rows(self, count: int) -> np.ndarray:
        """In-scope rows failing exactly ``count`` constraints (``0 < count < OUT_OF_SCOPE``)."""
        return np.flatnonzero(self.counts == count)

    def violated(self, pos: int) -> list[str]:
        """The constraints row ``pos`` fails, in the order of ``names``."""
        one = slice(pos, pos + 1)
        return [n for n, check in zip(self.names, self.checks, strict=True) if check(one)[0]]


def _constraints(
    index: SiteIndex, req: Requirements, ctx: CostContext
) -> tuple[Check, list[tuple[str, Check]]]:
    """The scope test and one check per active hard constraint, each over a block of rows."""
    uok = req.unknown_ok
    col = index.col
    tests: list[tuple[str, np.ndarray]] = []  # (column, wanted codes)
    if req.countries is not None:
        tests.append(("country", np.array([index.parks.countries.get(c) for c in req.countries])))
    if req.regions is not None:
        wanted = [
            code
            for key, code in index.parks.regions.codes.items()
            if key.split("|", 1)[1] in req.regions
            and (req.countries is None or key.split("|", 1)[0] in req.countries)
        ]
        tests.append(("region", np.array(wanted, dtype=np.int64)))
    if req.park_kinds is not None:
        tests.append(("park_kind", np.array([PARK_KIND_CODES[k] for k in req.park_kinds])))
    alive = index.alive

    def scope(sl: slice) -> np.ndarray:
        ok = alive[sl].copy()
        for name, wanted in tests:
            c = col(name)[sl]
            hit = np.zeros(len(c), dtype=bool)
            for w in wanted.tolist():
                if w >= 0:
                    hit |= c == w
            ok &= hit
        return ok

    checks: list[tuple[str, Check]] = []
    status = col("status")
    avail = STATUSES["available"]
    checks.append(
        ("status", (lambda sl: status[sl] > avail) if uok else (lambda sl: status[sl] != avail))
    )
    if req.site_kind != "any":
        kind, want = col("kind"), KINDS[req.site_kind]
        checks.append(
            (
                "site_kind",
                (lambda sl: (kind[sl] != want) & (kind[sl] >= 0))
                if uok
                else (lambda sl: kind[sl] != want),
            )
        )
    if req.area_m2_min is not None or req.area_m2_max is not None:
        area = col("area_m2")
        lo = req.area_m2_min if req.area_m2_min is not None else -np.inf
        hi = req.area_m2_max if req.area_m2_max is not None else np.inf
        if uok:
            checks.append(("area", lambda sl: (area[sl] < lo) | (area[sl] > hi)))
        else:
            checks.append(("area", lambda sl: ~((area[sl] >= lo) & (area[sl] <= hi))))
    for key in UTILITY_KEYS:
        need = getattr(req, key)
        if need is None:
            continue
        checks.append((key, _at_least(col(key), need, uok)))
    if req.rail_siding:
        rail = col("rail_siding")
        checks.append(
            ("rail_siding", (lambda sl: rail[sl] == 0) if uok else (lambda sl: rail[sl] != 1))
        )
    if req.hazard_class is not None:
        hz, cls = col("hazard_class"), req.hazard_class
        if uok:
            checks.append(("hazard_class", lambda sl: hz[sl] > cls))
        else:
            # 0 = unknown: fails as well; (h − 1) as unsigned wraps 0 to 255
            checks.append(("hazard_class", lambda sl: hz[sl].view(np.uint8) - np.uint8(1) >= cls))
    if req.tenure != "any":
        bit = 1 if req.tenure == "sale" else 2
        ten = col("tenure")
        if uok:
            checks.append(("tenure", lambda sl: ((ten[sl] & bit) == 0) & (ten[sl] != 0)))
        else:
            checks.append(("tenure", lambda sl: (ten[sl] & bit) == 0))
    for kind_ in TRANSPORT_KINDS:
        mx = req.max_distance_km.get(kind_)
        if mx is None:
            continue
        checks.append((f"distance.{kind_}", _at_most(col(f"dist_{kind_}_km"), mx, uok)))
    b = req.budget
    if b is not None and (b.max_sale_price is not None or b.max_lease_per_year is not None):
        checks.append(("budget", _budget_check(index, req, ctx)))
    return scope, checks


def _at_least(c: np.ndarray, need: float, uok: bool) -> Check:
    """Fails where c < need; an unknown (NaN) c fails too unless ``uok``."""
    if uok:
        return lambda sl: c[sl] < need
    return lambda sl: ~(c[sl] >= need)


def _at_most(c: np.ndarray, mx: float, uok: bool) -> Check:
    """Fails where c > mx; an unknown (NaN) c fails too unless ``uok``."""
    if uok:
        return lambda sl: c[sl] > mx
    return lambda sl: ~(c[sl] <= mx)


def evaluate_constraints(index: SiteIndex, req: Requirements, ctx: CostContext) -> Evaluation:
    """Every hard constraint over every row, block by block (``BLOCK`` rows: one read of each
    column the filter needs, temporaries in cache), into a count of failed constraints per row.

    Without ``unknown_ok`` a comparison with NaN (or an unknown code) is False, so an unknown
    value fails; with it, only a known value on the wrong side fails.
    """
    n = index.n_rows
    scope, checks = _constraints(index, req, ctx)
    counts = np.empty(n, dtype=np.uint8)
    failures = np.zeros(len(checks), dtype=np.int64)
    in_scope = 0
    for start in range(0, n, BLOCK):
        sl = slice(start, min(n, start + BLOCK))
        ok = scope(sl)
        all_in = bool(ok.all())
        blk = counts[sl]  # a view: written in place
        if all_in:
            blk.fill(0)
            in_scope += len(blk)
        else:
            np.multiply(~ok, OUT_OF_SCOPE, out=blk)
            in_scope += int(np.count_nonzero(ok))
        for k, (_, check) in enumerate(checks):
            fail = check(sl)
            np.add(blk, fail.view(np.uint8), out=blk)
            failures[k] += np.count_nonzero(fail) if all_in else np.count_nonzero(fail & ok)
    names = [name for name, _ in checks]
    return Evaluation(names, counts, failures, [c for _, c in checks], in_scope)


def _budget_check(index: SiteIndex, req: Requirements, ctx: CostContext) -> Check:
    """A site passes the budget when some tenure it offers and the requirement allows is
    priced within the limit for that tenure (no limit = within). A site offering no allowed
    tenure is left to the tenure constraint (budget passes). An unknown price or exchange
    rate fails as unknown unless ``unknown_ok``.

    Every price converted to the budget currency is derived once per index version and set
    of exchange rates (``SiteIndex.derived``): an investor's next query compares directly."""
    b = req.budget
    assert b is not None
    tenure = index.col("tenure")
    sale, lease = prices_in(index, ctx, b.currency)
    allow = (1 if req.tenure in ("sale", "any") else 0) | (
        2 if req.tenure in ("lease", "any") else 0
    )
    uok = req.unknown_ok

    def option(offer: np.ndarray, p: np.ndarray, limit: float | None) -> tuple[Any, Any]:
        if limit is None:
            return offer, None
        ok = offer & (p <= limit)
        return ok, (offer & np.isnan(p)) if uok else None

    def check(sl: slice) -> np.ndarray:
        t = tenure[sl] & allow
        offer_sale, offer_lease = (t & 1) > 0, (t & 2) > 0
        s_ok, s_unk = option(offer_sale, sale[sl], b.max_sale_price)
        l_ok, l_unk = option(offer_lease, lease[sl], b.max_lease_per_year)
        passed = s_ok | l_ok
        if s_unk is not None:
            passed |= s_unk
        if l_unk is not None:
            passed |= l_unk
        return (t > 0) & ~passed

    return check


# --------------------------------------------------------------------------- scores


def _cluster_by_park(index: SiteIndex, industry: str | None) -> np.ndarray | None:
    """Cluster-fit score per park code (NaN: the park lists no specialisation), or None when
    the project has no ISIC code. Vectorised over the CSR of park specialisations."""
    if not industry:
        return None
    sec, div, grp, cls = parse_isic(industry)
    if sec < 0:
        return None
    p = index.parks
    memo = p.memo.get("cluster")
    if memo is not None and memo[0] == (p.version, len(p), industry):
        return memo[1]
    codes = p.isic
    level = np.zeros(len(codes), dtype=np.int8)
    if len(codes):
        level = np.maximum(level, np.where(codes[:, 0] == sec, 1, 0))
        if div >= 0:
            level = np.maximum(level, np.where(codes[:, 1] == div, 2, 0))
        if grp >= 0:
            level = np.maximum(level, np.where(codes[:, 2] == grp, 3, 0))
        if cls >= 0:
            level = np.maximum(level, np.where(codes[:, 3] == cls, 4, 0))
    out = np.full(len(p), np.nan)
    has = p.has_industries()
    if has.any():
        starts = p.isic_offsets[:-1][has]
        best = np.maximum.reduceat(level, starts) if len(level) else np.zeros(0, np.int8)
        out[has] = np.asarray(CLUSTER_LEVEL_SCORE)[best]
    p.memo["cluster"] = ((p.version, len(p), industry), out)
    return out


def quality_scores(
    index: SiteIndex,
    rows: np.ndarray,
    req: Requirements,
    pc: ParkCosts,
    view: RowsView | None = None,
) -> dict[str, np.ndarray | None]:
    """Scores 0..100 of ``rows`` for every quality factor (NaN where the site's data is
    unknown; None for a factor no site can be scored on). See the module docstring."""
    out: dict[str, np.ndarray | None] = {}
    rv = view if view is not None else RowsView(index, rows)
    park = rv.col("park")
    needs = _needs(req)
    if needs:
        out["infrastructure"] = _mean_known(
            [np.minimum(rv.col(k) * (50.0 / need), 100.0) for k, need in needs]
        )
    else:
        out["infrastructure"] = None
    parts = []
    for k, ref in _logistics_refs(req):
        d = rv.col(f"dist_{k}_km")
        parts.append((100.0 * ref) / (ref + d))
    out["logistics"] = _mean_known(parts)
    level = pc.wage_level[park] if len(pc.wage_level) else np.zeros(len(rows), np.int8)
    out["labour"] = np.where(level == 2, 100.0, np.where(level == 1, 50.0, np.nan))
    cl = _cluster_by_park(index, req.industry)
    out["cluster_fit"] = None if cl is None else cl[park]
    out["freshness"] = _freshness(index, rows, req)
    return out


def _needs(req: Requirements) -> list[tuple[str, float]]:
    """(utility, need) for every utility with a positive need."""
    return [(k, v) for k in UTILITY_KEYS if (v := req.need(k))]


def _logistics_refs(req: Requirements) -> list[tuple[str, float]]:
    """(transport kind, distance scoring 50) for the kinds the requirement limits, all five
    when it limits none."""
    kinds = [k for k in TRANSPORT_KINDS if k in req.max_distance_km] or list(TRANSPORT_KINDS)
    return [(k, req.max_distance_km.get(k) or LOGISTICS_REF_KM[k]) for k in kinds]


def _effective_as_of(index: SiteIndex) -> np.ndarray:
    """Each row's as-of day: the site's own, else its park's (``NO_DATE``: neither)."""

    def compute() -> np.ndarray:
        as_of = index.col("as_of")
        park = index.col("park")
        if not len(index.parks):
            return as_of.copy()
        return np.where(as_of == NO_DATE, index.parks.as_of[park], as_of)

    value: np.ndarray = index.derived("effective_as_of", None, compute)
    return value


def _freshness(index: SiteIndex, rows: np.ndarray, req: Requirements) -> np.ndarray:
    """Freshness score of ``rows`` (NaN where no as-of date is known)."""
    today = (req.valuation_date - _EPOCH).days
    as_of = _effective_as_of(index)[rows]
    age = np.where(as_of == NO_DATE, np.nan, today - as_of.astype(np.float64))
    return 100.0 * np.clip(1.0 - (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS), 0, 1)


def _mean_known(parts: list[np.ndarray]) -> np.ndarray:
    """Mean of per-part scores with an unknown (NaN) part counted 0; NaN where every part is
    unknown."""
    acc = np.zeros(len(parts[0]))
    known = np.zeros(len(parts[0]), dtype=bool)
    for p in parts:
        k = p == p  # not NaN
        acc += np.where(k, p, 0.0)
        known |= k
    acc /= len(parts)
    acc[~known] = np.nan
    return acc


def _cost_score(total: np.ndarray) -> np.ndarray:
    """Min–max cost score: 100 × (max − c) / (max − min); all equal → 100."""
    if not len(total):
        return total
    lo, hi = float(total.min()), float(total.max())
    if hi - lo <= 1e-9 * max(abs(hi), 1.0):
        return np.full(len(total), 100.0)
    return 100.0 * (hi - total) / (hi - lo)


def _overall(
    scores: Mapping[str, np.ndarray | None], weights: Mapping[str, float], n: int
) -> tuple[np.ndarray, dict[str, float]]:
    """Weighted mean over the factors that can be scored; unknown site values count 0.
    Returns (overall, the normalised weights used)."""
    used = {k: w for k, w in weights.items() if w > 0 and scores.get(k) is not None}
    total_w = sum(used.values())
    out = np.zeros(n)
    if total_w == 0:
        return out, {}
    for k, w in used.items():
        s = scores[k]
        assert s is not None
        out += (w / total_w) * np.where(s == s, s, 0.0)
    return out, {k: w / total_w for k, w in used.items()}


# --------------------------------------------------------------------------- match


@dataclass
class MatchResult:
    """What :func:`match` returns; ``to_dict()`` is the JSON document of the CLI and API."""

    feasible_count: int
    results: list[dict[str, Any]]
    near_misses: list[dict[str, Any]]
    currency: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feasible_count": self.feasible_count,
            "currency": self.currency,
            "results": self.results,
            "near_misses": self.near_misses,
            **self.meta,
        }


def match(
    index: SiteIndex,
    requirements: Requirements | Mapping[str, Any],
    *,
    parks: Iterable[Mapping[str, Any]] | None = None,
    wages: WageTable | Iterable[Mapping[str, Any]] = (),
    fx: FxTable | None = None,
    regimes: Any = None,
    top: int | None = None,
    tax_function: TaxFunction = baseline_tax_outcome,
    tax_cache: dict[Any, Any] | None = None,
) -> MatchResult:
    """Match a requirements document against every site of ``index``.

    ``requirements``: parsed :class:`Requirements` or the raw document (parsed here; raises
    ``RequirementsError``). ``parks``: park rows to refresh in the index first (normally None:
    the index already holds its parks — ``SiteIndex.upsert_parks``). ``wages``: regional wage
    rows (``country, region, year, avg_monthly_wage, currency``). ``fx``: dated exchange rates
    (default ``core.taxes.load_fx()``). ``regimes``: passed to the incentives engine.
    ``top`` overrides the document's ``top``. ``tax_function`` computes a park's taxes and
    benefits (default: ``core.taxes`` + the incentives engine); ``tax_cache`` keeps its
    results between calls (keyed by project and park regime facts).
    """
    req = (
        requirements if isinstance(requirements, Requirements) else parse_requirements(requirements)
    )
    if parks is not None:
        index.upsert_parks(parks)
    fx = fx if fx is not None else load_fx()
    if regimes is None:
        regimes = _default_regimes()
    wage_table = wages if isinstance(wages, WageTable) else WageTable(wages)
    ctx = CostContext(
        requirements=req,
        fx=fx,
        wages=wage_table,
        regimes=regimes,
        tax_function=tax_function,
        tax_cache=tax_cache if tax_cache is not None else {},
    )
    k_top = top if top is not None else req.top

    pc = cached_park_costs(index, ctx)
    ev = evaluate_constraints(index, req, ctx)
    rows = ev.feasible_rows
    view = RowsView(index, rows)  # each column gathered once for costs and scores
    sc = site_totals(index, rows, ctx, pc, view)  # every feasible site: what ranking needs
    scores = quality_scores(index, rows, req, pc, view)
    scores["cost"] = _cost_score(sc.total)
    overall, used_w = _overall(scores, req.weights, len(rows))

    order_key = sc.total if req.cost_only else -overall
    k = min(k_top, len(rows))
    if k < len(rows):
        cand = np.argpartition(order_key, k - 1)[:k]
        # keep ties at the cut deterministic: take every row tied with the k-th value
        kth = order_key[cand].max()
        cand = np.flatnonzero(order_key <= kth)
    else:
        cand = np.arange(len(rows))
    secondary = sc.total[cand] if not req.cost_only else rows[cand]
    order = cand[np.lexsort((rows[cand], secondary, order_key[cand]))][:k]

    explainer = explain.Explainer(index, req, ctx, pc)
    top_rows = rows[order]
    explainer.prefetch(top_rows)
    ranked = {"overall": overall[order], "total": sc.total[order], "tenure": sc.tenure[order]}
    shown_scores = {key: None if (v := scores.get(key)) is None else v[order] for key in SCORE_KEYS}
    results = _results(index, top_rows, ctx, pc, explainer, ranked, shown_scores)

    near = _near_misses(index, req, ev, pc, explainer)
    failures = {n_: int(c) for n_, c in zip(ev.names, ev.failures.tolist(), strict=True)}
    meta = {
        "in_scope_count": ev.in_scope,
        "site_count": len(index),
        "constraint_failures": failures,
        "ranking": "location cost, cheapest first" if req.cost_only else "overall score",
        "weights": used_w,
        "horizon_years": ctx.horizon,
        "start_year": ctx.start_year,
        "discount_rate": ctx.discount_rate,
        "valuation_date": req.valuation_date.isoformat(),
        "fx_rates": [r.to_dict() for _, r in sorted(ctx.fx_notes.items())],
        "assumptions": req.assumptions.to_dict(),
        "cost_method": (
            "Full location cost of every feasible site (not a re-ranked top N): site "
            "components vectorised over sites, park components over parks, taxes once per "
            "park regime set; unknown components are excluded from the total."
        ),
        "warnings": _warnings(req, ctx, pc),
    }
    return MatchResult(len(rows), results, near, ctx.currency, meta)


#: seconds during which the regimes loaded by default are reused before their files are
#: looked at again (listing and stat-ing them costs about a millisecond a match)
REGIMES_RECHECK_SECONDS = 2.0
_regimes_loaded: tuple[float, Any] | None = None


def _default_regimes() -> Any:
    """The regimes of ``incentives/regimes/*.yaml`` when the incentives engine is installed
    (``load_regimes`` reloads a file that changed; looked at every ``REGIMES_RECHECK_SECONDS``)."""
    global _regimes_loaded
    now = time.monotonic()
    if _regimes_loaded is not None and now - _regimes_loaded[0] < REGIMES_RECHECK_SECONDS:
        return _regimes_loaded[1]
    try:
        from technopark.incentives.loader import load_regimes
    except ImportError:
        return None
    regimes = load_regimes()
    _regimes_loaded = (now, regimes)
    return regimes


def _results(
    index: SiteIndex,
    top_rows: np.ndarray,
    ctx: CostContext,
    pc: ParkCosts,
    explainer: explain.Explainer,
    ranked: Mapping[str, np.ndarray],
    scores: Mapping[str, np.ndarray | None],
) -> list[dict[str, Any]]:
    """The result records of the rows shown, in rank order: every component
    (:func:`site_costs`), the scores and the explanations. ``ranked``: the overall score,
    the ranking total and the land tenure costed, at the rows shown; ``scores``: each factor
    at the rows shown (None: not scored). Every column is read once, as Python numbers."""
    shown = site_costs(index, top_rows, ctx, pc)
    names = list(shown.components)
    comp_rows = list(zip(*(v.tolist() for v in shown.components.values()), strict=True))
    score_lists = [(key, None if v is None else v.tolist()) for key, v in scores.items()]
    park_codes = index.col("park")[top_rows]
    parks = park_codes.tolist()
    # a site without a park (code −1) has no benefits
    benefits = pc.benefits[park_codes].tolist() if len(pc.benefits) else [math.nan] * len(parks)
    park_ids = index.parks.vocab.items
    currency = ctx.currency
    out = []
    for i, (pos, site_id, park, overall, total, tenure, values) in enumerate(
        zip(
            top_rows.tolist(),
            index.ids[top_rows].tolist(),
            parks,
            ranked["overall"].tolist(),
            ranked["total"].tolist(),
            ranked["tenure"].tolist(),
            comp_rows,
            strict=True,
        )
    ):
        comp = dict(zip(names, values, strict=True))
        unknown = sorted(n for n, v in comp.items() if v != v)  # NaN
        s = {key: None if v is None or v[i] != v[i] else round(v[i], 2) for key, v in score_lists}
        benefit = benefits[i] if park >= 0 else math.nan
        out.append(
            {
                "rank": i + 1,
                "site_id": site_id,
                "park_id": park_ids[park] if park >= 0 else None,
                "score": round(overall, 2),
                "scores": s,
                "location_cost": {
                    "npv": round(total, 2),
                    "currency": currency,
                    "components": {n: None if v != v else round(v, 2) for n, v in comp.items()},
                    "unknown": unknown,
                    "complete": not unknown,
                    "land_tenure": _TENURE_COSTED.get(tenure),
                },
                "benefits_value": None if benefit != benefit else round(benefit, 2),
                "reasons": explainer.reasons(pos, comp, unknown, s, tenure),
            }
        )
    return out


_TENURE_COSTED = {1: "sale", 2: "lease"}


def _warnings(req: Requirements, ctx: CostContext, pc: ParkCosts) -> list[str]:
    out: list[str] = []
    if req.project is None:
        out.append(
            "No project is given: labour and taxes are unknown and costs are not discounted "
            "(discount rate 0)."
        )
    elif req.horizon_years > req.project.horizon_years:
        out.append(
            f"The project covers {req.project.horizon_years} years only; the location cost "
            f"uses {ctx.horizon} years instead of {req.horizon_years}."
        )
    out.extend(pc.tax_warnings)
    return out


class _NearMissQuality:
    """The quality of near-miss candidates (the overall score without cost): :func:`_overall`
    of :func:`quality_scores`, worked out in fewer passes over the rows (the per-park factors
    first combined per park) — near misses can be many times the feasible sites."""

    def __init__(self, index: SiteIndex, req: Requirements, pc: ParkCosts) -> None:
        self.index, self.req, self.pc = index, req, pc
        self._plan: tuple[Any, ...] | None = None

    def _prepare(self) -> tuple[Any, ...]:
        if self._plan is not None:
            return self._plan
        index, req, pc = self.index, self.req, self.pc
        weights = {k: w for k, w in req.weights.items() if k != "cost" and w > 0}
        needs = _needs(req)
        cluster = _cluster_by_park(index, req.industry)
        if not needs:
            weights.pop("infrastructure", None)
        if cluster is None:
            weights.pop("cluster_fit", None)
        total = sum(weights.values())
        w = {k: v / total for k, v in weights.items()} if total else {}
        n_parks = len(index.parks)
        per_park = np.zeros(n_parks)
        if "labour" in w and n_parks:
            level = pc.wage_level if len(pc.wage_level) else np.zeros(n_parks, np.int8)
            per_park += w["labour"] * np.where(level == 2, 100.0, np.where(level == 1, 50.0, 0))
        if "cluster_fit" in w and cluster is not None and n_parks:
            per_park += w["cluster_fit"] * np.where(cluster == cluster, cluster, 0.0)
        self._plan = (w, needs, _logistics_refs(req), per_park)
        return self._plan

    def score(self, cand: np.ndarray) -> np.ndarray:
        """Overall quality without cost of rows ``cand`` (unknown factors count 0)."""
        w, needs, refs, per_park = self._prepare()
        index = self.index
        if not w:
            return np.zeros(len(cand))
        acc = per_park[index.col("park")[cand]] if len(per_park) else np.zeros(len(cand))
        tmp = np.empty(len(cand))

        def add(weight: float) -> None:
            np.fmax(tmp, 0.0, out=tmp)  # unknown (NaN) counts 0; every score is ≥ 0
            np.multiply(tmp, weight, out=tmp)
            np.add(acc, tmp, out=acc)

        if "infrastructure" in w:
            for k, v in needs:
                np.multiply(index.col(k)[cand], 50.0 / v, out=tmp)
                np.minimum(tmp, 100.0, out=tmp)
                add(w["infrastructure"] / len(needs))
        if "logistics" in w:
            for k, ref in refs:
                np.add(index.col(f"dist_{k}_km")[cand], ref, out=tmp)
                np.divide(100.0 * ref, tmp, out=tmp)
                add(w["logistics"] / len(refs))
        if "freshness" in w:
            tmp[:] = _freshness(index, cand, self.req)
            add(w["freshness"])
        return acc


def _near_misses(
    index: SiteIndex,
    req: Requirements,
    ev: Evaluation,
    pc: ParkCosts,
    explainer: explain.Explainer,
) -> list[dict[str, Any]]:
    limit = req.near_misses
    if limit == 0:
        return []
    out: list[dict[str, Any]] = []
    quality = _NearMissQuality(index, req, pc)
    for c in (1, 2):
        if len(out) >= limit:
            break
        cand = ev.near_rows(c)
        if not len(cand):
            continue
        overall = quality.score(cand)
        room = limit - len(out)
        if room < len(cand):  # the best ``room`` by quality, ties kept whole at the cut
            cut = np.partition(-overall, room - 1)[room - 1]
            keep = -overall <= cut
            cand, overall = cand[keep], overall[keep]
        take = cand[np.lexsort((cand, -overall))][:room]
        for pos in take.tolist():
            names = ev.violated(pos)
            park = int(index.col("park")[pos])
            out.append(
                {
                    "site_id": index.ids[pos],
                    "park_id": index.parks.vocab.items[park] if park >= 0 else None,
                    "violations": [explainer.violation(pos, n) for n in names],
                }
            )
    return out


def _today() -> dt.date:
    return dt.date.today()
