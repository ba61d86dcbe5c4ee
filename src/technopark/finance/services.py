"""The one entry point of the finance interfaces (command line, API, workspace pages).

Evaluations, simulations and sensitivities take a project document and, optionally, a registry
`Park` (already looked up with the caller's permissions by `selectors`); the park is described
to the engine by `incentives.selectors.park_facts`, as everywhere else. The engines themselves
(`engine`, `risk`, `sensitivity`, `xlsx`) import nothing from Django.

Writes to saved projects go through `core.services` (validation, permission before and after,
history).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from technopark.core import services as core_services
from technopark.core.permissions import AnyUser
from technopark.core.project import Project
from technopark.finance import metrics, risk, sensitivity
from technopark.finance.engine import evaluate as engine_evaluate
from technopark.finance.engine import evaluate_project, parse_or_keep, relief_source
from technopark.finance.models import SavedProject, SimulationRun, SimulationStatus
from technopark.finance.xlsx import to_xlsx_bytes
from technopark.incentives.engine import ParkFacts
from technopark.incentives.selectors import park_facts
from technopark.parks.models import Organization, Park

logger = logging.getLogger(__name__)

Document = Mapping[str, Any] | Project
Progress = Callable[[float], None]

#: Simulations up to this many scenarios are answered in the request; larger ones run in the
#: background (settings.FINANCE_INLINE_SIMULATION_MAX overrides it).
INLINE_SIMULATION_MAX = 20_000
#: Scenarios of one background block between two progress reports.
PROGRESS_BLOCK = 8192


def inline_simulation_max() -> int:
    return int(getattr(settings, "FINANCE_INLINE_SIMULATION_MAX", INLINE_SIMULATION_MAX))


def facts_of(park: Park | None) -> ParkFacts | None:
    return park_facts(park) if park is not None else None


def new_seed() -> int:
    """A seed for a caller who gave none; it is reported, so the run can be repeated."""
    return secrets.randbelow(2**31)


# ---- evaluation ---------------------------------------------------------------------------


def evaluate(document: Document, *, park: Park | None = None) -> dict[str, Any]:
    """`engine.evaluate_project` in `park` (benefits of its regimes) or without one.

    Raises `ProjectError` (with `$.path: message` lines) for a bad document."""
    return evaluate_project(document, park=facts_of(park))


def xlsx(document: Document, *, park: Park | None = None) -> bytes:
    """The spreadsheet of the evaluation, with live formulas (`finance.xlsx`)."""
    return to_xlsx_bytes(document, park=facts_of(park))


def sensitivity_analysis(
    document: Document,
    *,
    park: Park | None = None,
    change: float = 0.10,
    metric: str = "npv",
    drivers: Sequence[str] | None = None,
    two_way: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A tornado and, when `two_way` = {"x": {"driver", "values"}, "y": {...}} is given, a
    two-way table. Raises `ValueError` with a sentence for a bad request."""
    project = parse_or_keep(document)
    facts = facts_of(park)
    unknown = [d for d in drivers or () if d not in sensitivity.SENSITIVITY_DRIVERS]
    if unknown:
        raise ValueError(
            f"Unknown driver {unknown[0]!r}; use one of "
            f"{', '.join(sensitivity.SENSITIVITY_DRIVERS)}."
        )
    if metric not in sensitivity.METRICS:
        raise ValueError(f"Unknown metric {metric!r}; use one of {', '.join(sensitivity.METRICS)}.")
    out: dict[str, Any] = {
        "tornado": sensitivity.tornado(
            project,
            change=change,
            metric=metric,
            drivers=tuple(drivers) if drivers else sensitivity.SENSITIVITY_DRIVERS,
            park=facts,
        )
    }
    if two_way is not None:
        x, y = two_way["x"], two_way["y"]
        for axis in (x, y):
            if axis["driver"] not in sensitivity.SENSITIVITY_DRIVERS:
                raise ValueError(
                    f"Unknown driver {axis['driver']!r}; use one of "
                    f"{', '.join(sensitivity.SENSITIVITY_DRIVERS)}."
                )
        out["two_way"] = sensitivity.two_way(
            project,
            (x["driver"], list(x["values"])),
            (y["driver"], list(y["values"])),
            metric=metric,
            park=facts,
        )
    return out


