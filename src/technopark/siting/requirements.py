"""The site-finder requirements document: what an investor needs from a site.

A requirements document is a JSON object (``REQUIREMENTS_SCHEMA``, written to
``docs/site-finder.schema.json`` and described in ``docs/site-finder.md``). ``parse_requirements``
checks it against the JSON Schema (draft 2020-12), then checks what a schema cannot express
(minimum ≤ maximum, a budget currency when a budget is given, an ISIC code that exists, the
inline investment project via :func:`technopark.core.project.parse_project`), and returns a
frozen :class:`Requirements`. Every problem is reported at once with its JSON path, in the same
``"$.path: message"`` form as :class:`technopark.core.project.ProjectError`::

    $.area_ha_min: must be <= area_ha_max (5), got 10

Pure Python: must not import Django.

>>> r = parse_requirements({"countries": ["UZ"], "electricity_mw": 2, "tenure": "lease"})
>>> r.countries, r.electricity_mw, r.tenure, r.horizon_years, r.unknown_ok
(('UZ',), 2.0, 'lease', 10, False)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from technopark.core.project import (
    LARGEST_AMOUNT,
    Project,
    ProjectError,
    isic_section,
    parse_project,
)

__all__ = [
    "PARK_KINDS",
    "REQUIREMENTS_SCHEMA",
    "SCORE_KEYS",
    "TRANSPORT_KINDS",
    "UTILITY_KEYS",
    "Budget",
    "CostAssumptions",
    "Freight",
    "Requirements",
    "RequirementsError",
    "load_requirements",
    "parse_requirements",
]

PARK_KINDS: tuple[str, ...] = (
    "technopark",
    "industrial_park",
    "sez",
    "fez",
    "small_industrial_zone",
    "technopolis",
    "cluster",
)
TRANSPORT_KINDS: tuple[str, ...] = ("airport", "rail", "port", "highway", "border")
UTILITY_KEYS: tuple[str, ...] = ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d")
SCORE_KEYS: tuple[str, ...] = (
    "cost",
    "infrastructure",
    "logistics",
    "labour",
    "cluster_fit",
    "freshness",
)
#: Default weights when a document gives none: every factor counts the same.
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(SCORE_KEYS, 1.0)

_NUM = {"type": "number", "minimum": 0, "maximum": LARGEST_AMOUNT}
_CUR = {"type": "string", "pattern": "^[A-Z]{3}$"}

#: JSON Schema (draft 2020-12) of the requirements document; also docs/site-finder.schema.json.
REQUIREMENTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://technopark.example/schemas/site-finder.schema.json",
    "title": "Site-finder requirements",
    "description": (
        "What an investor needs from a site: hard constraints (every one must hold), weights of "
        "the quality and cost scores, and optionally the investment project whose location cost "
        "is computed. Areas in ha or m², power in MW, gas in m³/h, water in m³/day, distances in "
        "km, money in `budget.currency`."
    ),
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": 1},
        "countries": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
            "description": "ISO 3166-1 alpha-2 codes; omit for every country",
        },
        "regions": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "description": "Region names exactly as in the registry",
        },
        "park_kinds": {
            "type": "array",
            "items": {"enum": list(PARK_KINDS)},
            "minItems": 1,
            "uniqueItems": True,
        },
        "site_kind": {"enum": ["plot", "premises", "any"], "default": "any"},
        "area_ha_min": _NUM,
        "area_ha_max": _NUM,
        "area_m2_min": _NUM,
        "area_m2_max": _NUM,
        "electricity_mw": {**_NUM, "description": "Power needed, MW (site's free capacity ≥)"},
        "gas_m3h": {**_NUM, "description": "Gas needed, m³/h"},
        "water_m3d": {**_NUM, "description": "Water needed, m³/day"},
        "wastewater_m3d": {**_NUM, "description": "Wastewater discharge needed, m³/day"},
        "rail_siding": {"type": "boolean", "description": "true: the site must have a siding"},
        "hazard_class": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "description": "Project hazard class (1 most hazardous); defaults to the project's",
        },
        "tenure": {"enum": ["sale", "lease", "any"], "default": "any"},
        "max_distance_km": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: _NUM for k in TRANSPORT_KINDS},
        },
        "industry": {
            "type": "string",
            "pattern": "^([A-U]|[0-9]{2,4})$",
            "description": "ISIC Rev.4 code; defaults to the project's industry",
        },
        "budget": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_sale_price": _NUM,
                "max_lease_per_year": _NUM,
                "currency": _CUR,
            },
        },
        "weights": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: _NUM for k in SCORE_KEYS},
        },
        "project": {
            "type": ["object", "string"],
            "description": "The investment project document inline, or a path to its JSON file",
        },
        "horizon_years": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
        "top": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
        "near_misses": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 10},
        "unknown_ok": {"type": "boolean", "default": False},
        "currency": {**_CUR, "description": "Currency of the location cost; default: project's"},
        "as_of": {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": "Valuation date (FX rates, data age); default: today",
        },
        "freight": {
            "type": "object",
            "additionalProperties": False,
            "required": ["tonnes_per_year", "cost_per_tonne_km", "currency"],
            "properties": {
                "tonnes_per_year": {
                    "oneOf": [
                        _NUM,
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {k: _NUM for k in TRANSPORT_KINDS},
                        },
                    ]
                },
                "cost_per_tonne_km": {
                    "type": "object",
                    "additionalProperties": False,
                    "minProperties": 1,
                    "properties": {k: _NUM for k in TRANSPORT_KINDS},
                },
                "currency": _CUR,
            },
        },
        "assumptions": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "hours_per_year": {"type": "number", "exclusiveMinimum": 0, "maximum": 8784},
                "electricity_load_factor": {"type": "number", "minimum": 0, "maximum": 1},
                "gas_load_factor": {"type": "number", "minimum": 0, "maximum": 1},
                "wastewater_days_per_year": {"type": "number", "minimum": 0, "maximum": 366},
                "wage_fallback_national": {"type": "boolean"},
            },
        },
    },
}


class RequirementsError(ValueError):
    """A requirements document is invalid. ``errors`` lists every problem as
    ``"$.path: message"`` (the same form as ``ProjectError``)."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("invalid site-finder requirements:\n" + "\n".join(self.errors))


