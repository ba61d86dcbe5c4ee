"""Import parks and sites from exchange files: everything is checked; nothing is written unless
everything is good.

`import_files()` is the one function behind `technopark import`, the benchmark and any future
upload view. Two phases run over the same batches:

1. Check. Every file is read in batches; each batch is cleaned column by column (see
   `cleaning`), cross-checked row by row, compared with what the database holds (upsert by
   park_id / site_id) and checked against the permissions of the user (core.permissions).
   Every problem is collected with its file, row and column.
2. Write, in one transaction opened before the first batch is checked, with one change
   request id (core.history.change_context): while no problem has been found, each checked
   batch is written at once — new rows inserted with explicit primary keys and their '+'
   history rows, existing rows updated with their '~' history rows, all in bulk (executemany
   on SQLite, COPY on PostgreSQL, where a writer thread overlaps it with the checking of the
   next batch) — the same history rows django-simple-history writes, with the user, the
   reason "import FILE" and the request id. If any problem is found, in any batch, or a write
   fails, the transaction is rolled back: the database is left as it was. A dry run opens no
   transaction and writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import queue
import re
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from technopark.core.history import change_context
from technopark.core.permissions import Action, AnyUser, can, is_administrator
from technopark.geo.models import Country, Region
from technopark.parks.choices import OrganizationKind, SiteKind
from technopark.parks.exchange.cleaning import KEEP, clean_column
from technopark.parks.exchange.readers import (
    FILE_LEVEL,
    Batch,
    Problem,
    Table,
    UnreadableFile,
    open_tables,
)
from technopark.parks.exchange.schema import ID_COLUMN, Column, Entity, Kind, columns_of
from technopark.parks.models import Organization, Park, ParkUtility, Site
from technopark.parks.services.reference import COUNTRIES, ensure_countries

BATCH_ROWS = 20_000
# On PostgreSQL, a table that is empty when an import first writes this many rows into it gets
# its secondary indexes and foreign keys built once after the load instead of row by row (see
# _Writer.bulk_load).
BULK_MIN_ROWS = BATCH_ROWS
PIPELINE_BATCHES = 2  # checked batches waiting for the writer: bounds the memory used
SQLITE_CACHE_KIB = -256 * 1024  # negative: KiB, i.e. 256 MiB
MODELS: dict[Entity, type[models.Model]] = {Entity.PARKS: Park, Entity.SITES: Site}
HISTORY_EXTRA = [
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "request_id",
]


def main_fields(entity: Entity) -> list[str]:
    """The model's columns that an exchange row fills (all but id and the timestamps)."""
    model = MODELS[entity]
    skip = {"id", "created", "updated"}
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or with errors, would have done)."""

    files: list[str]
    created: dict[str, int] = field(default_factory=lambda: {e.value: 0 for e in Entity})
    updated: dict[str, int] = field(default_factory=lambda: {e.value: 0 for e in Entity})
    unchanged: dict[str, int] = field(default_factory=lambda: {e.value: 0 for e in Entity})
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    request_id: str | None = None
    seconds: float = 0.0
    check_seconds: float = 0.0
    write_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
            "by_entity": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            },
            "rows": self.rows,
            "dry_run": self.dry_run,
            "written": self.written,
            "request_id": self.request_id,
            "seconds": round(self.seconds, 3),
            "check_seconds": round(self.check_seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
            "errors": [p.as_dict() for p in self.errors],
        }


class _Directory:
    """What the database already holds that rows refer to, cached for the whole run."""

    def __init__(self) -> None:
        self.countries = set(Country.objects.values_list("code", flat=True)) | set(COUNTRIES)
        self.country_codes_in_db = set(Country.objects.values_list("code", flat=True))
        self.organizations: dict[str, int] = dict(Organization.objects.values_list("name", "id"))
        self.regions: dict[tuple[str, str], int] = {
            (c, n): i for i, c, n in Region.objects.values_list("id", "country_id", "name")
        }
        self.region_country: dict[int, str] = {i: c for (c, _n), i in self.regions.items()}
        # park_id -> (pk, operator_id); None when known not to exist.
        self.parks: dict[str, tuple[int, int | None] | None] = {}
        self.park_operator_by_pk: dict[int, int | None] = {}
        # Parks of this import: park_id -> operator (an id, a new organization's name or None).
        self.parks_in_run: dict[str, Any] = {}
        self.new_organizations: dict[str, str] = {}  # name -> label of the file that needs it
        self.new_regions: set[tuple[str, str]] = set()
        self.new_countries: set[str] = set()
        self.lock: Any = contextlib.nullcontext()  # held while querying (see _Pipeline)

    def load_parks(self, park_ids: Iterable[str]) -> None:
        missing = [p for p in set(park_ids) if p not in self.parks]
        for chunk in _chunks(missing, 900):
            with self.lock:
                found = {
                    pid: (pk, op)
                    for pk, pid, op in Park.objects.filter(park_id__in=chunk).values_list(
                        "id", "park_id", "operator_id"
                    )
                }
            for pid in chunk:
                self.parks[pid] = found.get(pid)
            for pk, op in found.values():
                self.park_operator_by_pk[pk] = op

    def load_park_pks(self, pks: Iterable[int]) -> None:
        missing = [p for p in set(pks) if p not in self.park_operator_by_pk]
        for chunk in _chunks(missing, 900):
            with self.lock:
                self.park_operator_by_pk.update(
                    Park.objects.filter(pk__in=chunk).values_list("id", "operator_id")
                )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Permissions:
    """core.permissions' answers for this run's user, asked once per operator."""

    def __init__(self, user: AnyUser) -> None:
        self.user = user
        self.system = user is None
        self.admin = self.system or is_administrator(user)
        self._cache: dict[tuple[str, str, int | None], bool] = {}
        self.lock: Any = contextlib.nullcontext()  # held while asking (see _Pipeline)

    def park(self, action: Action, operator_id: int | None) -> bool:
        if self.admin:
            return True
        key = ("park", action.value, operator_id)
        if key not in self._cache:
            with self.lock:
                self._cache[key] = can(self.user, action, Park(operator_id=operator_id))
        return self._cache[key]

    def site(self, action: Action, operator_id: int | None) -> bool:
        if self.admin:
            return True
        key = ("site", action.value, operator_id)
        if key not in self._cache:
            park = Park(operator_id=operator_id)
            with self.lock:
                self._cache[key] = can(self.user, action, Site(park=park))
        return self._cache[key]

    def add_reference(self, model: type[models.Model]) -> bool:
        """Organizations and regions are reference data: administrators add them."""
        if self.admin:
            return True
        with self.lock:
            return can(self.user, Action.ADD, model())


class _Checker:
    """Phase 1: check every batch, collect problems, spool the checked rows."""

    def __init__(self, user: AnyUser, report: ImportReport) -> None:
        self.user = user
        self.report = report
        self.perms = _Permissions(user)
        self.directory = _Directory()
        self.seen: dict[Entity, dict[str, int]] = {e: {} for e in Entity}
        self.fields = {e: main_fields(e) for e in Entity}
        self.index = {e: {f: i for i, f in enumerate(self.fields[e])} for e in Entity}
        self.defaults = {e: _defaults(MODELS[e], self.fields[e]) for e in Entity}
        self.table_has_rows = {e: MODELS[e]._default_manager.exists() for e in Entity}
        # Where checked rows go while no error has been found (None on a dry run), and what
        # is held while the checks query the database (see _Pipeline).
        self.sink: Any = None
        self.db_lock: Any = contextlib.nullcontext()
        self._bad: set[int] = set()
        self._comparers: dict[Entity, list[Any]] = {}

    def share_connection(self, sink: Any, lock: Any) -> None:
        """Send checked rows to `sink`, and hold `lock` for every query the checks make: the
        only places they touch the database are the directory, the permissions and the
        stored rows of an upsert."""
        self.sink = sink
        self.db_lock = self.directory.lock = self.perms.lock = lock

    # -- problems ------------------------------------------------------------------------

    def problem(self, label: str, row: int, column: str, message: str) -> None:
        self.report.errors.append(Problem(label, row, column, message))

    # -- tables --------------------------------------------------------------------------

    def check_header(self, table: Table) -> bool:
        """Report unknown and repeated columns. Rows are still checked, without the unknown
        columns, so that one run reports every error; a repeated column stops the table."""
        known = {c.name for c in columns_of(table.entity)}
        ok = True
        seen: set[str] = set()
        for name in table.header:
            if name not in known:
                hint = "" if name else " (an empty column name)"
                self.problem(
                    table.label,
                    table.header_row,
                    name or FILE_LEVEL,
                    f"unknown column{hint}; the {table.entity.value} columns are: "
                    + ", ".join(c.name for c in columns_of(table.entity)),
                )
            elif name in seen:
                self.problem(table.label, table.header_row, name, "the column appears twice")
                ok = False
            seen.add(name)
        return ok

    def check_batch(self, table: Table, batch: Batch) -> None:
        entity = table.entity
        self.report.errors += batch.problems
        if not batch.rows:
            return
        self.report.rows += len(batch.rows)
        label, numbers = table.label, batch.numbers
        header = table.header
        columns = {c.name: c for c in columns_of(entity)}
        cells_by_column = list(zip(*batch.rows, strict=True))
        bad: set[int] = set()
        self._bad = bad  # rows with a cell error: their cross-checks would only repeat it
        cleaned: dict[str, list[Any]] = {}

        def fail(i: int, column: str, message: str) -> None:
            bad.add(i)
            self.problem(label, numbers[i], column, message)

        for position, name in enumerate(header):
            column = columns.get(name)
            if column is None:
                continue  # an unknown column, reported with the header
            values, errors = clean_column(column, cells_by_column[position])
            for i, message in errors:
                fail(i, name, message)
            cleaned[name] = values
            if column.required and column.kind != Kind.ID and (None in values or "" in values):
                for i, v in enumerate(values):
                    if (v is None or v == "") and i not in bad:
                        fail(i, name, "required, but empty")

        checked = self._cross_check(entity, label, numbers, cleaned, columns, fail)
        if self.report.errors:
            return  # nothing will be written: stop writing, keep checking
        creates, updates, utilities, unchanged = checked
        self.report.unchanged[entity.value] += unchanged
        self.report.created[entity.value] += len(creates)
        self.report.updated[entity.value] += len(updates)
        if self.sink is not None:
            self.sink(entity, creates, updates, utilities)

    def _cross_check(
        self,
        entity: Entity,
        label: str,
        numbers: list[int],
        cleaned: dict[str, list[Any]],
        columns: dict[str, Column],
        fail: Any,
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[Any], int]:
        """Rows against each other, the database and the permissions: (rows to create, rows
        to update, park utilities, number of unchanged rows)."""
        id_name = ID_COLUMN[entity]
        ids = cleaned[id_name]
        if entity == Entity.SITES:  # known before rows are compared with the stored ones
            self.directory.load_parks(p for p in cleaned["park_id"] if p)
        self._check_duplicates(entity, label, numbers, ids, fail)
        existing = self._existing(entity, [i for i in ids if i is not None])

        fields = self.fields[entity]
        fidx = self.index[entity]
        defaults = self.defaults[entity]
        given = [False] * len(fields)
        per_field: list[Any] = [None] * len(fields)
        for name, values in cleaned.items():
            column = columns[name]
            if column.kind == Kind.UTILITY:
                continue
            if column.kind == Kind.AS_OF:
                per_field[fidx["as_of"]] = [v[0] if v else None for v in values]
                per_field[fidx["as_of_precision"]] = [v[1] if v else "day" for v in values]
                given[fidx["as_of"]] = given[fidx["as_of_precision"]] = True
                continue
            per_field[fidx[column.db_field]] = values
            given[fidx[column.db_field]] = True
        sequences = [
            seq if seq is not None else itertools.repeat(defaults[j])
            for j, seq in enumerate(per_field)
        ]
        rows = list(zip(*sequences, strict=False)) if any(given) else []  # repeat() is endless
        # Only a GeoJSON park's boundary can be "not given" (a Point feature): look there.
        keep_fields = [
            fidx[c.db_field]
            for name, c in columns.items()
            if c.kind == Kind.GEOMETRY and name in cleaned and any(v is KEEP for v in cleaned[name])
        ]

        creates: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        created_numbers: list[int] = []
        updated_numbers: list[int] = []
        unchanged = 0
        # A park row whose own fields are unchanged may still change its utilities.
        skip_unchanged = entity == Entity.SITES or not any(
            columns[name].kind == Kind.UTILITY for name in cleaned
        )
        if not existing and not keep_fields:
            creates, created_numbers = rows, list(range(len(rows)))
            rows = []
        for i, row in enumerate(rows):
            old = existing.get(ids[i]) if ids[i] is not None else None
            if old is None:
                if keep_fields:
                    row = tuple(
                        defaults[j] if j in keep_fields and v is KEEP else v
                        for j, v in enumerate(row)
                    )
                creates.append(row)
                created_numbers.append(i)
            else:
                old_fields = old[2:]
                merged = tuple(
                    row[j] if given[j] and row[j] is not KEEP else old_fields[j]
                    for j in range(len(fields))
                )
                if skip_unchanged and self._unchanged(entity, old_fields, merged):
                    unchanged += 1
                    continue
                updates.append((old[0], old[1], *merged))
                updated_numbers.append(i)

        if entity == Entity.PARKS:
            utilities = self._check_parks(
                label,
                numbers,
                cleaned,
                creates,
                updates,
                created_numbers,
                updated_numbers,
                existing,
                ids,
                fail,
            )
        else:
            utilities = []
            self._check_sites(
                label,
                numbers,
                cleaned,
                creates,
                updates,
                created_numbers,
                updated_numbers,
                existing,
                ids,
                fail,
            )

        return creates, updates, utilities, unchanged

    def _unchanged(self, entity: Entity, stored: tuple[Any, ...], merged: tuple[Any, ...]) -> bool:
        """Whether a merged row holds what is stored (values as the driver returned them on
        one side, as checked text and names on the other)."""
        if entity not in self._comparers:
            self._comparers[entity] = _comparers(MODELS[entity], self.fields[entity])
        d = self.directory
        at = self.index[entity]
        for j, (compare, old, new) in enumerate(
            zip(self._comparers[entity], stored, merged, strict=True)
        ):
            if new is old:
                continue
            if isinstance(new, str) and compare is _same_id:
                name = self.fields[entity][j]
                if name == "park_id":
                    known = d.parks.get(new)
                    new = known[0] if known else None
                elif name == "region_id":
                    new = d.regions.get((merged[at["country_id"]], new))
                else:
                    new = d.organizations.get(new)
                if new is None:
                    return False
            if not compare(old, new):
                return False
        return True

    def _check_duplicates(
        self, entity: Entity, label: str, numbers: list[int], ids: list[Any], fail: Any
    ) -> None:
        seen = self.seen[entity]
        present = [i for i in ids if i is not None]
        if len(set(present)) == len(present) and seen.keys().isdisjoint(present):
            seen.update(zip(ids, numbers, strict=True))
            seen.pop(None, None)  # type: ignore[call-overload]
            return
        for i, value in enumerate(ids):
            if value is None:
                continue
            if value in seen:
                fail(
                    i,
                    ID_COLUMN[entity],
                    f"duplicate {ID_COLUMN[entity]} {value!r}: also on row {seen[value]}",
                )
            else:
                seen[value] = numbers[i]

    def _existing(self, entity: Entity, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        """Stored rows with these ids: id -> (pk, created, *main fields), as the driver gives."""
        if not ids or not self.table_has_rows[entity]:
            return {}
        model = MODELS[entity]
        table = model._meta.db_table
        columns = _columns(model, ["id", "created", *self.fields[entity]])
        id_column = _columns(model, [ID_COLUMN[entity]])[0]
        key_at = 2 + self.index[entity][ID_COLUMN[entity]]
        found: dict[str, tuple[Any, ...]] = {}
        qn = connection.ops.quote_name
        with self.db_lock, connection.cursor() as cursor:
            for chunk in _chunks(ids, 900):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {', '.join(map(qn, columns))} FROM {qn(table)} "  # noqa: S608
                    f"WHERE {qn(id_column)} IN ({marks})",
                    list(chunk),
                )
                for row in cursor.fetchall():
                    found[row[key_at]] = tuple(row)
        return found

    # -- parks ---------------------------------------------------------------------------

    def _check_parks(
        self,
        label: str,
        numbers: list[int],
        cleaned: dict[str, list[Any]],
        creates: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        created_numbers: list[int],
        updated_numbers: list[int],
        existing: dict[str, tuple[Any, ...]],
        ids: list[Any],
        fail: Any,
    ) -> list[tuple[str, dict[str, Any]]]:
        d = self.directory
        f = self.index[Entity.PARKS]
        header = set(cleaned)
        for name in ("name", "kind", "country"):
            if name not in header:
                for i in created_numbers:
                    fail(i, name, f"required for a new park, but the file has no {name} column")
        for i, code in enumerate(cleaned.get("country", [])):
            if code and code not in d.countries:
                fail(
                    i,
                    "country",
                    f"{code!r} is not a known country; allowed: " + ", ".join(sorted(d.countries)),
                )
            elif code and code not in d.country_codes_in_db:
                d.new_countries.add(code)

        def check_row(i: int, row: tuple[Any, ...], old_operator: Any, is_new: bool) -> None:
            if i in self._bad:
                d.parks_in_run[row[f["park_id"]]] = row[f["operator_id"]]
                return
            lat, lon = row[f["lat"]], row[f["lon"]]
            if (lat is None) != (lon is None):
                fail(
                    i,
                    "lon" if lon is None else "lat",
                    "latitude and longitude are given together or not at all",
                )
            if lat is not None and not row[f["coord_precision"]]:
                fail(
                    i,
                    "coord_precision",
                    "required with lat/lon: say whether the point is the park itself (site) "
                    "or its town (city)",
                )
            if row[f["investment_amount"]] is not None and not row[f["investment_currency"]]:
                fail(i, "investment_currency", "required when investment_amount is given")
            total, free = row[f["area_total_ha"]], row[f["area_free_ha"]]
            if total is not None and free is not None and Decimal(str(free)) > Decimal(str(total)):
                fail(
                    i,
                    "area_free_ha",
                    f"the free area ({free} ha) exceeds the total area ({total} ha)",
                )
            country = row[f["country_id"]]
            region = row[f["region_id"]]
            if isinstance(region, str) and country:
                if (country, region) not in d.regions:
                    if not self.perms.add_reference(Region):
                        fail(
                            i,
                            "region",
                            f"{region!r} is not a region of {country}, and only an "
                            "administrator may add one",
                        )
                    d.new_regions.add((country, region))
            elif isinstance(region, int) and d.region_country.get(region) != country:
                fail(
                    i,
                    "region",
                    f"the park's stored region is not in {country}; give the region too",
                )
            operator = self._organization(i, row[f["operator_id"]], "operator", label, fail)
            self._organization(i, row[f["owner_id"]], "owner", label, fail)
            action = Action.ADD if is_new else Action.CHANGE
            operator_id = operator if isinstance(operator, int) else None
            if not self.perms.park(action, operator_id) or (
                not is_new and not self.perms.park(Action.CHANGE, old_operator)
            ):
                who = getattr(self.user, "username", "")
                fail(
                    i,
                    "operator" if not is_new else "park_id",
                    f"{who} may not {action.value} park {row[f['park_id']]!r}"
                    + (" with this operator" if is_new else ""),
                )
            d.parks_in_run[row[f["park_id"]]] = operator

        for i, row in zip(created_numbers, creates, strict=True):
            check_row(i, row, None, True)
        for i, row in zip(updated_numbers, updates, strict=True):
            old = existing[ids[i]]
            check_row(i, row[2:], old[2 + f["operator_id"]], False)

        utility_columns = [
            c for c in columns_of(Entity.PARKS) if c.kind == Kind.UTILITY and c.name in cleaned
        ]
        if not utility_columns:
            return []
        out = []
        for i, park_id in enumerate(ids):
            if park_id is not None:
                out.append((park_id, {c.utility: cleaned[c.name][i] for c in utility_columns}))
        return out

    def _organization(self, i: int, value: Any, column: str, label: str, fail: Any) -> Any:
        if not isinstance(value, str):
            return value
        d = self.directory
        if value in d.organizations:
            return d.organizations[value]
        if not self.perms.add_reference(Organization):
            fail(
                i,
                column,
                f"organization {value!r} does not exist, and only an administrator may add one",
            )
        d.new_organizations.setdefault(value, label)
        return value

    # -- sites ---------------------------------------------------------------------------

    def _check_sites(
        self,
        label: str,
        numbers: list[int],
        cleaned: dict[str, list[Any]],
        creates: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        created_numbers: list[int],
        updated_numbers: list[int],
        existing: dict[str, tuple[Any, ...]],
        ids: list[Any],
        fail: Any,
    ) -> None:
        d = self.directory
        f = self.index[Entity.SITES]
        header = set(cleaned)
        if "kind" not in header:
            for i in created_numbers:
                fail(i, "kind", "required for a new site, but the file has no kind column")
        park_refs = cleaned["park_id"]

        operator_of: dict[str, Any] = {}
        for ref in set(park_refs):
            if not ref:
                continue
            if ref in d.parks_in_run:
                operator_of[ref] = d.parks_in_run[ref]
            elif d.parks.get(ref) is not None:
                operator_of[ref] = d.parks[ref][1]  # type: ignore[index]
        unknown = {r for r in set(park_refs) if r and r not in operator_of}
        if unknown:
            for i, ref in enumerate(park_refs):
                if ref in unknown:
                    fail(
                        i,
                        "park_id",
                        f"unknown park {ref!r}: it is neither in the database nor in this import",
                    )

        i_cur, i_sale, i_lease = f["currency"], f["sale_price"], f["lease_per_year"]
        i_kind, i_ha, i_m2, i_owner = f["kind"], f["area_ha"], f["area_m2"], f["owner_id"]
        i_park = f["park_id"]
        perms = self.perms
        who = getattr(self.user, "username", "")
        if not perms.admin and updates:
            d.load_park_pks(existing[ids[i]][2 + i_park] for i in updated_numbers)
        for rows, row_numbers, offset, action in (
            (creates, created_numbers, 0, Action.ADD),
            (updates, updated_numbers, 2, Action.CHANGE),
        ):
            for i, full in zip(row_numbers, rows, strict=True):
                if i in self._bad:
                    continue
                row = full[offset:] if offset else full
                if (row[i_sale] is not None or row[i_lease] is not None) and not row[i_cur]:
                    fail(i, "currency", "required when sale_price or lease_per_year is given")
                if row[i_kind] == SiteKind.PREMISES and row[i_m2] is None and row[i_ha] is None:
                    fail(i, "area_m2", "required for premises (or give area_ha)")
                if isinstance(row[i_owner], str):
                    self._organization(i, row[i_owner], "owner", label, fail)
                if perms.admin:
                    continue
                ref = row[i_park]
                if ref not in operator_of:
                    continue  # already reported as an unknown park
                operator = operator_of[ref]
                allowed = perms.site(action, operator if isinstance(operator, int) else None)
                if allowed and action == Action.CHANGE:
                    # Changing or moving a site also needs the right to change it where it is.
                    stored_park = existing[ids[i]][2 + i_park]
                    allowed = perms.site(Action.CHANGE, d.park_operator_by_pk.get(stored_park))
                if not allowed:
                    fail(i, "park_id", f"{who} may not {action.value} sites of park {ref!r}")


def _same_text(old: Any, new: Any) -> bool:
    return (old or "") == (new or "")


def _same_number(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return Decimal(str(old)) == Decimal(str(new))


def _same_float(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return float(old) == float(new)


def _same_id(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return int(old) == int(new)


def _same_bool(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return bool(old) == bool(new)


def _same_date(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return str(old)[:10] == str(new)[:10]


def _same_json(old: Any, new: Any) -> bool:
    import json

    def load(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    return bool(load(old) == load(new))


def _comparers(model: type[models.Model], fields: list[str]) -> list[Any]:
    """For each field, how to tell a stored value from a checked one."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    out: list[Any] = []
    for name in fields:
        f = by_attname[name]
        if isinstance(f, models.ForeignKey):
            out.append(
                _same_text if f.target_field.get_internal_type() == "CharField" else _same_id
            )
        elif isinstance(f, models.DecimalField):
            out.append(_same_number)
        elif isinstance(f, models.FloatField):
            out.append(_same_float)
        elif isinstance(f, models.BooleanField):
            out.append(_same_bool)
        elif isinstance(f, models.DateField):
            out.append(_same_date)
        elif isinstance(f, models.JSONField):
            out.append(_same_json)
        elif isinstance(f, models.IntegerField):
            out.append(_same_id)
        else:
            out.append(_same_text)
    return out


