"""Baseline taxes of an investment project, year by year — the one tax calculation of the product.

The incentives engine, the finance model and the site finder all call :func:`compute_taxes`:

* :func:`baseline_rates` resolves the general rates of a country for every project year from
  ``core/data/tax_rates.yaml`` (each with source and confidence), converted to the project
  currency with :class:`FxTable`, then applies the project's ``tax_overrides``;
* :func:`tax_bases` computes the yearly bases (depreciation, property value, taxable profit with
  loss carry-forward, land, water, payroll);
* :func:`compute_taxes` applies the rates and the *reliefs* (per tax, per year, the fraction of the
  tax that a benefit removes, 0..1) and returns per tax per year: baseline, payable and saved.

Conventions (stated, not law; see docs/incentives.md):

* Depreciation: straight line, full year, from ``max(capex year, commissioning_year)``; lives from
  the project (defaults buildings 30, equipment 10, other 5 years); land is not depreciated.
* Property tax base: buildings only (immovable property; in Russia movable property is not
  taxed), from commissioning on, as the average of the opening and closing net book value of the
  year, where assets placed in service during the year count in the opening value (consistent
  with the full-year depreciation convention).
* Taxable profit = revenue − opex − depreciation − interest (other taxes are *not* deducted —
  a simplification that slightly overstates profit tax). Losses are carried forward; a year's
  positive base may be reduced by at most ``loss_offset_limit`` of itself (Russia: 50 %, Tax
  Code Art. 283 p.2.1) and a loss expires after ``loss_carry_years`` (None = never).
* Land tax: from the land title registration date (months pro-rated), cadastral value × rate
  (Russia) or hectares × amount per ha (Uzbekistan).
* Water-use tax: m³ drawn × rate per m³. Social tax: payroll × rate (Russia: 30 % up to the annual
  base limit per employee, 15.1 % above).

A tax whose rate or base is unknown is computed as 0 and listed in ``TaxTable.unknown`` and
``warnings`` — never filled with an invented figure.

Pure Python + numpy + PyYAML: no Django import.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from technopark.core.project import Project

__all__ = [
    "TAXES",
    "FxError",
    "FxRate",
    "FxTable",
    "RateSource",
    "TaxBases",
    "TaxLine",
    "TaxRates",
    "TaxTable",
    "baseline_rates",
    "compute_taxes",
    "convert",
    "load_fx",
    "load_tax_data",
    "months_in_year",
    "tax_bases",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Taxes computed here, in display order.
TAXES: tuple[str, ...] = ("profit", "property", "land", "water", "social")


# --------------------------------------------------------------------------- FX


class FxError(LookupError):
    """No exchange rate is available for a currency and year."""


@dataclass(frozen=True)
class FxRate:
    """Units of ``currency`` per 1 USD, the average of ``year``, with its source."""

    currency: str
    year: int
    per_usd: float
    source: str
    confidence: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON output."""
        return {
            "currency": self.currency,
            "year": self.year,
            "per_usd": self.per_usd,
            "source": self.source,
            "confidence": self.confidence,
        }


@dataclass
class FxTable:
    """Dated exchange rates per USD; ``convert`` uses the nearest earlier (or same) year.

    Every rate used is remembered in ``used`` so that outputs can name them.

    >>> fx = load_fx()
    >>> round(fx.convert(1_000_000, "USD", "RUB", 2024))  # 2024 has no row: 2023 rate is used
    85250000
    >>> fx.rate("RUB", 2024).year
    2023
    """

    rates: dict[str, dict[int, FxRate]]
    used: dict[tuple[str, int], FxRate] = field(default_factory=dict)

    def rate(self, currency: str, year: int) -> FxRate:
        """The rate of ``currency`` for ``year``: that year's, else the nearest earlier one.

        Raises FxError when there is none (a later year is never used for an earlier one).
        """
        if currency == "USD":
            return FxRate("USD", year, 1.0, "identity", "verified")
        by_year = self.rates.get(currency)
        if not by_year:
            raise FxError(f"no exchange rate for {currency} in the FX data")
        earlier = [y for y in by_year if y <= year]
        if not earlier:
            raise FxError(
                f"no exchange rate for {currency} in {year} or earlier "
                f"(first available: {min(by_year)})"
            )
        r = by_year[max(earlier)]
        self.used[(currency, r.year)] = r
        return r

    def convert(self, amount: float, from_currency: str, to_currency: str, year: int) -> float:
        """Convert ``amount`` through USD: amount / per_usd(from) × per_usd(to)."""
        if from_currency == to_currency:
            return float(amount)
        src = self.rate(from_currency, year)
        dst = self.rate(to_currency, year)
        return float(amount) / src.per_usd * dst.per_usd

    def used_rates(self) -> list[FxRate]:
        """Rates used so far, sorted by currency and year."""
        return [self.used[k] for k in sorted(self.used)]


