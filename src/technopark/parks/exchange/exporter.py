"""Export parks or sites in the exchange schema: the exact files `technopark import` reads.

Output is deterministic: rows ordered by park_id / site_id, decimals written without trailing
zeros or exponents (12.5, 100), floats as the shortest text that reads back the same, booleans
as true/false, unknown values as empty cells, as-of dates with their own precision.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from technopark.core.models import format_as_of
from technopark.core.permissions import Action, AnyUser, restrict
from technopark.parks.exchange.schema import Column, Entity, Kind, columns_of
from technopark.parks.exchange.writers import write_csv, write_geojson, write_xlsx
from technopark.parks.models import Park, ParkUtility, Site

FORMATS = ("csv", "xlsx", "geojson")


def decimal_text(value: Decimal | None) -> str:
    """12.5000 -> '12.5', 100.0000 -> '100', None -> ''."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def float_text(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _lookup(column: Column, entity: Entity) -> str:
    """The ORM path whose value the column shows."""
    kind = column.kind
    if kind == Kind.COUNTRY:
        return "country_id"
    if kind == Kind.REGION:
        return "region__name"
    if kind == Kind.ORGANIZATION:
        return f"{column.db_field.removesuffix('_id')}__name"
    if kind == Kind.PARK_REF:
        return "park__park_id"
    return column.db_field


def _formatter(column: Column) -> Any:
    kind = column.kind
    if kind in (Kind.DECIMAL, Kind.UTILITY):
        return decimal_text
    if kind == Kind.FLOAT:
        return float_text
    if kind == Kind.INT:
        return lambda v: "" if v is None else str(v)
    if kind == Kind.BOOL:
        return lambda v: "" if v is None else ("true" if v else "false")
    if kind in (Kind.ISIC_LIST, Kind.TEXT_LIST):
        return lambda v: ";".join(v or [])
    if kind == Kind.GEOMETRY:
        return lambda v: (
            "" if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        )
    return lambda v: "" if v is None else str(v)


def table_rows(entity: Entity, queryset: QuerySet[Any] | None = None) -> Iterator[list[str]]:
    """Every row of the entity as exchange text, in id order."""
    columns = columns_of(entity)
    model = Park if entity == Entity.PARKS else Site
    queryset = queryset if queryset is not None else model.objects.all()
    id_name = "park_id" if entity == Entity.PARKS else "site_id"
    lookups: list[str] = ["id", "as_of_precision"]
    plan: list[tuple[int, Any, Column]] = []
    for column in columns:
        if column.kind == Kind.UTILITY:
            plan.append((-1, None, column))
            continue
        lookups.append(_lookup(column, entity))
        plan.append((len(lookups) - 1, _formatter(column), column))
    utilities: dict[tuple[int, str], Decimal | None] = {}
    if entity == Entity.PARKS:
        utilities = {
            (p, u): free
            for p, u, free in ParkUtility.objects.values_list("park_id", "utility", "free_capacity")
        }
    values = queryset.order_by(id_name).values_list(*lookups)
    for record in values.iterator(chunk_size=5000):
        row = []
        for at, fmt, column in plan:
            if column.kind == Kind.UTILITY:
                row.append(decimal_text(utilities.get((record[0], column.utility))))
            elif column.kind == Kind.AS_OF:
                row.append(format_as_of(record[at], record[1]))
            else:
                row.append(fmt(record[at]))
        yield row


def export_table(
    entity: Entity | str,
    fmt: str,
    target: Path | IO[Any],
    *,
    user: AnyUser = None,
    as_system: bool = True,
) -> int:
    """Write every park or site (those `user` may view, unless as the system) to `target`.

    `target` is a path, or for csv and geojson a text stream (e.g. stdout).
    """
    entity = Entity(entity)
    model: type[Park] | type[Site] = Park if entity == Entity.PARKS else Site
    queryset: QuerySet[Any] = model.objects.all()
    if not as_system:
        queryset = restrict(queryset, user, Action.VIEW)
    rows = table_rows(entity, queryset)
    columns = columns_of(entity)
    if fmt == "xlsx":
        return write_xlsx(columns, rows, target, entity.value)
    if isinstance(target, Path):
        with open(target, "w", encoding="utf-8", newline="") as out:
            return _write_text(entity, fmt, columns, rows, out)
    return _write_text(entity, fmt, columns, rows, target)


def _write_text(
    entity: Entity, fmt: str, columns: tuple[Column, ...], rows: Any, out: IO[str]
) -> int:
    if fmt == "csv":
        return write_csv(columns, rows, out)
    if fmt == "geojson":
        return write_geojson(entity, columns, rows, out)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def format_from_name(name: str) -> str | None:
    suffix = Path(name).suffix.lower().lstrip(".")
    return {"csv": "csv", "xlsx": "xlsx", "geojson": "geojson", "json": "geojson"}.get(suffix)
