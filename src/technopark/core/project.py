"""The investment project document — one JSON document shared by the incentives engine, the
finance model and the site finder.

A project is a plain JSON object (see ``PROJECT_SCHEMA`` and ``docs/project-schema.md``).
``parse_project`` validates it against the JSON Schema (draft 2020-12), then checks the rules a
schema cannot express (years inside the horizon, shares that add up, ...), and returns a frozen
:class:`Project`. Every problem is reported at once, each with its JSON path::

    $.capex[2].year: must be within start_year..start_year+horizon_years-1 (2025..2034), got 2040

Units: money in the project ``currency`` (nominal, excluding VAT), rates and shares as
fractions (0.12 = 12 %), areas in hectares, power in MW, gas in m³/h, water in m³/day.

This module is pure Python + numpy: it must not import Django.

>>> p = parse_project({
...     "name": "Example cable plant", "currency": "USD", "country": "UZ",
...     "start_year": 2025, "horizon_years": 3, "discount_rate": 0.12,
...     "industry": "2732", "hazard_class": 4, "residency_start": "2025-04-01",
...     "commissioning_year": 2026, "land_area_ha": 2.0,
...     "capex": [{"year": 2025, "amount": 3000000, "asset": "buildings"}],
...     "revenue": [{"year": 2026, "amount": 5000000}],
...     "opex": [{"year": 2026, "amount": 4000000}],
...     "jobs": [{"year": 2026, "count": 120}]})
>>> p.years.tolist()
[2025, 2026, 2027]
>>> p.revenue_by_year().tolist()
[0.0, 5000000.0, 0.0]
>>> parse_project(p.to_dict()) == p
True
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from jsonschema import Draft202012Validator

__all__ = [
    "ASSET_CLASSES",
    "DEFAULT_DEPRECIATION_LIVES",
    "PROJECT_SCHEMA",
    "PROJECT_SCHEMA_IN_OPENAPI",
    "CapexItem",
    "DepreciationLives",
    "JobsEntry",
    "Loan",
    "LoanSchedule",
    "Milestones",
    "Project",
    "ProjectError",
    "TaxOverrides",
    "Utilities",
    "WorkingCapital",
    "YearAmount",
    "isic_section",
    "load_project",
    "parse_project",
]

AssetClass = Literal["buildings", "equipment", "land", "other"]
ASSET_CLASSES: tuple[str, ...] = ("buildings", "equipment", "land", "other")

#: Default straight-line useful lives in years. These are modelling defaults, not law: they sit
#: inside the ranges of Russia's classification of fixed assets (Government Decree 1 of
#: 01.01.2002: buildings groups 8–10, i.e. over 20 years; machinery mostly groups 4–6, 5–15
#: years) and can be overridden per project (``depreciation_lives``). Land is not depreciated.
DEFAULT_DEPRECIATION_LIVES: dict[str, int] = {"buildings": 30, "equipment": 10, "other": 5}

_YEAR = {"type": "integer", "minimum": 1990, "maximum": 2100}
#: The largest amount or quantity a document may hold (a budget in Uzbek sum included): far
#: larger numbers overflowed the cost and cash-flow arithmetic to infinity (found by the API
#: fuzz test with 1e300).
LARGEST_AMOUNT = 1e18
_MONEY = {"type": "number", "minimum": 0, "maximum": LARGEST_AMOUNT}
_QUANTITY = {"type": "number", "minimum": 0, "maximum": LARGEST_AMOUNT}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _year_amount(description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["year", "amount"],
            "properties": {"year": _YEAR, "amount": _MONEY},
        },
    }


#: JSON Schema (draft 2020-12) of the project document; also written to docs/project.schema.json.
PROJECT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://technopark.example/schemas/project.schema.json",
    "title": "Investment project",
    "description": (
        "One investment project, used by the incentives engine, the finance model and the site "
        "finder. Money in `currency` (nominal, excl. VAT); rates and shares as fractions."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": [
        "name",
        "currency",
        "start_year",
        "horizon_years",
        "discount_rate",
        "industry",
        "hazard_class",
        "residency_start",
        "commissioning_year",
        "capex",
        "revenue",
        "opex",
        "jobs",
        "land_area_ha",
    ],
    "properties": {
        "schema_version": {"const": 1},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 5000},
        "example": {"type": "boolean", "description": "True for illustrative, not real, projects"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "park_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "start_year": _YEAR,
        "horizon_years": {"type": "integer", "minimum": 1, "maximum": 50},
        "discount_rate": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
        "industry": {
            "type": "string",
            "pattern": "^([A-U]|[0-9]{2,4})$",
            "description": "ISIC Rev.4: section letter A–U, or a 2–4 digit division/group/class",
        },
        "hazard_class": {"type": "integer", "minimum": 1, "maximum": 5},
        "residency_start": {
            **_DATE,
            "description": "Date of the resident certificate/registration",
        },
        "commissioning_year": _YEAR,
        "milestones": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"commissioning": _DATE, "title_registration": _DATE},
        },
        "capex": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["year", "amount", "asset"],
                "properties": {
                    "year": _YEAR,
                    "amount": _MONEY,
                    "asset": {"enum": list(ASSET_CLASSES)},
                },
            },
        },
        "revenue": _year_amount("Sales revenue excluding VAT"),
        "opex": _year_amount("Operating costs excluding taxes, depreciation and interest"),
        "jobs": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["year", "count"],
                "properties": {
                    "year": _YEAR,
                    "count": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
                },
            },
        },
        "water_use_m3": _year_amount("Water drawn per year, m³"),
        "land_area_ha": _QUANTITY,
        "land_cadastral_value": {**_MONEY, "description": "Cadastral value of the land plot"},
        "utilities": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "electricity_mw": _QUANTITY,
                "gas_m3h": _QUANTITY,
                "water_m3d": _QUANTITY,
                "wastewater_m3d": _QUANTITY,
            },
        },
        "tax_overrides": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "profit_rate": _SHARE,
                "property_rate": _SHARE,
                "land_rate": _SHARE,
                "land_rate_per_ha": _MONEY,
                "water_rate_per_m3": _MONEY,
                "social_rate": _SHARE,
                "loss_offset_limit": _SHARE,
                "loss_carry_years": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
            },
        },
        "sme": {"type": "boolean"},
        "export_share": _SHARE,
        "activity_shares": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": _SHARE,
        },
        "eligible_activity_share": _SHARE,
        "avg_monthly_wage": _MONEY,
        "financing": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "loan": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["amount", "rate", "tenor_years"],
                    "properties": {
                        "amount": _MONEY,
                        "rate": {"type": "number", "minimum": 0, "maximum": 1},
                        "tenor_years": {"type": "integer", "minimum": 1, "maximum": 50},
                        "grace_years": {"type": "integer", "minimum": 0, "maximum": 49},
                        "repayment": {"enum": ["annuity", "equal_principal"]},
                        "drawdown_year": _YEAR,
                    },
                }
            },
        },
        "depreciation_lives": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                k: {"type": "integer", "minimum": 1, "maximum": 100}
                for k in ("buildings", "equipment", "other")
            },
        },
        "working_capital": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "receivable_days": {"type": "number", "minimum": 0, "maximum": 730},
                "inventory_days": {"type": "number", "minimum": 0, "maximum": 730},
                "payable_days": {"type": "number", "minimum": 0, "maximum": 730},
            },
        },
    },
}

#: The same schema inside the OpenAPI document (a request body's `project` field): without the
#: `$schema` and `$id` that only a document of its own carries.
PROJECT_SCHEMA_IN_OPENAPI: dict[str, Any] = {
    k: v for k, v in PROJECT_SCHEMA.items() if not k.startswith("$")
}


class ProjectError(ValueError):
    """A project document is invalid. ``errors`` lists every problem as ``"$.path: message"``."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("invalid project document:\n" + "\n".join(self.errors))


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class CapexItem:
    """Capital expenditure of one year on one asset class, in project currency, excl. VAT."""

    year: int
    amount: float
    asset: str


