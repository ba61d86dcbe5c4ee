"""Incentives engine: which legal regimes apply to a project in a park, and what they are worth.

``evaluate(project, park, regimes)`` returns every regime that could apply to the park with
``eligible`` and the reasons (met *and* unmet conditions, in words), and for eligible regimes each
benefit's calendar window and the year-by-year tax table (baseline, payable, saved).

Rules (docs/incentives.md has the long form):

* A benefit's term runs in months from its start event: certificate/registration = the project's
  ``residency_start``; title_registration = ``milestones.title_registration`` (else residency);
  commissioning = ``milestones.commissioning`` (else 1 January of ``commissioning_year``);
  first_profit = 1 January of the first year with a positive result before tax; regime_start =
  the regime's ``effective_from``. The start month counts in full.
* A year's relief = (months of the year covered / 12) × the relief of the form: exemption 1,
  percentage_reduction r, reduced_rate 1 − rate / general rate (never below 0) — times the
  project's ``eligible_activity_share`` (a benefit attaches to the activities of the agreement).
* The window is clipped to the regime's effective period and the benefit's ``ends_on``.
* Investment brackets are lower-bound inclusive (unless the data says otherwise). Capex of a
  calendar year counts as made on 31 December of that year, converted to the bracket currency at
  that year's FX rate. The initial bracket uses cumulative capex through the end of the start
  event's year; with ``extends_on_higher_investment`` a later year whose cumulative capex reaches a
  higher bracket while the term is still running extends the term (Tax Code UZ Art. 474).
* Benefits on the same tax in the same year do not stack: the largest relief applies.
* Savings are computed by :func:`technopark.core.taxes.compute_taxes` and are never more than the
  baseline tax of the year (a loss year saves no profit tax).
* PV of savings at the project's discount rate, the finance model's convention:
  saved_t / (1 + r)^t, t = 0 for start_year.

Pure Python + numpy: no Django import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from technopark.core.project import Project, isic_section
from technopark.core.taxes import (
    TAXES,
    FxError,
    FxRate,
    FxTable,
    TaxRates,
    TaxTable,
    baseline_rates,
    compute_taxes,
    load_fx,
)
from technopark.incentives.loader import (
    Benefit,
    Bracket,
    Conditions,
    Regime,
    load_regimes,
)

__all__ = [
    "BenefitOutcome",
    "IncentiveResult",
    "ParkFacts",
    "Reason",
    "RegimeOutcome",
    "evaluate",
    "load_regimes",
    "reliefs_for",
    "render_text",
]

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
_STATUS_WORD = {MET: "met", NOT_MET: "not met", UNKNOWN: "unknown"}


@dataclass(frozen=True)
class ParkFacts:
    """What the engine needs to know about a park (the registry supplies it)."""

    park_id: str
    country: str
    kind: str
    regime_ids: tuple[str, ...] = ()
    occupancy_share: float | None = None
    region: str | None = None
    name: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ParkFacts:
        """Build from plain data (a registry row or API payload): ``park_id``, ``country``,
        ``kind``, ``regime_ids`` (list or ``;``-separated), optional ``occupancy_share`` — or
        ``area_total_ha`` and ``area_free_ha``, giving occupancy = 1 − free / total —,
        ``region``, ``name``.

        >>> ParkFacts.from_mapping({"park_id": "p", "country": "RU", "kind": "industrial_park",
        ...     "regime_ids": "ru-tatarstan-industrial-park", "area_total_ha": 100,
        ...     "area_free_ha": 40}).occupancy_share
        0.6
        """
        ids = data.get("regime_ids") or ()
        if isinstance(ids, str):
            ids = [x.strip() for x in ids.split(";") if x.strip()]
        occ = data.get("occupancy_share")
        total, free = data.get("area_total_ha"), data.get("area_free_ha")
        if occ is None and total and free is not None and float(total) > 0:
            occ = round(1.0 - float(free) / float(total), 6)
        return cls(
            park_id=str(data["park_id"]),
            country=str(data["country"]),
            kind=str(data.get("kind") or ""),
            regime_ids=tuple(ids),
            occupancy_share=None if occ is None else float(occ),
            region=data.get("region") or None,
            name=data.get("name") or None,
        )


@dataclass(frozen=True)
class Reason:
    """One condition checked, its status (met / not_met / unknown) and a sentence."""

    condition: str
    status: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """Plain-data form."""
        return {"condition": self.condition, "status": self.status, "text": self.text}


@dataclass(frozen=True)
class BenefitOutcome:
    """A benefit of an eligible regime applied to the project."""

    benefit: Benefit
    applies: bool
    reasons: tuple[Reason, ...]
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive (first day no longer covered); None = open
    term_months: int | None = None
    months_by_year: dict[int, int] = field(default_factory=dict)
    relief: np.ndarray | None = None  # per project year, 0..1

    @property
    def years(self) -> list[int]:
        """Calendar years with at least one month covered."""
        return [y for y, m in self.months_by_year.items() if m > 0]

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form."""
        b = self.benefit
        return {
            "id": b.id,
            "tax": b.tax,
            "form": b.form,
            "applies": self.applies,
            "start_event": b.start_event,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "term_months": self.term_months,
            "years": self.years,
            "months_by_year": {str(y): m for y, m in self.months_by_year.items() if m > 0},
            "relief_by_year": (
                [round(float(x), 6) for x in self.relief] if self.relief is not None else None
            ),
            "quantified": b.quantified,
            "confidence": b.confidence,
            "citation": b.citation,
            "note": b.note,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class RegimeOutcome:
    """A regime considered for the park: eligibility with reasons, benefits, its own value."""

    regime: Regime
    eligible: bool
    reasons: tuple[Reason, ...]
    benefits: tuple[BenefitOutcome, ...] = ()
    saved_by_year: np.ndarray | None = None  # this regime alone
    total_saved: float = 0.0
    npv_saved: float = 0.0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Plain-data form."""
        r = self.regime
        return {
            "id": r.id,
            "name": r.name(lang),
            "names": dict(r.names),
            "jurisdiction": r.jurisdiction,
            "confidence": r.confidence,
            "effective_from": r.effective_from.isoformat(),
            "effective_to": r.effective_to.isoformat() if r.effective_to else None,
            "legal_basis": [
                {"citation": a.label(), "url": a.url, "note": a.note} for a in r.legal_basis
            ],
            "eligible": self.eligible,
            "reasons": [x.to_dict() for x in self.reasons],
            "benefits": [b.to_dict() for b in self.benefits],
            "total_saved": round(self.total_saved, 2),
            "npv_saved": round(self.npv_saved, 2),
            "notes": list(r.notes),
        }


@dataclass(frozen=True)
class IncentiveResult:
    """Everything :func:`evaluate` found; ``to_dict()`` for JSON, :func:`render_text` for people."""

    park: ParkFacts
    project_name: str
    currency: str
    years: np.ndarray
    discount_rate: float
    regimes: tuple[RegimeOutcome, ...]
    table: TaxTable | None
    total_saved: float
    npv_saved: float
    fx: tuple[FxRate, ...]
    warnings: tuple[str, ...]
    #: combined relief per tax per year (0..1), the input of ``core.taxes.compute_taxes``
    reliefs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def eligible(self) -> list[RegimeOutcome]:
        """The eligible regimes."""
        return [r for r in self.regimes if r.eligible]

    def by_year(self) -> list[dict[str, Any]]:
        """``{year, tax, baseline, payable, saved}`` rows (all taxes, all years)."""
        return self.table.rows() if self.table is not None else []

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready result (money rounded to 2 decimals)."""
        rows = [
            {**row, **{k: round(row[k], 2) for k in ("baseline", "payable", "saved")}}
            for row in self.by_year()
        ]
        totals: dict[str, dict[str, float]] = {}
        if self.table is not None:
            for tax, line in self.table.lines.items():
                totals[tax] = {
                    "baseline": round(float(line.baseline.sum()), 2),
                    "payable": round(float(line.payable.sum()), 2),
                    "saved": round(float(line.saved.sum()), 2),
                    "known": line.known,
                }
        return {
            "park_id": self.park.park_id,
            "park_country": self.park.country,
            "park_kind": self.park.kind,
            "project": self.project_name,
            "currency": self.currency,
            "years": [int(y) for y in self.years],
            "discount_rate": self.discount_rate,
            "regimes": [r.to_dict(lang) for r in self.regimes],
            "by_year": rows,
            "totals_by_tax": totals,
            "total_saved": round(self.total_saved, 2),
            "npv_saved": round(self.npv_saved, 2),
            "npv_convention": "saved_t / (1 + discount_rate)^t, t = 0 in start_year (as the "
            "finance model's NPV)",
            "fx": [r.to_dict() for r in self.fx],
            "rate_sources": (
                [s.to_dict() for s in self.table.rates.sources] if self.table is not None else []
            ),
            "unknown_taxes": list(self.table.unknown) if self.table is not None else [],
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------- helpers


def _money(amount: float, currency: str) -> str:
    """'USD 4.2 m', 'RUB 1.11 bn', 'USD 950,000'."""
    a = abs(amount)
    if a >= 1e9:
        v = f"{amount / 1e9:.3f}".rstrip("0").rstrip(".")
        return f"{currency} {v} bn"
    if a >= 1e5:
        v = f"{amount / 1e6:.3f}".rstrip("0").rstrip(".")
        return f"{currency} {v} m"
    return f"{currency} {amount:,.0f}"


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _midx(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _mdate(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def _add_months(d: dt.date, months: int) -> dt.date:
    return _mdate(_midx(d) + months)


def _reason(condition: str, ok: bool | None, text: str) -> Reason:
    status = UNKNOWN if ok is None else (MET if ok else NOT_MET)
    return Reason(condition, status, f"{text}: {_STATUS_WORD[status]}")


def _counted_years(project: Project, deadline: dt.date | None) -> np.ndarray:
    """Mask of project years whose capex/jobs count by ``deadline`` (dated 31 December)."""
    if deadline is None:
        return np.ones(project.horizon_years, dtype=bool)
    return np.array([dt.date(int(y), 12, 31) <= deadline for y in project.years])


def _capex_in(project: Project, fx: FxTable, currency: str) -> np.ndarray:
    """Capex per year converted to ``currency`` at each year's rate (FxError propagates)."""
    cap = project.capex_by_year()
    return np.array(
        [
            fx.convert(float(c), project.currency, currency, int(y)) if c else 0.0
            for c, y in zip(cap, project.years, strict=True)
        ]
    )


def _industry_matches(code: str, prefix: str) -> bool | None:
    """Does ISIC ``code`` fall under ``prefix``? None when it cannot be told (section only)."""
    if prefix.isalpha():
        return isic_section(code) == prefix
    if code.isalpha():
        return None
    return code.startswith(prefix)


def _check_conditions(
    c: Conditions, project: Project, park: ParkFacts, fx: FxTable, prefix: str = ""
) -> list[Reason]:
    reasons: list[Reason] = []
    if c.min_investment is not None:
        mi = c.min_investment
        deadline = mi.deadline
        if mi.within_months is not None:
            deadline = _add_months(project.residency_start, mi.within_months)
        mask = _counted_years(project, deadline)
        when = f" by {deadline.isoformat()}" if deadline else ""
        vat = " (excluding VAT)" if mi.excluding_vat else ""
        try:
            inv = float(_capex_in(project, fx, mi.currency)[mask].sum())
            ok = inv >= mi.amount
            sign = "≥" if ok else "<"
            reasons.append(
                _reason(
                    f"{prefix}min_investment",
                    ok,
                    f"Investment{when} {_money(inv, mi.currency)} {sign} "
                    f"{_money(mi.amount, mi.currency)} threshold{vat}",
                )
            )
        except FxError as e:
            reasons.append(
                _reason(
                    f"{prefix}min_investment", None, f"Investment threshold cannot be checked ({e})"
                )
            )
    if c.min_jobs is not None:
        mj = c.min_jobs
        deadline = (
            _add_months(project.residency_start, mj.within_months) if mj.within_months else None
        )
        mask = _counted_years(project, deadline)
        jobs = int(project.jobs_by_year()[mask].max()) if mask.any() else 0
        when = f" by {deadline.isoformat()}" if deadline else ""
        ok = jobs >= mj.count
        reasons.append(
            _reason(
                f"{prefix}min_jobs",
                ok,
                f"Jobs{when} {jobs} {'≥' if ok else '<'} {mj.count} required",
            )
        )
    if c.industries_allowed:
        matches = [_industry_matches(project.industry, p) for p in c.industries_allowed]
        ok_i: bool | None = True if any(matches) else (None if None in matches else False)
        reasons.append(
            _reason(
                f"{prefix}industries_allowed",
                ok_i,
                f"Industry ISIC {project.industry} within the allowed "
                f"{', '.join(c.industries_allowed)}",
            )
        )
    if c.industries_excluded:
        hits = [_industry_matches(project.industry, p) for p in c.industries_excluded]
        excluded: bool | None = True if any(hits) else (None if None in hits else False)
        reasons.append(
            _reason(
                f"{prefix}industries_excluded",
                None if excluded is None else not excluded,
                f"Industry ISIC {project.industry} not among the excluded "
                f"{', '.join(c.industries_excluded)}",
            )
        )
    if c.min_activity_share is not None:
        activity, share, label = c.min_activity_share
        have = project.activity_share(activity)
        ok = have >= share
        reasons.append(
            _reason(
                f"{prefix}min_activity_share",
                ok,
                f"Revenue share from {label} {_pct(have)} {'≥' if ok else '<'} {_pct(share)}",
            )
        )
    if c.min_export_share is not None:
        ok = project.export_share >= c.min_export_share
        reasons.append(
            _reason(
                f"{prefix}min_export_share",
                ok,
                f"Export share {_pct(project.export_share)} {'≥' if ok else '<'} "
                f"{_pct(c.min_export_share)}",
            )
        )
    if c.sme_only:
        reasons.append(
            _reason(
                f"{prefix}sme_only",
                project.sme,
                "The company is a small or medium enterprise"
                if project.sme
                else "Only small and medium enterprises qualify; the project is not marked sme",
            )
        )
    if c.max_park_occupancy is not None:
        occ = park.occupancy_share
        if occ is None:
            reasons.append(
                _reason(
                    f"{prefix}max_park_occupancy",
                    None,
                    f"Park occupancy at signing must be ≤ {_pct(c.max_park_occupancy)}; "
                    "the park's occupancy is not known",
                )
            )
        else:
            ok = occ <= c.max_park_occupancy
            reasons.append(
                _reason(
                    f"{prefix}max_park_occupancy",
                    ok,
                    f"Park occupancy {_pct(occ)} {'≤' if ok else '>'} "
                    f"{_pct(c.max_park_occupancy)} at signing",
                )
            )
    return reasons


def _regime_reasons(regime: Regime, project: Project, park: ParkFacts, fx: FxTable) -> list[Reason]:
    reasons: list[Reason] = []
    at = regime.applies_to
    named = park.park_id in at.park_ids or regime.id in park.regime_ids
    if park.park_id in at.park_ids:
        reasons.append(_reason("park", True, f"The regime names park {park.park_id}"))
    elif regime.id in park.regime_ids:
        reasons.append(
            _reason("park", True, f"The registry lists this regime for park {park.park_id}")
        )
    if at.countries:
        ok = park.country in at.countries
        reasons.append(
            _reason("country", ok, f"Park country {park.country} in {', '.join(at.countries)}")
        )
    if at.regions and not named:
        ok_r: bool | None = None if park.region is None else park.region in at.regions
        reasons.append(
            _reason(
                "region",
                ok_r,
                f"Park region {park.region or '(not known)'} in {', '.join(at.regions)}",
            )
        )
    if at.park_kinds and not named:
        ok = park.kind in at.park_kinds
        reasons.append(
            _reason("park_kind", ok, f"Park kind {park.kind} in {', '.join(at.park_kinds)}")
        )
    if at.park_ids and not at.park_kinds and not named:
        reasons.append(
            _reason("park", False, f"The regime applies only to {', '.join(at.park_ids)}")
        )
    end = dt.date(project.end_year, 12, 31)
    if regime.effective_to is not None and regime.effective_to <= project.residency_start:
        reasons.append(
            _reason(
                "effective_period",
                False,
                f"The regime ended on {regime.effective_to.isoformat()}, before the residency "
                f"start {project.residency_start.isoformat()}",
            )
        )
    elif regime.effective_from > end:
        reasons.append(
            _reason(
                "effective_period",
                False,
                f"The regime starts on {regime.effective_from.isoformat()}, after the project "
                f"horizon ({project.end_year})",
            )
        )
    elif regime.effective_from > project.residency_start:
        reasons.append(
            _reason(
                "effective_period",
                True,
                f"The regime starts on {regime.effective_from.isoformat()}, after the residency "
                f"start {project.residency_start.isoformat()}; benefits count from then",
            )
        )
    else:
        until = regime.effective_to.isoformat() if regime.effective_to else "no end date"
        reasons.append(
            _reason(
                "effective_period",
                True,
                f"The regime is in force ({regime.effective_from.isoformat()} – {until}) at the "
                f"residency start {project.residency_start.isoformat()}",
            )
        )
    reasons.extend(_check_conditions(regime.eligibility, project, park, fx))
    return reasons


def _bracket_for(brackets: Iterable[Bracket], amount: float, edges: str) -> Bracket | None:
    for b in brackets:
        hi = np.inf if b.max_investment is None else b.max_investment
        if edges == "upper_inclusive":
            if b.min_investment < amount <= hi:
                return b
        elif b.min_investment <= amount < hi:
            return b
    return None


def _bracket_label(b: Bracket, ccy: str) -> str:
    if b.max_investment is None:
        return f"{_money(b.min_investment, ccy)} and more"
    lo = _money(b.min_investment, ccy)
    return f"{lo} – {_money(b.max_investment, ccy).split(' ', 1)[1]}"


def _term_from_brackets(
    b: Benefit, project: Project, fx: FxTable, start: dt.date
) -> tuple[int, list[Reason]]:
    """Term in months from investment brackets, with extension on later investment."""
    ccy = b.bracket_currency or project.currency
    reasons: list[Reason] = []
    try:
        cum = np.cumsum(_capex_in(project, fx, ccy))
    except FxError as e:
        return 0, [_reason("bracket", None, f"Investment bracket cannot be determined ({e})")]
    i0 = start.year - project.start_year
    if i0 >= project.horizon_years:
        return 0, [_reason("bracket", False, "The start event falls after the project horizon")]
    i0 = max(i0, 0)  # a start event before the horizon counts the first year's capex
    inv0 = float(cum[i0])
    year0 = int(project.years[i0])
    br = _bracket_for(b.brackets, inv0, b.bracket_edges)
    lowest = min(x.min_investment for x in b.brackets)
    if br is None:
        reasons.append(
            _reason(
                "bracket",
                False,
                f"Investment by end of {year0} {_money(inv0, ccy)} < {_money(lowest, ccy)}, "
                "the lowest bracket",
            )
        )
        return 0, reasons
    term = br.term_months
    reasons.append(
        _reason(
            "bracket",
            True,
            f"Investment by end of {year0} {_money(inv0, ccy)} in bracket "
            f"{_bracket_label(br, ccy)} → {term} months",
        )
    )
    if b.extends_on_higher_investment:
        s = _midx(start)
        for j in range(max(i0 + 1, 0), project.horizon_years):
            y = int(project.years[j])
            nb = _bracket_for(b.brackets, float(cum[j]), b.bracket_edges)
            if nb is None or nb.term_months <= term:
                continue
            if _midx(dt.date(y, 12, 1)) < s + term:
                term = nb.term_months
                reasons.append(
                    _reason(
                        "bracket_extension",
                        True,
                        f"Investment reached {_money(float(cum[j]), ccy)} by end of {y}, bracket "
                        f"{_bracket_label(nb, ccy)}: term extended to {term} months",
                    )
                )
            else:
                reasons.append(
                    _reason(
                        "bracket_extension",
                        False,
                        f"Investment reached {_money(float(cum[j]), ccy)} by end of {y}, after "
                        f"the term had ended: no extension",
                    )
                )
                break
    return term, reasons


def _event_date(
    b: Benefit, regime: Regime, project: Project, ebt: np.ndarray
) -> tuple[dt.date | None, str]:
    ev = b.start_event
    if ev in ("certificate", "registration"):
        return project.residency_start, f"{ev} (residency start)"
    if ev == "title_registration":
        return project.title_registration_date, "land title registration"
    if ev == "commissioning":
        return project.commissioning_date, "commissioning"
    if ev == "regime_start":
        return regime.effective_from, "the regime's start"
    # first_profit: the first tax period (calendar year) with a profit
    pos = np.nonzero(ebt > 0)[0]
    if len(pos) == 0:
        return None, "first profit"
    return dt.date(int(project.years[pos[0]]), 1, 1), "first profit"


def _apply_benefit(
    b: Benefit,
    regime: Regime,
    project: Project,
    park: ParkFacts,
    fx: FxTable,
    rates: TaxRates,
    ebt: np.ndarray,
) -> BenefitOutcome:
    reasons: list[Reason] = []
    if b.conditions is not None:
        cond = _check_conditions(b.conditions, project, park, fx, prefix="benefit.")
        reasons.extend(cond)
        if any(r.status != MET for r in cond):
            return BenefitOutcome(b, False, tuple(reasons))
    event, label = _event_date(b, regime, project, ebt)
    if event is None:
        reasons.append(
            _reason("start_event", False, f"No {label} within the horizon: the term does not start")
        )
        return BenefitOutcome(b, False, tuple(reasons))
    start = _add_months(event, b.start_offset_months) if b.start_offset_months else event
    reasons.append(_reason("start_event", True, f"Term starts at {label} on {start.isoformat()}"))
    s = _midx(start)
    term: int | None
    if b.brackets:
        term, br_reasons = _term_from_brackets(b, project, fx, start)
        reasons.extend(br_reasons)
        if term == 0:
            return BenefitOutcome(b, False, tuple(reasons), start=start, term_months=0)
    else:
        term = b.term_months
    e = s + term if term is not None else 10**9
    if b.ends_on is not None:
        e = min(e, _midx(b.ends_on))
    if regime.effective_to is not None:
        e = min(e, _midx(regime.effective_to))
    s_eff = max(s, _midx(regime.effective_from))
    h0 = project.start_year * 12
    n = project.horizon_years
    months = np.arange(h0, h0 + 12 * n)
    covered = (months >= s_eff) & (months < e)
    # relief per month
    year_idx = (months - h0) // 12
    k = (months - s) // 12 + 1  # benefit year, counted from the (unclipped) start
    if b.form in ("exemption", "customs_exemption"):
        per_month = np.ones(len(months))
    elif b.form == "percentage_reduction":
        per_month = np.full(len(months), float(b.reduction or 0.0))
    else:  # reduced_rate
        general = rates.rate_of(b.tax) if b.tax in TAXES else None
        if b.schedule:
            step_rate = np.full(len(months), np.nan)
            for st in b.schedule:
                hi = st.to_year if st.to_year is not None else 10**6
                step_rate[(k >= st.from_year) & (k <= hi)] = st.rate
        else:
            step_rate = np.full(len(months), float(b.rate or 0.0))
        if general is None:
            per_month = np.zeros(len(months))
            if b.quantified:
                reasons.append(
                    _reason("rate", None, f"The general {b.tax} tax rate is unknown: not valued")
                )
        else:
            g = general[year_idx]
            with np.errstate(divide="ignore", invalid="ignore"):
                per_month = np.where(g > 0, np.clip(1.0 - step_rate / g, 0.0, 1.0), 0.0)
        covered &= ~np.isnan(step_rate)
    per_month = np.where(covered, per_month, 0.0)
    # The relief is a share of the year's tax; land tax is only due from the title registration
    # month, so its months of liability (not 12) are the denominator.
    liable = np.ones(len(months), dtype=bool)
    if b.tax == "land":
        liable = months >= _midx(project.title_registration_date)
    liable_months = liable.reshape(n, 12).sum(axis=1)
    relief_months = np.where(liable, per_month, 0.0).reshape(n, 12).sum(axis=1)
    relief = (
        np.divide(relief_months, liable_months, out=np.zeros(n), where=liable_months > 0)
        * project.eligible_activity_share
    )
    months_by_year = {
        int(y): int(c)
        for y, c in zip(project.years, covered.reshape(n, 12).sum(axis=1), strict=True)
    }
    end = _mdate(e) if e < 10**9 else None
    if e <= s_eff:
        reasons.append(_reason("window", False, "The benefit window is empty (ended before start)"))
    elif not covered.any():
        reasons.append(_reason("window", False, "The benefit window falls outside the horizon"))
    if b.quantified and project.eligible_activity_share < 1:
        reasons.append(
            _reason(
                "eligible_activity_share",
                True,
                f"Only {_pct(project.eligible_activity_share)} of the activity is covered by the "
                "agreement; the relief is scaled to it",
            )
        )
    if not b.quantified:
        reasons.append(
            _reason(
                "valued",
                None,
                f"{b.tax.capitalize()} benefit not valued: the project document has no "
                f"{b.tax} base",
            )
        )
    return BenefitOutcome(
        b,
        bool(covered.any()),
        tuple(reasons),
        start=start,
        end=end,
        term_months=term,
        months_by_year=months_by_year,
        relief=relief if b.quantified else None,
    )


def _combine(outcomes: Iterable[BenefitOutcome], n: int) -> dict[str, np.ndarray]:
    """Largest relief per tax per year (benefits on one tax do not stack)."""
    out: dict[str, np.ndarray] = {}
    for o in outcomes:
        if o.applies and o.relief is not None:
            t = o.benefit.tax
            out[t] = np.maximum(out.get(t, np.zeros(n)), o.relief)
    return out


def _pv(values: np.ndarray, rate: float) -> float:
    """Present value with the product-wide convention of the finance model: Σ v_t / (1 + r)^t,
    t = 0 in the start year (docs/finance-model.md), so that the value of benefits here equals
    the difference of NPVs with and without them there."""
    t = np.arange(len(values))
    return float((values / (1.0 + rate) ** t).sum())


# --------------------------------------------------------------------------- evaluate


def evaluate(
    project: Project,
    park: ParkFacts,
    regimes: Mapping[str, Regime] | Iterable[Regime] | None = None,
    *,
    fx: FxTable | None = None,
    rates: TaxRates | None = None,
    interest: np.ndarray | None = None,
) -> IncentiveResult:
    """Evaluate the regimes of ``park`` for ``project``.

    Candidates are the regimes the park lists (``park.regime_ids``) and those whose
    ``applies_to.park_ids`` name it. ``regimes`` defaults to :func:`load_regimes`. ``rates``
    defaults to the baseline rates of the park's country (with the project's overrides);
    ``interest`` to the project's loan schedule. FX rates used are named in the result.

    Scenario (hand calculation): an Uzbek SEZ participant certified on 1 April 2025 invests
    USD 4 m in buildings in 2025 (bracket USD 3–5 m → 60 months), so property tax is exempt for
    April 2025 – March 2030: 9/12 of 2025, all of 2026–2029 and 3/12 of 2030.

    >>> from technopark.core.project import parse_project
    >>> p = parse_project({"name": "x", "currency": "USD", "start_year": 2025,
    ...     "country": "UZ", "horizon_years": 6, "discount_rate": 0.1, "industry": "2732",
    ...     "hazard_class": 4,
    ...     "residency_start": "2025-04-01", "commissioning_year": 2025, "land_area_ha": 0,
    ...     "capex": [{"year": 2025, "amount": 4000000, "asset": "buildings"}],
    ...     "revenue": [], "opex": [], "jobs": []})
    >>> park = ParkFacts("some-fez", "UZ", "fez", ("uz-sez",))
    >>> r = evaluate(p, park)
    >>> prop = [b for b in r.regimes[0].benefits if b.benefit.tax == "property"][0]
    >>> prop.term_months, prop.months_by_year[2025], prop.months_by_year[2030]
    (60, 9, 3)
    """
    if regimes is None:
        pool = load_regimes()
    elif isinstance(regimes, Mapping):
        pool = dict(regimes)
    else:
        pool = {r.id: r for r in regimes}
    fx_local = FxTable((fx or load_fx()).rates)
    warnings: list[str] = []
    if project.country is not None and project.country != park.country:
        warnings.append(
            f"The project's country {project.country} differs from the park's {park.country}; "
            "the park's country is used."
        )
    rates = rates or baseline_rates(project, fx_local, country=park.country)
    ids = list(dict.fromkeys(park.regime_ids))
    for rid, r in pool.items():
        if park.park_id in r.applies_to.park_ids and rid not in ids:
            ids.append(rid)
    candidates: list[Regime] = []
    for rid in ids:
        if rid in pool:
            candidates.append(pool[rid])
        else:
            warnings.append(f"The park lists regime {rid!r}, which is not in the regime data.")

    base_table = compute_taxes(project, rates, None, interest=interest)
    ebt = base_table.bases.ebt
    n = project.horizon_years
    outcomes: list[RegimeOutcome] = []
    all_benefits: list[BenefitOutcome] = []
    for regime in candidates:
        reasons = _regime_reasons(regime, project, park, fx_local)
        eligible = all(r.status == MET for r in reasons)
        if not eligible:
            outcomes.append(RegimeOutcome(regime, False, tuple(reasons)))
            continue
        bos = tuple(
            _apply_benefit(b, regime, project, park, fx_local, rates, ebt) for b in regime.benefits
        )
        all_benefits.extend(bos)
        own = _combine(bos, n)
        saved = np.zeros(n)
        for tax, f in own.items():
            saved += base_table.lines[tax].baseline * np.clip(f, 0.0, 1.0)
        outcomes.append(
            RegimeOutcome(
                regime,
                True,
                tuple(reasons),
                bos,
                saved,
                float(saved.sum()),
                _pv(saved, project.discount_rate),
            )
        )
    reliefs = _combine(all_benefits, n)
    if not candidates:
        table = None
        total = npv = 0.0
        warnings.append(f"Park {park.park_id} has no legal regime in the data: no benefits.")
    else:
        table = compute_taxes(project, rates, reliefs, interest=interest, bases=base_table.bases)
        saved = table.total("saved")
        total, npv = float(saved.sum()), _pv(saved, project.discount_rate)
        warnings.extend(table.warnings)
    return IncentiveResult(
        park=park,
        project_name=project.name,
        currency=project.currency,
        years=project.years,
        discount_rate=project.discount_rate,
        regimes=tuple(outcomes),
        table=table,
        total_saved=total,
        npv_saved=npv,
        fx=tuple(fx_local.used_rates()),
        warnings=tuple(dict.fromkeys(warnings)),
        reliefs=reliefs,
    )


def reliefs_for(
    project: Project,
    park: ParkFacts,
    regimes: Mapping[str, Regime] | Iterable[Regime] | None = None,
    *,
    fx: FxTable | None = None,
    rates: TaxRates | None = None,
    interest: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per tax, per year, the fraction of tax the park's regimes remove — what
    ``core.taxes.compute_taxes(project, rates, reliefs)`` takes. For the finance model::

        finance.evaluate(doc, reliefs=lambda p: reliefs_for(p, park))

    >>> from technopark.core.project import parse_project
    >>> p = parse_project({"name": "x", "currency": "USD", "country": "UZ", "start_year": 2025,
    ...     "horizon_years": 2, "discount_rate": 0.1, "industry": "27", "hazard_class": 4,
    ...     "residency_start": "2025-04-01", "commissioning_year": 2025, "land_area_ha": 0,
    ...     "capex": [{"year": 2025, "amount": 400000, "asset": "buildings"}],
    ...     "revenue": [], "opex": [], "jobs": []})
    >>> reliefs_for(p, ParkFacts("f", "UZ", "fez", ("uz-sez",)))["property"].tolist()
    [0.75, 1.0]
    """
    return evaluate(project, park, regimes, fx=fx, rates=rates, interest=interest).reliefs


# --------------------------------------------------------------------------- text


def _num(x: float) -> str:
    return f"{x:,.0f}"


def _benefit_label(b: Benefit) -> str:
    if b.form == "customs_exemption":
        return "customs exemption"
    return f"{b.tax} tax {b.form.replace('_', ' ')}"


def render_text(result: IncentiveResult, lang: str = "en") -> str:
    """A plain-text report for the CLI: regimes with reasons, benefits, the year table, totals.

    >>> print(render_text(evaluate(
    ...     __import__("technopark.core.project").core.project.parse_project({
    ...         "name": "Kiosk", "currency": "USD", "country": "UZ", "start_year": 2025,
    ...         "horizon_years": 1, "discount_rate": 0.1, "industry": "47", "hazard_class": 5,
    ...         "residency_start": "2025-01-01", "commissioning_year": 2025,
    ...         "land_area_ha": 0, "capex": [], "revenue": [], "opex": [], "jobs": []}),
    ...     ParkFacts("plain", "UZ", "industrial_park"))).splitlines()[2])
    No legal regime applies to this park in the data: no benefits.
    """
    ccy = result.currency
    p = result.park
    lines = [
        f"Incentives for “{result.project_name}” in park {p.park_id} "
        f"({p.country}, {p.kind}) — amounts in {ccy}",
        "",
    ]
    if not result.regimes:
        lines.append("No legal regime applies to this park in the data: no benefits.")
    for ro in result.regimes:
        mark = "ELIGIBLE" if ro.eligible else "NOT ELIGIBLE"
        conf = "" if ro.regime.confidence == "verified" else " [unverified data]"
        lines.append(f"[{mark}] {ro.regime.id} — {ro.regime.name(lang)}{conf}")
        for r in ro.reasons:
            sym = {MET: "+", NOT_MET: "-", UNKNOWN: "?"}[r.status]
            lines.append(f"    {sym} {r.text}")
        for bo in ro.benefits:
            b = bo.benefit
            if bo.applies:
                end = bo.end.isoformat() if bo.end else "open"
                yrs = bo.years
                span = f"{yrs[0]}–{yrs[-1]}" if len(yrs) > 1 else (str(yrs[0]) if yrs else "-")
                what = _benefit_label(b)
                lines.append(
                    f"    * {what}: {bo.start.isoformat() if bo.start else '?'} → {end} "
                    f"(years {span})"
                )
            else:
                lines.append(f"    * {_benefit_label(b)}: does not apply")
            for r in bo.reasons:
                if r.condition in ("start_event",) and bo.applies:
                    continue
                sym = {MET: "+", NOT_MET: "-", UNKNOWN: "?"}[r.status]
                lines.append(f"        {sym} {r.text}")
            conf = "" if b.confidence == "verified" else " [unverified]"
            lines.append(f"        source: {b.citation}{conf}")
        if ro.eligible:
            lines.append(
                f"    value of this regime alone: {_num(ro.total_saved)} {ccy} "
                f"(PV {_num(ro.npv_saved)})"
            )
        lines.append("")
    if result.table is not None:
        t = result.table
        taxes = [x for x in TAXES if t.lines[x].baseline.any() or t.lines[x].saved.any()]
        lines.append(f"Taxes by year, {ccy} (all regimes combined; saved per tax on the right)")
        head = f"{'year':<6}{'baseline':>14}{'payable':>14}{'saved':>14}  |"
        head += "".join(f"{x + ' saved':>16}" for x in taxes)
        lines.append(head)
        lines.append("-" * len(head))
        for i, y in enumerate(t.years):
            row = (
                f"{int(y):<6}{_num(t.total('baseline')[i]):>14}"
                f"{_num(t.total('payable')[i]):>14}{_num(t.total('saved')[i]):>14}  |"
            )
            row += "".join(f"{_num(t.lines[x].saved[i]):>16}" for x in taxes)
            lines.append(row)
        lines.append("-" * len(head))
        total = (
            f"{'total':<6}{_num(t.total('baseline').sum()):>14}"
            f"{_num(t.total('payable').sum()):>14}{_num(t.total('saved').sum()):>14}  |"
        )
        total += "".join(f"{_num(t.lines[x].saved.sum()):>16}" for x in taxes)
        lines.append(total)
        lines.append("")
    lines.append(
        f"Total saved: {_num(result.total_saved)} {ccy}; present value at "
        f"{_pct(result.discount_rate)}: {_num(result.npv_saved)} {ccy}"
    )
    for fxr in result.fx:
        lines.append(
            f"FX: {fxr.per_usd:,.2f} {fxr.currency} per USD ({fxr.year}; {fxr.confidence}; "
            f"{fxr.source})"
        )
    for w in result.warnings:
        lines.append(f"Warning: {w}")
    return "\n".join(lines) + "\n"
