"""Loading the residents app's data files (templates_data/) and instantiating commitment templates.

The files are documented in templates_data/README.md. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from technopark.residents.deadlines import offset_date

DATA_DIR = Path(__file__).resolve().parent / "templates_data"
CENT = Decimal("0.01")


class TemplateError(ValueError):
    """A commitment template or its parameters are invalid; ``errors`` names each problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


def _load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def holidays() -> dict[str, frozenset[dt.date]]:
    """Public holidays per country code (empty by default, see holidays.yaml)."""
    raw = _load("holidays.yaml") or {}
    return {
        code.upper(): frozenset(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in days or []
        )
        for code, days in raw.items()
    }


def holidays_for(country_code: str | None) -> frozenset[dt.date]:
    return holidays().get((country_code or "").upper(), frozenset())


@lru_cache(maxsize=1)
def review_rules() -> dict[str, Any]:
    return _load("review.yaml")


def review_rule(regime_ids: list[str]) -> dict[str, Any]:
    """The review-deadline rule of the first of ``regime_ids`` that has one, else the default."""
    rules = review_rules()
    for regime in regime_ids:
        if regime in rules.get("regimes", {}):
            return {"regime_id": regime, **rules["regimes"][regime]}
    return {"regime_id": "", **rules["default"]}


@lru_cache(maxsize=1)
def checklists() -> dict[str, list[dict[str, str]]]:
    return _load("checklists.yaml")


def checklist_for(park_kind: str) -> list[dict[str, str]]:
    """The review checklist items of a park kind (falls back to `default`)."""
    data = checklists()
    return data.get(park_kind) or data["default"]


@lru_cache(maxsize=1)
def reporting() -> dict[str, Any]:
    return _load("reporting.yaml")


@cache
def commitment_templates() -> dict[str, dict[str, Any]]:
    """Every commitment template by id."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((DATA_DIR / "commitments").glob("*.yaml")):
        data = _load(f"commitments/{path.name}")
        out[data["id"]] = data
    return out


def template_for_regimes(regime_ids: list[str]) -> str | None:
    """The id of the first template whose regime is among ``regime_ids``."""
    templates = commitment_templates()
    for regime in regime_ids:
        for tid, tpl in templates.items():
            if tpl["regime_id"] == regime:
                return tid
    return None


@dataclass(frozen=True)
class CommitmentSpec:
    """One commitment produced from a template, ready to be stored."""

    kind: str
    due: dt.date
    target: Decimal | None
    unit: str
    consequences: tuple[str, ...]
    grace_days: int
    source: str
    description: str = ""


@dataclass(frozen=True)
class TemplateResult:
    template_id: str
    regime_id: str
    parameters: dict[str, Any]
    commitments: list[CommitmentSpec] = field(default_factory=list)


def _number(value: Any, name: str, errors: list[str]) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError):
        errors.append(f"{name}: expected a number, got {value!r}")
        return None


def instantiate_template(
    template_id: str,
    *,
    start: dt.date,
    parameters: dict[str, Any] | None = None,
    holidays: frozenset[dt.date] = frozenset(),
) -> TemplateResult:
    """The commitments of template ``template_id`` for an agreement signed on ``start``.

    ``parameters`` override the template's defaults; a numeric commitment whose target works out
    to zero is left out (the template's way of saying "no such commitment").
    """
    try:
        tpl = commitment_templates()[template_id]
    except KeyError as exc:
        raise TemplateError([f"template: unknown commitment template {template_id!r}"]) from exc
    errors: list[str] = []
    given = dict(parameters or {})
    values: dict[str, Decimal] = {}
    known = {p["id"] for p in tpl.get("parameters", [])}
    for name in sorted(set(given) - known):
        errors.append(f"parameters.{name}: not a parameter of template {template_id}")
    for spec in tpl.get("parameters", []):
        raw = given.get(spec["id"], spec.get("default"))
        value = _number(raw, f"parameters.{spec['id']}", errors)
        if value is None:
            continue
        if "minimum" in spec and value < Decimal(str(spec["minimum"])):
            errors.append(
                f"parameters.{spec['id']}: must be at least {spec['minimum']} {spec.get('unit', '')}".rstrip()
                + f", got {value}"
            )
        values[spec["id"]] = value
    out: list[CommitmentSpec] = []
    for i, item in enumerate(tpl.get("commitments", [])):
        offsets: dict[str, Any] = {}
        for unit, raw in (item.get("due") or {}).items():
            if isinstance(raw, str) and raw.startswith("$"):
                ref = values.get(raw[1:])
                if ref is None:
                    errors.append(f"commitments[{i}].due.{unit}: unknown parameter {raw}")
                    continue
                offsets[unit] = int(ref)
            else:
                offsets[unit] = int(raw)
        target = None
        if "target" in item:
            base = values.get(item["target"]["parameter"])
            if base is None:
                errors.append(
                    f"commitments[{i}].target: unknown parameter {item['target']['parameter']}"
                )
                continue
            factor = Fraction(str(item["target"].get("factor", "1")))
            target = (base * factor.numerator / factor.denominator).quantize(CENT, ROUND_HALF_UP)
            if target == 0:
                continue
        due = offset_date(start, holidays=holidays, **offsets)
        out.append(
            CommitmentSpec(
                kind=item["kind"],
                due=due,
                target=target,
                unit=item.get("unit", ""),
                consequences=tuple(item.get("consequences", [])),
                grace_days=int(item.get("grace_days", 0)),
                source=item.get("source", ""),
            )
        )
    if errors:
        raise TemplateError(errors)
    params_out = {k: (int(v) if v == v.to_integral_value() else str(v)) for k, v in values.items()}
    return TemplateResult(template_id, tpl["regime_id"], params_out, out)
