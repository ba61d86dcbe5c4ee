"""Location cost of a project at a site: the KPMG Competitive Alternatives method, per site.

For one investment project and every candidate site, over a horizon of N years, in one
currency, present-valued at the project's discount rate (``location-cost.md``; KPMG,
*Competitive Alternatives* 2020, methodology ch. 2; fDi Benchmark cost model):

=================  ================================================================  =========
component          formula (year k = 0..N−1 from the project's start year, d_k = (1+r)^−k)  varies by
=================  ================================================================  =========
land               sale: price (year 0); lease: Σ_k lease × d_k; tenure "any": cheaper PV  site
connection.<u>     fee_u × max(need_u − capacity_u, 0) (year 0); kW for power             site×park
utility.<u>        Σ_k consumption_u,k × tariff_u × d_k (operating years only)            park
labour             Σ_k jobs_k × (12·w + social_k(12·w)) × d_k; w = regional monthly wage  park
tax.<t>            Σ_k payable_t,k × d_k (profit, property, land, water) from core.taxes,  park
                   minus the park's regime benefits at usable value (incentives engine)
transport          Σ_k Σ_mode tonnes_mode × cost_per_tkm_mode × distance_mode × d_k         site
=================  ================================================================  =========

Conventions (stated; finance/metrics.npv uses the same): year 0 is the project's start year
and is not discounted; one-off payments (purchase, connection) fall in year 0; prices are held
constant (real terms — use a real discount rate). The horizon is ``min(requirements
.horizon_years, project.horizon_years)``: the project's per-year figures (jobs, commissioning,
profit) exist only for its own years. Consumption follows :class:`CostAssumptions`.

A component without data (no tariff, no wage figure, no exchange rate, no price) is NaN here,
listed as unknown by the engine and excluded from the total — never filled in.

Everything site-independent is computed per park (arrays indexed by park code), and the taxes
once per (country, region, park kind, regime set) — the only park facts they depend on — so a
query over a million sites costs a few gathers.

Pure Python + numpy: must not import Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from technopark.core.project import Project
from technopark.core.taxes import FxError, FxTable, baseline_rates, compute_taxes

from .index import RowsView, SiteIndex
from .requirements import CostAssumptions, Requirements

__all__ = [
    "LOCATION_TAXES",
    "UTILITIES",
    "CostContext",
    "ParkCosts",
    "TaxCache",
    "TaxOutcome",
    "WageTable",
    "baseline_tax_outcome",
    "cached_park_costs",
    "discount_factors",
    "park_costs",
]

#: Taxes that are location costs (social charges are inside labour).
LOCATION_TAXES: tuple[str, ...] = ("property", "land", "profit", "water")
#: Utilities: (key, requirement/project need field, capacity column, tariff field, connection
#: fee field, need → fee units factor).
UTILITIES: tuple[tuple[str, str, str, str, str, float], ...] = (
    (
        "electricity",
        "electricity_mw",
        "electricity_mw",
        "tariff_electricity_kwh",
        "conn_electricity_per_kw",
        1000.0,
    ),
    ("gas", "gas_m3h", "gas_m3h", "tariff_gas_1000m3", "conn_gas_per_m3h", 1.0),
    ("water", "water_m3d", "water_m3d", "tariff_water_m3", "conn_water_per_m3d", 1.0),
    (
        "wastewater",
        "wastewater_m3d",
        "wastewater_m3d",
        "tariff_wastewater_m3",
        "conn_wastewater_per_m3d",
        1.0,
    ),
)


def discount_factors(rate: float, n: int) -> np.ndarray:
    """d_k = (1 + r)^−k for k = 0..n−1 (year 0 undiscounted, as ``finance.metrics.npv``).

    >>> discount_factors(0.1, 3).round(4).tolist()
    [1.0, 0.9091, 0.8264]
    """
    return (1.0 + rate) ** -np.arange(n, dtype=np.float64)


# --------------------------------------------------------------------------- wages


_NATIONAL_NAMES = {"", "national", "russian federation", "uzbekistan", "uzbekistan (national)"}


@dataclass(frozen=True)
class Wage:
    """An average monthly wage figure with its provenance."""

    country: str
    region: str | None  # None: national average
    year: int
    amount: float
    currency: str
    source: str = ""


class WageTable:
    """Average monthly wages by (country, region, year), e.g. ``data/reference/wages.csv``.

    A row is national when its ``national`` field is true or its region is empty, "national",
    the country's name or ends with "(national)". ``lookup`` gives the latest figure of a year
    on or before the valuation year — a later figure is never used for an earlier year.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any] | Wage] = ()) -> None:
        self.regional: dict[tuple[str, str], list[Wage]] = {}
        self.national: dict[str, list[Wage]] = {}
        for r in rows:
            w = r if isinstance(r, Wage) else self._wage(r)
            if w is None:
                continue
            if w.region is None:
                self.national.setdefault(w.country, []).append(w)
            else:
                self.regional.setdefault((w.country, w.region.lower()), []).append(w)

    @staticmethod
    def _wage(r: Mapping[str, Any]) -> Wage | None:
        try:
            amount = float(r["avg_monthly_wage"])
        except (KeyError, TypeError, ValueError):
            return None
        if not math.isfinite(amount):
            return None
        region = str(r.get("region") or "").strip()
        national = bool(r.get("national")) or (
            region.lower() in _NATIONAL_NAMES or region.lower().endswith("(national)")
        )
        return Wage(
            country=str(r["country"]),
            region=None if national else region,
            year=int(r["year"]),
            amount=amount,
            currency=str(r["currency"]),
            source=str(r.get("source") or ""),
        )

    @staticmethod
    def _latest(ws: list[Wage] | None, year: int) -> Wage | None:
        ok = [w for w in ws or () if w.year <= year]
        return max(ok, key=lambda w: w.year) if ok else None

    def lookup(self, country: str, region: str | None, year: int) -> Wage | None:
        """The regional figure for ``region``, or None."""
        if region is None:
            return None
        return self._latest(self.regional.get((country, region.lower())), year)

    def lookup_national(self, country: str, year: int) -> Wage | None:
        """The national figure, or None."""
        return self._latest(self.national.get(country), year)


