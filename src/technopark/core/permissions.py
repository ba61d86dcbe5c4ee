"""Roles and object permissions — the one place where access is decided.

Every web view, API endpoint, admin page and CLI command that reads or writes registry data
asks this module, through `restrict(queryset, user, action)` for querysets and
`can(user, action, obj)` / `enforce(user, action, obj)` for single objects.

The rules (role → what it may do):

| role            | view                                    | add / change / delete                 |
|-----------------|-----------------------------------------|---------------------------------------|
| administrator   | everything                              | everything                            |
| network analyst | everything, published or not            | nothing                               |
| park operator   | published data + its own parks          | its organization's parks, their sites,|
|                 |                                         | utilities, register entries, residents|
| resident        | published data + the parks it is in     | nothing in the registry               |
| investor        | published data                          | nothing in the registry               |
| anonymous       | published data                          | nothing                               |

A model takes part by being listed in `RULES` with the path from it to the park (whose
`operator` decides ownership) and to the published flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet

from technopark.core.choices import Role

M = TypeVar("M", bound=models.Model)
AnyUser = User | AnonymousUser | None


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


@dataclass(frozen=True)
class Rule:
    """How one model relates to parks.

    park_path: lookup path from the model to its Park ("" for Park itself; None when the
        model is not tied to a park).
    public: whether rows of published parks are visible to everyone.
    admin_only_write: only administrators may add, change or delete.
    member_path: lookup path to an Organization whose members (any role) may view the row —
        e.g. an application's applicant company, a report's resident company.
    member_write: those members may also change the row (the workflow's services still
        decide which transitions each of them may make).
    operator_write: the park's operators may add, change and delete (default True).
    analyst_reads: network analysts read every row (default True; False for private work
        such as an investor's project workspace).
    """

    park_path: str | None
    public: bool = True
    admin_only_write: bool = False
    member_path: str | None = None
    member_write: bool = False
    operator_write: bool = True
    analyst_reads: bool = True

    def prefix(self) -> str:
        return f"{self.park_path}__" if self.park_path else ""


RULES: dict[str, Rule] = {
    "parks.park": Rule(park_path=""),
    "parks.site": Rule(park_path="park"),
    "parks.parkutility": Rule(park_path="park"),
    "parks.registerentry": Rule(park_path="park"),
    "parks.resident": Rule(park_path="park"),
    "parks.organization": Rule(park_path=None, admin_only_write=True),
    "geo.country": Rule(park_path=None, admin_only_write=True),
    "geo.region": Rule(park_path=None, admin_only_write=True),
    "core.membership": Rule(park_path=None, public=False, admin_only_write=True),
}


def register_rule(model_label: str, rule: Rule) -> None:
    """Let another app's model take part (called from its AppConfig.ready)."""
    RULES[model_label.lower()] = rule


def _rule_for(model: type[models.Model]) -> Rule:
    label = model._meta.label_lower
    try:
        return RULES[label]
    except KeyError as exc:
        raise LookupError(f"No permission rule for {label}: add one to RULES.") from exc


def roles_of(user: AnyUser) -> dict[str, frozenset[int]]:
    """The user's roles, each with the ids of the organizations it holds it in (cached)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, "_technopark_roles", None)
    if cached is not None:
        return cached
    roles: dict[str, set[int]] = {}
    for org_id, role in user.memberships.values_list("organization_id", "role"):
        roles.setdefault(role, set()).add(org_id)
    frozen = {role: frozenset(ids) for role, ids in roles.items()}
    setattr(user, "_technopark_roles", frozen)  # noqa: B010 — a per-request cache on the user
    return frozen


def is_administrator(user: AnyUser) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or Role.ADMINISTRATOR in roles_of(user)


def is_analyst(user: AnyUser) -> bool:
    return Role.ANALYST in roles_of(user)


def operated_org_ids(user: AnyUser) -> frozenset[int]:
    return roles_of(user).get(Role.OPERATOR, frozenset())


def resident_org_ids(user: AnyUser) -> frozenset[int]:
    return roles_of(user).get(Role.RESIDENT, frozenset())


def member_org_ids(user: AnyUser) -> frozenset[int]:
    return frozenset().union(*roles_of(user).values()) if roles_of(user) else frozenset()


def _view_q(rule: Rule, model: type[models.Model], user: AnyUser) -> Q | None:
    """None means 'everything'; an empty Q(pk__in=[]) means nothing."""
    if is_administrator(user) or (is_analyst(user) and rule.analyst_reads):
        return None
    if rule.park_path is None:
        if not rule.public:
            if model._meta.label_lower == "core.membership" and user and user.is_authenticated:
                return Q(user_id=user.pk)
            members = member_org_ids(user)
            if rule.member_path and members:
                # Private rows of an organization (e.g. saved projects): its members see them.
                return Q(**{f"{rule.member_path}_id__in": members})
            return Q(pk__in=[])
        return None
    p = rule.prefix()
    q = Q(**{f"{p}is_published": True}) if rule.public else Q(pk__in=[])
    members = member_org_ids(user)
    if rule.member_path and members:
        q |= Q(**{f"{rule.member_path}_id__in": members})
    operated = operated_org_ids(user)
    if operated:
        q |= Q(**{f"{p}operator_id__in": operated})
    resident_of = resident_org_ids(user)
    if resident_of and rule.public:
        q |= Q(**{f"{p}residents__organization_id__in": resident_of})
    return q


def _write_q(rule: Rule, user: AnyUser) -> Q | None:
    if is_administrator(user):
        return None
    if rule.admin_only_write:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    operated = operated_org_ids(user)
    if operated and rule.operator_write and rule.park_path is not None:
        q |= Q(**{f"{rule.prefix()}operator_id__in": operated})
    members = member_org_ids(user)
    if rule.member_write and rule.member_path and members:
        q |= Q(**{f"{rule.member_path}_id__in": members})
    return q


def restrict(
    queryset: QuerySet[M], user: AnyUser, action: Action | str = Action.VIEW
) -> QuerySet[M]:
    """The part of `queryset` that `user` may perform `action` on."""
    action = Action(action)
    rule = _rule_for(queryset.model)
    q = _view_q(rule, queryset.model, user) if action == Action.VIEW else _write_q(rule, user)
    if q is None:
        return queryset
    restricted = queryset.filter(q)
    # Joining through residents can repeat rows; only then is DISTINCT needed.
    if action == Action.VIEW and resident_org_ids(user) and rule.park_path is not None:
        restricted = restricted.distinct()
    return restricted


def _follow(obj: models.Model, path: str) -> Any:
    target: Any = obj
    for part in path.split("__"):
        if part:
            target = getattr(target, part, None)
            if target is None:
                return None
    return target


def _park_of(obj: models.Model, rule: Rule) -> Any:
    return _follow(obj, rule.park_path or "")


def can(user: AnyUser, action: Action | str, obj: models.Model) -> bool:
    """Whether `user` may perform `action` on `obj` (saved or, for ADD, not yet saved)."""
    action = Action(action)
    if user is not None and user.is_authenticated and not user.is_active:
        return False
    rule = _rule_for(type(obj))
    if action in (Action.ADD, Action.CHANGE, Action.DELETE):
        if is_administrator(user):
            return True
        if rule.admin_only_write:
            return False
        if rule.operator_write and rule.park_path is not None:
            park = _park_of(obj, rule)
            if park is not None and park.operator_id in operated_org_ids(user):
                return True
        if rule.member_write and rule.member_path:
            org_id = _follow(obj, f"{rule.member_path}_id")
            return org_id is not None and org_id in member_org_ids(user)
        return False
    if obj.pk is None:
        return False
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_add_any(user: AnyUser, model: type[models.Model]) -> bool:
    """Whether `user` may add some object of `model` (to show or hide an 'add' button)."""
    if is_administrator(user):
        return True
    rule = _rule_for(model)
    if rule.admin_only_write:
        return False
    if rule.operator_write and rule.park_path is not None and operated_org_ids(user):
        return True
    return bool(rule.member_write and rule.member_path and member_org_ids(user))


def enforce(user: AnyUser, action: Action | str, obj: models.Model) -> None:
    """Raise PermissionDenied unless `user` may perform `action` on `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(f"You may not {Action(action).value} this {obj._meta.verbose_name}.")