@dataclass(frozen=True)
class Budget:
    """Price limits in ``currency``; ``None`` means no limit for that tenure."""

    currency: str
    max_sale_price: float | None = None
    max_lease_per_year: float | None = None


@dataclass(frozen=True)
class Freight:
    """Freight for the transport-cost proxy.

    Every mode in ``cost_per_tonne_km`` is a leg from the site to that hub (nearest airport,
    rail station, port, highway junction, border crossing) that the tonnage travels; annual
    cost = Σ_mode tonnes_mode × cost_per_tonne_km_mode × distance_mode.
    """

    tonnes_per_year: float | Mapping[str, float]
    cost_per_tonne_km: Mapping[str, float]
    currency: str

    def tonnes(self, mode: str) -> float:
        """Tonnes per year moved on the leg to ``mode``."""
        if isinstance(self.tonnes_per_year, Mapping):
            return float(self.tonnes_per_year.get(mode, 0.0))
        return float(self.tonnes_per_year)


@dataclass(frozen=True)
class CostAssumptions:
    """Assumptions of the location-cost model that are not data: each is a stated parameter
    that the document (``assumptions``) or the caller may override.

    - annual electricity (MWh) = peak MW × ``hours_per_year`` × ``electricity_load_factor``;
    - annual gas (m³) = peak m³/h × ``hours_per_year`` × ``gas_load_factor``;
    - annual water (m³) = the project's ``water_use_by_year()`` (its own stated rule: m³/day ×
      365 from commissioning, unless it gives ``water_use_m3``);
    - annual wastewater (m³) = m³/day × ``wastewater_days_per_year`` from commissioning.

    The load factors default to 1.0 — the project's peak need all year round. That is an upper
    bound, not an estimate: no load profile is known until the user gives one.
    ``wage_fallback_national``: where a region has no wage figure, use the country's national
    average (named as such in the result) rather than leave labour unknown.
    """

    hours_per_year: float = 8760.0
    electricity_load_factor: float = 1.0
    gas_load_factor: float = 1.0
    wastewater_days_per_year: float = 365.0
    wage_fallback_national: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "hours_per_year": self.hours_per_year,
            "electricity_load_factor": self.electricity_load_factor,
            "gas_load_factor": self.gas_load_factor,
            "wastewater_days_per_year": self.wastewater_days_per_year,
            "wage_fallback_national": self.wage_fallback_national,
        }


