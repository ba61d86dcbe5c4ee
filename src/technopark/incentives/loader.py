"""Legal regimes as data: one YAML file per regime in ``incentives/regimes/``.

Each file is validated against ``incentives/schema/regime.schema.json`` (JSON Schema 2020-12)
and a few rules a schema cannot express (the id equals the file name, brackets are ordered and
do not overlap, a benefit has a term, a rate or a reduction where its form needs one, ...).
A malformed file raises :class:`RegimeError` naming the file and the field path::

    bad.yaml: $.benefits[0].form: must be one of [...], got 'holiday'

Pure Python: no Django import.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

__all__ = [
    "REGIMES_DIR",
    "REGIME_SCHEMA",
    "AppliesTo",
    "Benefit",
    "Bracket",
    "Conditions",
    "LegalAct",
    "MinInvestment",
    "MinJobs",
    "Regime",
    "RegimeError",
    "ScheduleStep",
    "load_regime_file",
    "load_regimes",
]

_HERE = Path(__file__).resolve().parent
REGIMES_DIR = _HERE / "regimes"
REGIME_SCHEMA: dict[str, Any] = json.loads(
    (_HERE / "schema" / "regime.schema.json").read_text(encoding="utf-8")
)
_VALIDATOR = Draft202012Validator(REGIME_SCHEMA)


class RegimeError(ValueError):
    """A regime file is invalid; ``errors`` lists ``"file: $.path: message"`` lines."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("invalid regime data:\n" + "\n".join(self.errors))


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class LegalAct:
    """A legal act cited by a regime."""

    act: str
    number: str = ""
    date: str = ""
    article: str = ""
    url: str = ""
    note: str = ""

    def label(self) -> str:
        """Short citation, e.g. 'Law ZRU-604 of 2020-02-17, Art. 473'."""
        out = self.act
        if self.number:
            out += f" {self.number}"
        if self.date:
            out += f" of {self.date}"
        if self.article:
            out += f", {self.article}"
        return out


@dataclass(frozen=True)
class MinInvestment:
    """Minimum investment (cumulative capex) in ``currency``, optionally within a deadline."""

    amount: float
    currency: str
    within_months: int | None = None
    deadline: dt.date | None = None
    excluding_vat: bool = True
    citation: str = ""


@dataclass(frozen=True)
class MinJobs:
    """Minimum number of jobs, optionally within months of the residency start."""

    count: int
    within_months: int | None = None
    citation: str = ""


@dataclass(frozen=True)
class Conditions:
    """Eligibility conditions of a regime or of one benefit; all must be met."""

    min_investment: MinInvestment | None = None
    min_jobs: MinJobs | None = None
    industries_allowed: tuple[str, ...] = ()
    industries_excluded: tuple[str, ...] = ()
    min_activity_share: tuple[str, float, str] | None = None  # (activity, share, label)
    min_export_share: float | None = None
    sme_only: bool = False
    max_park_occupancy: float | None = None


@dataclass(frozen=True)
class Bracket:
    """An investment bracket: [min_investment, max_investment) → term_months (lower inclusive)."""

    min_investment: float
    max_investment: float | None
    term_months: int


@dataclass(frozen=True)
class ScheduleStep:
    """A rate for benefit years from_year..to_year (1-based, counted from the start event)."""

    from_year: int
    to_year: int | None
    rate: float


@dataclass(frozen=True)
class Benefit:
    """One benefit on one tax. See docs/incentives.md for every field."""

    tax: str
    form: str
    start_event: str
    confidence: str
    citation: str
    id: str = ""
    rate: float | None = None
    reduction: float | None = None
    term_months: int | None = None
    brackets: tuple[Bracket, ...] = ()
    bracket_currency: str | None = None
    bracket_edges: str = "lower_inclusive"
    start_offset_months: int = 0
    ends_on: dt.date | None = None
    extends_on_higher_investment: bool = False
    schedule: tuple[ScheduleStep, ...] = ()
    conditions: Conditions | None = None
    note: str = ""

    @property
    def quantified(self) -> bool:
        """True when the engine can value it (a tax with a base in the project document)."""
        return self.tax in ("profit", "property", "land", "water", "social")


