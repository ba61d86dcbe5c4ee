"""Reads of the registry for the web pages and the API: restricted, filtered, query-efficient.

Every queryset that leaves this module has passed through core.permissions.restrict and has
its relations joined or prefetched, so that a page or endpoint runs a fixed number of queries
whatever the number of rows.
"""

from __future__ import annotations

import functools
import json
import math
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.models import (
    AutoField,
    BooleanField,
    CharField,
    Count,
    DateField,
    DecimalField,
    F,
    ForeignKey,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import Cast, JSONObject
from django.http import Http404
from django_filters import FilterSet

from technopark.core.db_notices import NotifiedValue
from technopark.core.history import diff_against_previous
from technopark.core.permissions import (
    Action,
    AnyUser,
    can,
    is_administrator,
    is_analyst,
    restrict,
)
from technopark.geo.models import Country, Region
from technopark.parks.filtersets import (
    ParkFilterSet,
    SiteFilterSet,
)
from technopark.parks.models import (
    Organization,
    Park,
    ParkUtility,
    RegisterEntry,
    Resident,
    Site,
)

MAX_COMPARED_SITES = 5


# ---- querysets ---------------------------------------------------------------------------


def park_queryset(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[Park]:
    return restrict(Park.objects.select_related("country", "region", "operator"), user, action)


def site_queryset(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[Site]:
    return restrict(
        Site.objects.select_related("park", "park__country", "park__region"), user, action
    )


def utility_queryset(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[ParkUtility]:
    return restrict(ParkUtility.objects.select_related("park"), user, action)


def organization_queryset(
    user: AnyUser, action: Action | str = Action.VIEW
) -> QuerySet[Organization]:
    return restrict(Organization.objects.select_related("country"), user, action)


def resident_queryset(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[Resident]:
    sites = Prefetch("sites", queryset=Site.objects.only("id", "site_id", "name", "park_id"))
    return restrict(
        Resident.objects.select_related("park", "organization").prefetch_related(sites),
        user,
        action,
    )


# ---- registry version --------------------------------------------------------------------

#: Models whose rows appear in the registry's API responses or decide who may see them
#: (a park is visible to the companies resident in it). Every write to them leaves a change
#: history row: django-simple-history for the ORM and core.services, the bulk importer with
#: INSERT ... SELECT, deletes (cascades included) with "-" rows.
VERSIONED_MODELS: tuple[Any, ...] = (
    Park,
    Site,
    ParkUtility,
    RegisterEntry,
    Resident,
    Organization,
    Region,
    Country,
)


@functools.cache
def _version_sql(vendor: str) -> str:
    # Built once: `Model.history` builds a manager class on every access (~0.4 ms each).
    qn = connection.ops.quote_name
    parts = []
    for model in VERSIONED_MODELS:
        table = qn(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX(history_id) FROM {table})")  # noqa: S608 - our table names
        if vendor != "postgresql":  # PostgreSQL sequences never hand out an id twice
            parts.append(f"(SELECT MAX(history_date) FROM {table})")  # noqa: S608
    if vendor == "postgresql":
        parts.append("pg_current_snapshot()::text")
    return f"SELECT {', '.join(parts)}"


# PostgreSQL connections on which the version query is prepared: planning its subqueries
# costs about three times running them, on every API read.
_prepared: weakref.WeakSet[Any] = weakref.WeakSet()
VERSION_STATEMENT = "technopark_registry_version"


def registry_version() -> str:
    """A string that changes whenever any registry row visible through the API changes.

    The largest history id of each model in VERSIONED_MODELS: one query of index look-ups
    (well under a millisecond on a million sites). On SQLite the largest history dates too,
    which keep a version unique where a rolled-back transaction's ids are handed out again
    (AUTOINCREMENT; the test suite's rolled-back transactions).

    On PostgreSQL a transaction may commit history ids below ones another transaction already
    committed, so the maximum alone can miss a commit; the version therefore also holds the
    ids of the transactions in progress (pg_current_snapshot), and changes when any of them
    ends. SQLite serialises writers, so there the ids grow in commit order.

    On a SQLite file the version is read again only when the database may have changed
    (see _sqlite_change_stamp): the query costs ~80 µs, the check ~10 µs, on every API read.
    On PostgreSQL, outside a transaction, it is read again only after PostgreSQL notified a
    commit to one of these tables (migration 0004, core.db_notices: a look at a socket
    instead of a round trip, ~0.4 ms a request on this machine), after a request of this
    process that may have written, and at least once a second.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Inside a transaction the version must be read in its snapshot, on its connection.
        noticed = _noticed_version()
        if noticed is not None:
            return str(noticed)
    stamp = _sqlite_change_stamp()
    if stamp is not None:
        memo = connection.__dict__.get("_technopark_registry_version")
        if memo is not None and memo[0] == stamp:
            return str(memo[1])
    version = _read_registry_version()
    if stamp is not None:
        connection.__dict__["_technopark_registry_version"] = (stamp, version)
    return version


def _sqlite_change_stamp() -> tuple[Any, int, int] | None:
    """What changes whenever a change is committed to this SQLite database file, or None.

    `PRAGMA data_version` changes when another connection commits (SQLite's own change
    counter, no table read) and `total_changes` counts this connection's own writes; the
    connection itself is part of the stamp, as both restart with a new one. Taken before the
    version is read, so that a commit in between changes the stamp again. None inside a
    transaction (a snapshot may be older than the last commit) and for in-memory databases
    (connections sharing one cache do not see each other's commits in data_version).
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    if cast(SQLiteDatabaseWrapper, connection).is_in_memory_db():
        return None
    connection.ensure_connection()
    raw = connection.connection
    (data_version,) = raw.execute("PRAGMA data_version").fetchone()
    return (raw, data_version, raw.total_changes)


def _read_registry_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgresql_version(cursor, connection.connection)
        cursor.execute(_version_sql(connection.vendor))
        return _version_string(list(cursor.fetchone()))


def _postgresql_version(cursor: Any, raw: Any) -> str:
    if raw not in _prepared:
        cursor.execute(f"PREPARE {VERSION_STATEMENT} AS {_version_sql('postgresql')}")
        _prepared.add(raw)
    cursor.execute(f"EXECUTE {VERSION_STATEMENT}")
    row = list(cursor.fetchone())
    # xmin:xmax:xip — only the transactions in progress matter, not the counters.
    row[-1] = str(row[-1]).rsplit(":", 1)[-1]
    return _version_string(row)


def _version_string(row: list[Any]) -> str:
    return "|".join("" if v is None else str(v) for v in row)


#: The NOTIFY channel of every commit that changed a table of VERSIONED_MODELS (statement
#: triggers on their history tables: parks migration 0004).
REGISTRY_CHANNEL = "technopark_registry"
#: Read again at least this often even without a notice (seconds): the bound on how stale a
#: read can be if notices stop arriving unnoticed (core.db_notices).
REGISTRY_NOTICES_MAX_AGE = 1.0
_registry_notices: NotifiedValue | None = None


def _noticed_version() -> str | None:
    """The registry version as of the last commit PostgreSQL notified, without a round trip
    (core.db_notices); None when notices are off (TECHNOPARK_REGISTRY_NOTICES=off) or there
    is no listening connection."""
    global _registry_notices
    if _registry_notices is None:
        if not settings.REGISTRY_NOTICES:
            return None
        _registry_notices = NotifiedValue(
            REGISTRY_CHANNEL,
            lambda cursor: _postgresql_version(cursor, cursor.connection),
            max_age=REGISTRY_NOTICES_MAX_AGE,
        )
    return cast("str | None", _registry_notices.get())


def close_registry_notices() -> None:
    """Close this process's listening connection (before its database is dropped: tests)."""
    if _registry_notices is not None:
        _registry_notices.close()


def registry_may_have_changed() -> None:
    """Read the version again on the next request of this process (it may have written)."""
    if _registry_notices is not None:
        _registry_notices.forget()


# ---- filtered lists ----------------------------------------------------------------------


def filtered(
    filterset_class: type[FilterSet],
    data: Mapping[str, Any] | None,
    queryset: QuerySet[Any],
    request: Any = None,
) -> FilterSet:
    """A bound FilterSet; `filterset.qs` is the filtered queryset when `is_valid()`."""
    return filterset_class(data=data or {}, queryset=queryset, request=request)


def park_filter(request: Any, data: Mapping[str, Any] | None = None) -> ParkFilterSet:
    data = request.GET if data is None else data
    return filtered(ParkFilterSet, data, park_queryset(request.user), request)


def site_filter(
    request: Any, data: Mapping[str, Any] | None = None, queryset: QuerySet[Site] | None = None
) -> SiteFilterSet:
    data = request.GET if data is None else data
    qs = site_queryset(request.user) if queryset is None else queryset
    return filtered(SiteFilterSet, data, qs, request)


# ---- single objects ----------------------------------------------------------------------


def get_visible(queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The object, or 404 — objects the user may not see do not exist for them."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def park_detail(*, user: AnyUser, park_id: str) -> Park:
    """A park with everything its page shows prefetched (sites are fetched separately)."""
    qs = park_queryset(user).prefetch_related(
        Prefetch("utilities", queryset=ParkUtility.objects.order_by("utility")),
        Prefetch("register_entries", queryset=RegisterEntry.objects.order_by("-date")),
    )
    return get_visible(qs, park_id=park_id)


@dataclass
class ParkDetailRows:
    """A park's row and its utilities' and register entries' rows, as `.values()` dicts."""

    park: dict[str, Any]
    utilities: list[dict[str, Any]]
    register_entries: list[dict[str, Any]]


# Stand for the one value a prepared query is run with (see prepared_values): values of the
# field's own type, so that the lookup prepares them as it would the real one, and that no
# real query holds.
_PARAMETERS: dict[type, Any] = {str: "\x00technopark parameter\x00", int: -(2**62) + 20261128}
_PREPARED_PER_CONNECTION = 256


def prepared_values(
    key: tuple[Any, ...], build: Callable[[Any], QuerySet[Any]], value: Any
) -> list[dict[str, Any]]:
    """The rows of `build(value)` (a `.values()` queryset), built and compiled once per
    connection and key.

    Building and compiling a `.values()` query costs several times running it (an uncached
    park detail spent ~70 % of its time there). `build` is called once with a stand-in of
    `value`'s type (a string or an integer) and must use it as one query parameter; `key` must
    name everything else the query depends on — for a restricted queryset, the caller's
    permission scope. The SQL is then run again with `value` in the stand-in's place, and the
    rows are converted by the compiler exactly as `.values()` converts them. Kept per
    connection, hence per thread.
    """
    store: dict[tuple[Any, ...], Any] = connection.__dict__.setdefault(
        "_technopark_prepared_values", {}
    )
    entry = store.get(key)
    if entry is None:
        parameter = _PARAMETERS[type(value)]
        queryset = build(parameter)
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = "", ()
        found = [i for i, p in enumerate(params) if type(p) is type(value) and p == parameter]
        if sql and len(found) != 1:
            raise ValueError(f"The value must be one parameter of the query {key!r}")
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        # What SQLCompiler.results_iter converts each column with (decimals and dates on
        # SQLite, JSON), looked up once: per query it cost as much as the query itself.
        converters = (
            compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            if sql
            else {}
        )
        if len(store) >= _PREPARED_PER_CONNECTION:
            store.clear()
        entry = store[key] = (sql, params, found[0] if sql else -1, compiler, converters, names)
    sql, params, where, compiler, converters, names = entry
    if not sql:  # the caller may see nothing of this kind
        return []
    params = list(params)
    params[where] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def park_detail_rows(
    *,
    user: AnyUser,
    scope: str,
    park_id: str,
    park_fields: tuple[str, ...],
    utility_fields: tuple[str, ...],
    register_entry_fields: tuple[str, ...],
) -> ParkDetailRows:
    """What park_detail reads, as plain rows: three prepared queries, no model instances.

    For the API, where building the instances and validating them through the response
    schema cost several times the queries themselves. `scope` names what the user may see
    (api.permission_scope: callers with one scope get the same restriction). Utilities and
    register entries come in park_detail's order; the park is the caller's to see (404
    otherwise).

    On PostgreSQL the utilities and register entries come in the park's row, as JSON arrays
    (one round trip instead of three: 0.52-0.59 ms against 1.19-1.31 on this machine, where a
    round trip costs ~0.4 ms; a psycopg pipeline of the three took 1.39-1.44).
    """
    read = _park_detail_row if connection.vendor == "postgresql" else _park_detail_rows_apart
    return read(user, scope, park_id, (park_fields, utility_fields, register_entry_fields))


# The park's, its utilities' and its register entries' fields, as park_detail_rows takes them.
DetailFields = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _visible_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The one row a detail query found; 404 when the caller may not see it (or it is none)."""
    if not rows:
        raise Http404
    return rows[0]


def _park_detail_rows_apart(
    user: AnyUser, scope: str, park_id: str, fields: DetailFields
) -> ParkDetailRows:
    park_fields, utility_fields, register_entry_fields = fields
    rows = prepared_values(
        ("park_detail", scope, park_fields),
        lambda value: (
            park_queryset(user).filter(park_id=value).order_by().values("pk", *park_fields)[:1]
        ),
        park_id,
    )
    park = _visible_row(rows)
    return ParkDetailRows(
        park=park,
        utilities=prepared_values(
            ("park_utilities", utility_fields),
            lambda value: (
                ParkUtility.objects.filter(park_id=value)
                .order_by("utility")
                .values(*utility_fields)
            ),
            park["pk"],
        ),
        register_entries=prepared_values(
            ("park_register_entries", register_entry_fields),
            lambda value: (
                RegisterEntry.objects.filter(park_id=value)
                .order_by("-date")
                .values(*register_entry_fields)
            ),
            park["pk"],
        ),
    )


def _park_detail_row(
    user: AnyUser, scope: str, park_id: str, fields: DetailFields
) -> ParkDetailRows:
    """park_detail_rows in one query: the related rows as arrays of JSON objects."""
    park_fields, utility_fields, register_entry_fields = fields
    utilities, read_utility = _json_rows(ParkUtility, utility_fields)
    entries, read_entry = _json_rows(RegisterEntry, register_entry_fields)
    rows = prepared_values(
        ("park_detail_row", scope, park_fields, utility_fields, register_entry_fields),
        lambda value: (
            park_queryset(user)
            .filter(park_id=value)
            .order_by()
            .values("pk", *park_fields)
            .annotate(
                _utilities=ArraySubquery(
                    ParkUtility.objects.filter(park_id=OuterRef("pk"))
                    .order_by("utility")
                    .values(row=utilities)
                ),
                _register_entries=ArraySubquery(
                    RegisterEntry.objects.filter(park_id=OuterRef("pk"))
                    .order_by("-date")
                    .values(row=entries)
                ),
            )[:1]
        ),
        park_id,
    )
    park = _visible_row(rows)
    return ParkDetailRows(
        park=park,
        utilities=[read_utility(row) for row in park.pop("_utilities")],
        register_entries=[read_entry(row) for row in park.pop("_register_entries")],
    )


@functools.cache  # built once per model and fields: building the expressions costs ~0.3 ms
def _json_rows(
    model: type[Model], fields: tuple[str, ...]
) -> tuple[JSONObject, Callable[[Any], dict[str, Any]]]:
    """A JSON object of `fields` for a subquery, and what turns one back into the dict
    `.values(*fields)` gives: decimals and dates travel as text (a JSON number would lose a
    decimal's scale), and are read back by their field; the other kinds are JSON's own."""
    columns: dict[str, Any] = {}
    typed: dict[str, Callable[[Any], Any]] = {}
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, DecimalField) or type(field) is DateField:
            columns[name] = Cast(name, TextField())
            typed[name] = field.to_python
        elif isinstance(field, _JSON_NATIVE):
            columns[name] = F(name)
        else:
            raise TypeError(f"{model.__name__}.{name}: no JSON form for {type(field).__name__}")

    def read(row: Any) -> dict[str, Any]:
        if isinstance(row, str):
            row = json.loads(row)
        for name, convert in typed.items():
            if row[name] is not None:
                row[name] = convert(row[name])
        return {name: row[name] for name in fields}

    return JSONObject(**columns), read


# Field kinds whose values JSON keeps as `.values()` gives them (text, integers, booleans).
_JSON_NATIVE = (CharField, TextField, IntegerField, AutoField, BooleanField, ForeignKey)


def park_residents(*, user: AnyUser, park: Park) -> QuerySet[Resident]:
    return resident_queryset(user).filter(park=park).order_by("organization__name")


def site_detail(*, user: AnyUser, site_id: str) -> Site:
    qs = (
        site_queryset(user)
        .select_related("park__operator")
        .prefetch_related(
            Prefetch("park__utilities", queryset=ParkUtility.objects.order_by("utility"))
        )
    )
    return get_visible(qs, site_id=site_id)


def sites_for_comparison(*, user: AnyUser, site_ids: Iterable[str]) -> list[Site]:
    """Up to five visible sites in the order asked for; unknown or hidden ids are dropped."""
    wanted: list[str] = []
    for sid in site_ids:
        sid = sid.strip()
        if sid and sid not in wanted:
            wanted.append(sid)
    wanted = wanted[:MAX_COMPARED_SITES]
    found = {s.site_id: s for s in site_queryset(user).filter(site_id__in=wanted)}
    return [found[sid] for sid in wanted if sid in found]


def park_stats(parks: QuerySet[Park]) -> dict[str, int]:
    return parks.aggregate(total=Count("pk"), on_map=Count("pk", filter=Q(lat__isnull=False)))


# ---- map ---------------------------------------------------------------------------------

# A cluster is what falls into one square of this many screen pixels at the current zoom.
CLUSTER_CELL_PX = 48
TILE_PX = 256


@dataclass
class MapData:
    points: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    unplaced: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "clusters": self.clusters,
            "total": self.total,
            "unplaced": self.unplaced,
        }


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates at `zoom` (what Leaflet draws)."""
    scale = TILE_PX * 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def map_data(
    parks: QuerySet[Park],
    *,
    zoom: int,
    bbox: tuple[float, float, float, float] | None = None,
    language: str = "en",
) -> MapData:
    """Markers of the filtered parks: single parks as points, crowded ones as grid clusters.

    Clustering is a grid in screen pixels computed here, so the browser gets at most a few
    hundred markers whatever the number of parks. `bbox` (south, west, north, east) limits
    the markers to the visible part of the map.
    """
    zoom = max(0, min(zoom, 18))
    placed = parks.filter(lat__isnull=False, lon__isnull=False)
    result = MapData()
    counts = parks.aggregate(total=Count("pk"), placed=Count("pk", filter=Q(lat__isnull=False)))
    result.total = counts["total"]
    result.unplaced = counts["total"] - counts["placed"]
    if bbox is not None:
        south, west, north, east = bbox
        pad_lat, pad_lon = (north - south) * 0.1, (east - west) * 0.1
        placed = placed.filter(lat__gte=south - pad_lat, lat__lte=north + pad_lat)
        if east - west < 350:
            placed = placed.filter(lon__gte=west - pad_lon, lon__lte=east + pad_lon)
    name_field = {"ru": "name_ru", "uz": "name_uz"}.get(language[:2])
    columns = ["park_id", "name", "lat", "lon", "coord_precision", "kind"]
    if name_field:
        columns.append(name_field)
    cells: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for row in placed.order_by().values_list(*columns):
        x, y = _pixel(row[2], row[3], zoom)
        cells.setdefault((int(x // CLUSTER_CELL_PX), int(y // CLUSTER_CELL_PX)), []).append(row)
    for members in cells.values():
        if len(members) == 1:
            park_id, name, lat, lon, precision, kind, *localized = members[0]
            result.points.append(
                {
                    "id": park_id,
                    "name": (localized[0] if localized and localized[0] else name),
                    "lat": lat,
                    "lon": lon,
                    "precision": precision or "city",
                    "kind": kind,
                }
            )
        else:
            result.clusters.append(
                {
                    "lat": sum(m[2] for m in members) / len(members),
                    "lon": sum(m[3] for m in members) / len(members),
                    "count": len(members),
                    "south": min(m[2] for m in members),
                    "west": min(m[3] for m in members),
                    "north": max(m[2] for m in members),
                    "east": max(m[3] for m in members),
                }
            )
    return result


# ---- history -----------------------------------------------------------------------------


def may_see_history(user: AnyUser, park: Park) -> bool:
    """Change history is for staff: administrators, analysts and the park's own operators."""
    if user is None or not user.is_authenticated:
        return False
    return is_administrator(user) or is_analyst(user) or can(user, Action.CHANGE, park)


@dataclass
class HistoryEntry:
    when: Any
    user: Any
    kind: str
    object_label: str
    object_type: str
    reason: str
    changes: list[dict[str, Any]]


# Bookkeeping columns that change on every save and say nothing to a reader.
HISTORY_IGNORED_FIELDS = {"updated", "created"}


def _field_label(model: Any, name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:  # a field since removed from the model
        return name


def park_history(*, park: Park, limit: int = 50) -> list[HistoryEntry]:
    """The latest changes to a park, its sites and utilities, each with before/after values."""
    records = chain(
        park.history.select_related("history_user").order_by("-history_date")[:limit],
        Site.history.filter(park_id=park.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit],
        ParkUtility.history.filter(park_id=park.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit],
    )
    ordered = sorted(records, key=lambda r: r.history_date, reverse=True)[:limit]
    entries = []
    for record in ordered:
        model = record.instance_type
        if model is ParkUtility:
            label = record.get_utility_display()
        elif model is Site:
            label = record.name or record.site_id
        else:
            label = record.name
        changes = diff_against_previous(record) if record.history_type == "~" else []
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                kind=record.history_type,
                object_label=label,
                object_type=str(model._meta.verbose_name),
                reason=record.history_change_reason or "",
                changes=[
                    {**c, "label": _field_label(model, c["field"])}
                    for c in changes
                    if c["field"] not in HISTORY_IGNORED_FIELDS
                ],
            )
        )
    return entries


# ---- transport ---------------------------------------------------------------------------

TRANSPORT_FIELDS = (
    "dist_airport_km",
    "dist_rail_km",
    "dist_port_km",
    "dist_highway_km",
    "dist_border_km",
)


def park_transport(*, user: AnyUser, park: Park) -> list[dict[str, Any]]:
    """Distances from the park's sites to transport: nearest and farthest site, per mode."""
    sites = site_queryset(user).filter(park=park)
    aggregates: dict[str, Any] = {}
    for name in TRANSPORT_FIELDS:
        aggregates[f"{name}__min"] = Min(name)
        aggregates[f"{name}__max"] = Max(name)
    values = sites.aggregate(**aggregates)
    rows = []
    for name in TRANSPORT_FIELDS:
        low, high = values[f"{name}__min"], values[f"{name}__max"]
        if low is not None:
            rows.append({"label": _field_label(Site, name), "min": low, "max": high})
    return rows