# --------------------------------------------------------------------------- taxes


@dataclass(frozen=True)
class TaxOutcome:
    """Location taxes of a project in one park, present-valued, in the project currency.

    ``payable_pv[t]`` NaN = unknown. ``benefits_pv`` = PV of tax saved by the park's regimes
    at usable value (an exemption in a year without tax saves nothing); NaN when the benefits
    could not be evaluated. ``social_relief`` = per-year fraction of social charges removed by
    a regime (zeros if none). ``reasons`` are sentences such as "property tax 0% for 5 years
    under <regime>".
    """

    payable_pv: Mapping[str, float]
    benefits_pv: float
    social_relief: np.ndarray
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


#: A tax evaluator: (project, park facts, regimes, fx, discount factors) → TaxOutcome.
TaxFunction = Callable[[Project, Mapping[str, Any], Any, FxTable, np.ndarray], TaxOutcome]


def baseline_tax_outcome(
    project: Project,
    park: Mapping[str, Any],
    regimes: Any,
    fx: FxTable,
    disc: np.ndarray,
) -> TaxOutcome:
    """Taxes at general rates of the park's country (``core.taxes.compute_taxes``), with the
    park's benefits from the incentives engine when it is installed
    (``technopark.incentives.engine``); otherwise benefits are unknown (NaN) and say so.
    """
    incentives: Any
    try:
        from technopark.incentives import engine as incentives
    except ImportError:
        incentives = None
    n = len(disc)
    country = park.get("country")
    rates = baseline_rates(project, fx, country=country)
    table = None
    reasons: list[str] = []
    warnings: list[str] = []
    benefits = math.nan
    social_relief = np.zeros(n)
    engine_ran = False
    if incentives is not None and hasattr(incentives, "evaluate"):
        table, benefits, social_relief, reasons, warnings = _via_incentives(
            incentives, project, park, regimes, fx, disc
        )
        engine_ran = True
    if table is None:
        table = compute_taxes(project, rates, fx=fx)
        if engine_ran or not park.get("regime_ids"):
            benefits = 0.0  # no regime applies to the park
        else:
            warnings.append(
                "The incentives engine is not available: taxes are at general rates and the "
                "value of the park's benefits is unknown."
            )
    # social charges are costed inside labour (regional wage); "no regime" is said per park
    warnings.extend(table.warnings)
    warnings = [
        w
        for w in dict.fromkeys(warnings)
        if "has no legal regime" not in w and not w.startswith("Social tax")
    ]
    payable: dict[str, float] = {}
    for t in LOCATION_TAXES:
        line = table.lines[t]
        payable[t] = float(line.payable[:n] @ disc) if line.known else math.nan
    return TaxOutcome(payable, benefits, social_relief, tuple(reasons), tuple(warnings))


def _via_incentives(
    incentives: Any,
    project: Project,
    park: Mapping[str, Any],
    regimes: Any,
    fx: FxTable,
    disc: np.ndarray,
) -> tuple[Any, float, np.ndarray, list[str], list[str]]:
    """Adapter to ``incentives.engine.evaluate``: returns (TaxTable with the reliefs of every
    eligible regime — None when the park has no regime —, PV of tax saved on the location
    taxes at ``disc``, social-charge relief per year, reasons, warnings)."""
    n = len(disc)
    facts = incentives.ParkFacts(
        park_id=str(park.get("park_id") or ""),
        country=str(park["country"]),
        kind=str(park.get("kind") or ""),
        regime_ids=tuple(park.get("regime_ids") or ()),
        region=park.get("region"),
        name=park.get("name"),
    )
    res = incentives.evaluate(project, facts, regimes, fx=fx)
    social = np.zeros(n)
    reasons: list[str] = []
    for ro in res.regimes:
        name = ro.regime.name("en")
        if not ro.eligible:
            unmet = [r.text for r in ro.reasons if r.status != "met"]
            why = f": {unmet[0]}" if unmet else ""
            reasons.append(f"Not eligible for {name}{why}.")
            continue
        for bo in ro.benefits:
            if not bo.benefit.quantified:
                reasons.append(
                    f"The {bo.benefit.tax} benefit of {name} is not valued here (the project "
                    "document has no base for it)."
                )
                continue
            if not bo.applies or bo.relief is None:
                unmet = [r.text for r in bo.reasons if r.status != "met"]
                why = f": {unmet[0]}" if unmet else ""
                tax = "social charges" if bo.benefit.tax == "social" else f"{bo.benefit.tax} tax"
                reasons.append(f"The {tax} benefit of {name} does not apply{why}.")
                continue
            if bo.benefit.tax == "social":
                social = np.maximum(social, np.asarray(bo.relief[:n], dtype=float))
            reasons.append(_benefit_sentence(bo, name))
    if res.table is None:
        return None, 0.0, social, reasons, list(res.warnings)
    saved = sum(res.table.lines[t].saved[:n] for t in LOCATION_TAXES)
    return res.table, float(np.asarray(saved) @ disc), social, reasons, list(res.warnings)