@dataclass(frozen=True)
class YearAmount:
    """An amount for one calendar year (revenue, opex, water use)."""

    year: int
    amount: float


@dataclass(frozen=True)
class JobsEntry:
    """Headcount (permanent jobs) in one calendar year."""

    year: int
    count: int


@dataclass(frozen=True)
class Utilities:
    """Peak utility needs: power MW, gas m³/h, water and wastewater m³/day."""

    electricity_mw: float = 0.0
    gas_m3h: float = 0.0
    water_m3d: float = 0.0
    wastewater_m3d: float = 0.0


@dataclass(frozen=True)
class Milestones:
    """Dated events that start benefit terms, when known more precisely than the year."""

    commissioning: dt.date | None = None
    title_registration: dt.date | None = None


@dataclass(frozen=True)
class TaxOverrides:
    """The user's own tax rates; ``None`` means use the country's baseline data.

    Fractions except ``land_rate_per_ha`` and ``water_rate_per_m3`` (project currency).
    ``land_rate`` is a share of cadastral value (Russia), ``land_rate_per_ha`` a fixed amount
    per hectare (Uzbekistan). ``loss_carry_years`` None = unlimited in time.
    """

    profit_rate: float | None = None
    property_rate: float | None = None
    land_rate: float | None = None
    land_rate_per_ha: float | None = None
    water_rate_per_m3: float | None = None
    social_rate: float | None = None
    loss_offset_limit: float | None = None
    loss_carry_years: int | None = None
    #: names of the fields present in the document (so an explicit ``null`` is kept)
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LoanSchedule:
    """Per-year loan flows over the project years (arrays aligned with ``Project.years``)."""

    drawdown: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    balance_end: np.ndarray


