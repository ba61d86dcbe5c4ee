"""The investment project's financial model: cash flows, taxes with benefits, NPV, IRR, DSCR.

One function, :func:`evaluate`, turns the shared project document (``core/project.py``) into
a :class:`FinanceResult`; the CLI, the REST API, the web pages, the sensitivity analysis and
the Monte Carlo simulation all call it (or its vectorised twin in ``risk.py``). Taxes come from
the one tax calculation of the product, ``core.taxes.compute_taxes``, with the reliefs of the
incentives engine when the project names a park; the loan schedule from
``core.project.Loan.schedule``; the metrics from :mod:`technopark.finance.metrics`.

Conventions (see ``docs/finance-model.md``): ``t = 0`` is ``start_year``, flows at year end,
money nominal in the project currency excluding VAT,

    net cash flow_t = revenue_t − opex_t − capex_t − taxes_t − Δworking capital_t

where taxes are those payable (after benefits, with loan interest deducted from taxable
profit). No terminal value and no release of working capital at the horizon.

This module imports nothing from Django.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from technopark.core.project import (
    ASSET_CLASSES,
    LoanSchedule,
    Project,
    YearAmount,
    parse_project,
)
from technopark.core.taxes import TaxRates, TaxTable, baseline_rates, compute_taxes
from technopark.finance import metrics
from technopark.incentives.engine import ParkFacts, reliefs_for

__all__ = [
    "Drivers",
    "FinanceResult",
    "ReliefSource",
    "apply_drivers",
    "evaluate",
    "evaluate_project",
    "json_number",
    "parse_or_keep",
    "relief_source",
    "scale_rates",
    "working_capital",
]

FloatArray = np.ndarray
#: A function giving the per-tax, per-year relief fractions (0..1) of a project, e.g. the
#: incentives engine bound to a park and its regimes; ``None`` means no benefits.
ReliefSource = Callable[[Project], Mapping[str, FloatArray]]


# --------------------------------------------------------------------------- drivers


@dataclass(frozen=True)
class Drivers:
    """Adjustments to a project for sensitivity analysis, as factors on the document's values.

    ``revenue``, ``opex``, ``capex`` and ``tax_rates`` multiply every year's amount (or every
    tax rate); ``discount_rate`` multiplies the discount rate; ``delay_years`` moves
    commissioning and everything from the commissioning year on (revenue, opex, jobs, water)
    that many years later, dropping what falls past the horizon; capex keeps its years.
    """

    revenue: float = 1.0
    opex: float = 1.0
    capex: float = 1.0
    tax_rates: float = 1.0
    discount_rate: float = 1.0
    delay_years: int = 0

    def is_base(self) -> bool:
        """True when nothing is changed."""
        return self == Drivers()


def _scaled(items: tuple[YearAmount, ...], factor: float) -> tuple[YearAmount, ...]:
    return tuple(dataclasses.replace(i, amount=i.amount * factor) for i in items)


def _delayed(items: tuple[Any, ...] | None, from_year: int, by: int, end: int) -> Any:
    if items is None:
        return None
    moved = (dataclasses.replace(i, year=i.year + by) if i.year >= from_year else i for i in items)
    kept: dict[int, Any] = {}
    for i in moved:  # a moved entry may land on a year that already had one: add them up
        if i.year > end:
            continue
        if i.year in kept:
            prev = kept[i.year]
            attr = "count" if hasattr(i, "count") else "amount"
            i = dataclasses.replace(prev, **{attr: getattr(prev, attr) + getattr(i, attr)})
        kept[i.year] = i
    return tuple(kept[y] for y in sorted(kept))


def apply_drivers(project: Project, drivers: Drivers) -> Project:
    """The project with revenue, opex and capex scaled and commissioning delayed.

    Tax rates and the discount rate are applied by :func:`evaluate` (they are not in the
    document as numbers when baseline rates are used).

    >>> from technopark.core.project import parse_project
    >>> p = parse_project(_EXAMPLE)
    >>> q = apply_drivers(p, Drivers(revenue=1.1, delay_years=1))
    >>> q.commissioning_year, q.revenue_by_year().tolist()
    (2026, [0.0, 0.0, 1100.0])
    """
    if drivers.delay_years < 0:
        raise ValueError("A commissioning delay cannot be negative.")
    p = dataclasses.replace(
        project,
        revenue=_scaled(project.revenue, drivers.revenue),
        opex=_scaled(project.opex, drivers.opex),
        capex=tuple(dataclasses.replace(c, amount=c.amount * drivers.capex) for c in project.capex),
    )
    if drivers.delay_years:
        by, start, end = drivers.delay_years, project.commissioning_year, project.end_year
        ms = project.milestones
        commissioning = ms.commissioning
        if commissioning is not None:
            commissioning = commissioning.replace(year=commissioning.year + by)
        p = dataclasses.replace(
            p,
            commissioning_year=project.commissioning_year + by,
            milestones=dataclasses.replace(ms, commissioning=commissioning),
            revenue=_delayed(p.revenue, start, by, end),
            opex=_delayed(p.opex, start, by, end),
            jobs=_delayed(p.jobs, start, by, end),
            water_use_m3=_delayed(p.water_use_m3, start, by, end),
        )
    return p


def scale_rates(rates: TaxRates, factor: float) -> TaxRates:
    """Every tax rate (and per-unit amount) multiplied by ``factor``; loss rules unchanged.

    >>> from technopark.core.project import parse_project
    >>> r = scale_rates(baseline_rates(parse_project(_EXAMPLE)), 1.2)
    >>> round(float(r.profit[0]), 4)  # Uzbek profit tax 15 % x 1.2
    0.18
    """
    if factor == 1.0:
        return rates
    names = (
        "profit",
        "property",
        "land_share",
        "land_per_ha",
        "water_per_m3",
        "social",
        "social_above_cap",
    )
    changes = {n: getattr(rates, n) * factor for n in names if getattr(rates, n) is not None}
    return dataclasses.replace(rates, **changes)


# --------------------------------------------------------------------------- working capital


def working_capital(project: Project, revenue: FloatArray, opex: FloatArray) -> FloatArray:
    r"""Net working capital at each year end from days of revenue and opex.

    .. math:: WC_t = \frac{d_{rec}\,\mathrm{revenue}_t + (d_{inv} - d_{pay})\,\mathrm{opex}_t}{365}

    The cash flow carries its change :math:`\Delta WC_t = WC_t - WC_{t-1}` (with
    :math:`WC_{-1} = 0`).

    References
    ----------
    UNIDO, *Manual for the Preparation of Industrial Feasibility Studies*, 1991, ch. 10
    (net working capital from coverage days); Brealey, Myers, Allen, ch. 6.

    Examples
    --------
    Sales of 365,000 a year collected after 45 days, costs of 292,000 with 30 days of stock
    and 30 days of supplier credit: 45,000 tied up.

    >>> import numpy as np
    >>> from technopark.core.project import parse_project
    >>> doc = dict(_EXAMPLE, working_capital={"receivable_days": 45, "inventory_days": 30,
    ...                                       "payable_days": 30})
    >>> working_capital(parse_project(doc), np.array([365000.0]), np.array([292000.0])).tolist()
    [45000.0]
    """
    wc = project.working_capital
    return (wc.receivable_days * revenue + (wc.inventory_days - wc.payable_days) * opex) / 365.0


# --------------------------------------------------------------------------- result


def json_number(x: float | None) -> float | None:
    """A float for JSON output: NaN, infinities and None become None.

    >>> json_number(float("nan")) is None, json_number(1.5)
    (True, 1.5)
    """
    return float(x) if x is not None and math.isfinite(x) else None


@dataclass(frozen=True)
class FinanceResult:
    """Everything :func:`evaluate` computes, arrays aligned with ``years``.

    ``taxes`` are the taxes payable (after benefits); ``taxes_without_benefits`` the baseline.
    Metric fields are ``nan`` when they do not exist; :meth:`to_dict` turns them into
    ``None`` and adds the reason.
    """

    name: str
    currency: str
    discount_rate: float
    finance_rate: float
    reinvest_rate: float
    years: FloatArray
    revenue: FloatArray
    opex: FloatArray
    capex: FloatArray
    depreciation: FloatArray
    taxes: FloatArray
    taxes_without_benefits: FloatArray
    delta_working_capital: FloatArray
    net_cash_flow: FloatArray
    loan: LoanSchedule | None
    tax_table: TaxTable
    benefits_applied: bool
    npv: float
    irr: float
    irr_code: int
    mirr: float
    payback_years: float
    discounted_payback_years: float
    without_benefits: dict[str, float]
    without_benefits_irr_code: int
    jobs: FloatArray | None = None
    capex_by_asset: dict[str, FloatArray] = field(default_factory=dict)
    equity_cash_flow: FloatArray | None = None
    equity_npv: float = math.nan
    equity_irr: float = math.nan
    equity_irr_code: int = metrics.IRR_NO_SIGN_CHANGE
    dscr: FloatArray | None = None
    warnings: tuple[str, ...] = ()
    drivers: Drivers = field(default_factory=Drivers)

    @property
    def cumulative(self) -> FloatArray:
        """Cumulative net cash flow."""
        return np.cumsum(self.net_cash_flow)

    @property
    def cfads(self) -> FloatArray:
        """Cash flow available for debt service: revenue − opex − taxes − ΔWC (capex is taken
        as funded by the loan and equity)."""
        return self.revenue - self.opex - self.taxes - self.delta_working_capital

    @property
    def min_dscr(self) -> float:
        """Lowest DSCR over the years with debt service (nan without a loan)."""
        if self.dscr is None or np.isnan(self.dscr).all():
            return math.nan
        return float(np.nanmin(self.dscr))

    @property
    def benefits_value(self) -> float:
        """NPV with benefits minus NPV without: the present value of the taxes saved."""
        return self.npv - self.without_benefits["npv"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe plain data: NaN becomes ``None`` beside a ``*_reason`` sentence."""
        cum = self.cumulative
        rows = []
        loan = self.loan
        for i, year in enumerate(self.years.tolist()):
            row: dict[str, Any] = {
                "year": int(year),
                "revenue": float(self.revenue[i]),
                "opex": float(self.opex[i]),
                "capex": float(self.capex[i]),
                "depreciation": float(self.depreciation[i]),
                "taxes": float(self.taxes[i]),
                "taxes_without_benefits": float(self.taxes_without_benefits[i]),
                "delta_working_capital": float(self.delta_working_capital[i]),
                "net_cash_flow": float(self.net_cash_flow[i]),
                "cumulative": float(cum[i]),
            }
            if self.capex_by_asset:
                row["capex_by_asset"] = {
                    k: float(v[i]) for k, v in self.capex_by_asset.items() if v[i]
                }
            if self.jobs is not None:
                row["jobs"] = int(self.jobs[i])
            if loan is not None and self.equity_cash_flow is not None and self.dscr is not None:
                row.update(
                    loan_drawdown=float(loan.drawdown[i]),
                    interest=float(loan.interest[i]),
                    principal=float(loan.principal[i]),
                    loan_balance=float(loan.balance_end[i]),
                    cfads=float(self.cfads[i]),
                    dscr=json_number(self.dscr[i]),
                    equity_cash_flow=float(self.equity_cash_flow[i]),
                )
            rows.append(row)
        out: dict[str, Any] = {
            "name": self.name,
            "currency": self.currency,
            "discount_rate": self.discount_rate,
            "npv": json_number(self.npv),
            "irr": json_number(self.irr),
            "mirr": json_number(self.mirr),
            "mirr_finance_rate": self.finance_rate,
            "mirr_reinvest_rate": self.reinvest_rate,
            "payback_years": json_number(self.payback_years),
            "discounted_payback_years": json_number(self.discounted_payback_years),
            "min_dscr": json_number(self.min_dscr),
        }
        if math.isnan(self.irr):
            out["irr_reason"] = metrics.irr_reason(self.irr_code)
        if math.isnan(self.mirr):
            out["mirr_reason"] = "The cash flows need at least one inflow and one outflow."
        if math.isnan(self.payback_years):
            out["payback_reason"] = "The cumulative cash flow is still negative at the horizon."
        if math.isnan(self.discounted_payback_years):
            out["discounted_payback_reason"] = (
                "The cumulative discounted cash flow is still negative at the horizon."
            )
        if math.isnan(self.min_dscr):
            out["min_dscr_reason"] = (
                "The project has no loan."
                if self.loan is None
                else "No debt service falls inside the horizon."
            )
        if self.benefits_applied:
            wb = self.without_benefits
            out["without_benefits"] = {
                "npv": json_number(wb["npv"]),
                "irr": json_number(wb["irr"]),
                "payback_years": json_number(wb["payback_years"]),
            }
            if math.isnan(wb["irr"]):
                out["without_benefits"]["irr_reason"] = metrics.irr_reason(
                    self.without_benefits_irr_code
                )
            out["benefits_value"] = json_number(self.benefits_value)
            out["taxes_saved_total"] = float(self.taxes_without_benefits.sum() - self.taxes.sum())
        if self.equity_cash_flow is not None:
            out["equity"] = {
                "npv": json_number(self.equity_npv),
                "irr": json_number(self.equity_irr),
            }
            if math.isnan(self.equity_irr):
                out["equity"]["irr_reason"] = metrics.irr_reason(self.equity_irr_code)
        out["cashflows"] = rows
        out["taxes_by_type"] = [
            r for r in self.tax_table.rows() if r["baseline"] or r["payable"] or r["saved"]
        ]
        out["unknown_taxes"] = list(self.tax_table.unknown)
        out["tax_rate_sources"] = [s.to_dict() for s in self.tax_table.rates.sources]
        out["warnings"] = list(self.warnings)
        if not self.drivers.is_base():
            out["drivers"] = dataclasses.asdict(self.drivers)
        return out


