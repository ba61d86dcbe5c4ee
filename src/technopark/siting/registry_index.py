"""The registry as a :class:`~technopark.siting.index.SiteIndex`: built from the database once
per process and kept current incrementally.

Only sites of **published** parks are in the index, so a match can never return a site the
public may not see; the callers still pass results through ``core.permissions.restrict``.

Freshness needs no cooperation from the code that writes: imports write in bulk (raw SQL, no
signals), the web and API edit through ``core.services``. Before each match,
:meth:`RegistryIndex.current` reads a cheap *registry version* — count, largest id and latest
``updated`` of sites, parks and park utilities (three aggregate queries) — and, when it moved:

* sites with ``updated`` at or after the last seen stamp (less ``SITING_INDEX_LAG_SECONDS``:
  a long import transaction stamps its rows when it starts, not when it commits) or with an
  id above the last seen one are upserted (or removed, when their park is not published);
* parks changed the same way (or whose utilities changed) are upserted and all their sites
  re-read, which covers a park being published, unpublished or renamed;
* when the site count is lower than the count seen plus the rows added, something was
  deleted: the ids of every site are read (integers only) and the missing ones removed.

A full rebuild happens on first use, after ``SITING_INDEX_REBUILD_SECONDS`` (default 6 hours;
it also picks up region renames, which the version does not watch) and when one refresh would
touch most of the index anyway.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q

from technopark.parks.models import Park, ParkUtility, Site
from technopark.siting.index import SITE_COLUMNS, SiteIndex

#: Database lookups in ``SITE_COLUMNS`` order.
SITE_LOOKUPS: tuple[str, ...] = tuple(
    "park__park_id" if c == "park_id" else c for c in SITE_COLUMNS
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class RegistryVersion:
    """What :func:`registry_version` reads: one tuple per table."""

    sites: tuple[int, int, dt.datetime]
    parks: tuple[int, int, dt.datetime]
    utilities: tuple[int, int, dt.datetime]

    @property
    def latest(self) -> dt.datetime:
        return max(self.sites[2], self.parks[2], self.utilities[2])


def _stamp(model: Any) -> tuple[int, int, dt.datetime]:
    agg = model.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("updated"))
    return (agg["n"] or 0, agg["top"] or 0, agg["at"] or _EPOCH)


def registry_version() -> RegistryVersion:
    """Count, largest id and latest ``updated`` of sites, parks and park utilities."""
    return RegistryVersion(_stamp(Site), _stamp(Park), _stamp(ParkUtility))


def park_rows(parks: Iterable[Park]) -> Iterator[dict[str, Any]]:
    """Park rows for the index (``PARK_COLUMNS`` keys, utilities as registry rows)."""
    for p in parks:
        yield {
            "park_id": p.park_id,
            "name": p.name,
            "kind": p.kind,
            "country": p.country_id,
            "region": p.region.name if p.region_id else None,
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
        self.built_at = 0.0
        self.site_ids: dict[int, str] = {}
        self.published: dict[int, bool] = {}
        self.refreshes = 0
        self.rebuilds = 0

    # ------------------------------------------------------------------ public
    def current(self) -> SiteIndex:
        """The index, refreshed when the registry changed since the last call."""
        with self.lock:
            version = registry_version()
            stale = time.monotonic() - self.built_at > _setting(
                "SITING_INDEX_REBUILD_SECONDS", 21600
            )
            if self.version is None or stale:
                self.rebuild(version)
            elif version != self.version:
                self.refresh(version)
            return self.index

    def rebuild(self, version: RegistryVersion | None = None) -> None:
        """Read every published site and every park again."""
        with self.lock:
            version = version or registry_version()
            index = SiteIndex()
            parks = list(_parks_queryset())
            index.upsert_parks(park_rows(parks))
            self.published = {p.pk: p.is_published for p in parks}
            rows = list(
                Site.objects.filter(park__is_published=True)
                .order_by()
                .values_list("id", *SITE_LOOKUPS)
            )
            index.upsert(r[1:] for r in rows)
            self.site_ids = {r[0]: index.ids[index.position(r[1])] for r in rows}
            self.index, self.version = index, version
            self.built_at = time.monotonic()
            self.rebuilds += 1

    def refresh(self, version: RegistryVersion) -> None:
        """Apply the changes since ``self.version`` (see the module docstring)."""
        assert self.version is not None
        old = self.version
        lag = dt.timedelta(seconds=_setting("SITING_INDEX_LAG_SECONDS", 300))
        since = old.latest - lag
        changed_parks = list(
            _parks_queryset()
            .filter(
                Q(updated__gte=since) | Q(id__gt=old.parks[1]) | Q(utilities__updated__gte=since)
            )
            .distinct()
        )
        utilities_deleted = (
            version.utilities[0]
            < old.utilities[0] + ParkUtility.objects.filter(id__gt=old.utilities[1]).count()
        )
        if utilities_deleted:  # a deleted utility leaves no stamp: re-read every park
            changed_parks = list(_parks_queryset())
        if changed_parks:
            self.index.upsert_parks(park_rows(changed_parks))
            for p in changed_parks:
                self.published[p.pk] = p.is_published
        site_q = Q(updated__gte=since) | Q(id__gt=old.sites[1])
        if changed_parks:
            site_q |= Q(park_id__in=[p.pk for p in changed_parks])
        rows = list(
            Site.objects.filter(site_q)
            .order_by()
            .values_list("id", "park__is_published", *SITE_LOOKUPS)
        )
        if len(rows) > max(len(self.site_ids), 1000) // 2:
            self.rebuild(version)
            return
        self._apply(rows)
        added = sum(1 for r in rows if r[0] > old.sites[1])
        if version.sites[0] != old.sites[0] + added or version.parks[0] < old.parks[0]:
            self._drop_deleted()
        self.version = version
        self.refreshes += 1

    # ------------------------------------------------------------------ internals
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
                self.site_ids[r[0]] = self.index.ids[self.index.position(r[2])]

    def _drop_deleted(self) -> None:
        present = set(Site.objects.order_by().values_list("id", flat=True))
        gone = [pk for pk in self.site_ids if pk not in present]
        if gone:
            self.index.remove([self.site_ids.pop(pk) for pk in gone])


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
