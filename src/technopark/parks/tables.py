"""Table definitions for registry lists: which columns, how each sorts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    ordering: str = ""  # the OrderingFilter value; "" when the column does not sort
    numeric: bool = False


@dataclass(frozen=True)
class HeaderCell:
    column: Column
    direction: str  # "ascending", "descending" or "" (for aria-sort)
    next_ordering: str


SITE_COLUMNS: tuple[Column, ...] = (
    Column("site", _("Site"), "site_id"),
    Column("kind", _("Kind")),
    Column("status", _("Status"), "status"),
    Column("area_ha", _("Land, ha"), "area_ha", numeric=True),
    Column("area_m2", _("Floor, m²"), "area_m2", numeric=True),
    Column("sale_price", _("Sale price"), "sale_price", numeric=True),
    Column("lease_per_year", _("Lease per year"), "lease_per_year", numeric=True),
    Column("electricity_mw", _("Electricity, MW"), "electricity_mw", numeric=True),
    Column("as_of", _("Data as of")),
)


def header(columns: tuple[Column, ...], ordering: str) -> list[HeaderCell]:
    """Header cells: the current sort direction and the ordering a click on each would ask."""
    cells = []
    for column in columns:
        direction = ""
        next_ordering = column.ordering
        if column.ordering and ordering == column.ordering:
            direction, next_ordering = "ascending", f"-{column.ordering}"
        elif column.ordering and ordering == f"-{column.ordering}":
            direction, next_ordering = "descending", column.ordering
        cells.append(HeaderCell(column, direction, next_ordering))
    return cells


def current_ordering(data: Any) -> str:
    value = data.get("ordering", "") if data else ""
    return value.split(",")[0] if value else ""
