"""Change history for registry models, through django-simple-history.

Every registry model declares `history = registry_history()`. Each historical row records
who changed it (`history_user`), when, the change type, a free-text reason and the id of the
request or import run that made it, so that one bulk edit can be seen as one change.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords

_request_id: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar(
    "technopark_change_request_id", default=None
)


@contextmanager
def change_context(*, request_id: uuid.UUID | None = None) -> Iterator[uuid.UUID]:
    """Group the changes made inside the block under one request id."""
    rid = request_id or uuid.uuid4()
    token = _request_id.set(rid)
    try:
        yield rid
    finally:
        _request_id.reset(token)


def current_request_id() -> uuid.UUID | None:
    return _request_id.get()


class ChangeRequestFields(models.Model):
    """Extra columns on every historical table."""

    request_id = models.UUIDField(
        null=True,
        blank=True,
        db_index=True,
        default=current_request_id,
        verbose_name="request id",
        help_text="Groups the changes made by one request, import run or command.",
    )

    class Meta:
        abstract = True


def registry_history(**kwargs: Any) -> HistoricalRecords:
    """The history manager used by every registry model."""
    return HistoricalRecords(bases=[ChangeRequestFields], **kwargs)


def diff_against_previous(record: Any) -> list[dict[str, Any]]:
    """Before/after values of the fields a historical record changed."""
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    return [{"field": c.field, "before": c.old, "after": c.new} for c in delta.changes]
