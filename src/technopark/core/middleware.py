"""A request id that groups every change made by one request (a bulk edit, an import)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