def _defaults(model: type[models.Model], fields: list[str]) -> list[Any]:
    """Database values of the fields of a new row whose column the file does not have."""
    import json

    values = []
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    for name in fields:
        f = by_attname[name]
        value = f.get_default()
        if isinstance(f, models.JSONField):
            value = None if value is None else json.dumps(value)
        values.append(value)
    return values


def _columns(model: type[models.Model], attnames: list[str]) -> list[str]:
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    return [by_attname[a] for a in attnames]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_NULL = "\\N"


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return _COPY_NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).translate(_COPY_ESCAPES)


def _copy_column(values: list[Any], checked: bool) -> list[str]:
    """A column in COPY text format: the cleaned values are mostly text already (decimals and
    dates as the file gave them, once checked), so that most columns pass through as they
    are. `checked`: the column's text was matched against its pattern or choices (numbers,
    dates, ids, codes) and cannot hold a tab, newline or backslash; another text column is
    searched for them, and escaped value by value only if it holds one."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if not kinds:
        return [_COPY_NULL] * len(values)
    if kinds == {str}:
        if not checked and _COPY_SPECIAL.search("".join(filter(None, values))):
            values = [v.translate(_COPY_ESCAPES) if v else v for v in values]
        if None not in values:
            return values
        return [_COPY_NULL if v is None else v for v in values]
    if kinds == {int}:
        return [_COPY_NULL if v is None else str(v) for v in values]
    if kinds == {float}:
        return [_COPY_NULL if v is None else repr(v) for v in values]
    if kinds == {bool}:
        return [_COPY_NULL if v is None else "t" if v else "f" for v in values]
    return list(map(_copy_value, values))


def _copy_text(columns: list[list[Any]], checked: list[bool]) -> str:
    """Rows of COPY text, joined from whole columns."""
    texts = [_copy_column(c, ok) for c, ok in zip(columns, checked, strict=True)]
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _pattern_checked(field: models.Field[Any, Any]) -> bool:
    """Whether the importer's checks leave only digits, signs, points, dashes, letters of a
    code or a choice in this field's text (see cleaning)."""
    if isinstance(field, (models.TextField, models.JSONField)):
        return False
    if isinstance(field, models.CharField):
        return bool(field.choices) or isinstance(field, models.SlugField)
    return True