@dataclass(frozen=True)
class Requirements:
    """A parsed requirements document. Build it with :func:`parse_requirements`.

    Areas are held in m² (``area_m2_min``/``area_m2_max``; 1 ha = 10,000 m²). ``hazard_class``
    and ``industry`` are the document's, else the project's.
    """

    countries: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    park_kinds: tuple[str, ...] | None = None
    site_kind: str = "any"
    area_m2_min: float | None = None
    area_m2_max: float | None = None
    area_unit: str = "ha"
    electricity_mw: float | None = None
    gas_m3h: float | None = None
    water_m3d: float | None = None
    wastewater_m3d: float | None = None
    rail_siding: bool | None = None
    hazard_class: int | None = None
    tenure: str = "any"
    max_distance_km: Mapping[str, float] = field(default_factory=dict)
    industry: str | None = None
    budget: Budget | None = None
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    project: Project | None = None
    horizon_years: int = 10
    top: int = 10
    near_misses: int = 10
    unknown_ok: bool = False
    currency: str | None = None
    as_of: dt.date | None = None
    freight: Freight | None = None
    assumptions: CostAssumptions = field(default_factory=CostAssumptions)

    @property
    def cost_only(self) -> bool:
        """True when only the cost weight is positive: rank by location cost, cheapest first."""
        return self.weights.get("cost", 0.0) > 0 and all(
            v == 0 for k, v in self.weights.items() if k != "cost"
        )

    def need(self, utility: str) -> float | None:
        """The need for a utility: the document's figure, else the project's (None if neither
        gives a positive figure)."""
        own = getattr(self, utility)
        if own is not None:
            return float(own)
        if self.project is not None:
            v = float(getattr(self.project.utilities, utility))
            return v if v > 0 else None
        return None

    @property
    def output_currency(self) -> str:
        """Currency of the location cost: document's, else project's, else budget's, else USD."""
        if self.currency:
            return self.currency
        if self.project is not None:
            return self.project.currency
        if self.budget is not None:
            return self.budget.currency
        return "USD"

    @property
    def valuation_date(self) -> dt.date:
        """The date FX rates and data age are taken at (``as_of`` or today)."""
        return self.as_of or dt.date.today()


def _path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _schema_message(err: Any) -> str:
    v = err.validator
    if v == "additionalProperties":
        return f"unknown field(s): {err.message.split('(')[-1].rstrip(')')}"
    if v == "enum":
        return f"must be one of {err.validator_value}, got {err.instance!r}"
    if v == "pattern":
        return f"must match {err.validator_value!r}, got {err.instance!r}"
    if v == "type":
        want = err.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"must be of type {want}, got {type(err.instance).__name__}"
    if v in ("minimum", "maximum", "exclusiveMaximum", "exclusiveMinimum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMaximum": "<", "exclusiveMinimum": ">"}
        return f"must be {op[v]} {err.validator_value}, got {err.instance!r}"
    if v == "oneOf":
        return f"must be a number or an object by transport kind, got {err.instance!r}"
    return str(err.message)