@dataclass(frozen=True)
class Loan:
    """A term loan drawn in full in ``drawdown_year``; interest-only during ``grace_years``,
    then repaid over the remaining ``tenor_years - grace_years`` years."""

    amount: float
    rate: float
    tenor_years: int
    grace_years: int = 0
    repayment: str = "annuity"
    drawdown_year: int | None = None

    def schedule(self, years: np.ndarray) -> LoanSchedule:
        """Year-by-year drawdown, interest, principal and closing balance.

        Interest of a year = rate × opening balance (drawn at the start of the drawdown year).
        Annuity: payment = P·r / (1 − (1 + r)^−n) over the n repayment years.

        >>> s = Loan(1000.0, 0.10, 2, 0, "equal_principal", 2025).schedule(np.arange(2025, 2028))
        >>> s.interest.tolist(), s.principal.tolist()
        ([100.0, 50.0, 0.0], [500.0, 500.0, 0.0])
        """
        n = len(years)
        draw = np.zeros(n)
        interest = np.zeros(n)
        principal = np.zeros(n)
        balance = np.zeros(n)
        first = int(years[0]) if self.drawdown_year is None else self.drawdown_year
        repay_years = max(self.tenor_years - self.grace_years, 1)
        bal = 0.0
        annuity = (
            self.amount / repay_years
            if self.rate == 0
            else self.amount * self.rate / (1 - (1 + self.rate) ** -repay_years)
        )
        for i, y in enumerate(years.tolist()):
            if y == first:
                draw[i] = self.amount
                bal += self.amount
            k = y - first  # loan year index, 0-based
            if 0 <= k < self.tenor_years and bal > 0:
                interest[i] = bal * self.rate
                if k >= self.grace_years:
                    if self.repayment == "annuity":
                        pay = annuity - interest[i]
                    else:
                        pay = self.amount / repay_years
                    if k == self.tenor_years - 1:
                        pay = bal
                    pay = min(pay, bal)
                    principal[i] = pay
                    bal -= pay
            balance[i] = bal
        return LoanSchedule(draw, interest, principal, balance)