def _benefit_sentence(bo: Any, regime_name: str) -> str:
    """ "Property tax exempt for 5 years (2025-04-01 to 2030-04-01) under <regime>." """
    b = bo.benefit
    if b.form == "exemption":
        what = "exempt"
    elif b.form == "percentage_reduction" and b.reduction is not None:
        what = f"cut by {b.reduction * 100:g}%"
    elif b.form == "reduced_rate" and b.rate is not None:
        what = f"at {b.rate * 100:g}%"
    else:
        what = b.form.replace("_", " ")
    term = ""
    if bo.term_months:
        years = bo.term_months / 12
        term = f" for {years:g} years" if years >= 1 else f" for {bo.term_months} months"
    window = ""
    if bo.start is not None:
        end = bo.end.isoformat() if bo.end is not None else "open-ended"
        window = f" ({bo.start.isoformat()} to {end})"
    tax = "social charges" if b.tax == "social" else f"{b.tax} tax"
    return f"{tax.capitalize()} {what}{term}{window} under {regime_name}."


class TaxCache(dict[Any, Any]):
    """A cache for :func:`park_costs` that keeps the taxes of the ``maxsize`` most recently
    used projects (least recently used evicted). Keep one per process and pass it to every
    ``match`` call (``tax_cache=``): a project's taxes per park regime set are then computed
    once.

    >>> c = TaxCache(maxsize=2)
    >>> for k in "abc":
    ...     _ = c.setdefault(k, {})
    >>> sorted(c)
    ['b', 'c']
    """

    def __init__(self, maxsize: int = 64) -> None:
        super().__init__()
        self.maxsize = maxsize

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self:
            value = self.pop(key)  # re-insert: most recently used last
            self[key] = value
            return value
        while len(self) >= self.maxsize:
            del self[next(iter(self))]
        self[key] = default
        return default


# --------------------------------------------------------------------------- context


@dataclass
class CostContext:
    """Everything the cost model needs besides the sites: the project, the horizon and
    discounting, the currency and FX rates, wages, regimes, assumptions, and caches."""

    requirements: Requirements
    fx: FxTable
    wages: WageTable
    regimes: Any = None
    tax_function: TaxFunction = baseline_tax_outcome
    tax_cache: dict[Any, Any] = field(default_factory=dict)
    fx_notes: dict[tuple[str, int], Any] = field(default_factory=dict)

    @property
    def project(self) -> Project | None:
        return self.requirements.project

    @property
    def assumptions(self) -> CostAssumptions:
        return self.requirements.assumptions

    @property
    def currency(self) -> str:
        return self.requirements.output_currency

    @property
    def fx_year(self) -> int:
        return self.requirements.valuation_date.year

    @property
    def start_year(self) -> int:
        p = self.project
        return p.start_year if p is not None else self.fx_year

    @property
    def horizon(self) -> int:
        p = self.project
        n = self.requirements.horizon_years
        return min(n, p.horizon_years) if p is not None else n

    @property
    def discount_rate(self) -> float:
        p = self.project
        return p.discount_rate if p is not None else 0.0

    @property
    def disc(self) -> np.ndarray:
        return discount_factors(self.discount_rate, self.horizon)

    @property
    def operating(self) -> np.ndarray:
        """1.0 in years the plant runs (from commissioning), else 0.0."""
        years = self.start_year + np.arange(self.horizon)
        p = self.project
        start = p.commissioning_year if p is not None else self.start_year
        return (years >= start).astype(np.float64)

    def factor(self, from_currency: str | None, to_currency: str | None = None) -> float:
        """Multiply an amount in ``from_currency`` by this to get ``to_currency`` (default the
        output currency), at the valuation year's rates; NaN when no rate exists."""
        to = to_currency or self.currency
        if from_currency is None:
            return math.nan
        if from_currency == to:
            return 1.0
        try:
            src = self.fx.rate(from_currency, self.fx_year)
            dst = self.fx.rate(to, self.fx_year)
        except FxError:
            return math.nan
        for r in (src, dst):
            if r.currency != "USD":
                self.fx_notes[(r.currency, r.year)] = r
        return dst.per_usd / src.per_usd

    def factors(self, currencies: list[str], to_currency: str | None = None) -> np.ndarray:
        """:meth:`factor` for every entry of a currency vocabulary (index = currency code),
        plus a trailing NaN so that code −1 (unknown currency) maps to NaN."""
        return np.array([self.factor(c, to_currency) for c in currencies] + [math.nan])