class _Writer:
    """Phase 2: write the spooled rows and their history rows, in bulk."""

    def __init__(
        self, user: User | None, reason: str, request_id: uuid.UUID, progress: Any
    ) -> None:
        self.user = user
        self.reason = reason[:100]
        self.progress = progress
        self.vendor = connection.vendor
        self.now = timezone.now()
        self.now_db = connection.ops.adapt_datetimefield_value(self.now)
        self.request_id_db = models.UUIDField().get_db_prep_value(
            request_id, connection, prepared=False
        )
        self.user_id = user.pk if user is not None else None
        # The bulk writes run on the DB-API connection of the transaction itself, so that the
        # writer thread (see _Pipeline) writes in the transaction that the caller opened.
        self.raw = connection.connection
        self.organizations: dict[str, int] = {}
        self.regions: dict[tuple[str, str], int] = {}
        self.parks: dict[str, int] = {}
        self._bulk_decided: set[str] = set()  # tables whose first write has been seen
        self._reserved_keys: set[str] = set()  # tables whose keys _allocate takes as one range
        self._rebuild: list[str] = []  # statements that finish() runs

    def _execute(self, sql: str, params: Sequence[Any] = (), *, many: bool = False) -> Any:
        """Run SQL written with %s marks on the raw connection (sqlite3 wants ?)."""
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        cursor = self.raw.cursor()
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor

    def tune(self) -> None:
        """SQLite's default page cache (2 MB) is far smaller than the indexes a big import
        grows; give this connection a larger one while it writes. On PostgreSQL the commit
        need not wait for the WAL flush: a crash may lose this last import, never corrupt
        the database or half-write it."""
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        if self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")

    def untune(self) -> None:
        if self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    # -- reference rows (few): the ORM with simple-history's bulk helpers -----------------

    def reference_rows(
        self,
        *,
        countries: bool,
        organizations: dict[str, str],
        regions: set[tuple[str, str]],
    ) -> None:
        """Add what rows refer to by name (organization name -> label of the file that needs
        it; (country, region name)), then load every name's primary key."""
        if countries:
            ensure_countries()
        if organizations:
            bulk_create_with_history(
                [
                    Organization(
                        name=name,
                        kind=OrganizationKind.MANAGEMENT_COMPANY,
                        source=f"Created by the import of {Path(label).name}",
                    )
                    for name, label in sorted(organizations.items())
                ],
                Organization,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
        if regions:
            bulk_create_with_history(
                [Region(country_id=c, name=n) for c, n in sorted(regions)],
                Region,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
        self.organizations = dict(Organization.objects.values_list("name", "id"))
        self.regions = {
            (c, n): i for i, c, n in Region.objects.values_list("id", "country_id", "name")
        }

    # -- parks and sites -----------------------------------------------------------------

    def rows(
        self, entity: Entity, creates: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]
    ) -> None:
        model = MODELS[entity]
        fields = main_fields(entity)
        if creates:
            self.bulk_load(model, len(creates))
            pks = self._allocate(model, len(creates))
            # Column by column: names are resolved once per column, and on PostgreSQL the COPY
            # text is joined from whole columns (see _copy_text).
            columns = self._resolve_columns(
                entity, fields, [list(c) for c in zip(*creates, strict=True)]
            )
            self._insert_columns(model, fields, pks, columns)
            self._history(model, fields, pks, "+")
            if entity == Entity.PARKS:
                self.parks.update(zip(columns[fields.index("park_id")], pks, strict=True))
            self.progress.update(len(pks))
        if updates:
            now = self.now_db
            keys = [row[:2] for row in updates]
            columns = self._resolve_columns(
                entity, fields, [list(c) for c in zip(*(row[2:] for row in updates), strict=True)]
            )
            rows = [
                (pk, created, now, *values)
                for (pk, created), *values in zip(keys, *columns, strict=True)
            ]
            self._update(model, fields, rows)
            self._history(model, fields, [r[0] for r in rows], "~")
            if entity == Entity.PARKS:
                at = 3 + fields.index("park_id")
                self.parks.update((r[at], r[0]) for r in rows)
            self.progress.update(len(rows))

    def bulk_load(self, model: type[models.Model], n: int) -> None:
        """On PostgreSQL, before the first write into the model's table and its history table:
        if the import starts with at least BULK_MIN_ROWS new rows and the table is empty, drop
        its secondary indexes and foreign keys; finish() builds them again from their stored
        definitions before the commit.

        Built once over all the rows (a sort, and one join that checks every foreign key)
        instead of row by row, they cost the server about half as much (docs/exchange-schema.md,
        "Speed"). The primary key and the unique indexes stay, so a duplicate still fails at
        once. DDL is transactional in PostgreSQL: if the import fails, the rollback restores the
        indexes and constraints with everything else. The price is the lock: DROP INDEX holds
        an ACCESS EXCLUSIVE lock on the table until the commit, so readers of the table (the
        site list, the API's registry version) wait for the import instead of seeing the old
        rows. Only an empty table's first large load pays it; every other import writes row
        by row and readers never wait."""
        if self.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        history_table = model.history.model._meta.db_table  # type: ignore[attr-defined]
        for table in (model._meta.db_table, history_table):
            if table in self._bulk_decided:
                continue
            self._bulk_decided.add(table)
            if n < BULK_MIN_ROWS:
                continue
            if self._execute(f"SELECT EXISTS (SELECT FROM {qn(table)})").fetchone()[0]:  # noqa: S608
                continue
            indexes = self._execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT indisunique "
                "AND NOT indisexclusion ORDER BY indexrelid",
                [qn(table)],
            ).fetchall()
            foreign_keys = self._execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [qn(table)],
            ).fetchall()
            self._ddl(
                [f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}" for name, _d in foreign_keys]
                + [f"DROP INDEX {name}" for name, _definition in indexes]
            )
            if (
                table == model._meta.db_table
                and self._execute(
                    "SELECT seqincrement = 1 FROM pg_sequence "
                    "WHERE seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
                    [table],
                ).fetchone()[0]
            ):
                self._reserved_keys.add(table)
            self._rebuild += [definition for _name, definition in indexes]
            self._rebuild += [
                f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"
                for name, definition in foreign_keys
            ]

    def finish(self) -> None:
        """Build the indexes and foreign keys that bulk_load dropped (adding a foreign key
        checks every row: a row that refers to nothing fails the import here)."""
        if self._rebuild:
            # Sort a million sites' keys in memory rather than in temporary files (default 64 MB).
            self._execute("SET LOCAL maintenance_work_mem = '256MB'")
        self._ddl(self._rebuild)
        self._rebuild = []

    def _ddl(self, statements: list[str]) -> None:
        """PostgreSQL alters no table (nor the table a foreign key refers to) while checks of
        deferred constraints are pending on it, e.g. for the parks or organizations this import
        has just written: run those checks now (they would run at the commit anyway), then
        defer the constraints again, as Django declares them."""
        if not statements:
            return
        self._execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            self._execute(sql)
        self._execute("SET CONSTRAINTS ALL DEFERRED")

    def _resolve_columns(
        self, entity: Entity, fields: list[str], columns: list[list[Any]]
    ) -> list[list[Any]]:
        """Replace the names that the columns refer to by the primary keys they now have."""
        at = {name: j for j, name in enumerate(fields)}
        orgs = self.organizations

        def resolve(name: str, lookup: Any) -> None:
            column = columns[at[name]]
            if str in set(map(type, column)):
                columns[at[name]] = [lookup(v) if type(v) is str else v for v in column]

        resolve("owner_id", orgs.__getitem__)
        if entity == Entity.SITES:
            resolve("park_id", self.parks.__getitem__)
            return columns
        resolve("operator_id", orgs.__getitem__)
        regions, region, country = self.regions, at["region_id"], at["country_id"]
        if str in set(map(type, columns[region])):
            columns[region] = [
                regions[(c, r)] if type(r) is str else r
                for c, r in zip(columns[country], columns[region], strict=True)
            ]
        return columns

    def load_park_ids(self) -> None:
        self.parks = dict(Park.objects.values_list("park_id", "id"))

    def utilities(self, items: list[tuple[str, dict[str, Any]]], sources: dict[int, Any]) -> None:
        """Free capacities of park utilities: update the rows that exist, add the others."""
        if not items:
            return
        wanted = {
            (self.parks[park_id], utility): value
            for park_id, values in items
            for utility, value in values.items()
        }
        park_pks = {pk for pk, _u in wanted}
        stored = {
            (u.park_id, u.utility): u
            for chunk in _chunks(sorted(park_pks), 900)
            for u in ParkUtility.objects.filter(park_id__in=chunk)
        }
        changed, new = [], []
        for (park_pk, utility), value in wanted.items():
            value = None if value is None else Decimal(value)
            current = stored.get((park_pk, utility))
            if current is not None:
                if current.free_capacity != value:
                    current.free_capacity = value
                    current.updated = self.now
                    changed.append(current)
            elif value is not None:
                source, as_of, precision = sources.get(park_pk, ("", None, "day"))
                new.append(
                    ParkUtility(
                        park_id=park_pk,
                        utility=utility,
                        free_capacity=value,
                        source=source,
                        as_of=as_of,
                        as_of_precision=precision,
                    )
                )
        if new:
            bulk_create_with_history(
                new,
                ParkUtility,
                batch_size=1000,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )
        if changed:
            bulk_update_with_history(
                changed,
                ParkUtility,
                ["free_capacity", "updated"],
                batch_size=1000,
                default_user=self.user,
                default_change_reason=self.reason,
                default_date=self.now,
            )

    # -- the database, in bulk -----------------------------------------------------------

    def _allocate(self, model: type[models.Model], n: int) -> list[int]:
        """Primary keys for n new rows (the transaction holds the write lock on SQLite)."""
        table = model._meta.db_table
        if table in self._reserved_keys:
            # bulk_load's lock keeps every other session from inserting into the table, so the
            # next n values can be taken at once (20,000 nextval calls cost the server ~0.15 s).
            (high,) = self._execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                [table, table, n - 1],
            ).fetchone()
            return list(range(high - n + 1, high + 1))
        if self.vendor == "postgresql":
            # One row back instead of n: the range, and the values only when they have gaps
            # (another session took some of them meanwhile).
            low, high, values = self._execute(
                "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL "
                "ELSE array_agg(v ORDER BY v) END "
                "FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS v "
                "FROM generate_series(1, %s)) AS s",
                [table, n],
            ).fetchone()
            return list(range(low, high + 1)) if values is None else list(values)
        qn = connection.ops.quote_name
        top = self._execute(f"SELECT MAX(id) FROM {qn(table)}").fetchone()[0] or 0  # noqa: S608
        if self.vendor == "sqlite":
            seq = self._execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [table]
            ).fetchone()
            top = max(top, seq[0] if seq else 0)
        return list(range(top + 1, top + 1 + n))

    def _insert_columns(
        self,
        model: type[models.Model],
        fields: list[str],
        pks: list[int],
        columns: list[list[Any]],
    ) -> None:
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        column_list = ", ".join(map(qn, _columns(model, ["id", "created", "updated", *fields])))
        if self.vendor == "postgresql":
            now = [_copy_value(self.now_db)] * len(pks)
            by_attname = {f.attname: f for f in model._meta.concrete_fields}
            checked = [True, True, True, *(_pattern_checked(by_attname[f]) for f in fields)]
            text = _copy_text([list(map(str, pks)), now, now, *columns], checked)
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
            ):
                copy.write(text)
            return
        stamps = [self.now_db] * len(pks)
        marks = ", ".join(["%s"] * (3 + len(fields)))
        self._execute(
            f"INSERT INTO {table} ({column_list}) VALUES ({marks})",  # noqa: S608
            list(zip(pks, stamps, stamps, *columns, strict=True)),
            many=True,
        )

    def _update(
        self, model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]
    ) -> None:
        qn = connection.ops.quote_name
        columns = _columns(model, ["updated", *fields])
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        sql = f"UPDATE {qn(model._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608
        self._execute(sql, [(*row[2:], row[0]) for row in rows], many=True)

    def _history(
        self, model: type[models.Model], fields: list[str], pks: list[int], history_type: str
    ) -> None:
        """The rows django-simple-history would write — a snapshot of each row as stored, with
        when, why, who and the request id — copied inside the database from the rows just
        written (INSERT ... SELECT), so that no value crosses the driver twice."""
        history_model = model.history.model  # type: ignore[attr-defined]
        expected = {"history_id", "id", "created", "updated", *fields, *HISTORY_EXTRA}
        actual = {f.attname for f in history_model._meta.concrete_fields}
        if actual != expected:  # a field was added to the history model: write it here too
            raise RuntimeError(f"Unexpected history columns: {sorted(actual ^ expected)}")
        qn = connection.ops.quote_name
        attnames = ["id", "created", "updated", *fields]
        source = ", ".join(qn(c) for c in _columns(model, attnames))
        target = ", ".join(qn(c) for c in _columns(history_model, [*attnames, *HISTORY_EXTRA]))
        extras = []
        for name in HISTORY_EXTRA:
            if self.vendor == "postgresql":  # parameters in a SELECT list need their type
                field_name = "history_user" if name == "history_user_id" else name
                db_type = history_model._meta.get_field(field_name).db_type(connection)
                extras.append(f"CAST(%s AS {db_type})")
            else:
                extras.append("%s")
        values = [self.now_db, self.reason, history_type, self.user_id, self.request_id_db]
        sql = (
            f"INSERT INTO {qn(history_model._meta.db_table)} ({target}) "  # noqa: S608
            f"SELECT {source}, {', '.join(extras)} FROM {qn(model._meta.db_table)} "
        )
        if pks == list(range(pks[0], pks[0] + len(pks))):
            self._execute(
                sql + "WHERE id BETWEEN %s AND %s ORDER BY id", [*values, pks[0], pks[-1]]
            )
            return
        for chunk in _chunks(sorted(pks), 900):
            marks = ", ".join(["%s"] * len(chunk))
            self._execute(sql + f"WHERE id IN ({marks}) ORDER BY id", [*values, *chunk])


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(enabled: bool, **kwargs: Any) -> Any:
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(file=__import__("sys").stderr, dynamic_ncols=True, **kwargs)


