"""REST endpoints of the incentives app (mounted under /api/v1/).

- `POST /incentives/evaluate` — the incentives of a park's legal regimes for an investment
  project document (docs/project-schema.md): eligibility with reasons, benefits year by year,
  the tax table, totals. The park must be visible to the caller (an unpublished park is 404 for
  anyone who may not see it). An invalid document is 422 with one error per problem, `field`
  being the JSON path inside the project document (`$.capex[0].year`).
- `GET /incentives/regimes` and `GET /incentives/regimes/{regime_id}` — the legal regimes as
  data, with their citations.

Authentication as for the registry (parks/api.py): a bearer token, the browser session or
nothing (the public's view). Evaluating writes nothing, so the session needs no CSRF token here.
Errors have the one body of core/api_errors.py.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import SessionAuth

from technopark.core.api_errors import ApiError
from technopark.core.project import PROJECT_SCHEMA_IN_OPENAPI, ProjectError
from technopark.core.schemas import Input
from technopark.incentives import selectors, services
from technopark.parks.api import anonymous, bearer, user_of
from technopark.parks.schemas import Error

router = Router(tags=["incentives"])

# Reads (and this side-effect-free POST) see what the caller may see; see the module docstring.
EVALUATE_AUTH: list[Any] = [bearer, SessionAuth(csrf=False), anonymous]
ERRORS: dict[int, Any] = {code: Error for code in (400, 401, 404, 413, 422)}
Lang = Literal["en", "ru", "uz"]


# ---- request -----------------------------------------------------------------------------


class EvaluateIn(Input):
    """A project document to evaluate in a park."""

    park_id: str = Field(..., max_length=100, description="Registry id of the park.")
    project: dict[str, Any] = Field(
        ...,
        description="The investment project document (docs/project-schema.md, "
        "project.schema.json).",
        json_schema_extra=PROJECT_SCHEMA_IN_OPENAPI,
    )
    lang: Lang = Field("en", description="Language of regime names.")


# ---- response ----------------------------------------------------------------------------


class ReasonOut(Schema):
    condition: str = Field(..., description="The condition checked, e.g. min_investment.")
    status: Literal["met", "not_met", "unknown"]
    text: str = Field(..., description="The check in words.")


class BenefitOutcomeOut(Schema):
    id: str
    tax: str = Field(..., description="profit, property, land, water, social, customs, vat, …")
    form: str = Field(..., description="exemption, reduced_rate, percentage_reduction, …")
    applies: bool
    start_event: str
    start: str | None = Field(None, description="First day covered (ISO date).")
    end: str | None = Field(None, description="First day no longer covered; null = open.")
    term_months: int | None
    years: list[int] = Field(..., description="Calendar years with at least one month covered.")
    months_by_year: dict[str, int]
    relief_by_year: list[float] | None = Field(
        None, description="Share of the year's tax removed (0..1), per project year."
    )
    quantified: bool = Field(..., description="False for benefits the engine cannot value.")
    confidence: str
    citation: str
    note: str
    reasons: list[ReasonOut]


class LegalActRef(Schema):
    citation: str
    url: str
    note: str


class RegimeOutcomeOut(Schema):
    id: str
    name: str
    names: dict[str, str]
    jurisdiction: str
    confidence: Literal["verified", "unverified"]
    effective_from: str
    effective_to: str | None
    legal_basis: list[LegalActRef]
    eligible: bool
    reasons: list[ReasonOut]
    benefits: list[BenefitOutcomeOut]
    total_saved: float = Field(..., description="This regime alone, project currency.")
    npv_saved: float
    notes: list[str]


class TaxYearOut(Schema):
    year: int
    tax: str
    baseline: float
    payable: float
    saved: float


class TaxTotalOut(Schema):
    baseline: float
    payable: float
    saved: float
    known: bool


class FxOut(Schema):
    currency: str
    year: int
    per_usd: float
    source: str
    confidence: str


class IncentiveResultOut(Schema):
    """`IncentiveResult.to_dict()` — the same document as `technopark incentives --json`."""

    park_id: str
    park_country: str
    park_kind: str
    project: str
    currency: str
    years: list[int]
    discount_rate: float
    regimes: list[RegimeOutcomeOut]
    by_year: list[TaxYearOut]
    totals_by_tax: dict[str, TaxTotalOut]
    total_saved: float
    npv_saved: float
    npv_convention: str
    fx: list[FxOut] = Field(..., description="Every exchange rate used.")
    rate_sources: list[dict[str, Any]] = Field(
        ..., description="Every baseline tax rate used, with its source."
    )
    unknown_taxes: list[str]
    warnings: list[str]


class LegalActOut(Schema):
    act: str
    number: str
    date: str
    article: str
    url: str
    note: str
    citation: str = Field(..., description="The act as one line.")


class RegimeSummaryOut(Schema):
    id: str
    name: str
    names: dict[str, str]
    jurisdiction: str = Field(..., description="UZ, RU, RU-TA, …")
    effective_from: str
    effective_to: str | None
    confidence: Literal["verified", "unverified"]
    legal_basis: list[LegalActOut]


class RegimeListOut(Schema):
    count: int
    results: list[RegimeSummaryOut]


class RegimeOut(RegimeSummaryOut):
    """Everything the regime file says; `benefits` include those of `benefits_from`."""

    version: int
    summary: str
    notes: list[str]
    benefits_from: str | None
    applies_to: dict[str, Any]
    eligibility: dict[str, Any] | None
    benefits: list[dict[str, Any]] = Field(
        ...,
        description="Each benefit: tax, form, rate/reduction, term_months or brackets, "
        "start_event, conditions, confidence, citation (docs/incentives.md).",
    )


# ---- endpoints ---------------------------------------------------------------------------


def project_errors(exc: ProjectError) -> list[dict[str, str]]:
    """ProjectError lines (`$.path: message`) as API field errors."""
    errors = []
    for line in exc.errors:
        path, sep, message = line.partition(": ")
        if not sep or not path.startswith("$"):
            path, message = "", line
        errors.append({"field": path, "message": message})
    return errors


@router.post(
    "/incentives/evaluate",
    response={200: IncentiveResultOut, **ERRORS},
    auth=EVALUATE_AUTH,
    summary="Evaluate a project's incentives in a park",
)
def incentives_evaluate(request: HttpRequest, payload: EvaluateIn) -> dict[str, Any]:
    """Eligibility (with reasons) of each legal regime of the park, each benefit's years and
    value, the year-by-year tax table and the totals. 404 when the park does not exist or is
    not visible to the caller; 422 when the project document is invalid, each error's `field`
    being the JSON path inside `project` (e.g. `$.capex[0].year`)."""
    try:
        park = selectors.park_for_evaluation(park_id=payload.park_id, user=user_of(request))
    except selectors.UnknownPark:
        raise ApiError(
            404,
            f"There is no park {payload.park_id!r}, or you may not see it.",
            [{"field": "park_id", "message": "Unknown park."}],
        ) from None
    try:
        result = services.evaluate_document(park=park, document=payload.project)
    except ProjectError as exc:
        raise ApiError(
            422, "The project document is not valid; see errors.", project_errors(exc)
        ) from None
    return result.to_dict(payload.lang)


@router.get(
    "/incentives/regimes",
    response={200: RegimeListOut, **ERRORS},
    auth=EVALUATE_AUTH,
    summary="List the legal regimes",
)
def regime_list(request: HttpRequest, lang: Lang = "en") -> dict[str, Any]:
    """Every legal regime in the data, by id: names, jurisdiction, dates, legal basis and
    whether its figures are verified."""
    results = [selectors.regime_summary(r, lang) for _, r in sorted(selectors.regimes().items())]
    return {"count": len(results), "results": results}


@router.get(
    "/incentives/regimes/{regime_id}",
    response={200: RegimeOut, **ERRORS},
    auth=EVALUATE_AUTH,
    summary="A legal regime",
)
def regime_detail(request: HttpRequest, regime_id: str, lang: Lang = "en") -> dict[str, Any]:
    """One regime with everything its data file says: who it applies to, eligibility, every
    benefit with its terms, start event, confidence and citation."""
    regime = selectors.regimes().get(regime_id)
    if regime is None:
        raise ApiError(404, f"There is no regime {regime_id!r}.")
    return selectors.regime_detail(regime, lang)
