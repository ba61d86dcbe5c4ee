"""REST endpoints of the registry, mounted under /api/v1/.

Parks, sites, organizations and residents each have: list (the same filters as the web pages,
from parks/filtersets.py; `limit`/`offset` pagination with the total `count`; `ordering`),
detail, create, replace (PUT), update (PATCH) and delete. Parks and sites also have a
streaming bulk export in CSV, GeoJSON or XLSX that honours the same filters.

Authentication: `Authorization: Bearer <token>` with a personal API token (see /api/v1/tokens
and the "API tokens" page), or the browser's session (unsafe methods then need the CSRF
token). Reads work without authentication and show what an anonymous visitor may see.

Access is decided by core.permissions only: an object the caller may not see is 404; one it
may see but not change is 403. Writes go through core.services.

Optimistic concurrency: every object response has an `ETag`. PUT, PATCH and DELETE accept
`If-Match`; when it is present and no longer matches, the request fails with 412 and
nothing changes. Without `If-Match` the write is allowed (last write wins) — send it
whenever the client has read the object first. GET with a matching `If-None-Match` is 304.

Errors all have one body: {"detail": "...", "errors": [{"field": "...", "message": "..."}]}
(see core/api_errors.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

import django_filters
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost, FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django_filters import FilterSet
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.responses import Response as NinjaResponse
from ninja.security import HttpBearer, SessionAuth

from technopark.core import services
from technopark.core.api_errors import ApiError, PreconditionFailed
from technopark.core.models import format_as_of
from technopark.core.models_tokens import ApiToken
from technopark.core.permissions import (
    Action,
    AnyUser,
    enforce,
    is_administrator,
    is_analyst,
    roles_of,
)
from technopark.core.tokens import authenticate_token, token_create, token_revoke
from technopark.parks import schemas, selectors
from technopark.parks.choices import (
    CONNECTION_FEE_UNIT,
    TARIFF_UNIT,
    UTILITY_CAPACITY_UNIT,
    Utility,
)
from technopark.parks.exchange.exporter import table_rows
from technopark.parks.exchange.schema import Entity, columns_of
from technopark.parks.exchange.writers import write_geojson, write_xlsx
from technopark.parks.filtersets import (
    OrganizationFilterSet,
    ParkFilterSet,
    ResidentFilterSet,
    SiteFilterSet,
)
from technopark.parks.models import Organization, Park, Resident, Site

logger = logging.getLogger(__name__)
router = Router(tags=["parks"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


# ---- authentication ----------------------------------------------------------------------


class BearerToken(HttpBearer):
    """A personal API token; a token that is sent but invalid is a 401, never anonymous."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is None:
            raise AuthenticationError(401, "The API token is unknown, revoked or expired.")
        return user


class AnonymousAccess:
    """Reads without credentials see what the public sees.

    Listed last among an endpoint's authentications; the OpenAPI document states it as the
    empty requirement `{}` (no credentials needed: config/api.py), so that a client or a
    schema-based tester knows the endpoint answers without them.
    """

    openapi_security_schema = {"type": "http", "scheme": "none"}  # replaced by {} (config/api.py)

    def __call__(self, request: HttpRequest) -> AnonymousUser:
        return AnonymousUser()


anonymous = AnonymousAccess()


bearer = BearerToken()
session = SessionAuth(csrf=True)
READ_AUTH: list[Any] = [bearer, session, anonymous]
WRITE_AUTH: list[Any] = [bearer, session]
WRITE_NOTE = (
    "Authenticate with `Authorization: Bearer <token>` (a personal API token) or the browser "
    "session with its CSRF token. Send `If-Match: <ETag>` from your last read: when the object "
    "has changed since, the answer is 412 and nothing changes (without If-Match the write is "
    "allowed). Objects you may not see are 404; objects you may see but not change are 403."
)
LIST_NOTE = (
    "Filters are the web list's (same names, same meaning); repeat a parameter for several "
    "values (`?country=UZ&country=RU`) where it takes several, and only there (any other "
    "given twice is a 400); yes/no filters take `true` or `false`; an empty value is no "
    "filter. Pages: `limit` (1–500) and `offset`; `count` is the "
    "total. Rows come in id order unless `ordering` says otherwise. Without credentials the "
    "list shows what the public may see."
)
ERRORS: dict[int, Any] = {code: schemas.Error for code in (400, 401, 403, 404, 409, 412, 413, 422)}


def user_of(request: HttpRequest) -> AnyUser:
    return request.auth  # type: ignore[attr-defined]


# ---- lists: filters, pagination, ordering ------------------------------------------------


#: Filters that take a parameter repeated (`?country=UZ&country=RU`); others take one value.
MULTIPLE_VALUE_FILTERS = (
    django_filters.MultipleChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def _filter_parameter(name: str, flt: django_filters.Filter) -> dict[str, Any]:
    schema: dict[str, Any]
    if isinstance(flt, django_filters.OrderingFilter):
        values = [v for pair in flt.param_map for v in (pair, f"-{pair}")]
        schema = {"type": "string", "enum": values}
    elif isinstance(flt, MULTIPLE_VALUE_FILTERS):
        item: dict[str, Any] = {"type": "string"}
        choices = flt.extra.get("choices")
        if choices:
            item["enum"] = [c[0] for c in choices]
        schema = {"type": "array", "items": item}
    elif isinstance(flt, django_filters.NumberFilter):
        schema = {"type": "number"}
    elif isinstance(flt, django_filters.BooleanFilter):
        schema = {"type": "boolean"}
    elif isinstance(flt, django_filters.ModelChoiceFilter):
        schema = {"type": "integer"}
    else:
        schema = {"type": "string"}
    description = str(flt.label or name)
    help_text = flt.extra.get("help_text")
    if help_text:
        description += f". {help_text}"
    return {
        "name": name,
        "in": "query",
        "required": False,
        # An empty value is no filter: the web form sends its empty fields (same URLs).
        "allowEmptyValue": True,
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": True} if schema["type"] == "array" else {}),
    }


def list_parameters(filterset: type[FilterSet], *, paginated: bool = True) -> dict[str, Any]:
    """OpenAPI parameters of a list endpoint, generated from its FilterSet."""
    params = [_filter_parameter(name, f) for name, f in filterset.base_filters.items()]
    if paginated:
        params += [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,
                "description": f"Rows per page (1–{MAX_LIMIT}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,
                "description": "Rows to skip.",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
        ]
    return {"parameters": params}


def _one_value(name: str, values: list[str]) -> dict[str, str] | None:
    """The error for a single-valued parameter given more than once (`?limit=5&limit=`):
    which one was meant is a guess (Django would take the last), so none is taken."""
    if len(values) < 2:
        return None
    return {"field": f"query.{name}", "message": f"Give one value, not {len(values)}."}


def _int_param(request: HttpRequest, name: str, default: int, lo: int, hi: int) -> int:
    if error := _one_value(name, request.GET.getlist(name)):
        raise ApiError(400, "A query parameter is not valid.", [error])
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400,
            "A query parameter is not valid.",
            [{"field": f"query.{name}", "message": "Give a whole number."}],
        ) from None
    if not lo <= value <= hi:
        raise ApiError(
            400,
            "A query parameter is not valid.",
            [{"field": f"query.{name}", "message": f"Give a number from {lo} to {hi}."}],
        )
    return value