def compare_parks(document: Document, parks: Sequence[Park]) -> list[dict[str, Any]]:
    """The project in each park: NPV, IRR and payback with and without the benefits."""
    project = parse_or_keep(document)
    rows = []
    for park in parks:
        r = evaluate(project, park=park)
        wb = r.get("without_benefits", {})
        rows.append(
            {
                "park": park,
                "park_id": park.park_id,
                "npv": r["npv"],
                "irr": r["irr"],
                "payback_years": r["payback_years"],
                "npv_without": wb.get("npv"),
                "irr_without": wb.get("irr"),
                "payback_without": wb.get("payback_years"),
                "benefits_value": r.get("benefits_value"),
                "currency": r["currency"],
            }
        )
    return rows


# ---- Monte Carlo --------------------------------------------------------------------------


def simulation_summary(full: Mapping[str, Any]) -> dict[str, Any]:
    """`SimulationResult.to_dict()` with the headline figures flat (what the command line and
    the API print), the rest kept beside them."""
    npv, irr = full["npv"], full["irr"]
    return {
        "n": full["scenarios"],
        "seed": full["seed"],
        "currency": full["currency"],
        "npv_p5": npv["p5"],
        "npv_p50": npv["p50"],
        "npv_p95": npv["p95"],
        "expected_npv": npv["mean"],
        "npv_std": npv["std"],
        "prob_npv_negative": npv["probability_negative"],
        "irr_p5": irr["p5"],
        "irr_p50": irr["p50"],
        "irr_p95": irr["p95"],
        "share_with_irr": irr["share_with_irr"],
        "without_irr": irr["without_irr"],
        "npv_histogram": full["npv_histogram"],
        "base_case": full["base_case"],
        "distributions": full["distributions"],
        "correlation": full["correlation"],
        "assumptions": full["assumptions"],
    }


def _simulate_in_blocks(
    document: Document,
    n: int,
    *,
    seed: int | None,
    distributions: Mapping[str, Any] | None,
    correlation: Sequence[Sequence[Any]] | None,
    park: ParkFacts | None,
    progress: Progress,
    block: int = PROGRESS_BLOCK,
) -> risk.SimulationResult:
    """`risk.simulate`, step by step, reporting the share done after each block.

    The same draws, blocks and arithmetic as `risk.simulate` (a test checks that both give the
    same result for the same seed); only the progress reports are added."""
    project = parse_or_keep(document)
    dists = risk.parse_distributions(
        risk.DEFAULT_DISTRIBUTIONS if distributions is None else distributions
    )
    draws = risk.sample_drivers(dists, n, seed=seed, correlation=correlation)
    reliefs = relief_source(None, park, None)
    if callable(reliefs):
        reliefs = reliefs(project)
    country = park.country if park is not None else None
    base = engine_evaluate(project, reliefs=reliefs, country=country)
    model = risk.ScenarioModel.build(project, base, reliefs)
    factors = {k: draws.get(k, np.ones(n)) for k in risk.DRIVERS}
    npv, irr = np.empty(n), np.empty(n)
    codes = np.empty(n, dtype=np.int8)
    for lo in range(0, n, block):
        part = {k: v[lo : lo + block] for k, v in factors.items()}
        cf = model.cash_flows(part)
        npv[lo : lo + block] = metrics.npv(model.discount_rate * part["discount_rate"], cf)
        irr[lo : lo + block], codes[lo : lo + block] = metrics.irr(cf, return_codes=True)
        progress(min(lo + block, n) / n)
    return risk.SimulationResult(
        n=n,
        seed=seed,
        currency=project.currency,
        npv=npv,
        irr=irr,
        irr_codes=codes,
        drivers=draws,
        distributions=dists,
        correlation=[list(c) for c in correlation or []],
        base=base,
    )


