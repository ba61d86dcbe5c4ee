"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from technopark.core.permissions import roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """`user_roles`: the roles the signed-in user holds (to show the menu entries it can use)."""
    return {"user_roles": frozenset(roles_of(getattr(request, "user", None)))}