@dataclass(frozen=True)
class DepreciationLives:
    """Straight-line useful lives in years per asset class (land is never depreciated)."""

    buildings: int = DEFAULT_DEPRECIATION_LIVES["buildings"]
    equipment: int = DEFAULT_DEPRECIATION_LIVES["equipment"]
    other: int = DEFAULT_DEPRECIATION_LIVES["other"]

    def life(self, asset: str) -> int | None:
        """Life in years of an asset class; None for land."""
        return None if asset == "land" else int(getattr(self, asset))


@dataclass(frozen=True)
class WorkingCapital:
    """Working-capital days (receivables and inventory on revenue/opex, payables on opex)."""

    receivable_days: float = 0.0
    inventory_days: float = 0.0
    payable_days: float = 0.0


@dataclass(frozen=True)
class Project:
    """A parsed, validated investment project. Build it with :func:`parse_project`."""

    name: str
    currency: str
    start_year: int
    horizon_years: int
    discount_rate: float
    industry: str
    hazard_class: int
    residency_start: dt.date
    commissioning_year: int
    capex: tuple[CapexItem, ...]
    revenue: tuple[YearAmount, ...]
    opex: tuple[YearAmount, ...]
    jobs: tuple[JobsEntry, ...]
    land_area_ha: float
    country: str | None = None
    park_id: str | None = None
    description: str | None = None
    example: bool = False
    milestones: Milestones = field(default_factory=Milestones)
    water_use_m3: tuple[YearAmount, ...] | None = None
    land_cadastral_value: float | None = None
    utilities: Utilities = field(default_factory=Utilities)
    tax_overrides: TaxOverrides = field(default_factory=TaxOverrides)
    sme: bool = False
    export_share: float = 0.0
    activity_shares: tuple[tuple[str, float], ...] = ()
    eligible_activity_share: float = 1.0
    avg_monthly_wage: float | None = None
    loan: Loan | None = None
    depreciation_lives: DepreciationLives = field(default_factory=DepreciationLives)
    working_capital: WorkingCapital = field(default_factory=WorkingCapital)

    # ------------------------------------------------------------------ per-year arrays
    @property
    def years(self) -> np.ndarray:
        """Calendar years of the horizon: start_year .. start_year + horizon_years − 1."""
        return np.arange(self.start_year, self.start_year + self.horizon_years, dtype=np.int64)

    @property
    def end_year(self) -> int:
        """Last year of the horizon (inclusive)."""
        return self.start_year + self.horizon_years - 1

    def _by_year(self, items: Iterable[Any], attr: str = "amount") -> np.ndarray:
        out = np.zeros(self.horizon_years, dtype=np.float64)
        for it in items:
            out[it.year - self.start_year] += float(getattr(it, attr))
        return out

    def capex_by_year(self, asset: str | None = None) -> np.ndarray:
        """Capex per year (float64, length horizon_years), for one asset class or all."""
        return self._by_year(c for c in self.capex if asset is None or c.asset == asset)

    def revenue_by_year(self) -> np.ndarray:
        """Revenue per year, excl. VAT."""
        return self._by_year(self.revenue)

    def opex_by_year(self) -> np.ndarray:
        """Operating costs per year (excl. taxes, depreciation, interest)."""
        return self._by_year(self.opex)

    def jobs_by_year(self) -> np.ndarray:
        """Headcount per year (float64 for arithmetic)."""
        return self._by_year(self.jobs, "count")

    def payroll_by_year(self) -> np.ndarray | None:
        """Gross payroll per year = jobs × avg_monthly_wage × 12; None if no wage is given."""
        if self.avg_monthly_wage is None:
            return None
        return self.jobs_by_year() * self.avg_monthly_wage * 12.0

    def water_use_by_year(self) -> np.ndarray:
        """Water drawn per year, m³: ``water_use_m3`` if given, else utilities.water_m3d × 365
        from the commissioning year on (an assumption stated in docs/project-schema.md)."""
        if self.water_use_m3 is not None:
            return self._by_year(self.water_use_m3)
        out = np.where(self.years >= self.commissioning_year, self.utilities.water_m3d * 365.0, 0)
        return out.astype(np.float64)

    def interest_by_year(self) -> np.ndarray:
        """Loan interest per year from ``financing.loan``; zeros without a loan."""
        if self.loan is None:
            return np.zeros(self.horizon_years)
        return self.loan.schedule(self.years).interest

    def activity_share(self, activity: str) -> float:
        """Share of revenue from an activity key (0 when not given)."""
        return dict(self.activity_shares).get(activity, 0.0)

    @property
    def total_capex(self) -> float:
        """Total capex over the horizon."""
        return float(sum(c.amount for c in self.capex))

    @property
    def commissioning_date(self) -> dt.date:
        """Commissioning date: ``milestones.commissioning`` or 1 January of commissioning_year."""
        return self.milestones.commissioning or dt.date(self.commissioning_year, 1, 1)

    @property
    def title_registration_date(self) -> dt.date:
        """Land title registration: ``milestones.title_registration`` or residency_start."""
        return self.milestones.title_registration or self.residency_start

    # ------------------------------------------------------------------ round trip
    def to_dict(self) -> dict[str, Any]:
        """The JSON document of this project (``parse_project(p.to_dict()) == p``)."""
        d: dict[str, Any] = {
            "schema_version": 1,
            "name": self.name,
        }
        if self.description is not None:
            d["description"] = self.description
        if self.example:
            d["example"] = True
        d["currency"] = self.currency
        if self.country is not None:
            d["country"] = self.country
        if self.park_id is not None:
            d["park_id"] = self.park_id
        d.update(
            start_year=self.start_year,
            horizon_years=self.horizon_years,
            discount_rate=self.discount_rate,
            industry=self.industry,
            hazard_class=self.hazard_class,
            residency_start=self.residency_start.isoformat(),
            commissioning_year=self.commissioning_year,
        )
        ms = {k: v.isoformat() for k, v in vars(self.milestones).items() if v is not None}
        if ms:
            d["milestones"] = ms
        d["capex"] = [{"year": c.year, "amount": c.amount, "asset": c.asset} for c in self.capex]
        d["revenue"] = [{"year": r.year, "amount": r.amount} for r in self.revenue]
        d["opex"] = [{"year": r.year, "amount": r.amount} for r in self.opex]
        d["jobs"] = [{"year": j.year, "count": j.count} for j in self.jobs]
        if self.water_use_m3 is not None:
            d["water_use_m3"] = [{"year": r.year, "amount": r.amount} for r in self.water_use_m3]
        d["land_area_ha"] = self.land_area_ha
        if self.land_cadastral_value is not None:
            d["land_cadastral_value"] = self.land_cadastral_value
        d["utilities"] = dict(vars(self.utilities))
        to = {k: getattr(self.tax_overrides, k) for k in sorted(self.tax_overrides.given)}
        if to:
            d["tax_overrides"] = to
        d["sme"] = self.sme
        d["export_share"] = self.export_share
        if self.activity_shares:
            d["activity_shares"] = dict(self.activity_shares)
        d["eligible_activity_share"] = self.eligible_activity_share
        if self.avg_monthly_wage is not None:
            d["avg_monthly_wage"] = self.avg_monthly_wage
        if self.loan is not None:
            loan = {k: v for k, v in vars(self.loan).items() if v is not None}
            d["financing"] = {"loan": loan}
        d["depreciation_lives"] = dict(vars(self.depreciation_lives))
        d["working_capital"] = dict(vars(self.working_capital))
        return d


