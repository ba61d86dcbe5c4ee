"""Base models shared by every app: timestamps, sourced facts, memberships and roles."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from technopark.core.choices import DatePrecision, Role


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def format_as_of(value: dt.date | None, precision: str) -> str:
    """An as-of date written with exactly the precision its source gave (2024, 2024-12, 2024-12-18)."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def parse_as_of(text: str) -> tuple[dt.date, str]:
    """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD` into a date and its precision.

    >>> parse_as_of("2024-12")
    (datetime.date(2024, 12, 1), 'month')
    """
    text = text.strip()
    parts = text.split("-")
    try:
        if len(parts) == 1 and len(parts[0]) == 4:
            return dt.date(int(parts[0]), 1, 1), DatePrecision.YEAR.value
        if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH.value
        if len(parts) == 3 and len(parts[0]) == 4:
            return dt.date.fromisoformat(text), DatePrecision.DAY.value
    except ValueError:
        pass
    raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")


class SourcedModel(models.Model):
    """A fact that can go stale: where it comes from, as of when, and who keeps it current."""

    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("Where the facts come from: documents or URLs, separated by ' | '."),
    )
    as_of = models.DateField(
        _("as of"),
        null=True,
        blank=True,
        help_text=_(
            "The date the facts refer to (first day of the month or year when the source is less precise)."
        ),
    )
    as_of_precision = models.CharField(
        _("as-of precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the as-of date the source states."),
    )
    owner = models.ForeignKey(
        "parks.Organization",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The organization responsible for keeping these facts current."),
    )

    class Meta:
        abstract = True

    @property
    def as_of_display(self) -> str:
        return format_as_of(self.as_of, self.as_of_precision)

    @property
    def age_days(self) -> int | None:
        if self.as_of is None:
            return None
        return (timezone.localdate() - self.as_of).days

    @property
    def is_stale(self) -> bool:
        """True when the facts are older than STALE_DATA_DAYS, or undated."""
        age = self.age_days
        return age is None or age > settings.STALE_DATA_DAYS


class Membership(TimeStampedModel):
    """A user's role in an organization; the basis of every permission check."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        "parks.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="core_membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organization}"


# Personal API tokens live in their own module; importing registers the model with the app.
from technopark.core.models_tokens import ApiToken  # noqa: E402, F401