# --------------------------------------------------------------------------- per-park costs


@dataclass
class ParkCosts:
    """Site-independent cost components per park code, PV in the output currency (NaN =
    unknown), plus per-park facts the scores and explanations use."""

    #: "labour", "tax.<t>" per park; the utilities (which follow the needs) are worked out
    #: where they are read, from ``unit_price`` and ``utility_use`` (:meth:`component`)
    components: dict[str, np.ndarray]
    benefits: np.ndarray
    conn_fee: dict[str, np.ndarray]  # per fee unit, in output currency
    unit_price: dict[str, np.ndarray]  # tariff per tariff unit, in output currency
    wage_monthly: np.ndarray  # output currency
    wage_level: np.ndarray  # 2 regional, 1 national fallback, 0 none
    wage_note_by_code: dict[int, str]  # region code → note; −1 − country code → national

    def wage_note(self, parks: Any, park: int) -> str | None:
        """Where a park's wage figure comes from, in words (None: no figure)."""
        if park < 0 or self.wage_level[park] == 0:
            return None
        rc = int(parks.region[park])
        if rc >= 0:
            return self.wage_note_by_code.get(rc)
        return self.wage_note_by_code.get(-1 - int(parks.country[park]))

    tax_key: np.ndarray  # int code into tax_outcomes
    tax_outcomes: list[TaxOutcome]
    #: per park, the sum of the known labour and tax components and how many are unknown:
    #: the part of :func:`park_totals` that does not change with the utility needs
    fixed_total: np.ndarray
    fixed_unknown: np.ndarray
    #: parks × utilities (``UTILITIES`` order): unit prices with unknown as 0, and unknown
    price_known: np.ndarray
    price_unknown: np.ndarray
    #: the warnings of ``tax_outcomes``, each once, in order
    tax_warnings: tuple[str, ...]
    #: per utility, the PV-weighted consumption of the current needs (tariff units); set by
    #: ``_with_utilities``
    utility_use: dict[str, float] = field(default_factory=dict)

    def component(self, key: str, parks: np.ndarray | None = None) -> np.ndarray:
        """Park component ``key`` (one of ``PARK_COMPONENTS``) at park codes ``parks`` (all
        parks when None); NaN = unknown. A utility costs its PV-weighted consumption × the
        park's tariff; a need of 0 costs 0, even without a tariff."""
        utility = key.removeprefix("utility.")
        arr = self.unit_price[utility] if utility != key else self.components[key]
        if not len(arr):  # no parks
            return np.full(0 if parks is None else len(parks), np.nan)
        at = arr if parks is None else arr[parks]
        if utility == key:
            return at
        use = self.utility_use[utility]
        return np.zeros(len(at)) if use == 0 else use * at


def _consumption(ctx: CostContext) -> dict[str, np.ndarray]:
    """Yearly consumption per utility (in tariff units) over the horizon, from the project
    (or the requirement's needs) and :class:`CostAssumptions`."""
    n = ctx.horizon
    req = ctx.requirements
    a = ctx.assumptions
    op = ctx.operating
    out: dict[str, np.ndarray] = {}
    mw = req.need("electricity_mw") or 0.0
    out["electricity"] = op * mw * a.hours_per_year * a.electricity_load_factor * 1000.0  # kWh
    gas = req.need("gas_m3h") or 0.0
    out["gas"] = op * gas * a.hours_per_year * a.gas_load_factor / 1000.0  # thousand m³
    p = ctx.project
    if p is not None and req.water_m3d is None:
        out["water"] = p.water_use_by_year()[:n]
    else:
        out["water"] = op * (req.need("water_m3d") or 0.0) * 365.0
    ww = req.need("wastewater_m3d") or 0.0
    out["wastewater"] = op * ww * a.wastewater_days_per_year
    return out


def cached_park_costs(index: SiteIndex, ctx: CostContext) -> ParkCosts:
    """:func:`park_costs`, with everything that does not depend on the utility needs (labour,
    taxes and benefits, wages, tariffs and fees in the output currency) reused from
    ``ctx.tax_cache`` when nothing it depends on changed: the park table (version), the
    project, horizon, rate, output currency, FX year, the assumptions, and the very same FX
    table, wage table and regimes objects. An investor refining constraints, needs or weights
    for one project then pays for it once; the utility components (consumption × tariff) are
    worked out again each time from the current needs."""
    project = ctx.project
    if project is None:
        return park_costs(index, ctx)
    key = (
        "park_costs",
        index.parks.version,
        len(index.parks),
        len(index.currencies),
        ctx.horizon,
        ctx.discount_rate,
        ctx.currency,
        ctx.fx_year,
        ctx.requirements.assumptions,
        id(ctx.fx),
        id(ctx.wages),
        id(ctx.regimes),
        id(ctx.tax_function),
    )
    per_project = ctx.tax_cache.setdefault(("project", _project_key(project)), {})
    hit = per_project.get("park_costs")
    if hit is not None and hit[0] == key:
        ctx.fx_notes.update(hit[2])
        base: ParkCosts = hit[1]
    else:
        notes_before = dict(ctx.fx_notes)
        base = _park_base_costs(index, ctx)
        used = {k: v for k, v in ctx.fx_notes.items() if k not in notes_before}
        # the objects named by id() stay referenced while cached, so their ids cannot be reused
        refs = (ctx.fx, ctx.wages, ctx.regimes, ctx.tax_function)
        per_project["park_costs"] = (key, base, {**notes_before, **used}, refs)
    return _with_utilities(base, ctx)