# --------------------------------------------------------------------------- parsing

_VALIDATOR = Draft202012Validator(PROJECT_SCHEMA)

# ISIC Rev.4 divisions by section (UN Statistics Division, ISIC Rev.4, 2008, Part III).
_ISIC_SECTIONS: tuple[tuple[str, int, int], ...] = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip


def isic_section(code: str) -> str | None:
    """ISIC Rev.4 section letter of a code ('C' for '2732'); None for an unknown division.

    >>> isic_section("2732"), isic_section("C"), isic_section("04")
    ('C', 'C', None)
    """
    if re.fullmatch("[A-U]", code):
        return code
    div = int(code[:2])
    for letter, lo, hi in _ISIC_SECTIONS:
        if lo <= div <= hi:
            return letter
    return None


def _path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_message(err: Any) -> str:
    v = err.validator
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        return f"is required (missing {', '.join(missing)})" if missing else err.message
    if v == "additionalProperties":
        return f"unknown field(s): {err.message.split('(')[-1].rstrip(')')}"
    if v == "enum":
        return f"must be one of {err.validator_value}, got {err.instance!r}"
    if v == "pattern":
        return f"must match {err.validator_value!r}, got {err.instance!r}"
    if v == "type":
        return f"must be of type {err.validator_value}, got {type(err.instance).__name__}"
    if v in ("minimum", "maximum", "exclusiveMaximum", "exclusiveMinimum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMaximum": "<", "exclusiveMinimum": ">"}
        return f"must be {op[v]} {err.validator_value}, got {err.instance!r}"
    return str(err.message)