# --------------------------------------------------------------------------- evaluate


def parse_or_keep(document: Mapping[str, Any] | Project) -> Project:
    """The parsed project (``ProjectError`` with JSON paths when the document is bad)."""
    return document if isinstance(document, Project) else parse_project(document)


def relief_source(
    reliefs: Mapping[str, FloatArray] | ReliefSource | None = None,
    park: ParkFacts | None = None,
    regimes: Any = None,
) -> Mapping[str, FloatArray] | ReliefSource | None:
    """The benefits to apply: ``reliefs`` as given, else the incentives engine's reliefs for
    the park (``incentives.engine.reliefs_for``, evaluated on each adjusted project), else
    none.

    >>> relief_source() is None
    True
    """
    if reliefs is not None or park is None:
        return reliefs
    return lambda project: reliefs_for(project, park, regimes)


def evaluate(
    document: Mapping[str, Any] | Project,
    *,
    park: ParkFacts | None = None,
    regimes: Any = None,
    reliefs: Mapping[str, FloatArray] | ReliefSource | None = None,
    rates: TaxRates | None = None,
    country: str | None = None,
    finance_rate: float | None = None,
    reinvest_rate: float | None = None,
    drivers: Drivers = Drivers(),
) -> FinanceResult:
    r"""Cash flows, taxes and investment metrics of a project document.

    .. math::
        CF_t = R_t - O_t - K_t - \mathrm{Tax}_t - \Delta WC_t, \qquad
        \mathrm{NPV} = \sum_{t=0}^{T-1} \frac{CF_t}{(1+r)^t}

    Steps: parse the document (``ProjectError`` with JSON paths when it is bad); apply the
    sensitivity ``drivers``; baseline tax rates of the country (``core.taxes.baseline_rates``;
    the document's ``tax_overrides`` replace them); loan schedule (``Loan.schedule``); taxes
    with and without benefits (``core.taxes.compute_taxes``; the interest of the loan is
    deducted from taxable profit); working capital; then NPV, IRR, MIRR, payback and
    discounted payback of the project cash flow, the equity cash flow
    (:math:`CF_t + \text{drawdown}_t - \text{interest}_t - \text{principal}_t`) and the DSCR
    per year (:math:`\mathrm{CFADS}_t / (\text{interest}_t + \text{principal}_t)` with
    :math:`\mathrm{CFADS}_t = R_t - O_t - \mathrm{Tax}_t - \Delta WC_t`).

    Parameters
    ----------
    document : mapping or Project
        The investment project document (``docs/project-schema.md``).
    park : ParkFacts, optional
        The park the project is located in: its regimes' benefits are applied (incentives
        engine, ``regimes`` default to the regime data) and its country's tax rules used.
    reliefs : mapping or callable, optional
        Benefits given directly as fractions of each tax per year (``{"profit": array,
        ...}``), or a callable giving them for a (possibly adjusted) project; overrides
        ``park``. Without benefits the result has no ``without_benefits`` part.
    rates : TaxRates, optional
        Baseline rates already resolved (default: ``baseline_rates`` of the project).
    country : str, optional
        Country of the tax rules when the document gives only a ``park_id``.
    finance_rate, reinvest_rate : float, optional
        MIRR rates; default the loan rate (or the discount rate without a loan) and the
        discount rate.
    drivers : Drivers
        Sensitivity adjustments (see :class:`Drivers`).

    References
    ----------
    UNIDO, *Manual for the Preparation of Industrial Feasibility Studies*, 1991, ch. 10;
    Brealey, Myers, Allen, *Principles of Corporate Finance*, 13th ed., ch. 5–6;
    E. R. Yescombe, *Principles of Project Finance*, 2nd ed., 2014, ch. 12 (DSCR).

    Examples
    --------
    A two-year Uzbek workshop: 1,000 of equipment in 2025 (commissioned that year, 10-year
    life: depreciation 100 a year), sales 1,000 and costs 400 in 2026, discount rate 10 %.
    2025: taxable profit −100 (a loss) → no tax. 2026: profit 1,000 − 400 − 100 = 500, less
    the 100 loss carried forward = 400, × 15 % = 60. Cash flows −1,000 and
    1,000 − 400 − 60 = 540; NPV = −1,000 + 540/1.1 = −509.09.

    >>> r = evaluate(_EXAMPLE_2)
    >>> r.taxes.tolist(), r.net_cash_flow.tolist(), round(r.npv, 2)
    ([0.0, 60.0], [-1000.0, 540.0], -509.09)
    """
    project = apply_drivers(parse_or_keep(document), drivers)
    reliefs = relief_source(reliefs, park, regimes)
    if park is not None:
        country = country or park.country
    rates = rates or baseline_rates(project, country=country)
    rates = scale_rates(rates, drivers.tax_rates)
    if callable(reliefs):
        reliefs = reliefs(project)
    loan = project.loan.schedule(project.years) if project.loan is not None else None
    interest = loan.interest if loan is not None else np.zeros(project.horizon_years)
    table = compute_taxes(project, rates, reliefs, interest=interest)
    warnings = list(table.warnings)
    if loan is not None and loan.balance_end[-1] > 1e-6:
        warnings.append(
            f"The loan is not repaid within the horizon: {loan.balance_end[-1]:,.2f} "
            f"{project.currency} is still owed after {project.end_year}; the model does not "
            "repay it."
        )

    revenue, opex = project.revenue_by_year(), project.opex_by_year()
    capex = project.capex_by_year()
    wc = working_capital(project, revenue, opex)
    delta_wc = np.diff(wc, prepend=0.0)
    taxes, taxes_base = table.total("payable"), table.total("baseline")
    pre_tax = revenue - opex - capex - delta_wc
    cf, cf_base = pre_tax - taxes, pre_tax - taxes_base

    rate = project.discount_rate * drivers.discount_rate
    if finance_rate is None:
        finance_rate = project.loan.rate if project.loan is not None else rate
    fin = finance_rate
    reinv = reinvest_rate if reinvest_rate is not None else rate
    irr, code = metrics.irr(cf, return_codes=True)
    irr_b, code_b = metrics.irr(cf_base, return_codes=True)

    equity = dscr = None
    eq_npv = eq_irr = math.nan
    eq_code = metrics.IRR_NO_SIGN_CHANGE
    if loan is not None:
        equity = cf + loan.drawdown - loan.interest - loan.principal
        eq_npv = float(metrics.npv(rate, equity))
        eq_irr, eq_code = metrics.irr(equity, return_codes=True)
        dscr = metrics.dscr(revenue - opex - taxes - delta_wc, loan.interest + loan.principal)
    has_benefits = reliefs is not None
    return FinanceResult(
        name=project.name,
        currency=project.currency,
        discount_rate=rate,
        finance_rate=float(fin),
        reinvest_rate=float(reinv),
        years=project.years,
        revenue=revenue,
        opex=opex,
        capex=capex,
        depreciation=table.bases.depreciation,
        taxes=taxes,
        taxes_without_benefits=taxes_base,
        delta_working_capital=delta_wc,
        net_cash_flow=cf,
        loan=loan,
        tax_table=table,
        benefits_applied=has_benefits,
        npv=float(metrics.npv(rate, cf)),
        irr=float(irr),
        irr_code=int(code),
        mirr=float(metrics.mirr(cf, fin, reinv)),
        payback_years=float(metrics.payback(cf)),
        discounted_payback_years=float(metrics.discounted_payback(rate, cf)),
        without_benefits={
            "npv": float(metrics.npv(rate, cf_base)),
            "irr": float(irr_b),
            "payback_years": float(metrics.payback(cf_base)),
        },
        without_benefits_irr_code=int(code_b),
        jobs=project.jobs_by_year() if project.jobs else None,
        capex_by_asset={
            a: project.capex_by_year(a)
            for a in ASSET_CLASSES
            if any(c.asset == a for c in project.capex)
        },
        equity_cash_flow=equity,
        equity_npv=eq_npv,
        equity_irr=float(eq_irr),
        equity_irr_code=int(eq_code),
        dscr=dscr,
        warnings=tuple(warnings),
        drivers=drivers,
    )


