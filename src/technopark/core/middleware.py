"""The project's middleware: a request id that groups every change made by one request (a bulk
edit, an import), NUL characters refused, and the API's error format for routing errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from technopark.core.api_errors import error_body, nul_characters
from technopark.core.history import change_context


class RequestIdMiddleware:
    """Give each request an id, expose it in `X-Request-ID` and stamp it on history rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4()
        request.id = request_id  # type: ignore[attr-defined]
        with change_context(request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request_id)
        return response


class RefuseNulCharactersMiddleware:
    """A request holding the NUL character, which no text column can store (PostgreSQL refuses
    it: a view or endpoint that looked the value up answered 500), is refused here.

    - A web page whose path, query string or posted form holds one is a 400
      (tests/web/test_hostile_queries.py); no link or form the site makes has one.
    - An API JSON body whose strings hold one is a 422 in the API's error format, naming each
      place (schemathesis found the 500). The API's path and query values go on to the
      endpoint, whose DataError handler (core.api_errors) answers them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            refused = self._api_body(request)
            if refused is not None:
                return refused
        else:
            if "\x00" in request.path_info or _has_nul(request.GET):
                raise BadRequest("A NUL character is not allowed in a URL.")
            # The form as CsrfViewMiddleware reads it (a body it cannot read is refused there).
            if request.method == "POST" and _has_nul(request.POST):
                raise BadRequest("A NUL character is not allowed in a form.")
        return self.get_response(request)

    @staticmethod
    def _api_body(request: HttpRequest) -> HttpResponse | None:
        if (
            request.method not in ("POST", "PUT", "PATCH")
            or request.content_type != "application/json"
        ):
            return None
        try:
            if b"\\u0000" not in request.body:
                return None
            data = json.loads(request.body)
        except (RequestDataTooBig, ValueError):
            return None  # too large or not JSON: the endpoint says so
        errors = nul_characters(data)
        if not errors:
            return None
        return JsonResponse(error_body("The data is not valid; see errors.", errors), status=422)


def _has_nul(data: Any) -> bool:
    """Whether a key or a value of a QueryDict holds a NUL character."""
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


class ApiErrorFormatMiddleware:
    """Give the API's own 404 and 405 (unknown path, wrong method) the one error format.

    Errors raised inside endpoints already use it (core.api_errors); these two are answered by
    URL routing before any endpoint runs.
    """

    MESSAGES = {
        404: "There is no such endpoint: {path}",
        405: "Method {method} is not allowed on {path}.",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in self.MESSAGES
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = self.MESSAGES[response.status_code].format(
                path=request.path, method=request.method
            )
            formatted = JsonResponse({"detail": detail, "errors": []}, status=response.status_code)
            if response.has_header("Allow"):
                formatted["Allow"] = response["Allow"]
            return formatted
        return response
