"""REST endpoints of the finance app (mounted under /api/v1/).

Computations (nothing stored; the session needs no CSRF token):

- `POST /projects/evaluate` — {project, park_id?} → the financial model's result
  (`engine.evaluate_project`, the same document as `technopark finance --json`).
- `POST /projects/simulate` — {project, park_id?, n, seed?, distributions?, correlation?}:
  up to `FINANCE_INLINE_SIMULATION_MAX` scenarios (20,000 by default) answered at once (200);
  more are queued for the background worker (202, signed-in callers only), with `Location`
  and the body's `url` pointing at `GET /projects/simulations/{id}` (status, progress 0..1,
  result when done).
- `POST /projects/sensitivity` — {project, park_id?, change, metric, drivers?, two_way?} → a
  tornado and, optionally, a two-way table.

The workspace (signed-in members of an organization; a project of another organization is
404; network analysts do not read it): `GET/POST /projects`, `GET/PUT/DELETE
/projects/{id}`, `GET /projects/{id}/xlsx`.

The park is `park_id`, else the document's `park_id`; a park the caller may not see is 404
(core.permissions through incentives.selectors). A bad document is 422, each error's `field`
the JSON path inside the document (`$.capex[0].year`), as in /incentives/evaluate. Errors have
the one body of core/api_errors.py.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict

from technopark.core.api_errors import ApiError
from technopark.core.permissions import member_org_ids
from technopark.core.project import PROJECT_SCHEMA_IN_OPENAPI, ProjectError, parse_project
from technopark.core.schemas import Input
from technopark.finance import selectors, services
from technopark.finance.models import SavedProject
from technopark.finance.risk import MAX_SCENARIOS, RiskSpecError
from technopark.finance.sensitivity import METRICS, SENSITIVITY_DRIVERS
from technopark.incentives.api import project_errors
from technopark.parks.api import anonymous, bearer, user_of
from technopark.parks.models import Organization, Park
from technopark.parks.schemas import Error

router = Router(tags=["finance"])

COMPUTE_AUTH: list[Any] = [bearer, SessionAuth(csrf=False), anonymous]
READ_AUTH: list[Any] = [bearer, SessionAuth(csrf=False)]
WRITE_AUTH: list[Any] = [bearer, SessionAuth(csrf=True)]
ERRORS: dict[int, Any] = {code: Error for code in (400, 401, 403, 404, 413, 422)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Metric = Literal[METRICS]  # type: ignore[valid-type]
Driver = Literal[SENSITIVITY_DRIVERS]  # type: ignore[valid-type]


# ---- request bodies ----------------------------------------------------------------------


class EvaluateIn(Input):
    """A project document, evaluated in a park or without one."""

    project: dict[str, Any] = Field(
        ...,
        description="The investment project document (docs/project-schema.md).",
        json_schema_extra=PROJECT_SCHEMA_IN_OPENAPI,
    )
    park_id: str | None = Field(
        None,
        max_length=100,
        description="Registry id of the park whose benefits apply (default: the document's "
        "park_id; none: no benefits).",
    )


class SimulateIn(EvaluateIn):
    n: int = Field(10_000, ge=1, le=MAX_SCENARIOS, description="Number of scenarios.")
    seed: int | None = Field(
        None, ge=0, le=2**63 - 1, description="Seed (default: a random one, returned)."
    )
    distributions: dict[str, dict[str, Any]] | None = Field(
        None,
        description='{"revenue": {"dist": "pert", "low": 0.8, "mode": 1, "high": 1.1}, ...}; '
        "default: illustrative PERT on revenue, opex and capex (docs/finance-model.md).",
    )
    correlation: list[list[Any]] | None = Field(
        None, description='[["revenue", "opex", 0.6], ...] (Gaussian copula).'
    )


class AxisIn(Input):
    driver: Driver
    values: list[float] = Field(..., min_length=1, max_length=50)


class TwoWayIn(Input):
    x: AxisIn
    y: AxisIn


class SensitivityIn(EvaluateIn):
    change: float = Field(
        0.10, gt=0, lt=1, description="Relative move of each driver (0.1 = ±10 %)."
    )
    metric: Metric = "npv"
    drivers: list[Driver] | None = Field(None, description="Default: all drivers.")
    two_way: TwoWayIn | None = None


class SavedProjectIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    project: dict[str, Any] = Field(
        ..., description="The project document.", json_schema_extra=PROJECT_SCHEMA_IN_OPENAPI
    )
    park_id: str | None = Field(None, max_length=100)
    organization_id: int | None = Field(
        None, description="Organization keeping it (default: the caller's first membership)."
    )


# ---- responses ---------------------------------------------------------------------------


class Open(BaseModel):
    """A response whose every key is returned, the declared ones documented (a ninja Schema
    would keep only the declared ones)."""

    model_config = ConfigDict(extra="allow")


class CashflowOut(Open):
    year: int
    revenue: float
    opex: float
    capex: float
    depreciation: float
    taxes: float
    net_cash_flow: float
    cumulative: float


class WithoutBenefitsOut(Open):
    npv: float | None
    irr: float | None
    payback_years: float | None


class EvaluationOut(Open):
    """`engine.evaluate_project` (docs/finance-model.md, "Output"); every key is returned."""

    name: str
    currency: str
    discount_rate: float
    park_id: str | None = None
    npv: float | None
    irr: float | None
    mirr: float | None
    payback_years: float | None
    discounted_payback_years: float | None
    min_dscr: float | None
    without_benefits: WithoutBenefitsOut | None = None
    benefits_value: float | None = None
    cashflows: list[CashflowOut]
    warnings: list[str]


class SimulationOut(Open):
    n: int
    seed: int | None
    currency: str
    npv_p5: float
    npv_p50: float
    npv_p95: float
    expected_npv: float
    prob_npv_negative: float
    irr_p5: float | None
    irr_p50: float | None
    irr_p95: float | None


class SimulationRunOut(Schema):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(..., description="Share of the scenarios computed, 0 to 1.")
    url: str
    n: int | None
    seed: int | None
    created: str | None
    started: str | None
    finished: str | None
    result: SimulationOut | None = None
    error: str | None = None


class SensitivityOut(Open):
    tornado: dict[str, Any]
    two_way: dict[str, Any] | None = None


class SavedProjectOut(Schema):
    id: int
    name: str
    organization_id: int
    organization: str
    park_id: str | None
    created_by: str | None
    created: str
    updated: str
    url: str
    xlsx_url: str


class SavedProjectDetailOut(SavedProjectOut):
    project: dict[str, Any]


class SavedProjectListOut(Schema):
    count: int
    results: list[SavedProjectOut]


# ---- helpers -----------------------------------------------------------------------------


def _invalid_document(exc: ProjectError) -> ApiError:
    return ApiError(422, "The project document is not valid; see errors.", project_errors(exc))


def _park(request: HttpRequest, park_id: str | None, document: dict[str, Any]) -> Park | None:
    """The park named by the request or the document, as the caller may see it (404 else)."""
    field = "park_id"
    if not park_id:
        doc_park = document.get("park_id")
        if not isinstance(doc_park, str) or not doc_park:
            return None
        park_id, field = doc_park, "$.park_id"
    try:
        return selectors.park_for_evaluation(park_id=park_id, user=user_of(request))
    except selectors.UnknownPark:
        raise ApiError(
            404,
            f"There is no park {park_id!r}, or you may not see it.",
            [{"field": field, "message": "Unknown park."}],
        ) from None


def _risk_errors(exc: RiskSpecError) -> ApiError:
    """RiskSpecError lines as request fields: `$.revenue.low` (inside the distributions) →
    `distributions.revenue.low`; `$.correlation[0]` → `correlation[0]`."""
    errors = []
    for line in exc.errors:
        path, sep, message = line.partition(": ")
        if not sep or not path.startswith("$"):
            field, message = "", line
        elif path.startswith(("$.correlation", "$.n", "$.bins")):
            field = path[2:]
        else:
            field = "distributions" + path[1:]
        errors.append({"field": field, "message": message})
    return ApiError(422, "The risk specification is not valid; see errors.", errors)


def _with_park(result: dict[str, Any], park: Park | None) -> dict[str, Any]:
    return {"park_id": park.park_id, **result} if park is not None else result


def _run_out(request: HttpRequest, run: Any) -> dict[str, Any]:
    return {**run.to_dict(), "url": _run_url(request, run)}


def _run_url(request: HttpRequest, run: Any) -> str:
    return request.build_absolute_uri(
        reverse("api-1:finance_simulation_status", args=[str(run.pk)])
    )


# ---- computations ------------------------------------------------------------------------


@router.post(
    "/projects/evaluate",
    response={200: EvaluationOut, **ERRORS},
    auth=COMPUTE_AUTH,
    exclude_unset=True,  # the keys of a result without a park stay absent, not null
    summary="Evaluate a project: cash flows, taxes, NPV, IRR, payback, DSCR",
)
def project_evaluate(request: HttpRequest, payload: EvaluateIn) -> dict[str, Any]:
    """The yearly cash flows and metrics of the document; with a park, the taxes after its
    benefits, the metrics without them (`without_benefits`) and `benefits_value`."""
    park = _park(request, payload.park_id, payload.project)
    try:
        return _with_park(services.evaluate(payload.project, park=park), park)
    except ProjectError as exc:
        raise _invalid_document(exc) from None


@router.post(
    "/projects/simulate",
    response={200: SimulationOut, 202: SimulationRunOut, **ERRORS},
    auth=COMPUTE_AUTH,
    summary="Monte Carlo simulation of a project's NPV and IRR",
)
def project_simulate(request: HttpRequest, payload: SimulateIn, response: HttpResponse) -> Any:
    """Up to the inline limit (20,000 scenarios by default) the summary is returned at once;
    above it a background run is queued (202) and its URL returned in `Location`; poll it."""
    park = _park(request, payload.park_id, payload.project)
    seed = payload.seed if payload.seed is not None else services.new_seed()
    try:
        project = parse_project(payload.project)
    except ProjectError as exc:
        raise _invalid_document(exc) from None
    if payload.n > services.inline_simulation_max():
        user = user_of(request)
        if user is None or not user.is_authenticated:
            raise ApiError(
                401,
                f"Simulations of more than {services.inline_simulation_max():,} scenarios run "
                "in the background and need a signed-in caller (a token or the session).",
            )
        # Check the risk specification now, so that a bad one is a 422 and not a failed run.
        try:
            services.simulate(
                project,
                n=1,
                seed=seed,
                distributions=payload.distributions,
                correlation=payload.correlation,
                park=None,
            )
        except RiskSpecError as exc:
            raise _risk_errors(exc) from None
        run = services.simulation_start(
            owner=user,
            request={
                "project": payload.project,
                "park_id": park.park_id if park is not None else None,
                "n": payload.n,
                "seed": seed,
                "distributions": payload.distributions,
                "correlation": payload.correlation,
            },
        )
        response["Location"] = _run_url(request, run)
        return Status(202, _run_out(request, run))
    try:
        return services.simulate(
            project,
            n=payload.n,
            seed=seed,
            distributions=payload.distributions,
            correlation=payload.correlation,
            park=park,
        )
    except RiskSpecError as exc:
        raise _risk_errors(exc) from None


@router.get(
    "/projects/simulations/{run_id}",
    response={200: SimulationRunOut, **ERRORS},
    auth=READ_AUTH,
    url_name="finance_simulation_status",
    summary="A background simulation: status, progress, result",
)
def simulation_status(request: HttpRequest, run_id: str) -> dict[str, Any]:
    """Only its owner sees a run (404 for anyone else)."""
    run = selectors.simulation_run_for(user_of(request), run_id)
    if run is None:
        raise ApiError(404, "There is no such simulation, or it is not yours.")
    return _run_out(request, run)


@router.post(
    "/projects/sensitivity",
    response={200: SensitivityOut, **ERRORS},
    auth=COMPUTE_AUTH,
    summary="Sensitivity of a project: tornado and two-way table",
)
def project_sensitivity(request: HttpRequest, payload: SensitivityIn) -> dict[str, Any]:
    """Each driver moved by ± `change` (a commissioning delay by one year), bars sorted by
    swing; with `two_way`, the metric for every pair of values of two drivers."""
    park = _park(request, payload.park_id, payload.project)
    two_way = payload.two_way.model_dump() if payload.two_way is not None else None
    try:
        return services.sensitivity_analysis(
            payload.project,
            park=park,
            change=payload.change,
            metric=payload.metric,
            drivers=payload.drivers,
            two_way=two_way,
        )
    except ProjectError as exc:
        raise _invalid_document(exc) from None
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None


# ---- the workspace -----------------------------------------------------------------------


def _saved_out(request: HttpRequest, p: SavedProject, *, detail: bool = False) -> dict[str, Any]:
    url = reverse("api-1:finance_saved_project", args=[p.pk])
    out = {
        "id": p.pk,
        "name": p.name,
        "organization_id": p.organization_id,
        "organization": str(p.organization),
        "park_id": p.park.park_id if p.park is not None else None,
        "created_by": p.created_by.get_username() if p.created_by is not None else None,
        "created": p.created.isoformat(),
        "updated": p.updated.isoformat(),
        "url": request.build_absolute_uri(url),
        "xlsx_url": request.build_absolute_uri(f"{url}/xlsx"),
    }
    if detail:
        out["project"] = p.document
    return out


def _saved_or_404(request: HttpRequest, project_id: int) -> SavedProject:
    p = selectors.saved_project_for(user_of(request), project_id)
    if p is None:
        raise ApiError(404, "There is no such project, or you may not see it.")
    return p


def _organization(request: HttpRequest, organization_id: int | None) -> Organization:
    user = user_of(request)
    orgs = selectors.member_organizations(user)
    if organization_id is None:
        first = (
            user.memberships.order_by("pk").values_list("organization_id", flat=True).first()
            if user is not None and user.is_authenticated
            else None
        )
        org = orgs.filter(pk=first).first() if first is not None else None
        if org is None:
            raise ApiError(
                403, "Only members of an organization can keep projects; you are in none."
            )
        return org
    org = orgs.filter(pk=organization_id).first()
    if org is None or org.pk not in member_org_ids(user):
        raise ApiError(
            403,
            "You can only keep projects in an organization you are a member of.",
            [{"field": "organization_id", "message": "Not one of your organizations."}],
        )
    return org


def _checked(request: HttpRequest, payload: SavedProjectIn) -> tuple[dict[str, Any], Park | None]:
    try:
        parse_project(payload.project)
    except ProjectError as exc:
        raise _invalid_document(exc) from None
    return payload.project, _park(request, payload.park_id, payload.project)


@router.get(
    "/projects",
    response={200: SavedProjectListOut, **ERRORS},
    auth=READ_AUTH,
    summary="List the saved projects you may see",
)
def saved_project_list(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Projects of your organizations, most recently changed first (`limit` ≤ 500)."""
    if not 1 <= limit <= 500 or offset < 0:
        raise ApiError(
            400,
            "A parameter of the URL is not valid.",
            [{"field": "query.limit", "message": "limit must be 1..500 and offset ≥ 0."}],
        )
    qs = selectors.saved_projects(user_of(request))
    return {
        "count": qs.count(),
        "results": [_saved_out(request, p) for p in qs[offset : offset + limit]],
    }