class _Pipeline:
    """Phase 2 overlapped with phase 1: a thread writes each checked batch while the next
    one is read and cleaned.

    Everything happens in the one transaction that `import_files` opened before checking:
    when an error turns up in a later batch (or the writer fails), that transaction is rolled
    back, so the database is left as it was. The thread writes through the transaction's own
    DB-API connection; `lock` keeps the checker's queries (few: see
    `_Checker.share_connection`) and the thread's writes apart (the database works on a
    batch — B-trees, COPY, triggers — with the GIL released, which is where the overlap
    comes from). References a batch needs (new organizations, regions,
    the primary keys of the parks just written) are settled in this thread first, with the
    writer idle.
    """

    def __init__(self, writer: _Writer, directory: _Directory, *, threaded: bool) -> None:
        self.writer = writer
        self.directory = directory
        self.lock = threading.Lock()
        self.failure: BaseException | None = None
        self.park_utilities: list[tuple[str, dict[str, Any]]] = []
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=PIPELINE_BATCHES)
        self._created_organizations: set[str] = set()
        self._created_regions: set[tuple[str, str]] = set()
        self._countries_ensured = False
        self._names_loaded = False
        self._parks_written = True  # park primary keys must be (re)loaded before sites
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self.failure is None:
                    with self.lock:
                        self.writer.rows(*item)
            except BaseException as exc:  # re-raised in the checking thread
                self.failure = exc
            finally:
                self._queue.task_done()

    def submit(
        self,
        entity: Entity,
        creates: list[tuple[Any, ...]],
        updates: list[tuple[Any, ...]],
        utilities: list[tuple[str, dict[str, Any]]],
    ) -> None:
        self.raise_failure()
        d = self.directory
        new_organizations = d.new_organizations.keys() - self._created_organizations
        new_regions = d.new_regions - self._created_regions
        new_countries = bool(d.new_countries) and not self._countries_ensured
        parks_needed = entity == Entity.SITES and self._parks_written
        if (
            new_organizations
            or new_regions
            or new_countries
            or parks_needed
            or not self._names_loaded
        ):
            self.drain()
            with self.lock:
                self.writer.reference_rows(
                    countries=new_countries,
                    organizations={n: d.new_organizations[n] for n in new_organizations},
                    regions=new_regions,
                )
                if parks_needed:
                    self.writer.load_park_ids()
            self._created_organizations |= new_organizations
            self._created_regions |= new_regions
            self._countries_ensured = self._countries_ensured or new_countries
            self._names_loaded = True
            self._parks_written = self._parks_written and not parks_needed
        if entity == Entity.PARKS:
            self._parks_written = True
        self.park_utilities += utilities
        if not (creates or updates):
            return
        if self._thread is None:
            self.writer.rows(entity, creates, updates)
        else:
            self._queue.put((entity, creates, updates))

    def drain(self) -> None:
        """Wait until every submitted batch is written."""
        self._queue.join()
        self.raise_failure()

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()


