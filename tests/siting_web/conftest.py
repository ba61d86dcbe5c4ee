"""Fixtures for the site-finder interfaces: synthetic registries imported through the real
importer, a brute-force feasibility check written independently of the engine, helpers."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

REQUIREMENTS: dict[str, Any] = {
    "countries": ["UZ"],
    "site_kind": "plot",
    "area_ha_min": 1,
    "area_ha_max": 8,
    "electricity_mw": 1,
    "water_m3d": 10,
    "tenure": "lease",
    "hazard_class": 3,
    "max_distance_km": {"rail": 40, "highway": 20},
    "top": 1000,
    "near_misses": 20,
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_command(name: str, *args: Any) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as exc:
        return Run(exc.returncode, out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def fresh_index(settings: Any) -> Iterator[None]:
    """Each test starts with an empty process index (the database is rolled back between
    tests, so ids come back)."""
    from technopark.siting.registry_index import registry_index

    settings.SITING_INDEX_REBUILD_SECONDS = 3600
    registry_index().reset()
    yield
    registry_index().reset()


@pytest.fixture
def synth_import(db: None, tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Write a synthetic registry and import it with parks.exchange (the real importer)."""
    from technopark.parks.exchange.importer import import_files
    from technopark.parks.exchange.synth import write_synth

    def run(*, parks: int = 20, sites: int = 300, seed: int = 1) -> dict[str, Any]:
        paths = write_synth(tmp_path / f"synth-{seed}-{sites}", parks=parks, sites=sites, seed=seed)
        report = import_files([paths["parks"], paths["sites"]])
        assert report.written, [str(e) for e in report.errors][:5]
        return report.as_dict()

    return run


def _f(v: Any) -> float:
    return math.nan if v is None else float(v)


def brute_force_feasible(doc: dict[str, Any], *, published_only: bool = True) -> set[str]:
    """The sites meeting ``doc``'s hard constraints, checked one by one in plain Python over
    the database rows (only the constraints REQUIREMENTS uses: scope, status, kind, area,
    utilities, tenure, hazard class, distances, rail siding). Unknown fails."""
    from technopark.parks.models import Site

    qs = Site.objects.select_related("park")
    if published_only:
        qs = qs.filter(park__is_published=True)
    out = set()
    for s in qs:
        p = s.park
        if "countries" in doc and p.country_id not in doc["countries"]:
            continue
        if "park_kinds" in doc and p.kind not in doc["park_kinds"]:
            continue
        if s.status != "available":
            continue
        kind = doc.get("site_kind", "any")
        if kind != "any" and s.kind != kind:
            continue
        if "area_ha_min" in doc or "area_ha_max" in doc:
            ha, m2 = _f(s.area_ha) * 10_000, _f(s.area_m2)
            area = (
                (m2 if not math.isnan(m2) else ha)
                if s.kind == "premises"
                else (ha if not math.isnan(ha) else m2)
            )
            lo = doc.get("area_ha_min", 0) * 10_000
            hi = doc.get("area_ha_max", math.inf) * 10_000
            if not (lo <= area <= hi):
                continue
        if any(
            not (_f(getattr(s, key)) >= doc[key])
            for key in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d")
            if key in doc
        ):
            continue
        if doc.get("rail_siding") and s.rail_siding is not True:
            continue
        if "hazard_class" in doc and (
            s.hazard_class is None or s.hazard_class > doc["hazard_class"]
        ):
            continue
        tenure = doc.get("tenure", "any")
        offers = {"sale": {"sale"}, "lease": {"lease"}, "both": {"sale", "lease"}}.get(
            s.tenure, set()
        )
        if tenure != "any" and tenure not in offers:
            continue
        if tenure == "any" and not offers and "budget" in doc:
            continue
        if any(
            not (_f(getattr(s, f"dist_{k}_km")) <= mx)
            for k, mx in doc.get("max_distance_km", {}).items()
        ):
            continue
        out.add(s.site_id)
    return out


def check_violations(doc: dict[str, Any], site_id: str, violations: list[dict[str, Any]]) -> None:
    """A near miss really fails each constraint it names (checked against the row)."""
    from technopark.parks.models import Site

    s = Site.objects.get(site_id=site_id)
    for v in violations:
        name = v["constraint"]
        if name in ("electricity_mw", "gas_m3h", "water_m3d", "wastewater_m3d"):
            assert not (_f(getattr(s, name)) >= doc[name]), (site_id, v)
        elif name.startswith("distance."):
            k = name.split(".", 1)[1]
            assert not (_f(getattr(s, f"dist_{k}_km")) <= doc["max_distance_km"][k]), (site_id, v)
        elif name == "status":
            assert s.status != "available"
        elif name == "site_kind":
            assert s.kind != doc["site_kind"]
        elif name == "hazard_class":
            assert s.hazard_class is None or s.hazard_class > doc["hazard_class"]
        elif name == "tenure":
            assert s.tenure not in (doc["tenure"], "both")


@pytest.fixture
def admin(db: None) -> Any:
    from technopark.core.choices import Role
    from tests.factories import user_with_role

    return user_with_role(Role.ADMINISTRATOR)