@router.post(
    "/projects",
    response={201: SavedProjectDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Save a project",
)
def saved_project_create(
    request: HttpRequest, payload: SavedProjectIn, response: HttpResponse
) -> Any:
    org = _organization(request, payload.organization_id)
    document, park = _checked(request, payload)
    p = services.saved_project_create(
        user=user_of(request), organization=org, name=payload.name, document=document, park=park
    )
    response["Location"] = request.build_absolute_uri(
        reverse("api-1:finance_saved_project", args=[p.pk])
    )
    return Status(201, _saved_out(request, p, detail=True))


@router.get(
    "/projects/{int:project_id}",
    response={200: SavedProjectDetailOut, **ERRORS},
    auth=READ_AUTH,
    url_name="finance_saved_project",
    summary="A saved project",
)
def saved_project_detail(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return _saved_out(request, _saved_or_404(request, project_id), detail=True)


@router.put(
    "/projects/{int:project_id}",
    response={200: SavedProjectDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a saved project",
)
def saved_project_replace(
    request: HttpRequest, project_id: int, payload: SavedProjectIn
) -> dict[str, Any]:
    p = _saved_or_404(request, project_id)
    org = (
        _organization(request, payload.organization_id)
        if payload.organization_id is not None
        else None
    )
    document, park = _checked(request, payload)
    p = services.saved_project_update(
        project=p,
        user=user_of(request),
        name=payload.name,
        document=document,
        park=park,
        organization=org,
    )
    return _saved_out(request, p, detail=True)


@router.delete(
    "/projects/{int:project_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    summary="Delete a saved project",
)
def saved_project_delete(request: HttpRequest, project_id: int) -> Any:
    p = _saved_or_404(request, project_id)
    services.saved_project_delete(project=p, user=user_of(request))
    return Status(204, None)


@router.get(
    "/projects/{int:project_id}/xlsx",
    response={200: None, **ERRORS},
    auth=READ_AUTH,
    summary="A saved project's spreadsheet (XLSX, live formulas)",
)
def saved_project_xlsx(request: HttpRequest, project_id: int) -> HttpResponse:
    p = _saved_or_404(request, project_id)
    try:
        data = services.xlsx(p.document, park=p.park)
    except ProjectError as exc:  # a document saved before a schema change
        raise _invalid_document(exc) from None
    return xlsx_response(data, p.name)


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    from django.utils.text import slugify

    response = HttpResponse(data, content_type=XLSX)
    filename = (slugify(name) or "project")[:80]
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