def import_files(
    paths: Sequence[str | Path],
    *,
    user: User | None = None,
    dry_run: bool = False,
    progress: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """Check every row of every file; write them all in one transaction only if all are good.

    `user` None means the system (no permission checks); otherwise core.permissions decides
    which parks and sites the user may add or change, and every refusal is a row error.
    Parks are checked and written before sites, so a sites table may refer to parks of the
    same import (another file, or another sheet of the same workbook). Rows are written while
    later ones are still being checked, inside one transaction that is rolled back if any
    error is found, so that nothing is written unless everything is good.
    """
    # Every batch allocates millions of cells, lists and tuples, none of them in a reference
    # cycle: the cyclic garbage collector would only walk them again and again (15-20 % of the
    # checking time, measured on 100,000 sites). Reference counting still frees them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_files(
            paths,
            user=user,
            dry_run=dry_run,
            progress=progress,
            batch_rows=batch_rows,
        )
    finally:
        if collecting:
            gc.enable()


def _import_files(
    paths: Sequence[str | Path],
    *,
    user: User | None,
    dry_run: bool,
    progress: bool,
    batch_rows: int,
) -> ImportReport:
    started = time.perf_counter()
    labels = [str(p) for p in paths]
    report = ImportReport(files=labels, dry_run=dry_run)
    tables: list[Table] = []
    for path, label in zip(paths, labels, strict=True):
        try:
            tables += open_tables(Path(path), label)
        except UnreadableFile as exc:
            report.errors += exc.problems
    checker = _Checker(user, report)
    if dry_run:
        _check_tables(checker, tables, labels, progress, batch_rows)
        report.check_seconds = report.seconds = time.perf_counter() - started
        return report
    reason = "import " + ", ".join(Path(p).name for p in labels)
    try:
        with transaction.atomic(), change_context() as request_id:
            bar = _bar(progress, desc="writing", unit=" rows", unit_scale=True)
            writer = _Writer(user, reason, request_id, bar)
            writer.tune()
            # sqlite3 releases the GIL for every row it steps, and a thread would then wait for
            # it row after row: there the batches are written in turn with the checking.
            pipeline = _Pipeline(
                writer, checker.directory, threaded=connection.vendor == "postgresql"
            )
            checker.share_connection(pipeline.submit, pipeline.lock)
            try:
                _check_tables(checker, tables, labels, progress, batch_rows)
                report.check_seconds = time.perf_counter() - started
                pipeline.drain()
            finally:
                pipeline.close()
                checker.share_connection(None, contextlib.nullcontext())
            if report.errors:
                # Rows of the batches before the first error may have been written: undo them.
                transaction.set_rollback(True)
                return report
            writer.finish()
            if pipeline.park_utilities:
                writer.load_park_ids()
                writer.utilities(pipeline.park_utilities, _park_sources())
            writer.untune()
            bar.close()
            report.request_id = str(request_id)
        report.written = True
        report.write_seconds = time.perf_counter() - started - report.check_seconds
        return report
    finally:
        report.seconds = time.perf_counter() - started