def park_costs(index: SiteIndex, ctx: CostContext) -> ParkCosts:
    """Compute every site-independent component for every park of the index (vectorised over
    parks; taxes once per distinct (country, region, kind, regime set))."""
    return _with_utilities(_park_base_costs(index, ctx), ctx)


def _with_utilities(base: ParkCosts, ctx: CostContext) -> ParkCosts:
    """``base`` with the current needs' PV-weighted consumption of each utility: a utility
    component is that × the park's tariff in the output currency (:meth:`ParkCosts.component`)."""
    use = _consumption(ctx)
    return replace(base, utility_use={u: float(use[u] @ ctx.disc) for u, *_ in UTILITIES})


def _park_base_costs(index: SiteIndex, ctx: CostContext) -> ParkCosts:
    """Every per-park figure that does not depend on the utility needs."""
    parks = index.parks
    n_parks = len(parks)
    disc = ctx.disc
    cur_f = ctx.factors(index.currencies)
    comps: dict[str, np.ndarray] = {}
    conn_fee: dict[str, np.ndarray] = {}
    unit_price: dict[str, np.ndarray] = {}
    for u, _need, _cap, tariff, fee, _unit in UTILITIES:
        unit_price[u] = parks.prices[tariff] * cur_f[parks.price_currency[tariff]]
        conn_fee[u] = parks.prices[fee] * cur_f[parks.price_currency[fee]]

    # labour: jobs × (12 w + social(12 w)) per year, social at the park country's rates
    project = ctx.project
    wage_monthly = np.full(n_parks, np.nan)
    wage_level = np.zeros(n_parks, dtype=np.int8)
    labour = np.full(n_parks, np.nan)
    tax_key = np.full(n_parks, -1, dtype=np.int32)
    outcomes: list[TaxOutcome] = []
    benefits = np.full(n_parks, np.nan)
    tax_pv = {t: np.full(n_parks, np.nan) for t in LOCATION_TAXES}
    region_wage: dict[int, tuple[float, int, str]] = {}
    for code, key in enumerate(parks.regions.items):
        country, region = key.split("|", 1)
        w = ctx.wages.lookup(country, region, ctx.fx_year)
        level = 2
        if w is None and ctx.assumptions.wage_fallback_national:
            w, level = ctx.wages.lookup_national(country, ctx.fx_year), 1
        if w is not None:
            amount = w.amount * ctx.factor(w.currency)
            where = region if level == 2 else f"{country} national average (no {region} figure)"
            note = f"{where}: {w.amount:,.0f} {w.currency}/month ({w.year})"
            region_wage[code] = (amount, level, note)
    national_only: dict[int, tuple[float, int, str]] = {}
    if ctx.assumptions.wage_fallback_national:
        for code, country in enumerate(parks.countries.items):
            w = ctx.wages.lookup_national(country, ctx.fx_year)
            if w is not None:
                note = f"{country} national average (park region unknown): {w.amount:,.0f} "
                note += f"{w.currency}/month ({w.year})"
                national_only[code] = (w.amount * ctx.factor(w.currency), 1, note)
    rc, cc = parks.region, parks.country
    for code, hit in region_wage.items():
        sel = rc == code
        wage_monthly[sel], wage_level[sel] = hit[0], hit[1]
    for code, hit in national_only.items():
        sel = (rc < 0) & (cc == code)
        wage_monthly[sel], wage_level[sel] = hit[0], hit[1]
    wage_level[~np.isfinite(wage_monthly)] = 0
    wage_note = {code: hit[2] for code, hit in region_wage.items()}
    wage_note.update({-1 - code: hit[2] for code, hit in national_only.items()})
    if project is not None and n_parks:
        # taxes once per distinct (country, region, kind, regime set)
        inv, rep, own = _tax_groups(parks, ctx.regimes)
        project_key = _project_key(project)
        per_project = ctx.tax_cache.setdefault(("project", project_key), {})  # one hash a call
        # keys below name the regimes and tax function by id(): keep them referenced
        refs = per_project.setdefault("refs", [])
        for obj in (ctx.regimes, ctx.tax_function):
            if not any(r is obj for r in refs):
                refs.append(obj)
        for pc in rep.tolist():
            facts = parks.facts[pc]
            park_country: str | None = facts.get("country") if facts else None
            if not park_country:
                outcomes.append(_UNKNOWN_TAX(disc))
                continue
            regime_ids = tuple(facts.get("regime_ids", ()))
            group: tuple[Any, ...] = (
                park_country,
                facts.get("region"),
                facts.get("kind"),
                regime_ids,
                facts["park_id"] if own[pc] else None,
            )
            cache_key = (
                ctx.horizon,
                ctx.discount_rate,
                id(ctx.regimes),
                id(ctx.tax_function),
                *group,
            )
            out = per_project.get(cache_key)
            if out is None:
                park_facts = {
                    "country": park_country,
                    "region": facts.get("region"),
                    "kind": facts.get("kind"),
                    "regime_ids": regime_ids,
                    "park_id": facts.get("park_id"),
                    "name": facts.get("name"),
                }
                out = ctx.tax_function(project, park_facts, ctx.regimes, ctx.fx, disc)
                per_project[cache_key] = out
            outcomes.append(out)
        tax_key = inv.astype(np.int32)
        to_out = ctx.factor(project.currency)
        for t in LOCATION_TAXES:
            tax_pv[t] = np.array([o.payable_pv[t] for o in outcomes])[inv] * to_out
        benefits = np.array([o.benefits_pv for o in outcomes])[inv] * to_out
        # labour, vectorised per country: social charges at that country's rates
        jobs = project.jobs_by_year()[: ctx.horizon]
        if any(o.social_relief.any() for o in outcomes):
            relief = np.array([np.clip(o.social_relief[: len(disc)], 0, 1) for o in outcomes])[inv]
        else:
            relief = np.zeros((n_parks, len(disc)))
        for code, country in enumerate(parks.countries.items):
            sel = (cc == code) & np.isfinite(wage_monthly)
            if not sel.any():
                continue
            rates = per_project.get(("baseline_rates", country))
            if rates is None:
                rates = baseline_rates(project, ctx.fx, country=country)
                per_project[("baseline_rates", country)] = rates
            labour[sel], social_saved = _labour_pv(
                wage_monthly[sel], jobs, disc, rates, relief[sel], ctx
            )
            benefits[sel] += social_saved
    comps["labour"] = labour
    for t in LOCATION_TAXES:
        comps[f"tax.{t}"] = tax_pv[t]
    fixed_total, fixed_unknown = _known_sum([comps[k] for k in _FIXED_COMPONENTS], n_parks)
    prices = np.column_stack([unit_price[u] for u, *_ in UTILITIES]).reshape(n_parks, -1)
    price_unknown = np.isnan(prices)
    return ParkCosts(
        components=comps,
        benefits=benefits,
        conn_fee=conn_fee,
        unit_price=unit_price,
        wage_monthly=wage_monthly,
        wage_level=wage_level,
        wage_note_by_code=wage_note,
        tax_key=tax_key,
        tax_outcomes=outcomes,
        fixed_total=fixed_total,
        fixed_unknown=fixed_unknown,
        price_known=np.where(price_unknown, 0.0, prices),
        price_unknown=price_unknown,
        tax_warnings=tuple(dict.fromkeys(w for o in outcomes for w in o.warnings)),
    )