def evaluate_project(
    document: Mapping[str, Any] | Project,
    **options: Any,
) -> dict[str, Any]:
    """:func:`evaluate` as JSON-safe plain data (what the CLI prints and the API returns).

    >>> evaluate_project(_EXAMPLE_2)["cashflows"][1]["net_cash_flow"]
    540.0
    """
    return evaluate(document, **options).to_dict()


# Small documents for the examples above.
_EXAMPLE: dict[str, Any] = {
    "name": "Example",
    "currency": "USD",
    "country": "UZ",
    "start_year": 2024,
    "horizon_years": 3,
    "discount_rate": 0.1,
    "industry": "C",
    "hazard_class": 5,
    "residency_start": "2024-01-01",
    "commissioning_year": 2025,
    "land_area_ha": 0,
    "capex": [{"year": 2024, "amount": 1000, "asset": "equipment"}],
    "revenue": [{"year": 2025, "amount": 1000}],
    "opex": [],
    "jobs": [],
}
_EXAMPLE_2: dict[str, Any] = {
    **_EXAMPLE,
    "start_year": 2025,
    "horizon_years": 2,
    "residency_start": "2025-01-01",
    "commissioning_year": 2025,
    "capex": [{"year": 2025, "amount": 1000, "asset": "equipment"}],
    "revenue": [{"year": 2026, "amount": 1000}],
    "opex": [{"year": 2026, "amount": 400}],
}
