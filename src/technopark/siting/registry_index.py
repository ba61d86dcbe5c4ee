"""The registry as a :class:`~technopark.siting.index.SiteIndex`: built from the database once
per process and kept current incrementally.

Only sites of **published** parks are in the index, so a match can never return a site the
public may not see; the callers still pass results through ``core.permissions.restrict``.

Freshness needs no cooperation from the code that writes. Every registry write leaves a change
history row (django-simple-history for the ORM and ``core.services``; the bulk importer writes
the same rows with ``INSERT ... SELECT``; deletes, cascades included, leave ``-`` rows). So the
*registry version* is the largest history id of sites, parks and park utilities — one query of
three index look-ups, cheap enough to run before every match. When it moved,
:meth:`RegistryIndex.refresh` reads the history rows after the last seen id and:

* re-reads the sites they name: upserted when their park is published, removed otherwise;
  a site that no longer exists is removed (deleted), one whose ``site_id`` changed is moved;
* re-reads the parks they name (and the parks of changed utilities), upserts them and re-reads
  all their sites, which covers a park being published, unpublished or renamed.

On PostgreSQL a long transaction (a big import) may commit history ids below ones another
transaction committed earlier; rows stamped less than ``SITING_INDEX_LAG_SECONDS`` (default
120 there, 0 on SQLite, whose writers are serialised) before the last seen change are read again.
A write that bypasses the history (a raw SQL ``UPDATE``) is not seen until the full rebuild,
which happens on first use and after ``SITING_INDEX_REBUILD_SECONDS`` (default 6 hours; it also
picks up region renames), or when one refresh would touch most of the index anyway.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q

from technopark.parks.models import Park, ParkUtility, Site
from technopark.siting.index import SITE_COLUMNS, SiteIndex

#: Database lookups in ``SITE_COLUMNS`` order.
SITE_LOOKUPS: tuple[str, ...] = tuple(
    "park__park_id" if c == "park_id" else c for c in SITE_COLUMNS
)
#: The models whose history the index follows, in the order of the version tuple.
TRACKED: tuple[Any, ...] = (Site, Park, ParkUtility)
CHUNK = 5000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

RegistryVersion = tuple[int, ...]


def registry_version() -> RegistryVersion:
    """The largest history id of sites, parks and park utilities (one query)."""
    qn = connection.ops.quote_name
    parts = ", ".join(
        f"(SELECT MAX(history_id) FROM {qn(m.history.model._meta.db_table)})"  # noqa: S608
        for m in TRACKED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return tuple(int(v or 0) for v in row)


def _latest_dates() -> tuple[dt.datetime, ...]:
    return tuple(
        m.history.model.objects.aggregate(at=Max("history_date"))["at"] or _EPOCH for m in TRACKED
    )


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def park_rows(parks: Iterable[Park]) -> Iterator[dict[str, Any]]:
    """Park rows for the index (``PARK_COLUMNS`` keys, utilities as registry rows)."""
    for p in parks:
        yield {
            "park_id": p.park_id,
            "name": p.name,
            "kind": p.kind,
            "country": p.country_id,
            "region": p.region.name if p.region is not None else None,
            "lat": p.lat,
            "lon": p.lon,
            "industries": list(p.industries or ()),
            "regime_ids": list(p.regime_ids or ()),
            "utilities": [
                {
                    "utility": u.utility,
                    "tariff": u.tariff,
                    "connection_fee": u.connection_fee,
                    "currency": u.currency,
                }
                for u in p.utilities.all()
            ],
            "as_of": p.as_of,
        }


def _parks_queryset() -> Any:
    return Park.objects.select_related("region").prefetch_related("utilities").order_by()


class RegistryIndex:
    """A :class:`SiteIndex` of the published registry with its refresh bookkeeping.

    ``lock`` serialises refreshes and matches in one process (numpy arrays are edited in
    place). ``site_ids`` maps each indexed site's primary key to its ``site_id`` so that a
    renamed or deleted site leaves the index.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next use rebuilds (tests; a restore of the database)."""
        self.index = SiteIndex()
        self.version: RegistryVersion | None = None
        self.dates: tuple[dt.datetime, ...] = ()
        self.built_at = 0.0
        self.site_ids: dict[int, str] = {}
        self.refreshes = 0
        self.rebuilds = 0

    # ------------------------------------------------------------------ public
    def current(self) -> SiteIndex:
        """The index, refreshed when the registry changed since the last call."""
        with self.lock:
            version = registry_version()
            age = time.monotonic() - self.built_at
            if self.version is None or age > _setting("SITING_INDEX_REBUILD_SECONDS", 21600):
                self.rebuild(version)
            elif version != self.version:
                self.refresh(version)
            return self.index

    def rebuild(self, version: RegistryVersion | None = None) -> None:
        """Read every published site and every park again."""
        with self.lock:
            # the marks are read before the rows: a change committed meanwhile is read again
            version = version or registry_version()
            dates = _latest_dates()
            index = SiteIndex()
            index.upsert_parks(park_rows(_parks_queryset()))
            rows = list(
                Site.objects.filter(park__is_published=True)
                .order_by()
                .values_list("id", *SITE_LOOKUPS)
            )
            index.upsert(r[1:] for r in rows)
            self.site_ids = {r[0]: r[1] for r in rows}
            self.index, self.version, self.dates = index, version, dates
            self.built_at = time.monotonic()
            self.rebuilds += 1

    def refresh(self, version: RegistryVersion) -> None:
        """Apply the changes recorded in the history since ``self.version``."""
        assert self.version is not None
        dates = _latest_dates()
        site_pks = self._changed(0, "id")
        park_pks = self._changed(1, "id") | self._changed(2, "park_id")
        if len(site_pks) > max(len(self.site_ids), 1000) // 2:
            self.rebuild(version)
            return
        parks = [
            p for chunk in _chunks(sorted(park_pks)) for p in _parks_queryset().filter(pk__in=chunk)
        ]
        if parks:
            self.index.upsert_parks(park_rows(parks))
        lookups = ("id", "park__is_published", *SITE_LOOKUPS)
        by_pk: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(sorted(site_pks)):
            by_pk.update(
                (r[0], r)
                for r in Site.objects.filter(pk__in=chunk).order_by().values_list(*lookups)
            )
        for chunk in _chunks(sorted(park_pks)):  # every site of a changed park
            by_pk.update(
                (r[0], r)
                for r in Site.objects.filter(park_id__in=chunk).order_by().values_list(*lookups)
            )
        rows = list(by_pk.values())
        deleted = [pk for pk in site_pks if pk not in by_pk and pk in self.site_ids]
        if deleted:
            self.index.remove([self.site_ids.pop(pk) for pk in deleted])
        self._apply(rows)
        self.version, self.dates = version, dates
        self.refreshes += 1

    # ------------------------------------------------------------------ internals
    def _changed(self, which: int, column: str) -> set[int]:
        """Primary keys (or park ids) named by the history rows of ``TRACKED[which]`` written
        since the last refresh (with the lag window, see the module docstring)."""
        assert self.version is not None
        history = TRACKED[which].history.model
        q = Q(history_id__gt=self.version[which])
        lag = _lag()
        if lag and self.dates:
            q |= Q(history_date__gte=self.dates[which] - dt.timedelta(seconds=lag))
        return {
            v for v in history.objects.filter(q).values_list(column, flat=True) if v is not None
        }

    def _apply(self, rows: list[tuple[Any, ...]]) -> None:
        gone: list[str] = []
        keep: list[tuple[Any, ...]] = []
        for r in rows:
            pk, published, site_id = r[0], r[1], r[2]
            old_id = self.site_ids.get(pk)
            if old_id is not None and (old_id != site_id or not published):
                gone.append(old_id)
                del self.site_ids[pk]
            if published:
                keep.append(r)
        if gone:
            self.index.remove(gone)
        if keep:
            self.index.upsert(r[2:] for r in keep)
            for r in keep:
                self.site_ids[r[0]] = r[2]


def _lag() -> float:
    default = 0 if connection.vendor == "sqlite" else 120
    return _setting("SITING_INDEX_LAG_SECONDS", default)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


_REGISTRY = RegistryIndex()


def registry_index() -> RegistryIndex:
    """The process-wide index of the published registry."""
    return _REGISTRY


@contextmanager
def current_index() -> Iterator[SiteIndex]:
    """The refreshed index, held under the process lock for the duration of the block."""
    reg = registry_index()
    with reg.lock:
        yield reg.current()
