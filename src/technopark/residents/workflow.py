"""Who may make which application transition.

Two kinds of actor besides administrators:

* the applicant side — a member of the applicant company in any role except network analyst:
  submits, resubmits, withdraws;
* the operator side — a park operator of the park's management company: starts the review,
  requests documents, approves, rejects.

Administrators may do everything; network analysts never act (they only watch); anyone else
may do nothing. These functions are the `permission=` of the django-fsm transitions in
models.Application and are asked again by every service.
"""

from __future__ import annotations

from typing import Any

from technopark.core.choices import Role
from technopark.core.permissions import is_administrator, roles_of


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_applicant_member(user: Any, organization_id: int | None) -> bool:
    """Whether ``user`` holds a role other than analyst in the organization."""
    if not _active(user) or organization_id is None:
        return False
    return any(
        organization_id in orgs for role, orgs in roles_of(user).items() if role != Role.ANALYST
    )


def is_park_operator(user: Any, park: Any) -> bool:
    """Whether ``user`` is a park operator of ``park``'s management company."""
    if not _active(user) or park is None or park.operator_id is None:
        return False
    return park.operator_id in roles_of(user).get(Role.OPERATOR, frozenset())


def applicant_may(application: Any, user: Any) -> bool:
    """Applicant-side transitions: members of the applicant company, or administrators."""
    return is_administrator(user) or is_applicant_member(user, application.applicant_id)


def operator_may(application: Any, user: Any) -> bool:
    """Operator-side transitions: the park's operators, or administrators."""
    return is_administrator(user) or is_park_operator(user, application.park)
