"""A request id that groups every change made by one request (a bulk edit, an import)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
