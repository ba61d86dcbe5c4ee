"""Reads of the finance interfaces: the park a project is evaluated in, saved projects and
simulation runs as the caller may see them.

Parks come through `incentives.selectors` (the same visibility and the same `ParkFacts` as the
incentives calculator); saved projects through `core.permissions.restrict`; a simulation run is
seen by its owner only.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from technopark.core.permissions import Action, AnyUser, member_org_ids, restrict
from technopark.finance.models import SavedProject, SimulationRun
from technopark.incentives.selectors import UnknownPark, evaluable_parks, park_for_evaluation
from technopark.parks.models import Organization, Park

__all__ = [
    "UnknownPark",
    "evaluable_parks",
    "member_organizations",
    "park_for_evaluation",
    "saved_project_for",
    "saved_projects",
    "simulation_run_for",
]


def saved_projects(user: AnyUser, action: Action | str = Action.VIEW) -> QuerySet[SavedProject]:
    """The saved projects `user` may see (or change, delete), newest first."""
    qs = SavedProject.objects.select_related("organization", "park", "created_by")
    return restrict(qs, user, action)


def saved_project_for(user: AnyUser, pk: int) -> SavedProject | None:
    """One saved project if `user` may see it, else None (not found and not allowed are the
    same to the caller)."""
    return saved_projects(user).filter(pk=pk).first()


def member_organizations(user: AnyUser) -> QuerySet[Organization]:
    """Organizations `user` is a member of (any role): where they may keep projects."""
    return Organization.objects.filter(pk__in=member_org_ids(user)).order_by("name")


def simulation_run_for(user: AnyUser, run_id: uuid.UUID | str) -> SimulationRun | None:
    """The simulation run `run_id` when `user` owns it (administrators see every run)."""
    from technopark.core.permissions import is_administrator

    if user is None or not user.is_authenticated:
        return None
    qs = SimulationRun.objects.all()
    if not is_administrator(user):
        qs = qs.filter(owner=user)
    try:
        return qs.filter(pk=run_id).first()
    except (ValueError, TypeError):
        return None


def park_choices(user: AnyUser) -> QuerySet[Park]:
    """Parks `user` may evaluate a project in, by name."""
    return evaluable_parks(user).order_by("name")
