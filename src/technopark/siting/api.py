"""REST endpoints of the siting app (mounted under /api/v1/).

- `POST /match` — the body is a site-finder requirements document (docs/site-finder.md,
  docs/site-finder.schema.json) with the investment project inline. The answer is the engine's
  result document, the same as `technopark match FILE --json`: feasible sites ranked with their
  location cost, scores and reasons, and near misses with what they miss. Only sites the
  caller may see are matched (the index holds published parks' sites; results pass through
  core.permissions as well). An invalid document is 422 with one error per problem, `field`
  being its JSON path (`$.budget.currency`).

Authentication as for the registry (parks/api.py): a bearer token, the browser session or
nothing. Matching writes nothing, so the session needs no CSRF token. Errors have the one
body of core/api_errors.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.security import SessionAuth

from technopark.core.api_errors import ApiError
from technopark.parks.api import anonymous, bearer, user_of
from technopark.parks.schemas import Error
from technopark.siting import services
from technopark.siting.requirements import REQUIREMENTS_SCHEMA, RequirementsError

router = Router(tags=["siting"])

MATCH_AUTH: list[Any] = [bearer, SessionAuth(csrf=False), anonymous]
ERRORS: dict[int, Any] = {code: Error for code in (400, 401, 413, 422)}


def requirement_errors(exc: RequirementsError) -> list[dict[str, str]]:
    """RequirementsError lines (`$.path: message`) as API field errors."""
    errors = []
    for line in exc.errors:
        path, sep, message = line.partition(": ")
        if not sep or not path.startswith("$"):
            path, message = "", line
        errors.append({"field": path, "message": message})
    return errors


@router.post(
    "/match",
    response={200: dict[str, Any], **ERRORS},
    auth=MATCH_AUTH,
    summary="Find the sites that fit a project",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": REQUIREMENTS_SCHEMA}},
        }
    },
)
def match_sites(request: HttpRequest) -> dict[str, Any]:
    """Match a requirements document against every site the caller may see: `feasible_count`,
    `results` (rank, site_id, park_id, score, scores, location_cost with components and the
    unknown ones, benefits_value, reasons), `near_misses` (violations: constraint, required,
    available) and the valuation's inputs (FX rates, discount rate, assumptions, warnings)."""
    try:
        document = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
    try:
        requirements = services.parse_document(document)
    except RequirementsError as exc:
        raise ApiError(
            422, "The requirements document is not valid; see errors.", requirement_errors(exc)
        ) from None
    return services.match_requirements(requirements=requirements, user=user_of(request))