def _labour_pv(
    wage_monthly: np.ndarray,
    jobs: np.ndarray,
    disc: np.ndarray,
    rates: Any,
    relief: np.ndarray,
    ctx: CostContext,
) -> tuple[np.ndarray, np.ndarray]:
    """PV of payroll + employer social charges for parks with monthly wages ``wage_monthly``:
    Σ_k jobs_k × (12w + s_k × (1 − relief_k)) × d_k, where s_k = rate_k × min(12w, cap_k) +
    rate_above_k × max(12w − cap_k, 0) (Russia's base limit; elsewhere s_k = rate_k × 12w),
    rates from ``core.taxes.baseline_rates`` of the park's country, ``relief`` the fraction of
    social charges a regime removes (parks × years). Returns (labour PV, PV of social charges
    saved by the relief); NaN labour when the social rate is unknown.
    """
    n = len(disc)
    if rates.social is None:
        return np.full(len(wage_monthly), np.nan), np.zeros(len(wage_monthly))
    annual = 12.0 * wage_monthly[:, None]  # parks × 1
    rate = rates.social[None, :n]
    if rates.social_cap_per_employee is not None and rates.social_above_cap is not None:
        # the cap is in the project currency; the wage in the output currency
        cap = rates.social_cap_per_employee[None, :n] * ctx.factor(ctx.project.currency)  # type: ignore[union-attr]
        social = rate * np.minimum(annual, cap) + rates.social_above_cap[None, :n] * np.maximum(
            annual - cap, 0.0
        )
    else:
        social = rate * annual
    per_head = annual + social * (1.0 - relief[:, :n])
    m = min(len(jobs), n)
    pv = np.asarray((per_head[:, :m] * jobs[None, :m]) @ disc[:m])
    saved = np.asarray(((social * relief[:, :n])[:, :m] * jobs[None, :m]) @ disc[:m])
    return pv, saved


