"""Writes shared by every app: validate, check permission before and after, save with history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from technopark.core.permissions import Action, AnyUser, enforce

M = TypeVar("M", bound=models.Model)


def object_create(*, model: type[M], user: AnyUser, data: Mapping[str, Any], reason: str = "") -> M:
    """Create one object after validation, if `user` may add it."""
    obj = model(**data)
    with transaction.atomic():
        enforce(user, Action.ADD, obj)
        obj.full_clean()
        _stamp(obj, user, reason)
        obj.save()
    return obj


def object_update(*, obj: M, user: AnyUser, data: Mapping[str, Any], reason: str = "") -> M:
    """Apply `data` to `obj`; the user must be allowed to change it before and after the edit.

    The second check stops a write that moves an object out of the user's allowed set (for
    example an operator handing its park to another operator); the transaction then rolls back.
    """
    with transaction.atomic():
        enforce(user, Action.CHANGE, obj)
        for field, value in data.items():
            setattr(obj, field, value)
        obj.full_clean()
        _stamp(obj, user, reason)
        obj.save(update_fields=[*data.keys(), *(["updated"] if hasattr(obj, "updated") else [])])
        enforce(user, Action.CHANGE, obj)
    return obj


def object_delete(*, obj: models.Model, user: AnyUser, reason: str = "") -> None:
    with transaction.atomic():
        enforce(user, Action.DELETE, obj)
        _stamp(obj, user, reason)
        obj.delete()


def _stamp(obj: models.Model, user: AnyUser, reason: str) -> None:
    """Tell django-simple-history who made the change and why."""
    if user is not None and user.is_authenticated:
        obj._history_user = user  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
