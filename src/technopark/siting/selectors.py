"""Reads for the site-finder interfaces: visible sites, their map points, saved searches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from technopark.core.permissions import Action, AnyUser, is_administrator, restrict
from technopark.parks.models import Site
from technopark.siting.models import SavedSearch


def visible_sites(*, user: AnyUser, site_ids: Iterable[str]) -> dict[str, Site]:
    """The sites among ``site_ids`` that ``user`` may see, by site id, with their parks."""
    ids = list(dict.fromkeys(site_ids))
    if not ids:
        return {}
    qs = restrict(Site.objects.filter(site_id__in=ids), user, Action.VIEW).select_related(
        "park", "park__region", "park__country"
    )
    return {s.site_id: s for s in qs}


def site_point(site: Site) -> dict[str, Any]:
    """Where to draw a site: its own point, else its park's (``precise`` says which)."""
    if site.lat is not None and site.lon is not None:
        return {"lat": site.lat, "lon": site.lon, "precise": True}
    park = site.park
    if park.lat is not None and park.lon is not None:
        return {"lat": park.lat, "lon": park.lon, "precise": False}
    return {"lat": None, "lon": None, "precise": False}


def saved_searches(*, user: AnyUser) -> QuerySet[SavedSearch]:
    """The user's own saved searches (owner filter: see SitingConfig.ready)."""
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return restrict_saved(SavedSearch.objects.all(), user).filter(user_id=user.pk)


def restrict_saved(qs: QuerySet[SavedSearch], user: AnyUser) -> QuerySet[SavedSearch]:
    """Saved searches ``user`` may see: its own; administrators every one."""
    if is_administrator(user):
        return qs
    if user is None or not user.is_authenticated:
        return qs.none()
    return qs.filter(user_id=user.pk)


def saved_search(*, user: AnyUser, pk: int) -> SavedSearch:
    """One of the user's saved searches (SavedSearch.DoesNotExist otherwise)."""
    return saved_searches(user=user).get(pk=pk)


def searches_with_alerts() -> QuerySet[SavedSearch]:
    """Every saved search that wants e-mail alerts and has an address to send them to."""
    return (
        SavedSearch.objects.filter(alerts=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
