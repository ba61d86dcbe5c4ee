"""The REST API, /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Each app contributes a router from its own `api.py`; this module only mounts them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.parser import Parser

from technopark.core import api_errors
from technopark.parks.api import AnonymousAccess


class OneValueParser(Parser):
    """django-ninja's parser, except that a single-valued parameter sent more than once
    (`?state=draft&state=x`, or a form field twice) reaches validation as the list it is, and
    is refused there (400 for a query parameter, 422 for a form field, naming it) instead of
    quietly meaning its last value."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, values in data.lists():
            result[key] = values if key in list_fields or len(values) > 1 else values[0]
        return result


class TechnoparkAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """django-ninja's document, with parks.api.AnonymousAccess stated as OpenAPI's empty
        security requirement: the endpoint answers without credentials too."""
        schema = super().get_openapi_schema(**kwargs)
        name = AnonymousAccess.__name__
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                security = operation.get("security") if isinstance(operation, dict) else None
                if security:
                    operation["security"] = [{} if name in s else s for s in security]
        schema.get("components", {}).get("securitySchemes", {}).pop(name, None)
        return schema


api = TechnoparkAPI(
    title="technopark API",
    version="1",
    description="Registry of parks, sites and residents; incentives, finance and site finder.",
    urls_namespace="api-1",
    parser=OneValueParser(),
)
# One error format for every error (see core/api_errors.py).
api_errors.install(api)


@api.get("/health", tags=["meta"], summary="Service health")
def health(request: object) -> dict[str, str]:
    return {"status": "ok"}


# Each app's router; an app adds endpoints to its own router, not here.
for _module in ("parks", "incentives", "finance", "siting", "residents"):
    api.add_router("/", import_module(f"technopark.{_module}.api").router)
