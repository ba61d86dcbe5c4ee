"""Reads for the incentives interfaces: the park to evaluate, its facts, the regimes.

`park_facts(park)` is the one conversion from a registry `Park` to the engine's `ParkFacts`;
the CLI, the API, the calculator page (and the finance model and site finder) all use it, so a
park is described to the engine the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from typing import Any

from django.db.models import QuerySet

from technopark.core.permissions import Action, AnyUser, restrict
from technopark.incentives.engine import ParkFacts
from technopark.incentives.loader import Conditions, Regime, load_regimes
from technopark.parks.models import Park


class UnknownPark(LookupError):
    """No park with this id, or none the caller may see (the two are not told apart)."""

    def __init__(self, park_id: str) -> None:
        super().__init__(park_id)
        self.park_id = park_id


def park_facts(park: Park) -> ParkFacts:
    """What the incentives engine needs to know about `park`.

    Occupancy is 1 − free area ÷ total area when both are known, else unknown (a regime with a
    maximum occupancy is then not eligible, with the reason "unknown"). The region is its
    English name, as the regime files name regions.
    """
    return ParkFacts.from_mapping(
        {
            "park_id": park.park_id,
            "country": park.country_id,
            "kind": park.kind,
            "regime_ids": list(park.regime_ids or []),
            "area_total_ha": park.area_total_ha,
            "area_free_ha": park.area_free_ha,
            "region": park.region.name if park.region is not None else None,
            "name": park.name,
        }
    )


def evaluable_parks(user: AnyUser, *, system: bool = False) -> QuerySet[Park]:
    """Parks `user` may evaluate: those they may view. `system=True` (the command line, run by
    whoever runs the server) sees every park, published or not."""
    qs = Park.objects.select_related("country", "region")
    return qs if system else restrict(qs, user, Action.VIEW)


def park_for_evaluation(*, park_id: str, user: AnyUser, system: bool = False) -> Park:
    """The park `park_id` as `user` may see it; `UnknownPark` otherwise."""
    park = evaluable_parks(user, system=system).filter(park_id=park_id).first()
    if park is None:
        raise UnknownPark(park_id)
    return park


def regimes() -> dict[str, Regime]:
    """Every regime in the data, keyed by id (a malformed file raises `RegimeError`)."""
    return load_regimes()


def regime_names(regime_ids: Iterable[str], lang: str = "en") -> list[tuple[str, str]]:
    """(id, name in `lang`) of each regime; an id that no regime file has keeps the id as its
    name."""
    known = regimes()
    return [(rid, known[rid].name(lang) if rid in known else rid) for rid in regime_ids]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and dates as JSON-ready data."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _conditions(c: Conditions | None) -> dict[str, Any] | None:
    if c is None:
        return None
    out = _plain(c)
    if c.min_activity_share is not None:
        activity, share, label = c.min_activity_share
        out["min_activity_share"] = {"activity": activity, "share": share, "label": label}
    return out


def regime_summary(regime: Regime, lang: str = "en") -> dict[str, Any]:
    """A regime in a list: identity, names, dates, legal basis, confidence."""
    return {
        "id": regime.id,
        "name": regime.name(lang),
        "names": dict(regime.names),
        "jurisdiction": regime.jurisdiction,
        "effective_from": _date(regime.effective_from),
        "effective_to": _date(regime.effective_to),
        "confidence": regime.confidence,
        "legal_basis": [{**_plain(a), "citation": a.label()} for a in regime.legal_basis],
    }


def regime_detail(regime: Regime, lang: str = "en") -> dict[str, Any]:
    """Everything a regime file says (with `benefits_from` resolved): who it applies to,
    eligibility, every benefit with its terms and citation, notes."""
    return {
        **regime_summary(regime, lang),
        "version": regime.version,
        "summary": regime.summary,
        "notes": list(regime.notes),
        "benefits_from": regime.benefits_from,
        "applies_to": _plain(regime.applies_to),
        "eligibility": _conditions(regime.eligibility),
        "benefits": [
            {
                **_plain(b),
                "conditions": _conditions(b.conditions),
                "quantified": b.quantified,
            }
            for b in regime.benefits
        ],
    }
