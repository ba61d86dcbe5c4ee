"""The one error format of the REST API, and the handlers that produce it.

Every error response of /api/v1/ has this body::

    {"detail": "One sentence for a human.",
     "errors": [{"field": "area_free_ha", "message": "The free area cannot exceed the total area."}]}

`errors` lists field-level problems (empty when the error is not about a field); `field` is a
dotted path into the request (`body.sites.2`, `query.limit`; the `body.` prefix is dropped) or
"" for the request as a whole.

Status codes: 400 the request cannot be read (malformed JSON, bad query parameters); 401 no or
bad credentials; 403 not allowed; 404 no such object (or not visible to the caller); 409 the
request conflicts with the data (a duplicate id, an object still in use); 412 a stale If-Match;
413 the body is too large; 422 the body is well-formed but invalid (wrong types, unknown
fields, failed validation).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

# Pydantic error types that mean "not the expected field" rather than "wrong value".
UNKNOWN_FIELD = "extra_forbidden"


class ApiError(Exception):
    """An error with a status, a sentence and optional field errors, raised by endpoints."""

    def __init__(self, status: int, detail: str, errors: Iterable[dict[str, str]] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


class PreconditionFailed(ApiError):
    def __init__(
        self, detail: str = "The object has changed since you read it (If-Match)."
    ) -> None:
        super().__init__(412, detail)


def error_body(detail: str, errors: Iterable[dict[str, str]] = ()) -> dict[str, Any]:
    return {"detail": detail, "errors": list(errors)}


def _field_from_loc(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        # Ninja names the body parameter after the endpoint's argument: drop it too.
        kind = parts.pop(0)
        if kind == "body" and parts and parts[0] == "payload":
            parts.pop(0)
        elif kind != "body":
            parts.insert(0, kind)
    return ".".join(parts)


def validation_errors_from_django(exc: DjangoValidationError) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                for message in error.messages:
                    name = "" if field == NON_FIELD_ERRORS else field
                    errors.append({"field": name, "message": str(message)})
    else:
        errors = [{"field": "", "message": str(m)} for m in exc.messages]
    return errors


def _is_uniqueness(exc: DjangoValidationError) -> bool:
    codes: list[str | None] = []
    if hasattr(exc, "error_dict"):
        for field_errors in exc.error_dict.values():
            codes += [e.code for e in field_errors]
    else:
        codes += [e.code for e in exc.error_list]
    return bool(codes) and all(c in {"unique", "unique_together"} for c in codes)


NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def nul_characters(value: Any, path: str = "") -> list[dict[str, str]]:
    """A field error for each string in a decoded JSON document that holds the NUL character,
    which no text column can store (PostgreSQL refuses it), with its JSON path."""
    if isinstance(value, str):
        return [{"field": path, "message": NUL_MESSAGE}] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append({"field": where, "message": "the name " + NUL_MESSAGE})
            found += nul_characters(item, where)
        return found
    if isinstance(value, list):
        return [e for i, item in enumerate(value) for e in nul_characters(item, f"{path}[{i}]")]
    return []


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (called once, from config/api.py)."""

    def respond(
        request: HttpRequest, status: int, detail: str, errors: Iterable[dict[str, str]] = ()
    ) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    @api.exception_handler(NinjaValidationError)
    def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        unknown = False
        for e in exc.errors:
            unknown = unknown or e.get("type") == UNKNOWN_FIELD
            message = "Unknown field." if e.get("type") == UNKNOWN_FIELD else str(e.get("msg", ""))
            errors.append({"field": _field_from_loc(e.get("loc", ())), "message": message})
        if errors and all(e["field"].startswith(("query.", "path.")) for e in errors):
            # A bad URL (path or query parameter) is a malformed request, not invalid data.
            return respond(request, 400, "A parameter of the URL is not valid.", errors)
        detail = (
            "The request has fields this endpoint does not accept."
            if unknown
            else "The request is not valid; see errors."
        )
        return respond(request, 422, detail, errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            "Authentication required: send 'Authorization: Bearer <token>' or sign in.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="technopark"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON."
        return respond(request, exc.status_code, message)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, "Not found.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = validation_errors_from_django(exc)
        if _is_uniqueness(exc):
            return respond(request, 409, "An object with this identifier already exists.", errors)
        return respond(request, 422, "The data is not valid; see errors.", errors)

    @api.exception_handler(DataError)
    def unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot take (a NUL character in a path or query value, a number
        # beyond a column's range): the request's mistake, and nothing was written.
        logger.info("API data error: %s", exc)
        reason = str(exc).splitlines()[0] if str(exc) else "a value out of range"
        return respond(
            request, 422, f"The request holds a value the database cannot store: {reason}"
        )

    @api.exception_handler(IntegrityError)
    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.info("API integrity error: %s", exc)
        return respond(request, 409, "The change conflicts with existing data.")

    @api.exception_handler(ProtectedError)
    def protected(request: HttpRequest, exc: ProtectedError) -> HttpResponse:
        return respond(
            request, 409, "The object is still referred to by other data and cannot be deleted."
        )

    @api.exception_handler(RestrictedError)
    def restricted(request: HttpRequest, exc: RestrictedError) -> HttpResponse:
        return respond(
            request, 409, "The object is still referred to by other data and cannot be deleted."
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, "The request body is too large.")

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        return respond(request, 413, "The request has too many fields.")

    @api.exception_handler(MultiPartParserError)
    def unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A multipart Content-Type without a boundary, or a body that does not follow it.
        return respond(request, 400, f"The multipart/form-data body cannot be read: {exc}")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unexpected API error", exc_info=exc)
        return respond(request, 500, "An unexpected error occurred; it has been logged.")