_VALIDATOR = Draft202012Validator(REQUIREMENTS_SCHEMA)


def parse_requirements(
    data: Mapping[str, Any],
    *,
    resolve_project: Callable[[str], Mapping[str, Any]] | None = None,
) -> Requirements:
    """Validate a requirements document and return :class:`Requirements`.

    ``project`` may be the project document inline or a file path; a path is read by
    ``resolve_project(path) -> dict`` supplied by the caller (the CLI resolves it relative to
    the requirements file, see :func:`load_requirements`). Raises :class:`RequirementsError`
    with every problem and its JSON path; errors of the project are reported under
    ``$.project``.

    >>> try:
    ...     parse_requirements({"area_ha_min": 10, "area_ha_max": 5, "tenure": "rent"})
    ... except RequirementsError as e:
    ...     print("\\n".join(e.errors))
    $.tenure: must be one of ['sale', 'lease', 'any'], got 'rent'
    $.area_ha_min: must be <= area_ha_max (5), got 10
    """
    if not isinstance(data, Mapping):
        raise RequirementsError([f"$: must be a JSON object, got {type(data).__name__}"])
    errors: list[str] = []
    schema_bad: set[str] = set()
    for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path))):
        errors.append(f"{_path(err.path)}: {_schema_message(err)}")
        if err.path:
            schema_bad.add(str(err.path[0]))
    d = dict(data)

    def ok(key: str) -> bool:
        return key in d and key not in schema_bad

    # min <= max, in the units given; ha and m² bounds of the same side may not both be given
    for unit in ("ha", "m2"):
        lo, hi = f"area_{unit}_min", f"area_{unit}_max"
        if ok(lo) and ok(hi) and float(d[lo]) > float(d[hi]):
            errors.append(f"$.{lo}: must be <= {hi} ({d[hi]:g}), got {d[lo]:g}")
    for side in ("min", "max"):
        if f"area_ha_{side}" in d and f"area_m2_{side}" in d:
            errors.append(f"$.area_m2_{side}: give area_ha_{side} or area_m2_{side}, not both")
    budget_raw = d.get("budget") if ok("budget") else None
    if budget_raw is not None:
        has_limit = "max_sale_price" in budget_raw or "max_lease_per_year" in budget_raw
        if has_limit and "currency" not in budget_raw:
            errors.append("$.budget.currency: is required when a price limit is given")
    weights_raw = d.get("weights") if ok("weights") else None
    if weights_raw is not None and not any(float(v) > 0 for v in weights_raw.values()):
        errors.append("$.weights: at least one weight must be positive")
    if ok("industry") and isic_section(d["industry"]) is None:
        errors.append(f"$.industry: {d['industry']!r} is not an ISIC Rev.4 division")
    as_of: dt.date | None = None
    if ok("as_of"):
        try:
            as_of = dt.date.fromisoformat(d["as_of"])
        except ValueError:
            errors.append(f"$.as_of: must be a valid ISO date YYYY-MM-DD, got {d['as_of']!r}")
    freight_raw = d.get("freight") if ok("freight") else None
    if freight_raw is not None and isinstance(freight_raw.get("tonnes_per_year"), Mapping):
        for mode in freight_raw["tonnes_per_year"]:
            if mode not in freight_raw["cost_per_tonne_km"]:
                errors.append(
                    f"$.freight.tonnes_per_year.{mode}: no cost_per_tonne_km.{mode} is given"
                )

    project: Project | None = None
    if ok("project"):
        raw = d["project"]
        if isinstance(raw, str):
            if resolve_project is None:
                errors.append(
                    "$.project: a file path must be resolved by the caller (give the project "
                    "inline, or call load_requirements with the requirements file)"
                )
                raw = None
            else:
                try:
                    raw = resolve_project(raw)
                except (OSError, ValueError) as e:
                    errors.append(f"$.project: cannot read {d['project']!r}: {e}")
                    raw = None
        if raw is not None:
            try:
                project = parse_project(raw)
            except ProjectError as e:
                errors.extend(re.sub(r"^\$", "$.project", m) for m in e.errors)
    if errors:
        raise RequirementsError(errors)

    def opt(key: str) -> float | None:
        return float(d[key]) if key in d else None

    area_unit = "m2" if ("area_m2_min" in d or "area_m2_max" in d) else "ha"
    area_min = opt("area_m2_min")
    if "area_ha_min" in d:
        area_min = float(d["area_ha_min"]) * 10_000.0
    area_max = opt("area_m2_max")
    if "area_ha_max" in d:
        area_max = float(d["area_ha_max"]) * 10_000.0
    weights = dict(DEFAULT_WEIGHTS)
    if weights_raw is not None:
        weights = {k: float(weights_raw.get(k, 0.0)) for k in SCORE_KEYS}
    budget = None
    if budget_raw and "currency" in budget_raw:
        budget = Budget(
            currency=budget_raw["currency"],
            max_sale_price=(
                float(budget_raw["max_sale_price"]) if "max_sale_price" in budget_raw else None
            ),
            max_lease_per_year=(
                float(budget_raw["max_lease_per_year"])
                if "max_lease_per_year" in budget_raw
                else None
            ),
        )
    freight = None
    if freight_raw is not None:
        tpy = freight_raw["tonnes_per_year"]
        freight = Freight(
            tonnes_per_year=(
                {k: float(v) for k, v in tpy.items()} if isinstance(tpy, Mapping) else float(tpy)
            ),
            cost_per_tonne_km={k: float(v) for k, v in freight_raw["cost_per_tonne_km"].items()},
            currency=freight_raw["currency"],
        )
    hazard = d.get("hazard_class")
    if hazard is None and project is not None:
        hazard = project.hazard_class
    industry = d.get("industry") or (project.industry if project is not None else None)

    def tup(key: str) -> tuple[str, ...] | None:
        return tuple(d[key]) if key in d else None

    return Requirements(
        countries=tup("countries"),
        regions=tup("regions"),
        park_kinds=tup("park_kinds"),
        site_kind=d.get("site_kind", "any"),
        area_m2_min=area_min,
        area_m2_max=area_max,
        area_unit=area_unit,
        electricity_mw=opt("electricity_mw"),
        gas_m3h=opt("gas_m3h"),
        water_m3d=opt("water_m3d"),
        wastewater_m3d=opt("wastewater_m3d"),
        rail_siding=d.get("rail_siding"),
        hazard_class=None if hazard is None else int(hazard),
        tenure=d.get("tenure", "any"),
        max_distance_km={k: float(v) for k, v in (d.get("max_distance_km") or {}).items()},
        industry=industry,
        budget=budget,
        weights=weights,
        project=project,
        horizon_years=int(d.get("horizon_years", 10)),
        top=int(d.get("top", 10)),
        near_misses=int(d.get("near_misses", 10)),
        unknown_ok=bool(d.get("unknown_ok", False)),
        currency=d.get("currency"),
        as_of=as_of,
        freight=freight,
        assumptions=CostAssumptions(**(d.get("assumptions") or {})),
    )


def load_requirements(path: str | Path) -> Requirements:
    """Read and parse a requirements JSON file. A ``project`` given as a path is read relative
    to the requirements file. Errors are prefixed with the file name (``file: $.path: msg``)."""
    p = Path(path)

    def read_json(q: str | Path) -> Any:
        text = Path(q).read_text(encoding="utf-8")
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{q}:{e.lineno}: invalid JSON: {e.msg}") from e

    try:
        data = read_json(p)
    except ValueError as e:
        raise RequirementsError([str(e)]) from e
    try:
        return parse_requirements(data, resolve_project=lambda s: read_json(p.parent / s))
    except RequirementsError as e:
        raise RequirementsError([f"{p}: {m}" for m in e.errors]) from e


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)