def simulate(
    document: Document,
    *,
    n: int,
    seed: int | None,
    distributions: Mapping[str, Any] | None = None,
    correlation: Sequence[Sequence[Any]] | None = None,
    park: Park | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Monte Carlo summary (`simulation_summary`) of the project in `park`.

    Raises `ProjectError` / `RiskSpecError` (both with `.errors` lines) on bad input."""
    facts = facts_of(park)
    if progress is None:
        result = risk.simulate(
            document,
            n,
            seed=seed,
            distributions=distributions,
            correlation=correlation,
            park=facts,
        )
    else:
        result = _simulate_in_blocks(
            document,
            n,
            seed=seed,
            distributions=distributions,
            correlation=correlation,
            park=facts,
            progress=progress,
        )
    return simulation_summary(result.to_dict())


def simulation_start(*, owner: AnyUser, request: Mapping[str, Any]) -> SimulationRun:
    """Store a simulation run and queue it for the background worker.

    `request` holds `project`, `park_id` (already checked against the owner's permissions),
    `n`, `seed`, `distributions`, `correlation`. With `TASKS_BACKEND=immediate` the run is done
    when this returns."""
    from technopark.finance.tasks import run_simulation

    with transaction.atomic():
        # The database backend stores the task in the same transaction as the run, so the
        # worker never sees a task without its run.
        run = SimulationRun(owner=owner, request=dict(request))  # type: ignore[misc]
        run.full_clean()
        run.save()
        result = run_simulation.enqueue(str(run.pk))
        SimulationRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


def simulation_execute(run_id: str) -> None:
    """Run a stored simulation, reporting progress; the outcome is saved on the run."""
    run = SimulationRun.objects.get(pk=run_id)
    if run.status in (SimulationStatus.DONE, SimulationStatus.FAILED):
        return
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationStatus.RUNNING, started=timezone.now(), progress=0.0
    )
    req = run.request
    park = None
    if req.get("park_id"):
        park = (
            Park.objects.select_related("country", "region").filter(park_id=req["park_id"]).first()
        )

    def progress(share: float) -> None:
        # Short of 1: "done" is only set with the result.
        SimulationRun.objects.filter(pk=run.pk).update(progress=min(share, 0.99))

    try:
        if req.get("park_id") and park is None:
            raise LookupError(f"The park {req['park_id']!r} no longer exists.")
        result = simulate(
            req["project"],
            n=req["n"],
            seed=req.get("seed"),
            distributions=req.get("distributions"),
            correlation=req.get("correlation"),
            park=park,
            progress=progress,
        )
    except Exception as exc:  # the run records any failure for its owner to read
        errors = getattr(exc, "errors", None)
        SimulationRun.objects.filter(pk=run.pk).update(
            status=SimulationStatus.FAILED,
            error="\n".join(errors) if errors else str(exc) or type(exc).__name__,
            finished=timezone.now(),
        )
        logger.warning("Simulation run %s failed: %s", run.pk, exc)
        return
    SimulationRun.objects.filter(pk=run.pk).update(
        status=SimulationStatus.DONE, progress=1.0, result=result, finished=timezone.now()
    )


# ---- the workspace: saved projects --------------------------------------------------------


def saved_project_create(
    *,
    user: AnyUser,
    organization: Organization,
    name: str,
    document: Mapping[str, Any],
    park: Park | None = None,
) -> SavedProject:
    """A new saved project of `organization` (the user must be one of its members)."""
    return core_services.object_create(
        model=SavedProject,
        user=user,
        data={
            "organization": organization,
            "created_by": user if user is not None and user.is_authenticated else None,
            "name": name,
            "document": dict(document),
            "park": park,
        },
    )


def saved_project_update(
    *,
    project: SavedProject,
    user: AnyUser,
    name: str,
    document: Mapping[str, Any],
    park: Park | None,
    organization: Organization | None = None,
) -> SavedProject:
    """Change a saved project; moving it to an organization the user is not a member of is
    refused (and rolled back) by `core.services.object_update`."""
    data: dict[str, Any] = {"name": name, "document": dict(document), "park": park}
    if organization is not None:
        data["organization"] = organization
    return core_services.object_update(obj=project, user=user, data=data)


def saved_project_copy(*, project: SavedProject, user: AnyUser, name: str = "") -> SavedProject:
    """A copy of `project` in the same organization."""
    return saved_project_create(
        user=user,
        organization=project.organization,
        name=(name or f"{project.name} (copy)")[:200],
        document=project.document,
        park=project.park,
    )


def saved_project_delete(*, project: SavedProject, user: AnyUser) -> None:
    core_services.object_delete(obj=project, user=user)