def _tax_groups(parks: Any, regimes: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group parks by what their taxes depend on: (country, region, kind, regime set), plus
    the park itself when a regime names it in ``applies_to.park_ids``. Returns (group of each
    park, one representative park per group, named-park mask); memoised per park-table
    version and regime data."""
    named = frozenset(_named_parks(regimes))
    memo = parks.memo.get("tax_groups")
    if memo is not None and memo[0] == (parks.version, len(parks), named):
        return memo[1]
    n = len(parks)
    own = np.array([pid in named for pid in parks.vocab.items], dtype=bool)
    own_key = np.where(own, np.arange(n), -1)
    keys = np.stack(
        [parks.country.astype(np.int64), parks.region, parks.kind, parks.regime_set, own_key],
        axis=1,
    )
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    rep = np.zeros(len(uniq), dtype=np.int64)
    rep[inv] = np.arange(n)
    out = (inv, rep, own)
    parks.memo["tax_groups"] = ((parks.version, n, named), out)
    return out


def _named_parks(regimes: Any) -> set[str]:
    """Park ids that some regime names in ``applies_to.park_ids``."""
    pool = regimes.values() if isinstance(regimes, Mapping) else (regimes or ())
    out: set[str] = set()
    for r in pool:
        out.update(getattr(getattr(r, "applies_to", None), "park_ids", ()) or ())
    return out


def _project_key(project: Project) -> Any:
    try:
        hash(project)
    except TypeError:
        return id(project)
    return project


def _UNKNOWN_TAX(disc: np.ndarray) -> TaxOutcome:
    return TaxOutcome(
        dict.fromkeys(LOCATION_TAXES, math.nan),
        math.nan,
        np.zeros(len(disc)),
        (),
        ("The park's country is unknown, so its taxes are unknown.",),
    )


# --------------------------------------------------------------------------- per-site costs


@dataclass
class SiteCosts:
    """Per-site components for a set of rows, PV in the output currency (NaN = unknown)."""

    components: dict[str, np.ndarray]
    tenure: np.ndarray  # 1 sale, 2 lease, 0 none/unknown — the land option costed
    total: np.ndarray  # Σ known components
    n_unknown: np.ndarray  # number of unknown components


def prices_in(index: SiteIndex, ctx: CostContext, currency: str) -> tuple[np.ndarray, np.ndarray]:
    """Every row's (sale price, lease per year) in ``currency`` at the valuation year's
    rates — NaN where the price or its exchange rate is unknown. Derived once per index
    version and set of rates (``SiteIndex.derived``): the budget check and the land costs of
    the next query read them directly."""
    f = ctx.factors(index.currencies, currency)  # index −1 → NaN

    def compute() -> tuple[np.ndarray, np.ndarray]:
        g = f[index.col("currency")]
        return index.col("sale_price") * g, index.col("lease_per_year") * g

    value: tuple[np.ndarray, np.ndarray] = index.derived("prices_in", f.tobytes(), compute)
    return value


def land_options(
    index: SiteIndex, rows: np.ndarray, ctx: CostContext, view: RowsView | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sale price, lease per year) in the output currency and in the budget currency for
    ``rows`` — NaN where the price or its exchange rate is unknown."""
    v = view if view is not None else RowsView(index, rows)
    b = ctx.requirements.budget
    out = []
    for currency in (ctx.currency, b.currency if b is not None else ctx.currency):
        sale, lease = prices_in(index, ctx, currency)  # the same arrays for the same currency
        out += [v.of(f"sale_price@{currency}", sale), v.of(f"lease_per_year@{currency}", lease)]
    return out[0], out[1], out[2], out[3]


#: the components that come from the park, not the site (utilities, labour, taxes)
PARK_COMPONENTS: tuple[str, ...] = (
    *(f"utility.{u[0]}" for u in UTILITIES),
    "labour",
    *(f"tax.{t}" for t in LOCATION_TAXES),
)


#: the park components that do not depend on the utility needs
_FIXED_COMPONENTS: tuple[str, ...] = ("labour", *(f"tax.{t}" for t in LOCATION_TAXES))


def _site_components(
    index: SiteIndex, rows: np.ndarray, ctx: CostContext, pc: ParkCosts, v: RowsView
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
    """The components that depend on the site itself: (land and connections, the tenure
    costed, transport or None)."""
    req = ctx.requirements
    disc = ctx.disc
    annuity = float(disc.sum())
    comps: dict[str, np.ndarray] = {}
    park = v.col("park")

    tenure = v.col("tenure")
    sale, lease, sale_b, lease_b = land_options(index, rows, ctx, v)
    allow_sale = req.tenure in ("sale", "any")
    allow_lease = req.tenure in ("lease", "any")
    b = req.budget
    over_sale = (sale_b > b.max_sale_price) if b and b.max_sale_price is not None else False
    over_lease = (
        (lease_b > b.max_lease_per_year) if b and b.max_lease_per_year is not None else False
    )
    can_sale = ((tenure & 1) > 0) & allow_sale & ~np.asarray(over_sale)
    can_lease = ((tenure & 2) > 0) & allow_lease & ~np.asarray(over_lease)
    sale_pv = np.where(can_sale, sale, np.nan)
    lease_pv = np.where(can_lease, lease * annuity, np.nan)
    with np.errstate(invalid="ignore"):
        land = np.fmin(sale_pv, lease_pv)  # fmin ignores a NaN side
    chosen = np.where(
        np.isnan(land), 0, np.where(np.isnan(lease_pv) | (sale_pv <= lease_pv), 1, 2)
    ).astype(np.int8)
    comps["land"] = land

    for u, need_key, cap_col, _tariff, _fee, unit in UTILITIES:
        need = req.need(need_key) or 0.0
        if need <= 0:
            comps[f"connection.{u}"] = np.zeros(len(rows))
            continue
        short = np.maximum(need - v.col(cap_col), 0.0)  # NaN capacity → NaN shortfall
        conn = np.zeros(len(rows))
        lacking = np.flatnonzero(short != 0)  # short of capacity, or not known (NaN)
        if len(lacking):  # none when the need is a hard constraint: feasible sites have it
            fees = pc.conn_fee[u]
            fee = fees[park[lacking]] if len(fees) else np.nan
            conn[lacking] = short[lacking] * unit * fee
        comps[f"connection.{u}"] = conn

    transport = None
    fr = req.freight
    if fr is not None:
        annuity_op = float((disc * ctx.operating).sum())
        f = ctx.factor(fr.currency)
        total = np.zeros(len(rows))
        for mode, cost in fr.cost_per_tonne_km.items():
            tonnes = fr.tonnes(mode)
            if tonnes == 0 or cost == 0:
                continue
            total = total + tonnes * cost * v.col(f"dist_{mode}_km")
        transport = total * f * annuity_op
    return comps, chosen, transport


def site_costs(
    index: SiteIndex,
    rows: np.ndarray,
    ctx: CostContext,
    pc: ParkCosts,
    view: RowsView | None = None,
) -> SiteCosts:
    """Every component for ``rows`` (site positions): land, connections and transport from
    the site; utilities, labour and taxes gathered from the park (see the module table).

    Land: among the tenures the requirement allows and the site offers, and not known to
    exceed the budget, the one with the lower PV (sale at year 0, lease Σ_k lease × d_k);
    an option with an unknown price is skipped when another is known.
    """
    v = view if view is not None else RowsView(index, rows)
    park = v.col("park")
    comps, chosen, transport = _site_components(index, rows, ctx, pc, v)
    for key in PARK_COMPONENTS:
        comps[key] = pc.component(key, park)
    if transport is not None:
        comps["transport"] = transport

    stack = np.vstack(list(comps.values())) if comps else np.zeros((0, len(rows)))
    unknown = np.isnan(stack)
    return SiteCosts(
        components=comps,
        tenure=chosen,
        total=np.where(unknown, 0.0, stack).sum(axis=0),
        n_unknown=unknown.sum(axis=0),
    )


def site_totals(
    index: SiteIndex,
    rows: np.ndarray,
    ctx: CostContext,
    pc: ParkCosts,
    view: RowsView | None = None,
) -> SiteCosts:
    """What ranking needs for many ``rows``: the total of the known components and the count
    of unknown ones, equal to :func:`site_costs`'s up to rounding — the park's components
    enter as one per-park sum (:func:`park_totals`) instead of one gather per component, so
    ``components`` holds only the site's own (land, connections, transport). Use
    :func:`site_costs` for the rows shown."""
    v = view if view is not None else RowsView(index, rows)
    park = v.col("park")
    comps, chosen, transport = _site_components(index, rows, ctx, pc, v)
    if transport is not None:
        comps["transport"] = transport
    park_total, park_unknown = park_totals(pc)
    total = park_total[park] if len(park_total) else np.zeros(len(rows))
    n_unknown = (
        park_unknown[park].astype(np.int64)
        if len(park_unknown)
        else np.full(len(rows), len(PARK_COMPONENTS), dtype=np.int64)
    )
    for c in comps.values():
        known = c == c
        total = total + np.where(known, c, 0.0)
        n_unknown = n_unknown + ~known
    return SiteCosts(components=comps, tenure=chosen, total=total, n_unknown=n_unknown)


def park_totals(pc: ParkCosts) -> tuple[np.ndarray, np.ndarray]:
    """Per park: the sum of its known components (utilities, labour, taxes) and how many
    are unknown. The labour and tax part comes summed with the project's park costs
    (``ParkCosts.fixed_total``); the utilities, which follow the needs, are added here."""
    if not len(pc.fixed_total):
        return np.zeros(0), np.zeros(0, dtype=np.int8)
    use = np.array([pc.utility_use[u] for u, *_ in UTILITIES])
    used = use != 0  # a need of 0 costs 0: known
    total = pc.fixed_total + pc.price_known @ use
    n_unknown = pc.fixed_unknown + pc.price_unknown[:, used].sum(axis=1, dtype=np.int8)
    return total, n_unknown


def _known_sum(arrs: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise sum of the known (not NaN) values of ``arrs`` and count of unknowns."""
    total = np.zeros(n)
    n_unknown = np.zeros(n, dtype=np.int8)
    for a in arrs:  # in turn, not as a stacked array: contiguous passes over the parks
        known = a == a
        total += np.where(known, a, 0.0)
        n_unknown += ~known
    return total, n_unknown