def convert(
    amount: float, from_currency: str, to_currency: str, year: int, fx: FxTable | None = None
) -> float:
    """Convert ``amount`` between currencies with the rates of ``year`` (nearest earlier year
    available; :class:`FxError` if none) from ``core/data/fx.csv`` or the given table.

    Scenario: USD 1 m in 2025 is RUB 83.3 m at the 2025 average rate (Vedomosti, Bank of Russia).

    >>> round(convert(1_000_000, "USD", "RUB", 2025))
    83300000
    """
    return (fx or load_fx()).convert(amount, from_currency, to_currency, year)


def load_fx(path: str | Path | None = None) -> FxTable:
    """Load an FX table from a CSV with columns year,currency,per_usd,source,confidence
    (default: ``core/data/fx.csv``). A fresh table (empty ``used``) is returned each call."""
    rates = _read_fx(str(path or DATA_DIR / "fx.csv"))
    return FxTable({c: dict(v) for c, v in rates.items()})


@functools.lru_cache(maxsize=8)
def _read_fx(path: str) -> dict[str, dict[int, FxRate]]:
    out: dict[str, dict[int, FxRate]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            r = FxRate(
                currency=row["currency"],
                year=int(row["year"]),
                per_usd=float(row["per_usd"]),
                source=row["source"],
                confidence=row["confidence"],
            )
            out.setdefault(r.currency, {})[r.year] = r
    return out


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class RateSource:
    """Where a rate used in a calculation comes from."""

    country: str
    tax: str
    value: str
    valid_from: str
    source: str
    confidence: str
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        """Plain-data form for JSON output."""
        return dict(vars(self))


@dataclass(frozen=True)
class TaxRates:
    """Rates per project year (arrays aligned with ``years``), absolute amounts in ``currency``.

    ``None`` means unknown. ``land_share`` is a share of cadastral value, ``land_per_ha`` an amount
    per hectare; at most one of them is used (``land_share`` first).
    """

    country: str
    currency: str
    years: np.ndarray
    profit: np.ndarray | None
    property: np.ndarray | None
    land_share: np.ndarray | None
    land_per_ha: np.ndarray | None
    water_per_m3: np.ndarray | None
    social: np.ndarray | None
    social_above_cap: np.ndarray | None
    social_cap_per_employee: np.ndarray | None
    loss_offset_limit: np.ndarray
    loss_carry_years: int | None
    sources: tuple[RateSource, ...] = ()
    warnings: tuple[str, ...] = ()

    def rate_of(self, tax: str) -> np.ndarray | None:
        """The headline rate array of a tax (profit/property/social share, land, water)."""
        return {
            "profit": self.profit,
            "property": self.property,
            "land": self.land_share if self.land_share is not None else self.land_per_ha,
            "water": self.water_per_m3,
            "social": self.social,
        }[tax]


@functools.lru_cache(maxsize=4)
def _read_tax_data(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def load_tax_data(path: str | Path | None = None) -> dict[str, Any]:
    """The baseline tax-rate data (``core/data/tax_rates.yaml``), keyed by country."""
    return _read_tax_data(str(path or DATA_DIR / "tax_rates.yaml"))


def _entry_for_year(entries: list[dict[str, Any]], year: int) -> dict[str, Any] | None:
    jan1 = dt.date(year, 1, 1)
    valid = [e for e in entries if _as_date(e["valid_from"]) <= jan1]
    if valid:
        return max(valid, key=lambda e: _as_date(e["valid_from"]))
    return None


def _as_date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def baseline_rates(
    project: Project,
    fx: FxTable | None = None,
    *,
    country: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> TaxRates:
    """General tax rates of ``country`` (default ``project.country``) for every project year,
    in the project currency, with the project's ``tax_overrides`` applied.

    For each year the latest data entry whose ``valid_from`` is on or before 1 January applies;
    a year before every entry uses the earliest entry and says so in ``warnings``. Amounts per
    m³ or per ha are converted from the country currency at the FX rate of that year (nearest
    earlier year available); if no rate exists the tax is unknown, with a warning.

    >>> from technopark.core.project import load_project
    >>> p = load_project(DATA_DIR.parents[3] / "examples" / "project-ru-sez-components-plant.json")
    >>> r = baseline_rates(p)
    >>> [float(a[0]) for a in (r.profit, r.property, r.land_share, r.loss_offset_limit)]
    [0.25, 0.022, 0.015, 0.5]
    """
    country = country or project.country
    if country is None:
        raise ValueError("the project has no country; pass country= (e.g. the park's country)")
    tables = data if data is not None else load_tax_data()
    years = project.years
    n = len(years)
    warnings: list[str] = []
    sources: list[RateSource] = []
    cdata = tables.get(country)
    if cdata is None:
        warnings.append(f"No baseline tax data for country {country}; every tax is unknown.")
        cdata = {"currency": project.currency}
    ccy = cdata["currency"]
    fx = fx or load_fx()
    seen: set[tuple[str, str]] = set()

    def series(tax: str, key: str = "rate", money: bool = False) -> np.ndarray | None:
        entries = cdata.get(tax) or []
        if not entries:
            return None
        out = np.zeros(n)
        for i, y in enumerate(years.tolist()):
            e = _entry_for_year(entries, y)
            if e is None:
                e = min(entries, key=lambda e: _as_date(e["valid_from"]))
                msg = (
                    f"No {country} {tax} rate in force in {y}; the earliest known one "
                    f"(from {e['valid_from']}) is used."
                )
                if msg not in warnings:
                    warnings.append(msg)
            v = e.get(key)
            if v is None:
                return None
            if money and ccy != project.currency:
                try:
                    v = fx.convert(float(v), ccy, project.currency, y)
                except FxError as exc:
                    what = f"{tax} tax" if key == "rate" else f"{tax} tax {key.replace('_', ' ')}"
                    warnings.append(f"The {country} {what} is unknown in {y}: {exc}.")
                    return None
            out[i] = float(v)
            if (tax, str(e["valid_from"])) not in seen:
                seen.add((tax, str(e["valid_from"])))
                sources.append(
                    RateSource(
                        country,
                        tax,
                        str(e.get("rate")) + (f" {ccy}" if money else ""),
                        str(e["valid_from"]),
                        str(e.get("source", "")),
                        str(e.get("confidence", "unverified")),
                        str(e.get("note", "")),
                    )
                )
        return out

    land_entries = cdata.get("land") or []
    land_kind = land_entries[0].get("kind", "share_of_cadastral_value") if land_entries else None
    profit = series("profit")
    prop = series("property")
    land_share = series("land") if land_kind == "share_of_cadastral_value" else None
    land_per_ha = series("land", money=True) if land_kind == "per_hectare" else None
    water = series("water", money=True)
    social = series("social")
    social_above = series("social", "rate_above_cap")
    social_cap = series("social", "cap_per_employee", money=True)
    loss_entries = cdata.get("losses") or []
    loss_limit = np.ones(n)
    loss_years: int | None = None
    if loss_entries:
        lim = series("losses", "loss_offset_limit")
        if lim is not None:
            loss_limit = lim
        last = _entry_for_year(loss_entries, int(years[-1])) or loss_entries[-1]
        loss_years = last.get("loss_carry_years")
    else:
        warnings.append(
            f"No loss carry-forward rule for {country}; losses are carried without limit."
        )

    o = project.tax_overrides
    full = functools.partial(np.full, n, dtype=np.float64)
    if o.profit_rate is not None:
        profit = full(o.profit_rate)
    if o.property_rate is not None:
        prop = full(o.property_rate)
    if o.land_rate is not None:
        land_share, land_per_ha = full(o.land_rate), None
    if o.land_rate_per_ha is not None:
        land_per_ha, land_share = full(o.land_rate_per_ha), None
    if o.water_rate_per_m3 is not None:
        water = full(o.water_rate_per_m3)
    if o.social_rate is not None:
        social, social_above, social_cap = full(o.social_rate), None, None
    if o.loss_offset_limit is not None:
        loss_limit = full(o.loss_offset_limit)
    if "loss_carry_years" in o.given:
        loss_years = o.loss_carry_years
    for name in sorted(o.given):
        sources.append(
            RateSource(
                country,
                name,
                str(getattr(o, name)),
                str(project.start_year),
                "project tax_overrides (user-supplied)",
                "user",
            )
        )
    return TaxRates(
        country=country,
        currency=project.currency,
        years=years,
        profit=profit,
        property=prop,
        land_share=land_share,
        land_per_ha=land_per_ha,
        water_per_m3=water,
        social=social,
        social_above_cap=social_above,
        social_cap_per_employee=social_cap,
        loss_offset_limit=loss_limit,
        loss_carry_years=loss_years,
        sources=tuple(sources),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- bases


def months_in_year(start: dt.date, year: int) -> float:
    """Months of ``year`` on or after ``start`` (the start month counts in full), 0..12.

    >>> months_in_year(dt.date(2025, 4, 1), 2025), months_in_year(dt.date(2025, 4, 1), 2026)
    (9.0, 12.0)
    """
    if year < start.year:
        return 0.0
    if year > start.year:
        return 12.0
    return float(13 - start.month)


@dataclass(frozen=True)
class TaxBases:
    """Yearly tax bases in project currency (arrays aligned with ``years``)."""

    years: np.ndarray
    depreciation: np.ndarray
    nbv_buildings_open: np.ndarray
    nbv_buildings_close: np.ndarray
    property_base: np.ndarray
    ebt: np.ndarray  # revenue − opex − depreciation − interest
    loss_used: np.ndarray
    loss_balance_end: np.ndarray
    taxable_profit: np.ndarray  # after loss carry-forward, ≥ 0
    land_months: np.ndarray
    water_m3: np.ndarray
    payroll: np.ndarray | None
    interest: np.ndarray


def _depreciation(project: Project) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(depreciation, opening NBV of buildings, closing NBV of buildings) per year."""
    n = project.horizon_years
    dep = np.zeros(n)
    b_open = np.zeros(n)
    b_close = np.zeros(n)
    idx = np.arange(n)
    for c in project.capex:
        life = project.depreciation_lives.life(c.asset)
        if life is None or c.amount == 0:
            continue
        s = max(c.year, project.commissioning_year) - project.start_year
        if s >= n:
            continue
        annual = c.amount / life
        active = (idx >= s) & (idx < s + life)
        dep += np.where(active, annual, 0.0)
        if c.asset == "buildings":
            k = idx - s  # years of depreciation already taken before year idx
            in_service = idx >= s
            b_open += np.where(
                in_service, np.maximum(c.amount - annual * np.clip(k, 0, life), 0), 0
            )
            b_close += np.where(
                in_service, np.maximum(c.amount - annual * np.clip(k + 1, 0, life), 0), 0
            )
    return dep, b_open, b_close


def _carry_forward(
    ebt: np.ndarray, limit: np.ndarray, carry_years: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss carry-forward (FIFO, oldest loss first). Returns (used, taxable, balance_end)."""
    n = len(ebt)
    used = np.zeros(n)
    taxable = np.zeros(n)
    balance = np.zeros(n)
    pool: list[list[float]] = []  # [year index, remaining loss]
    for i in range(n):
        if carry_years is not None:
            pool = [p for p in pool if i - p[0] <= carry_years]
        if ebt[i] < 0:
            pool.append([i, -float(ebt[i])])
        elif ebt[i] > 0:
            room = float(ebt[i]) * float(limit[i])
            for p in pool:
                take = min(room, p[1])
                p[1] -= take
                room -= take
                used[i] += take
                if room <= 0:
                    break
            pool = [p for p in pool if p[1] > 1e-9]
            taxable[i] = float(ebt[i]) - used[i]
        balance[i] = sum(p[1] for p in pool)
    return used, taxable, balance


def tax_bases(project: Project, rates: TaxRates, *, interest: np.ndarray | None = None) -> TaxBases:
    """Yearly tax bases of a project (see the module docstring for the conventions).

    ``interest`` (per year, project currency) defaults to the schedule of ``financing.loan``.

    Scenario: buildings 300 bought in 2025, commissioned 2025, 30-year life → depreciation 10 a
    year; opening NBV 300, closing 290 → property base 295.

    >>> from technopark.core.project import parse_project
    >>> p = parse_project({"name": "x", "currency": "USD", "country": "UZ", "start_year": 2025,
    ...     "horizon_years": 2, "discount_rate": 0.1, "industry": "C", "hazard_class": 5,
    ...     "residency_start": "2025-01-01", "commissioning_year": 2025, "land_area_ha": 0,
    ...     "capex": [{"year": 2025, "amount": 300, "asset": "buildings"}],
    ...     "revenue": [], "opex": [], "jobs": []})
    >>> b = tax_bases(p, baseline_rates(p))
    >>> b.depreciation.tolist(), b.property_base.tolist()
    ([10.0, 10.0], [295.0, 285.0])
    """
    dep, b_open, b_close = _depreciation(project)
    interest = project.interest_by_year() if interest is None else np.asarray(interest, float)
    if interest.shape != (project.horizon_years,):
        raise ValueError(
            f"interest must have one value per project year ({project.horizon_years}), "
            f"got shape {interest.shape}"
        )
    ebt = project.revenue_by_year() - project.opex_by_year() - dep - interest
    used, taxable, balance = _carry_forward(ebt, rates.loss_offset_limit, rates.loss_carry_years)
    title = project.title_registration_date
    land_months = np.array([months_in_year(title, int(y)) for y in project.years])
    return TaxBases(
        years=project.years,
        depreciation=dep,
        nbv_buildings_open=b_open,
        nbv_buildings_close=b_close,
        property_base=(b_open + b_close) / 2.0,
        ebt=ebt,
        loss_used=used,
        loss_balance_end=balance,
        # Offsetting a loss against an equal profit can leave −1e-11 in floating point; the
        # base of a tax is never negative.
        taxable_profit=np.maximum(taxable, 0.0),
        land_months=land_months,
        water_m3=project.water_use_by_year(),
        payroll=project.payroll_by_year(),
        interest=interest,
    )


# --------------------------------------------------------------------------- taxes


@dataclass(frozen=True)
class TaxLine:
    """One tax over the years: baseline (no benefit), payable (with reliefs), saved."""

    tax: str
    baseline: np.ndarray
    payable: np.ndarray
    saved: np.ndarray
    known: bool = True


@dataclass(frozen=True)
class TaxTable:
    """Result of :func:`compute_taxes`: one :class:`TaxLine` per tax, in project currency."""

    years: np.ndarray
    currency: str
    lines: dict[str, TaxLine]
    bases: TaxBases
    rates: TaxRates
    unknown: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def total(self, column: str = "payable") -> np.ndarray:
        """Sum over taxes of ``baseline``, ``payable`` or ``saved`` per year."""
        out = np.zeros(len(self.years))
        for line in self.lines.values():
            out += getattr(line, column)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Long format: one row per year per tax, ``{year, tax, baseline, payable, saved}``."""
        return [
            {
                "year": int(y),
                "tax": t,
                "baseline": float(line.baseline[i]),
                "payable": float(line.payable[i]),
                "saved": float(line.saved[i]),
            }
            for t, line in self.lines.items()
            for i, y in enumerate(self.years)
        ]


def compute_taxes(
    project: Project,
    rates: TaxRates | None = None,
    reliefs: Mapping[str, np.ndarray] | None = None,
    *,
    interest: np.ndarray | None = None,
    fx: FxTable | None = None,
    bases: TaxBases | None = None,
) -> TaxTable:
    """Baseline, payable and saved tax per tax per year.

    Formulas (year t, rates r_t, relief fraction f_t ∈ [0, 1] from the incentives engine):

    * profit:   baseline_t = r_t × taxable_t (after loss carry-forward, ≥ 0)
    * property: baseline_t = r_t × (NBV_open,t + NBV_close,t) / 2   (buildings)
    * land:     baseline_t = (r_t × cadastral value or rate_per_ha_t × ha) × months_t / 12
    * water:    baseline_t = rate_per_m3_t × m³_t
    * social:   baseline_t = r_t × payroll_t (Russia: r_t up to the per-employee cap, 15.1 % above)
    * payable_t = baseline_t × (1 − f_t); saved_t = baseline_t − payable_t ∈ [0, baseline_t]

    So a relief is worth nothing in a year with no tax (a loss year saves no profit tax).

    ``rates`` defaults to :func:`baseline_rates` of the project; ``reliefs`` maps a tax name to a
    per-year array of fractions (missing taxes get no relief; values are clipped to [0, 1]);
    ``interest`` (per year) defaults to the project's loan schedule. ``bases`` lets a caller that
    evaluates several relief sets for one project reuse :func:`tax_bases` (they must come from
    the same project, rates and interest).

    Scenario (hand calculation): Uzbek project, taxable profit 1,000 in 2026, profit tax 15 %
    → baseline 150; a 50 % relief (PP-15) → payable 75, saved 75.

    >>> from technopark.core.project import parse_project
    >>> p = parse_project({"name": "x", "currency": "UZS", "country": "UZ", "start_year": 2026,
    ...     "horizon_years": 1, "discount_rate": 0.1, "industry": "27", "hazard_class": 4,
    ...     "residency_start": "2026-01-01", "commissioning_year": 2026, "land_area_ha": 0,
    ...     "capex": [], "revenue": [{"year": 2026, "amount": 1000}], "opex": [], "jobs": []})
    >>> t = compute_taxes(p, reliefs={"profit": np.array([0.5])})
    >>> t.lines["profit"].baseline.tolist(), t.lines["profit"].payable.tolist()
    ([150.0], [75.0])
    """
    rates = rates or baseline_rates(project, fx)
    b = bases if bases is not None else tax_bases(project, rates, interest=interest)
    n = project.horizon_years
    zeros = np.zeros(n)
    unknown: list[str] = []
    warnings: list[str] = list(rates.warnings)
    baselines: dict[str, np.ndarray] = {}

    def need(tax: str, value: np.ndarray | None, why: str) -> np.ndarray:
        if value is None:
            unknown.append(tax)
            warnings.append(f"{tax.capitalize()} tax is unknown: {why}; it is counted as 0.")
            return zeros.copy()
        return value

    baselines["profit"] = need("profit", rates.profit, "no rate") * b.taxable_profit
    baselines["property"] = need("property", rates.property, "no rate") * b.property_base
    if rates.land_share is not None:
        if project.land_cadastral_value is None:
            baselines["land"] = need("land", None, "land_cadastral_value is not given")
        else:
            baselines["land"] = rates.land_share * project.land_cadastral_value * b.land_months / 12
    elif rates.land_per_ha is not None:
        baselines["land"] = rates.land_per_ha * project.land_area_ha * b.land_months / 12
    elif project.land_area_ha > 0:
        baselines["land"] = need("land", None, "no rate (give tax_overrides.land_rate_per_ha)")
    else:
        baselines["land"] = zeros.copy()
    if b.water_m3.any():
        baselines["water"] = need("water", rates.water_per_m3, "no rate") * b.water_m3
    else:
        baselines["water"] = zeros.copy()
    if b.payroll is None:
        baselines["social"] = (
            need("social", None, "avg_monthly_wage is not given")
            if project.jobs_by_year().any()
            else zeros.copy()
        )
    else:
        social = need("social", rates.social, "no rate")
        if rates.social_cap_per_employee is not None and rates.social_above_cap is not None:
            jobs = project.jobs_by_year()
            per_emp = (project.avg_monthly_wage or 0.0) * 12.0
            below = np.minimum(per_emp, rates.social_cap_per_employee) * jobs
            above = np.maximum(per_emp - rates.social_cap_per_employee, 0.0) * jobs
            baselines["social"] = social * below + rates.social_above_cap * above
        else:
            baselines["social"] = social * b.payroll

    lines: dict[str, TaxLine] = {}
    reliefs = reliefs or {}
    for tax in TAXES:
        base = baselines[tax]
        f = np.clip(np.asarray(reliefs.get(tax, zeros), dtype=float), 0.0, 1.0)
        if f.shape != (n,):
            raise ValueError(f"relief for {tax} must have {n} values, got shape {f.shape}")
        payable = base * (1.0 - f)
        lines[tax] = TaxLine(tax, base, payable, base - payable, tax not in unknown)
    return TaxTable(
        years=project.years,
        currency=project.currency,
        lines=lines,
        bases=b,
        rates=rates,
        unknown=tuple(unknown),
        warnings=tuple(warnings),
    )