def valid_qs(filterset: FilterSet) -> QuerySet[Any]:
    """The filtered queryset, or a 400 naming each bad filter."""
    repeated = [
        error
        for name, flt in filterset.filters.items()
        if not isinstance(flt, MULTIPLE_VALUE_FILTERS)
        and (error := _one_value(name, filterset.data.getlist(name)))
    ]
    if repeated:
        raise ApiError(400, "A filter is not valid.", repeated)
    if not filterset.is_valid():
        errors = [
            {"field": f"query.{name}", "message": str(message)}
            for name, messages in filterset.errors.items()
            for message in messages
        ]
        raise ApiError(400, "A filter is not valid.", errors)
    return filterset.qs


def filtered_rows(
    filterset_class: type[FilterSet], request: HttpRequest, queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """The rows the request's filters select, or a 400 naming each bad filter.

    A request that names none of the filters (an unfiltered page) gets `queryset` as it is,
    which is what the FilterSet would select: building a FilterSet and its form (a deep copy
    of every field) was about a fifth of a cold unfiltered park page (bench/api.py).
    """
    if request.GET.keys().isdisjoint(filterset_class.base_filters):
        return queryset
    return valid_qs(selectors.filtered(filterset_class, request.GET, queryset, request))


def _is_unique(model: type[Model], name: str) -> bool:
    if name == "pk":
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(getattr(field, "unique", False))


#: From this offset on, a page is read in two queries: the primary keys of its rows, then
#: those rows (in the same order). SQLite, /parks at offset 39,000 of 50,000 with the count
#: cached: ~25 → ~10 ms.
DEFERRED_OFFSET = 500


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    count: Callable[[QuerySet[Any]], int] | None = None,
) -> dict[str, Any]:
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 10**9)
    # A stable order whatever the ordering asked for, so that pages neither skip nor repeat rows:
    # the primary key breaks ties unless the last ordering field is unique already.
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not ordering or not _is_unique(queryset.model, str(ordering[-1]).lstrip("-")):
        ordering.append("pk")
    queryset = queryset.order_by(*ordering)
    if offset >= DEFERRED_OFFSET:
        # The databases skip an offset's rows by reading each one, its joins included; the
        # primary keys alone come from an index walk when the order has an index.
        keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
        results = queryset.filter(pk__in=keys)
    else:
        results = queryset[offset : offset + limit]
    return {
        "count": queryset.count() if count is None else count(queryset),
        "limit": limit,
        "offset": offset,
        "results": results,
    }


# ---- fast list rows ----------------------------------------------------------------------
#
# A page of a list is read with .values() and written as plain dicts: building 50 model
# instances and validating each through the response schema costs several times the query
# itself. The rows have exactly the fields of schemas.ParkOut / SiteOut (a test compares them).

PARK_VALUES = (
    "source",
    "as_of",
    "as_of_precision",
    "owner_id",
    "park_id",
    "name",
    "name_ru",
    "name_uz",
    "kind",
    "stage",
    "development",
    "country_id",
    "region_id",
    "region__name",
    "locality",
    "lat",
    "lon",
    "coord_precision",
    "area_total_ha",
    "area_free_ha",
    "industries",
    "specialization",
    "operator_id",
    "operator__name",
    "established",
    "legal_basis",
    "regime_ids",
    "residents_count",
    "investment_amount",
    "investment_currency",
    "jobs",
    "notes",
    "is_published",
    "updated",
)
SITE_VALUES = (
    "source",
    "as_of",
    "as_of_precision",
    "owner_id",
    "site_id",
    "park__park_id",
    "park__name",
    "park__name_ru",
    "park__name_uz",
    "name",
    "kind",
    "area_ha",
    "area_m2",
    "status",
    "tenure",
    "sale_price",
    "lease_per_year",
    "currency",
    "electricity_mw",
    "gas_m3h",
    "water_m3d",
    "wastewater_m3d",
    "heat_gcalh",
    "rail_siding",
    "hazard_class",
    "ceiling_height_m",
    "floor_load_t_m2",
    "crane_capacity_t",
    "dist_airport_km",
    "dist_rail_km",
    "dist_port_km",
    "dist_highway_km",
    "dist_border_km",
    "lat",
    "lon",
    "notes",
    "updated",
)