def _check_tables(
    checker: _Checker, tables: list[Table], labels: list[str], progress: bool, batch_rows: int
) -> None:
    """Phase 1 over every table, parks first; the problems end up in file and row order."""
    report = checker.report
    ordered = sorted(tables, key=lambda t: 0 if t.entity == Entity.PARKS else 1)
    for table in ordered:
        if not checker.check_header(table):
            continue
        id_name = ID_COLUMN[table.entity]
        if id_name not in table.header:
            checker.problem(table.label, table.header_row, id_name, "required column missing")
            continue
        if table.entity == Entity.SITES and "park_id" not in table.header:
            checker.problem(table.label, table.header_row, "park_id", "required column missing")
            continue
        by_bytes = table.size > 0 and table.label.lower().endswith((".csv", ".txt"))
        bar = _bar(
            progress,
            desc=f"checking {Path(table.label).name}",
            total=table.size if by_bytes else None,
            unit="B" if by_bytes else " rows",
            unit_scale=True,
        )
        try:
            for batch in table.batches(batch_rows):
                checker.check_batch(table, batch)
                bar.update(batch.bytes_read if by_bytes else len(batch.rows))
        finally:
            bar.close()
    report.errors.sort(
        key=lambda p: (
            labels.index(p.file.split("[")[0]) if p.file.split("[")[0] in labels else 0,
            p.file,
            p.row,
        )
    )


def _park_sources() -> dict[int, tuple[str, Any, str]]:
    return {
        pk: (source, as_of, precision)
        for pk, source, as_of, precision in Park.objects.values_list(
            "id", "source", "as_of", "as_of_precision"
        )
    }