def _date(value: str, path: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{path}: must be a valid ISO date YYYY-MM-DD, got {value!r}")
        return None


def parse_project(data: Mapping[str, Any]) -> Project:
    """Validate a project document and return a :class:`Project`.

    Raises :class:`ProjectError` listing every problem with its JSON path (schema errors first,
    then cross-field rules: years inside the horizon, unique years, shares ≤ 1, country or
    park_id present, loan grace < tenor).

    >>> try:
    ...     parse_project({"name": ""})
    ... except ProjectError as e:
    ...     print(e.errors[0])
    $: is required (missing currency)
    """
    if not isinstance(data, Mapping):
        raise ProjectError([f"$: must be a JSON object, got {type(data).__name__}"])
    errors: list[str] = []
    for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path))):
        if err.validator == "required":
            # one line per missing field, in a stable order
            for name in re.findall(r"'([^']+)' is a required property", err.message):
                errors.append(f"{_path(err.path)}: is required (missing {name})")
            continue
        errors.append(f"{_path(err.path)}: {_schema_message(err)}")
    if errors:
        raise ProjectError(errors)

    d = dict(data)
    start, horizon = int(d["start_year"]), int(d["horizon_years"])
    end = start + horizon - 1
    in_horizon = f"must be within start_year..start_year+horizon_years-1 ({start}..{end})"

    def check_year(y: int, path: str) -> None:
        if not start <= y <= end:
            errors.append(f"{path}: {in_horizon}, got {y}")

    check_year(int(d["commissioning_year"]), "$.commissioning_year")
    for key in ("capex", "revenue", "opex", "jobs", "water_use_m3"):
        seen: dict[Any, int] = {}
        for i, item in enumerate(d.get(key) or []):
            check_year(int(item["year"]), f"$.{key}[{i}].year")
            ident = (item["year"], item.get("asset"))
            if key != "capex" and ident in seen:
                errors.append(
                    f"$.{key}[{i}].year: year {item['year']} already given at "
                    f"$.{key}[{seen[ident]}]; give one entry per year"
                )
            seen.setdefault(ident, i)
            if "amount" in item and not math.isfinite(float(item["amount"])):
                errors.append(f"$.{key}[{i}].amount: must be a finite number")
    if "country" not in d and "park_id" not in d:
        errors.append("$.country: is required when park_id is not given")
    residency = _date(d["residency_start"], "$.residency_start", errors)
    ms_raw = d.get("milestones") or {}
    ms = {k: _date(v, f"$.milestones.{k}", errors) for k, v in ms_raw.items()}
    if residency is not None and not start - 5 <= residency.year <= end:
        errors.append(
            f"$.residency_start: year must be within {start - 5}..{end} (at most 5 years before "
            f"start_year), got {residency.isoformat()}"
        )
    com = ms.get("commissioning")
    if com is not None and com.year != int(d["commissioning_year"]):
        errors.append(
            f"$.milestones.commissioning: must fall in commissioning_year "
            f"{d['commissioning_year']}, got {com.isoformat()}"
        )
    shares = d.get("activity_shares") or {}
    if sum(shares.values()) > 1 + 1e-9:
        errors.append(
            f"$.activity_shares: shares must add up to at most 1, got {sum(shares.values()):g}"
        )
    loan_raw = (d.get("financing") or {}).get("loan")
    if loan_raw is not None:
        if loan_raw.get("grace_years", 0) >= loan_raw["tenor_years"]:
            errors.append("$.financing.loan.grace_years: must be less than tenor_years")
        if "drawdown_year" in loan_raw:
            check_year(int(loan_raw["drawdown_year"]), "$.financing.loan.drawdown_year")
    if isic_section(d["industry"]) is None:
        errors.append(f"$.industry: {d['industry']!r} is not an ISIC Rev.4 division")
    if errors:
        raise ProjectError(errors)
    assert residency is not None

    to_raw = d.get("tax_overrides") or {}
    overrides: dict[str, Any] = {
        k: (None if v is None else (int(v) if k == "loss_carry_years" else float(v)))
        for k, v in to_raw.items()
    }
    return Project(
        name=d["name"],
        currency=d["currency"],
        country=d.get("country"),
        park_id=d.get("park_id"),
        description=d.get("description"),
        example=bool(d.get("example", False)),
        start_year=start,
        horizon_years=horizon,
        discount_rate=float(d["discount_rate"]),
        industry=d["industry"],
        hazard_class=int(d["hazard_class"]),
        residency_start=residency,
        commissioning_year=int(d["commissioning_year"]),
        milestones=Milestones(**ms),
        capex=tuple(CapexItem(int(c["year"]), float(c["amount"]), c["asset"]) for c in d["capex"]),
        revenue=tuple(YearAmount(int(r["year"]), float(r["amount"])) for r in d["revenue"]),
        opex=tuple(YearAmount(int(r["year"]), float(r["amount"])) for r in d["opex"]),
        jobs=tuple(JobsEntry(int(j["year"]), int(j["count"])) for j in d["jobs"]),
        water_use_m3=(
            tuple(YearAmount(int(r["year"]), float(r["amount"])) for r in d["water_use_m3"])
            if "water_use_m3" in d
            else None
        ),
        land_area_ha=float(d["land_area_ha"]),
        land_cadastral_value=(
            float(d["land_cadastral_value"]) if "land_cadastral_value" in d else None
        ),
        utilities=Utilities(**{k: float(v) for k, v in (d.get("utilities") or {}).items()}),
        tax_overrides=TaxOverrides(**overrides, given=frozenset(to_raw)),
        sme=bool(d.get("sme", False)),
        export_share=float(d.get("export_share", 0.0)),
        activity_shares=tuple(sorted((k, float(v)) for k, v in shares.items())),
        eligible_activity_share=float(d.get("eligible_activity_share", 1.0)),
        avg_monthly_wage=(float(d["avg_monthly_wage"]) if "avg_monthly_wage" in d else None),
        loan=(
            Loan(
                amount=float(loan_raw["amount"]),
                rate=float(loan_raw["rate"]),
                tenor_years=int(loan_raw["tenor_years"]),
                grace_years=int(loan_raw.get("grace_years", 0)),
                repayment=loan_raw.get("repayment", "annuity"),
                drawdown_year=loan_raw.get("drawdown_year"),
            )
            if loan_raw is not None
            else None
        ),
        depreciation_lives=DepreciationLives(**(d.get("depreciation_lives") or {})),
        working_capital=WorkingCapital(
            **{k: float(v) for k, v in (d.get("working_capital") or {}).items()}
        ),
    )


def load_project(path: str | Path) -> Project:
    """Read and parse a project JSON file; errors are prefixed with the file name."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ProjectError([f"{p}:{e.lineno}: invalid JSON: {e.msg}"]) from e
    try:
        return parse_project(data)
    except ProjectError as e:
        raise ProjectError([f"{p}: {m}" for m in e.errors]) from e