class _Freshness:
    """as_of_display and is_stale of a row, as SourcedModel computes them."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.stale_days = settings.STALE_DATA_DAYS

    def sourced(self, row: dict[str, Any]) -> dict[str, Any]:
        as_of = row["as_of"]
        return {
            "source": row["source"],
            "as_of": as_of,
            "as_of_precision": row["as_of_precision"],
            "as_of_display": format_as_of(as_of, row["as_of_precision"]),
            "is_stale": as_of is None or (self.today - as_of).days > self.stale_days,
            "owner": row["owner_id"],
        }


def _localized(row: dict[str, Any], prefix: str, language: str) -> str:
    localized = row.get(f"{prefix}name_{language}") if language in ("ru", "uz") else ""
    return localized or row[f"{prefix}name"]


_URL_TEMPLATES: dict[tuple[str, Any, str], str] = {}


def url_template(view: str, argument: str) -> str:
    """reverse(view) with `__id__` for its one argument, reversed once per script prefix and
    URLconf (a reverse was about a twentieth of a park detail's first read)."""
    key = (get_script_prefix(), get_urlconf(), view)
    template = _URL_TEMPLATES.get(key)
    if template is None:
        template = _URL_TEMPLATES[key] = reverse(view, kwargs={argument: "__id__"})
    return template


class _ParkRowWriter:
    """Writes `.values(*PARK_VALUES)` rows as ParkOut says them, in the active language."""

    def __init__(self) -> None:
        self.freshness = _Freshness()
        self.language = (get_language() or "en")[:2]
        self.url = url_template("web:park-detail", "park_id")

    def __call__(self, r: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.freshness.sourced(r),
            "park_id": r["park_id"],
            "name": r["name"],
            "name_ru": r["name_ru"],
            "name_uz": r["name_uz"],
            "display_name": _localized(r, "", self.language),
            "kind": r["kind"],
            "stage": r["stage"],
            "development": r["development"],
            "country": r["country_id"],
            "region": r["region_id"],
            "region_name": r["region__name"],
            "locality": r["locality"],
            "lat": r["lat"],
            "lon": r["lon"],
            "coord_precision": r["coord_precision"],
            "area_total_ha": r["area_total_ha"],
            "area_free_ha": r["area_free_ha"],
            "industries": r["industries"],
            "specialization": r["specialization"],
            "operator": {"id": r["operator_id"], "name": r["operator__name"]}
            if r["operator_id"] is not None
            else None,
            "established": r["established"],
            "legal_basis": r["legal_basis"],
            "regime_ids": r["regime_ids"],
            "residents_count": r["residents_count"],
            "investment_amount": r["investment_amount"],
            "investment_currency": r["investment_currency"],
            "jobs": r["jobs"],
            "notes": r["notes"],
            "is_published": r["is_published"],
            "updated": r["updated"],
            "url": self.url.replace("__id__", r["park_id"]),
        }


def park_rows(parks: QuerySet[Park]) -> list[dict[str, Any]]:
    write = _ParkRowWriter()
    return [write(r) for r in parks.values(*PARK_VALUES)]


# A park's detail adds its boundary, utilities and register entries (schemas.ParkDetailOut).
UTILITY_VALUES = (
    "source",
    "as_of",
    "as_of_precision",
    "owner_id",
    "id",
    "utility",
    "capacity",
    "free_capacity",
    "tariff",
    "connection_fee",
    "currency",
    "tariff_date",
    "notes",
)
REGISTER_ENTRY_VALUES = (
    "source",
    "as_of",
    "as_of_precision",
    "owner_id",
    "id",
    "kind",
    "register",
    "issuer",
    "number",
    "date",
    "valid_until",
    "url",
)


def park_detail_response(user: AnyUser, park_id: str) -> HttpResponse:
    """schemas.ParkDetailOut of a park, from three `.values()` queries, with its ETag."""
    read = selectors.park_detail_rows(
        user=user,
        scope=permission_scope(user),
        park_id=park_id,
        park_fields=(*PARK_VALUES, "boundary"),
        utility_fields=UTILITY_VALUES,
        register_entry_fields=REGISTER_ENTRY_VALUES,
    )
    write = _ParkRowWriter()
    sourced = write.freshness.sourced
    utilities = []
    for u in read.utilities:
        utility = Utility(u["utility"])
        utilities.append(
            {
                **sourced(u),
                "id": u["id"],
                "utility": u["utility"],
                "capacity": u["capacity"],
                "free_capacity": u["free_capacity"],
                "capacity_unit": UTILITY_CAPACITY_UNIT[utility],
                "tariff": u["tariff"],
                "tariff_unit": TARIFF_UNIT[utility],
                "connection_fee": u["connection_fee"],
                "connection_fee_unit": CONNECTION_FEE_UNIT[utility],
                "currency": u["currency"],
                "tariff_date": u["tariff_date"],
                "notes": u["notes"],
            }
        )
    entries = [
        {
            **sourced(e),
            "id": e["id"],
            "kind": e["kind"],
            "register_name": e["register"],
            "issuer": e["issuer"],
            "number": e["number"],
            "date": e["date"],
            "valid_until": e["valid_until"],
            "url": e["url"],
        }
        for e in read.register_entries
    ]
    park = read.park
    response = NinjaResponse(
        {
            **write(park),
            "boundary": park["boundary"],
            "utilities": utilities,
            "register_entries": entries,
        }
    )
    response["ETag"] = etag_for(Park, park["pk"], park["updated"])
    return response


SITE_PLAIN = SITE_VALUES[SITE_VALUES.index("name") : SITE_VALUES.index("updated")]


def site_rows(sites: QuerySet[Site]) -> list[dict[str, Any]]:
    freshness = _Freshness()
    language = (get_language() or "en")[:2]
    url = url_template("web:site-detail", "site_id")
    rows = []
    for r in sites.values(*SITE_VALUES):
        row = {
            **freshness.sourced(r),
            "site_id": r["site_id"],
            "park": r["park__park_id"],
            "park_name": _localized(r, "park__", language),
        }
        for name in SITE_PLAIN:
            row[name] = r[name]
        row["updated"] = r["updated"]
        row["url"] = url.replace("__id__", r["site_id"])
        rows.append(row)
    return rows


def page_response(
    page: dict[str, Any], rows: Callable[[QuerySet[Any]], list[dict[str, Any]]]
) -> HttpResponse:
    """A list page written straight to JSON (the schema's encoder: decimals as strings)."""
    return NinjaResponse({**page, "results": rows(page["results"])})


def object_response(schema: type[Schema], obj: Model) -> HttpResponse:
    """One object written through its response schema, with its ETag."""
    response = NinjaResponse(schema.from_orm(obj).model_dump())
    with_etag(response, obj)
    return response


def materialized(page: dict[str, Any]) -> dict[str, Any]:
    """The page with its rows fetched, for endpoints answered through their response schema."""
    return {**page, "results": list(page["results"])}


# ---- response cache ----------------------------------------------------------------------
#
# Reads of parks and sites (lists and details) are answered from Django's cache (Redis in
# production) when nothing they could show has changed: the key holds the registry version
# (selectors.registry_version: changed by every write, import, publish or unpublish; on
# SQLite read again only after a commit, on PostgreSQL only after a commit's notice), the
# caller's permission scope, the language, today's date (rows say whether their data is stale)
# and the full path with its query string. A hit costs no query, and a body is never shared
# between callers who may see different rows. The time limit only bounds how long unused
# entries are kept (and, on PostgreSQL, a commit the version could miss: see
# registry_version).

RESPONSE_CACHE_SECONDS = 300
RESPONSE_CACHE_PREFIX = "api:v1:read"


def permission_scope(user: AnyUser) -> str:
    """Callers with the same scope see the same rows: the public, everything, or a role set."""
    if user is None or not user.is_authenticated:
        return "public"
    if is_administrator(user) or is_analyst(user):
        return "all"  # both read every registry row (core.permissions)
    roles = roles_of(user)
    return "roles:" + ";".join(
        f"{role}={','.join(str(i) for i in sorted(ids))}" for role, ids in sorted(roles.items())
    )


def response_cache_key(
    request: HttpRequest, purpose: str = "body", path: str = "", scope: str | None = None
) -> str:
    """The cache key of a read; `scope` is the caller's permission_scope (by default that of
    the user the API authenticated)."""
    version = getattr(request, "technopark_registry_version", None)
    if version is None:  # read once per request
        version = selectors.registry_version()
        request.technopark_registry_version = version  # type: ignore[attr-defined]
    parts = (
        purpose,
        version,
        permission_scope(user_of(request)) if scope is None else scope,
        get_language() or "",
        timezone.localdate().isoformat(),
        path or request.get_full_path(),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"{RESPONSE_CACHE_PREFIX}:{digest}"


# Parameters that choose a page, not the rows counted.
PAGE_PARAMETERS = frozenset({"limit", "offset", "ordering"})


def cached_count(request: HttpRequest) -> Callable[[QuerySet[Any]], int]:
    """Counts a filtered list once per registry version, whichever page is asked for."""

    def count(queryset: QuerySet[Any]) -> int:
        filters = sorted(
            (name, value)
            for name, values in request.GET.lists()
            if name not in PAGE_PARAMETERS
            for value in values
        )
        key = response_cache_key(request, "count", f"{request.path}?{urlencode(filters)}")
        hit = _cache_get(key)
        if isinstance(hit, int):
            return hit
        total = queryset.count()
        _cache_set(key, total)
        return total

    return count


_cache_failures = 0


def _cache_failed() -> None:
    # A cache outage slows reads down, it must not fail them; logged at the first failure and
    # then every thousandth, not on every request.
    global _cache_failures
    if _cache_failures % 1000 == 0:
        logger.warning(
            "API response cache unavailable (%d failures)", _cache_failures + 1, exc_info=True
        )
    _cache_failures += 1


class RecentReads:
    """The cache entries this process read or wrote in the last few seconds, by key (the
    oldest dropped first beyond `max_bytes`).

    A key names the registry version, the permission scope, the language, the date and the
    full path, and the shared cache keeps under it the answer built at that version, so a
    copy held here is exactly as fresh as the shared entry: an edit changes the version, which
    every request of every worker takes (selectors.registry_version) before it looks anything
    up, so the next read after an edit asks a new key in every worker. The time limit bounds
    only how long a copy may outlive its shared entry (its RESPONSE_CACHE_SECONDS, or a cache
    cleared by hand). Against Redis this saves a round trip: about half of what a cached hit
    costs the server (~0.29 → ~0.13 ms in one process, bench/api.py). Not used with an
    in-process cache (LocMemCache, the tests' default), which has no round trip to save.
    """

    def __init__(self, seconds: float = 5.0, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            with self._lock:
                self._drop(key)
            return None
        return entry[1]

    def put(self, key: str, value: Any) -> None:
        size = len(value[0]) if isinstance(value, tuple) else 64  # a body, or a count
        if size > self.max_bytes // 8:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = (time.monotonic() + self.seconds, value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]


recent_reads = RecentReads()


def _recent_reads() -> RecentReads | None:
    return None if isinstance(caches["default"], LocMemCache) else recent_reads


def _cache_get(key: str) -> Any:
    recent = _recent_reads()
    if recent is not None and (value := recent.get(key)) is not None:
        return value
    try:
        value = cache.get(key)
    except Exception:
        _cache_failed()
        return None
    if recent is not None and value is not None:
        recent.put(key, value)
    return value


def _cache_set(key: str, value: Any) -> None:
    recent = _recent_reads()
    if recent is not None:
        recent.put(key, value)
    try:
        cache.set(key, value, RESPONSE_CACHE_SECONDS)
    except Exception:
        _cache_failed()


def cached_read(request: HttpRequest, build: Callable[[], HttpResponse]) -> HttpResponse:
    """The response `build` gives, from the cache when the registry has not changed since.

    Only successful answers are kept (errors are raised, not returned). Every answer has an
    ETag (the object's for a detail, a digest of the body for a list); a GET whose
    If-None-Match holds it is answered 304 without a body.
    """
    key = response_cache_key(request)
    # PublicReadCacheMiddleware has just missed this very key: no second look-up.
    hit = None if getattr(request, "technopark_missed_key", None) == key else _cache_get(key)
    if hit is None:
        response = build()
        if response.status_code != 200:
            return response
        hit = _cache_response(key, response)
    return _cached_answer(request, hit)


def _cache_response(key: str, response: HttpResponse) -> tuple[bytes, str, str]:
    """Keep a successful answer under `key`: its body, Content-Type and ETag (a digest of the
    body when it has none)."""
    body = response.content
    etag = response.get("ETag") or f'"{hashlib.sha256(body).hexdigest()[:20]}"'
    hit = (body, response["Content-Type"], etag)
    _cache_set(key, hit)
    return hit


def _cached_answer(request: HttpRequest, hit: tuple[bytes, str, str]) -> HttpResponse:
    body, content_type, etag = hit
    header = request.headers.get("If-None-Match")
    if header and ({etag, "*"} & _tags(header)):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    return response


class PublicReadCacheMiddleware:
    """Answers an anonymous GET of a cached park or site read before the session, the user,
    URL routing and the API run.

    The body is the one cached_read stored for the same full path under the public
    permission scope, registry version, language and date, so the answer is the endpoint's
    own. Only a request with neither an `Authorization` header nor a session cookie is
    answered here (a session cookie that turns out invalid goes to the endpoint, which answers
    it as the public); other paths and misses go on down MIDDLEWARE as usual, and the endpoint
    does not read the registry version again.

    Placed right after SecurityMiddleware, WhiteNoise, RequestIdMiddleware and
    RefuseNulCharactersMiddleware (settings.py; the last lets every API read through).
    A hit does here what the middleware it skips would do to such a request and its answer,
    with their own code: CommonMiddleware's host and user-agent checks (anything they would
    refuse goes down the usual way and is refused there) and Content-Length;
    LocaleMiddleware's choice of language (URL prefix, cookie, Accept-Language), which is part
    of the key, and its Vary and Content-Language; XFrameOptionsMiddleware's header; and the
    `Vary: Cookie` that SessionMiddleware adds because the endpoint reads the session. The
    others (CSRF, authentication, messages, htmx, history, the API error format) add nothing
    to an anonymous GET answered 200 or 304. A middleware added between them that changes
    responses must be added here too; the tests compare every header with the endpoint's.
    A hit costs about half of what it did as the last middleware (bench/api.py).
    """

    # The API is mounted at api/v1/ (config/urls.py); exports are never cached.
    PREFIXES = ("/api/v1/parks", "/api/v1/sites")
    # The park detail route, /parks/{park_id} (django-ninja's path parameter: no slash).
    PARK_DETAIL = re.compile(r"/api/v1/parks/(?!export\Z)([^/]+)")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.middleware.clickjacking import XFrameOptionsMiddleware
        from django.middleware.common import CommonMiddleware
        from django.middleware.locale import LocaleMiddleware

        self.get_response = get_response
        self.common = CommonMiddleware(get_response)
        self.locale = LocaleMiddleware(get_response)
        self.x_frame_options = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if (
            request.method == "GET"
            and path.startswith(self.PREFIXES)
            and not path.endswith("/export")
            and "HTTP_AUTHORIZATION" not in request.META
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = self._hit(request)
            if response is not None:
                return response
        answer = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            # It may have written: this process reads the registry version again rather than
            # wait for PostgreSQL's notice of the commit (selectors.registry_version).
            selectors.registry_may_have_changed()
        return answer

    def _first_read(self, request: HttpRequest, key: str) -> tuple[bytes, str, str] | None:
        """A public park detail that no one has read since the registry changed: built here
        and cached, as park_detail would (cached_read, park_detail_response); None for any
        other path, a query string, or anything but a park the public may see (a 404, a
        value the database refuses), which the endpoint then answers in its own way.

        It spares a first read the rest of MIDDLEWARE, URL routing and django-ninja's
        operation: about a quarter of its CPU time in one process (bench/api.py, "park
        detail, cold"). The tests compare it, body and headers, with the endpoint's answer.
        """
        match = self.PARK_DETAIL.fullmatch(request.path_info)
        if match is None or request.META.get("QUERY_STRING"):
            return None
        try:
            built = park_detail_response(AnonymousUser(), match[1])
        except Exception:  # the endpoint meets it again and answers it
            return None
        return _cache_response(key, built)

    def _hit(self, request: HttpRequest) -> HttpResponseBase | None:
        try:
            if self.common.process_request(request) is not None:
                return None  # a redirect (PREPEND_WWW): CommonMiddleware gives it below
        except (DisallowedHost, PermissionDenied):
            return None  # refused below, exactly as without this middleware
        self.locale.process_request(request)
        key = response_cache_key(request, scope=permission_scope(None))
        hit = _cache_get(key)
        if hit is None:
            hit = self._first_read(request, key)
        if hit is None:
            request.technopark_missed_key = key  # type: ignore[attr-defined]
            return None
        # In the order the skipped middleware would treat the answer (innermost first).
        answer = _cached_answer(request, hit)
        response: HttpResponseBase = self.x_frame_options.process_response(request, answer)
        response = self.common.process_response(request, response)
        response = self.locale.process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response


# ---- ETags and writes --------------------------------------------------------------------


def etag_of(obj: Model) -> str:
    """Changes whenever the row is saved: a digest of its primary key and last-change time."""
    return etag_for(type(obj), obj.pk, getattr(obj, "updated", None))


def etag_for(model: type[Model], pk: Any, updated: Any) -> str:
    """etag_of for a row read without its model instance."""
    stamp = updated.isoformat() if updated else ""
    digest = hashlib.sha256(f"{model._meta.label_lower}:{pk}:{stamp}".encode()).hexdigest()
    return f'"{digest[:20]}"'


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def check_if_match(request: HttpRequest, obj: Model) -> None:
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = _tags(header)
    if "*" not in tags and etag_of(obj) not in tags:
        raise PreconditionFailed()


def with_etag(response: HttpResponse, obj: Model) -> None:
    response["ETag"] = etag_of(obj)


def not_modified(request: HttpRequest, obj: Model) -> HttpResponse | None:
    header = request.headers.get("If-None-Match")
    if header and ({etag_of(obj), "*"} & _tags(header)):
        response = HttpResponse(status=304)
        with_etag(response, obj)
        return response
    return None


FieldMap = dict[str, Callable[[Any], tuple[str, Any]]]


def to_model_data(payload: dict[str, Any], field_map: FieldMap) -> dict[str, Any]:
    """The request body as model attributes: identifiers of related objects resolved."""
    data: dict[str, Any] = {}
    for name, value in payload.items():
        if name in field_map:
            attr, resolved = field_map[name](value)
            data[attr] = resolved
        else:
            data[name] = value
    return data


def _fk(attr: str) -> Callable[[Any], tuple[str, Any]]:
    return lambda value: (attr, value)


def _park_by_id(user: AnyUser) -> Callable[[Any], tuple[str, Any]]:
    def resolve(value: Any) -> tuple[str, Any]:
        park = selectors.park_queryset(user).filter(park_id=value).first()
        if park is None:
            raise ApiError(
                422,
                "The data is not valid; see errors.",
                [{"field": "park", "message": f"There is no park {value!r}."}],
            )
        return "park", park

    return resolve


COMMON_FKS: FieldMap = {"owner": _fk("owner_id")}
PARK_FKS: FieldMap = {
    **COMMON_FKS,
    "country": _fk("country_id"),
    "region": _fk("region_id"),
    "operator": _fk("operator_id"),
}
ORGANIZATION_FKS: FieldMap = {**COMMON_FKS, "country": _fk("country_id")}


def locked(obj: Model) -> Model:
    """The row again, locked for the rest of the transaction (PostgreSQL), to check If-Match."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def update_object(
    request: HttpRequest,
    obj: Model,
    data: dict[str, Any],
    *,
    after: Callable[[Model], None] | None = None,
) -> Model:
    user = user_of(request)
    enforce(user, Action.CHANGE, obj)  # before revealing whether the ETag matches
    with transaction.atomic():
        current = locked(obj)
        check_if_match(request, current)
        obj = services.object_update(obj=current, user=user, data=data)
        if after:
            after(obj)
    return obj


def delete_object(request: HttpRequest, obj: Model) -> None:
    user = user_of(request)
    enforce(user, Action.DELETE, obj)
    with transaction.atomic():
        current = locked(obj)
        check_if_match(request, current)
        services.object_delete(obj=current, user=user)


# ---- bulk export -------------------------------------------------------------------------
#
# Rows and cells come from the exchange exporter (parks/exchange/exporter.table_rows), so an
# export is byte for byte what `technopark export` writes for the same rows and can be imported
# again with `technopark import`. CSV and GeoJSON are written row by row as the rows are read.

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
FORMAT_PARAMETER: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "File format.",
    "schema": {"type": "string", "enum": list(EXPORT_FORMATS), "default": "csv"},
}


def export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise ApiError(
            400,
            "A query parameter is not valid.",
            [{"field": "query.format", "message": f"Use one of: {', '.join(EXPORT_FORMATS)}."}],
        )
    return fmt


class _Echo:
    """A file whose write() returns the text, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(entity: Entity, queryset: QuerySet[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")  # as exchange.writers.write_csv
    yield writer.writerow([c.name for c in columns_of(entity)])
    for row in table_rows(entity, queryset):
        yield writer.writerow(row)


def _geojson_stream(entity: Entity, queryset: QuerySet[Any]) -> Iterator[str]:
    """exchange.writers.write_geojson's output, written feature by feature."""
    columns = columns_of(entity)
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for row in table_rows(entity, queryset):
        single = io.StringIO()
        write_geojson(entity, columns, [row], single)
        feature = single.getvalue().split("\n")[1]  # the writer puts one feature per line
        yield ("\n" if first else ",\n") + feature
        first = False
    yield "\n]}\n"


def _xlsx_stream(entity: Entity, queryset: QuerySet[Any]) -> Iterator[bytes]:
    # An XLSX file is a zip whose directory comes last, so the workbook is built whole (by
    # the exchange writer, write-only) and then sent in chunks.
    buffer = io.BytesIO()
    write_xlsx(columns_of(entity), table_rows(entity, queryset), buffer, entity.value)
    data = buffer.getvalue()
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def export_response(entity: Entity, queryset: QuerySet[Any], fmt: str) -> StreamingHttpResponse:
    content_type, extension = EXPORT_FORMATS[fmt]
    stream = {"csv": _csv_stream, "geojson": _geojson_stream, "xlsx": _xlsx_stream}[fmt]
    response = StreamingHttpResponse(stream(entity, queryset), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{entity}.{extension}"'
    return response


# ---- parks -------------------------------------------------------------------------------


@router.get(
    "/parks",
    description=LIST_NOTE,
    response={200: schemas.ParkPage, **ERRORS},
    auth=READ_AUTH,
    summary="List parks",
    openapi_extra=list_parameters(ParkFilterSet),
)
def park_list(request: HttpRequest) -> HttpResponse:
    return cached_read(request, lambda: _park_page(request))


def _park_page(request: HttpRequest) -> HttpResponse:
    parks = filtered_rows(ParkFilterSet, request, selectors.park_queryset(user_of(request)))
    if not request.GET.get("ordering"):
        # By id (unique, indexed): a page then reads 50 rows in index order instead of
        # sorting every park by name first.
        parks = parks.order_by("park_id")
    return page_response(paginate(request, parks, cached_count(request)), park_rows)


@router.get(
    "/parks/export",
    auth=READ_AUTH,
    summary="Export parks (CSV, GeoJSON, XLSX)",
    response={200: None, **ERRORS},
    openapi_extra={
        "parameters": [
            FORMAT_PARAMETER,
            *list_parameters(ParkFilterSet, paginated=False)["parameters"],
        ]
    },
)
def park_export(request: HttpRequest) -> StreamingHttpResponse:
    fmt = export_format(request)
    parks = filtered_rows(ParkFilterSet, request, selectors.park_queryset(user_of(request)))
    return export_response(Entity.PARKS, parks, fmt)


@router.get(
    "/parks/{park_id}",
    response={200: schemas.ParkDetailOut, 304: None, **ERRORS},
    auth=READ_AUTH,
    summary="A park",
)
def park_detail(request: HttpRequest, park_id: str) -> HttpResponse:
    return cached_read(request, lambda: park_detail_response(user_of(request), park_id))


def _park_response(response: HttpResponse, park: Park, request: HttpRequest) -> Park:
    park = selectors.park_detail(user=user_of(request), park_id=park.park_id)
    with_etag(response, park)
    return park


@router.post(
    "/parks",
    description=WRITE_NOTE,
    response={201: schemas.ParkDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Create a park",
)
def park_create(request: HttpRequest, payload: schemas.ParkIn, response: HttpResponse) -> Any:
    data = to_model_data(payload.model_dump(), PARK_FKS)
    park = services.object_create(model=Park, user=user_of(request), data=data)
    response["Location"] = f"{request.path.rstrip('/')}/{park.park_id}"
    return Status(201, _park_response(response, park, request))


def _park_update(
    request: HttpRequest, park_id: str, payload: Any, response: HttpResponse, partial: bool
) -> Any:
    park = selectors.get_visible(selectors.park_queryset(user_of(request)), park_id=park_id)
    data = to_model_data(payload.model_dump(exclude_unset=partial), PARK_FKS)
    if data.get("park_id", park.park_id) != park.park_id:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "park_id", "message": "A park's id cannot be changed."}],
        )
    data.pop("park_id", None)
    park = update_object(request, park, data)
    return _park_response(response, park, request)  # type: ignore[arg-type]


@router.put(
    "/parks/{park_id}",
    description=WRITE_NOTE,
    response={200: schemas.ParkDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a park",
)
def park_replace(
    request: HttpRequest, park_id: str, payload: schemas.ParkIn, response: HttpResponse
) -> Any:
    return _park_update(request, park_id, payload, response, partial=False)


@router.patch(
    "/parks/{park_id}",
    description=WRITE_NOTE,
    response={200: schemas.ParkDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Change some fields of a park",
)
def park_update(
    request: HttpRequest,
    park_id: str,
    payload: schemas.ParkPatch,  # type: ignore[valid-type]
    response: HttpResponse,
) -> Any:
    return _park_update(request, park_id, payload, response, partial=True)


@router.delete(
    "/parks/{park_id}",
    description=WRITE_NOTE,
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    summary="Delete a park",
)
def park_delete(request: HttpRequest, park_id: str) -> Any:
    park = selectors.get_visible(selectors.park_queryset(user_of(request)), park_id=park_id)
    delete_object(request, park)
    return Status(204, None)


# ---- sites -------------------------------------------------------------------------------


@router.get(
    "/sites",
    description=LIST_NOTE,
    response={200: schemas.SitePage, **ERRORS},
    auth=READ_AUTH,
    summary="List sites",
    openapi_extra=list_parameters(SiteFilterSet),
)
def site_list(request: HttpRequest) -> HttpResponse:
    return cached_read(request, lambda: _site_page(request))


def _site_page(request: HttpRequest) -> HttpResponse:
    sites = filtered_rows(SiteFilterSet, request, selectors.site_queryset(user_of(request)))
    if not request.GET.get("ordering"):
        # By id (unique and indexed): the model's order (park name, site id) needs a join and
        # a sort of every row, which a page of 50 out of a million must not pay for.
        sites = sites.order_by("site_id")
    return page_response(paginate(request, sites, cached_count(request)), site_rows)


@router.get(
    "/sites/export",
    auth=READ_AUTH,
    summary="Export sites (CSV, GeoJSON, XLSX)",
    response={200: None, **ERRORS},
    openapi_extra={
        "parameters": [
            FORMAT_PARAMETER,
            *list_parameters(SiteFilterSet, paginated=False)["parameters"],
        ]
    },
)
def site_export(request: HttpRequest) -> StreamingHttpResponse:
    fmt = export_format(request)
    sites = filtered_rows(SiteFilterSet, request, selectors.site_queryset(user_of(request)))
    return export_response(Entity.SITES, sites, fmt)


@router.get(
    "/sites/{site_id}",
    response={200: schemas.SiteOut, 304: None, **ERRORS},
    auth=READ_AUTH,
    summary="A site",
)
def site_detail(request: HttpRequest, site_id: str) -> HttpResponse:
    def build() -> HttpResponse:
        site = selectors.get_visible(selectors.site_queryset(user_of(request)), site_id=site_id)
        return object_response(schemas.SiteOut, site)

    return cached_read(request, build)


def _site_fks(user: AnyUser) -> FieldMap:
    return {**COMMON_FKS, "park": _park_by_id(user)}


@router.post(
    "/sites",
    description=WRITE_NOTE,
    response={201: schemas.SiteOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Create a site",
)
def site_create(request: HttpRequest, payload: schemas.SiteIn, response: HttpResponse) -> Any:
    user = user_of(request)
    data = to_model_data(payload.model_dump(), _site_fks(user))
    site = services.object_create(model=Site, user=user, data=data)
    response["Location"] = f"{request.path.rstrip('/')}/{site.site_id}"
    with_etag(response, site)
    return Status(201, site)


def _site_update(
    request: HttpRequest, site_id: str, payload: Any, response: HttpResponse, partial: bool
) -> Any:
    user = user_of(request)
    site = selectors.get_visible(selectors.site_queryset(user), site_id=site_id)
    data = to_model_data(payload.model_dump(exclude_unset=partial), _site_fks(user))
    if data.get("site_id", site.site_id) != site.site_id:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "site_id", "message": "A site's id cannot be changed."}],
        )
    data.pop("site_id", None)
    site = update_object(request, site, data)
    site = selectors.get_visible(selectors.site_queryset(user), pk=site.pk)
    with_etag(response, site)
    return site


@router.put(
    "/sites/{site_id}",
    description=WRITE_NOTE,
    response={200: schemas.SiteOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a site",
)
def site_replace(
    request: HttpRequest, site_id: str, payload: schemas.SiteIn, response: HttpResponse
) -> Any:
    return _site_update(request, site_id, payload, response, partial=False)


@router.patch(
    "/sites/{site_id}",
    description=WRITE_NOTE,
    response={200: schemas.SiteOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Change some fields of a site",
)
def site_update(
    request: HttpRequest,
    site_id: str,
    payload: schemas.SitePatch,  # type: ignore[valid-type]
    response: HttpResponse,
) -> Any:
    return _site_update(request, site_id, payload, response, partial=True)


@router.delete(
    "/sites/{site_id}",
    description=WRITE_NOTE,
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    summary="Delete a site",
)
def site_delete(request: HttpRequest, site_id: str) -> Any:
    site = selectors.get_visible(selectors.site_queryset(user_of(request)), site_id=site_id)
    delete_object(request, site)
    return Status(204, None)


# ---- organizations -----------------------------------------------------------------------


@router.get(
    "/organizations",
    description=LIST_NOTE,
    response={200: schemas.OrganizationPage, **ERRORS},
    auth=READ_AUTH,
    summary="List organizations",
    openapi_extra=list_parameters(OrganizationFilterSet),
)
def organization_list(request: HttpRequest) -> dict[str, Any]:
    organizations = selectors.organization_queryset(user_of(request))
    return materialized(
        paginate(request, filtered_rows(OrganizationFilterSet, request, organizations))
    )


@router.get(
    "/organizations/{org_id}",
    response={200: schemas.OrganizationOut, 304: None, **ERRORS},
    auth=READ_AUTH,
    summary="An organization",
)
def organization_detail(request: HttpRequest, org_id: int, response: HttpResponse) -> Any:
    org = selectors.get_visible(selectors.organization_queryset(user_of(request)), pk=org_id)
    cached = not_modified(request, org)
    if cached:
        return cached
    with_etag(response, org)
    return org


@router.post(
    "/organizations",
    description=WRITE_NOTE,
    response={201: schemas.OrganizationOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Create an organization",
)
def organization_create(
    request: HttpRequest, payload: schemas.OrganizationIn, response: HttpResponse
) -> Any:
    data = to_model_data(payload.model_dump(), ORGANIZATION_FKS)
    org = services.object_create(model=Organization, user=user_of(request), data=data)
    response["Location"] = f"{request.path.rstrip('/')}/{org.pk}"
    with_etag(response, org)
    return Status(201, org)


def _organization_update(
    request: HttpRequest, org_id: int, payload: Any, response: HttpResponse, partial: bool
) -> Any:
    org = selectors.get_visible(selectors.organization_queryset(user_of(request)), pk=org_id)
    data = to_model_data(payload.model_dump(exclude_unset=partial), ORGANIZATION_FKS)
    org = update_object(request, org, data)
    with_etag(response, org)
    return org


@router.put(
    "/organizations/{org_id}",
    description=WRITE_NOTE,
    response={200: schemas.OrganizationOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Replace an organization",
)
def organization_replace(
    request: HttpRequest, org_id: int, payload: schemas.OrganizationIn, response: HttpResponse
) -> Any:
    return _organization_update(request, org_id, payload, response, partial=False)


@router.patch(
    "/organizations/{org_id}",
    description=WRITE_NOTE,
    response={200: schemas.OrganizationOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Change some fields of an organization",
)
def organization_update(
    request: HttpRequest,
    org_id: int,
    payload: schemas.OrganizationPatch,  # type: ignore[valid-type]
    response: HttpResponse,
) -> Any:
    return _organization_update(request, org_id, payload, response, partial=True)


@router.delete(
    "/organizations/{org_id}",
    description=WRITE_NOTE,
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    summary="Delete an organization",
)
def organization_delete(request: HttpRequest, org_id: int) -> Any:
    org = selectors.get_visible(selectors.organization_queryset(user_of(request)), pk=org_id)
    delete_object(request, org)
    return Status(204, None)


# ---- residents ---------------------------------------------------------------------------


@router.get(
    "/residents",
    description=LIST_NOTE,
    response={200: schemas.ResidentPage, **ERRORS},
    auth=READ_AUTH,
    summary="List residents",
    openapi_extra=list_parameters(ResidentFilterSet),
)
def resident_list(request: HttpRequest) -> dict[str, Any]:
    residents = selectors.resident_queryset(user_of(request))
    return materialized(paginate(request, filtered_rows(ResidentFilterSet, request, residents)))


@router.get(
    "/residents/{resident_id}",
    response={200: schemas.ResidentOut, 304: None, **ERRORS},
    auth=READ_AUTH,
    summary="A residency",
)
def resident_detail(request: HttpRequest, resident_id: int, response: HttpResponse) -> Any:
    resident = selectors.get_visible(selectors.resident_queryset(user_of(request)), pk=resident_id)
    cached = not_modified(request, resident)
    if cached:
        return cached
    with_etag(response, resident)
    return resident


def _resident_data(
    request: HttpRequest, payload: dict[str, Any]
) -> tuple[dict[str, Any], list[str] | None]:
    site_ids = payload.pop("sites", None)
    fks: FieldMap = {
        **COMMON_FKS,
        "park": _park_by_id(user_of(request)),
        "organization": _fk("organization_id"),
    }
    return to_model_data(payload, fks), site_ids


def _set_sites(resident: Resident, site_ids: Iterable[str] | None) -> None:
    if site_ids is None:
        return
    wanted = list(dict.fromkeys(site_ids))
    sites = list(Site.objects.filter(park_id=resident.park_id, site_id__in=wanted))
    missing = sorted(set(wanted) - {s.site_id for s in sites})
    if missing:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "sites", "message": f"Not sites of this park: {', '.join(missing)}."}],
        )
    resident.sites.set(sites)


def _resident_response(
    request: HttpRequest, response: HttpResponse, resident: Resident
) -> Resident:
    resident = selectors.get_visible(selectors.resident_queryset(user_of(request)), pk=resident.pk)
    with_etag(response, resident)
    return resident


@router.post(
    "/residents",
    description=WRITE_NOTE,
    response={201: schemas.ResidentOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Register a resident",
)
def resident_create(
    request: HttpRequest, payload: schemas.ResidentIn, response: HttpResponse
) -> Any:
    data, site_ids = _resident_data(request, payload.model_dump())
    with transaction.atomic():
        resident = services.object_create(model=Resident, user=user_of(request), data=data)
        _set_sites(resident, site_ids)
    response["Location"] = f"{request.path.rstrip('/')}/{resident.pk}"
    return Status(201, _resident_response(request, response, resident))


def _resident_update(
    request: HttpRequest, resident_id: int, payload: Any, response: HttpResponse, partial: bool
) -> Any:
    resident = selectors.get_visible(selectors.resident_queryset(user_of(request)), pk=resident_id)
    data, site_ids = _resident_data(request, payload.model_dump(exclude_unset=partial))
    resident = update_object(
        request,
        resident,
        data,
        after=lambda obj: _set_sites(obj, site_ids),  # type: ignore[arg-type]
    )
    return _resident_response(request, response, resident)  # type: ignore[arg-type]


@router.put(
    "/residents/{resident_id}",
    description=WRITE_NOTE,
    response={200: schemas.ResidentOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Replace a residency",
)
def resident_replace(
    request: HttpRequest, resident_id: int, payload: schemas.ResidentIn, response: HttpResponse
) -> Any:
    return _resident_update(request, resident_id, payload, response, partial=False)


@router.patch(
    "/residents/{resident_id}",
    description=WRITE_NOTE,
    response={200: schemas.ResidentOut, **ERRORS},
    auth=WRITE_AUTH,
    summary="Change some fields of a residency",
)
def resident_update(
    request: HttpRequest,
    resident_id: int,
    payload: schemas.ResidentPatch,  # type: ignore[valid-type]
    response: HttpResponse,
) -> Any:
    return _resident_update(request, resident_id, payload, response, partial=True)


@router.delete(
    "/residents/{resident_id}",
    description=WRITE_NOTE,
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    summary="Delete a residency",
)
def resident_delete(request: HttpRequest, resident_id: int) -> Any:
    resident = selectors.get_visible(selectors.resident_queryset(user_of(request)), pk=resident_id)
    delete_object(request, resident)
    return Status(204, None)


# ---- personal API tokens -----------------------------------------------------------------


@router.get(
    "/tokens",
    response={200: list[schemas.TokenOut], **ERRORS},
    auth=WRITE_AUTH,
    tags=["tokens"],
    summary="Your API tokens",
)
def token_list(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=user_of(request)).order_by("-created")  # type: ignore[misc]


@router.post(
    "/tokens",
    response={201: schemas.TokenCreatedOut, **ERRORS},
    auth=WRITE_AUTH,
    tags=["tokens"],
    summary="Create an API token (the token is shown only in this response)",
)
def token_create_endpoint(request: HttpRequest, payload: schemas.TokenIn) -> Any:
    token, raw = token_create(user=user_of(request), name=payload.name)  # type: ignore[arg-type]
    out = schemas.TokenOut.from_orm(token).model_dump()
    return Status(201, {**out, "token": raw})


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    tags=["tokens"],
    summary="Revoke an API token",
)
def token_revoke_endpoint(request: HttpRequest, token_id: int) -> Any:
    token = selectors.get_visible(ApiToken.objects.filter(user=user_of(request)), pk=token_id)  # type: ignore[misc]
    token_revoke(token=token)
    return Status(204, None)