@dataclass(frozen=True)
class AppliesTo:
    """Where a regime applies: countries, regions, park kinds, named parks."""

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    park_kinds: tuple[str, ...] = ()
    park_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Regime:
    """A legal regime: who it applies to, eligibility, benefits, legal basis, dates."""

    id: str
    jurisdiction: str
    names: dict[str, str]
    legal_basis: tuple[LegalAct, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    confidence: str
    applies_to: AppliesTo
    eligibility: Conditions
    benefits: tuple[Benefit, ...]
    summary: str = ""
    notes: tuple[str, ...] = ()
    benefits_from: str | None = None
    version: int = 1
    source_file: str = field(default="", compare=False)

    def name(self, lang: str = "en") -> str:
        """Name in a language (ru, uz, en), falling back to English."""
        return self.names.get(lang) or self.names["en"]


# --------------------------------------------------------------------------- parsing


def _jsonable(v: Any) -> Any:
    """YAML turns 2020-02-17 into a date; the schema wants ISO strings."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v


def _path(parts: Iterable[Any]) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _message(err: Any) -> str:
    v = err.validator
    if v == "enum":
        return f"must be one of {err.validator_value}, got {err.instance!r}"
    if v == "required":
        return err.message.replace("is a required property", "is required")
    if v == "additionalProperties":
        return f"unknown field(s): {err.message.split('(')[-1].rstrip(')')}"
    if v == "pattern":
        return f"must match {err.validator_value!r}, got {err.instance!r}"
    if v == "type":
        return f"must be of type {err.validator_value}, got {type(err.instance).__name__}"
    if v in ("minimum", "maximum"):
        op = "≥" if v == "minimum" else "≤"
        return f"must be {op} {err.validator_value}, got {err.instance!r}"
    return str(err.message)


def _d(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def _conditions(raw: dict[str, Any] | None) -> Conditions:
    raw = raw or {}
    mi = raw.get("min_investment")
    mj = raw.get("min_jobs")
    mas = raw.get("min_activity_share")
    return Conditions(
        min_investment=(
            MinInvestment(
                amount=float(mi["amount"]),
                currency=mi["currency"],
                within_months=mi.get("within_months"),
                deadline=_d(mi.get("deadline")),
                excluding_vat=bool(mi.get("excluding_vat", True)),
                citation=mi.get("citation", ""),
            )
            if mi
            else None
        ),
        min_jobs=(
            MinJobs(int(mj["count"]), mj.get("within_months"), mj.get("citation", ""))
            if mj
            else None
        ),
        industries_allowed=tuple(raw.get("industries_allowed", ())),
        industries_excluded=tuple(raw.get("industries_excluded", ())),
        min_activity_share=(
            (mas["activity"], float(mas["share"]), mas.get("label", mas["activity"]))
            if mas
            else None
        ),
        min_export_share=raw.get("min_export_share"),
        sme_only=bool(raw.get("sme_only", False)),
        max_park_occupancy=raw.get("max_park_occupancy"),
    )


def _check_benefit(b: dict[str, Any], p: str, errors: list[str]) -> None:
    form = b["form"]
    if form == "reduced_rate" and "rate" not in b and "schedule" not in b:
        errors.append(f"{p}: a reduced_rate benefit needs 'rate' or 'schedule'")
    if form == "percentage_reduction" and "reduction" not in b:
        errors.append(f"{p}: a percentage_reduction benefit needs 'reduction'")
    if "term_months" in b and "brackets" in b:
        errors.append(f"{p}: give either term_months or brackets, not both")
    if "brackets" in b:
        if "bracket_currency" not in b:
            errors.append(f"{p}.bracket_currency: is required with brackets")
        prev_max: float | None = None
        prev_term = 0
        for i, br in enumerate(b["brackets"]):
            bp = f"{p}.brackets[{i}]"
            lo, hi = br["min_investment"], br.get("max_investment")
            if hi is not None and hi <= lo:
                errors.append(f"{bp}.max_investment: must be greater than min_investment {lo}")
            if i > 0:
                if prev_max is None or lo != prev_max:
                    errors.append(
                        f"{bp}.min_investment: must equal the previous bracket's "
                        f"max_investment ({prev_max}) — brackets must be ordered and contiguous"
                    )
                if br["term_months"] < prev_term:
                    errors.append(f"{bp}.term_months: a higher bracket must not shorten the term")
            if hi is None and i != len(b["brackets"]) - 1:
                errors.append(f"{bp}.max_investment: only the last bracket may be open-ended")
            prev_max, prev_term = hi, br["term_months"]
    if b.get("extends_on_higher_investment") and "brackets" not in b:
        errors.append(f"{p}.extends_on_higher_investment: needs brackets")
    steps = b.get("schedule") or []
    expect = 1
    for i, s in enumerate(steps):
        if s["from_year"] != expect:
            errors.append(
                f"{p}.schedule[{i}].from_year: must be {expect} (steps must be contiguous)"
            )
        to = s.get("to_year")
        if to is None:
            if i != len(steps) - 1:
                errors.append(f"{p}.schedule[{i}].to_year: only the last step may be open-ended")
            break
        if to < s["from_year"]:
            errors.append(f"{p}.schedule[{i}].to_year: must be ≥ from_year")
        expect = to + 1


def _build(data: dict[str, Any], source: str) -> Regime:
    at = data.get("applies_to") or {}
    benefits = []
    for b in data.get("benefits") or []:
        benefits.append(
            Benefit(
                tax=b["tax"],
                form=b["form"],
                start_event=b["start_event"],
                confidence=b["confidence"],
                citation=b["citation"],
                id=b.get("id", f"{b['tax']}-{b['form']}"),
                rate=b.get("rate"),
                reduction=b.get("reduction"),
                term_months=b.get("term_months"),
                brackets=tuple(
                    Bracket(
                        float(x["min_investment"]),
                        None if x.get("max_investment") is None else float(x["max_investment"]),
                        int(x["term_months"]),
                    )
                    for x in b.get("brackets") or []
                ),
                bracket_currency=b.get("bracket_currency"),
                bracket_edges=b.get("bracket_edges", "lower_inclusive"),
                start_offset_months=int(b.get("start_offset_months", 0)),
                ends_on=_d(b.get("ends_on")),
                extends_on_higher_investment=bool(b.get("extends_on_higher_investment", False)),
                schedule=tuple(
                    ScheduleStep(int(s["from_year"]), s.get("to_year"), float(s["rate"]))
                    for s in b.get("schedule") or []
                ),
                conditions=_conditions(b["conditions"]) if "conditions" in b else None,
                note=b.get("note", ""),
            )
        )
    eff_from = _d(data["effective_from"])
    assert eff_from is not None
    return Regime(
        id=data["id"],
        jurisdiction=data["jurisdiction"],
        names=dict(data["names"]),
        legal_basis=tuple(LegalAct(**a) for a in data["legal_basis"]),
        effective_from=eff_from,
        effective_to=_d(data.get("effective_to")),
        confidence=data["confidence"],
        applies_to=AppliesTo(
            countries=tuple(at.get("countries", ())),
            regions=tuple(at.get("regions", ())),
            park_kinds=tuple(at.get("park_kinds", ())),
            park_ids=tuple(at.get("park_ids", ())),
        ),
        eligibility=_conditions(data.get("eligibility")),
        benefits=tuple(benefits),
        summary=data.get("summary", ""),
        notes=tuple(data.get("notes", ())),
        benefits_from=data.get("benefits_from"),
        version=int(data.get("version", 1)),
        source_file=source,
    )


def load_regime_file(path: str | Path) -> Regime:
    """Load and validate one regime YAML file (benefits_from is not resolved here)."""
    p = Path(path)
    name = p.name
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RegimeError([f"{name}{line}: invalid YAML: {e}"]) from e
    if not isinstance(raw, dict):
        raise RegimeError([f"{name}: $: must be a mapping, got {type(raw).__name__}"])
    data = _jsonable(raw)
    errors = [
        f"{name}: {_path(err.absolute_path)}: {_message(err)}"
        for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path)))
    ]
    if errors:
        raise RegimeError(errors)
    sem: list[str] = []
    if data["id"] != p.stem:
        sem.append(f"$.id: must equal the file name '{p.stem}', got {data['id']!r}")
    for k in ("effective_from", "effective_to"):
        if data.get(k):
            try:
                dt.date.fromisoformat(data[k])
            except ValueError:
                sem.append(f"$.{k}: not a valid date {data[k]!r}")
    if not sem and data.get("effective_to") and data["effective_to"] <= data["effective_from"]:
        sem.append("$.effective_to: must be after effective_from")
    if not data["benefits"] and not data.get("benefits_from"):
        sem.append("$.benefits: a regime needs at least one benefit (or benefits_from)")
    for i, b in enumerate(data["benefits"]):
        _check_benefit(b, f"$.benefits[{i}]", sem)
    if sem:
        raise RegimeError([f"{name}: {m}" for m in sem])
    return _build(data, str(p))


_CACHE: dict[tuple[str, tuple[tuple[str, float], ...]], dict[str, Regime]] = {}


def load_regimes(dir: str | Path | None = None) -> dict[str, Regime]:
    """All regimes in ``dir`` (default: the packaged ``incentives/regimes``), keyed by id.

    Validates every file and reports every error of every file at once. ``benefits_from: X``
    gives a regime the benefits of regime X (e.g. a technopark granted "the SEZ regime").
    Results are cached per directory and invalidated when a file changes (mtime).

    >>> regimes = load_regimes()
    >>> "uz-sez" in regimes and regimes["uz-sez"].benefits[0].bracket_currency
    'USD'
    """
    d = Path(dir) if dir is not None else REGIMES_DIR
    files = sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml"))
    key = (str(d.resolve()), tuple((f.name, os.stat(f).st_mtime) for f in files))
    if key in _CACHE:
        return _CACHE[key]
    errors: list[str] = []
    regimes: dict[str, Regime] = {}
    for f in files:
        try:
            r = load_regime_file(f)
        except RegimeError as e:
            errors.extend(e.errors)
            continue
        if r.id in regimes:
            errors.append(f"{f.name}: $.id: duplicate regime id {r.id!r}")
        regimes[r.id] = r
    for rid, r in list(regimes.items()):
        if r.benefits_from:
            src = regimes.get(r.benefits_from)
            if src is None:
                errors.append(
                    f"{Path(r.source_file).name}: $.benefits_from: unknown regime "
                    f"{r.benefits_from!r}"
                )
                continue
            if src.benefits_from:
                errors.append(
                    f"{Path(r.source_file).name}: $.benefits_from: {src.id!r} itself uses "
                    "benefits_from; chains are not allowed"
                )
                continue
            regimes[rid] = Regime(**{**vars(r), "benefits": src.benefits + r.benefits})
    if errors:
        raise RegimeError(errors)
    _CACHE[key] = regimes
    return regimes
