"""The finance app's stored data: investors' saved projects (the workspace) and background
Monte Carlo runs.

A saved project is private work of an organization, not registry data: its members (any role)
see and edit it, network analysts do not (the rule is registered in `apps.py`). A simulation
run belongs to the user who asked for it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from technopark.core.history import registry_history
from technopark.core.models import TimeStampedModel
from technopark.core.project import ProjectError, parse_project


class SavedProject(TimeStampedModel):
    """An investment project document kept in an organization's workspace."""

    organization = models.ForeignKey(
        "parks.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="saved_projects",
        help_text=_("The organization whose members may see and edit the project."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    document = models.JSONField(
        _("project document"),
        help_text=_("The investment project document (docs/project-schema.md)."),
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("park"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The park whose legal regimes' benefits are applied; none for no benefits."),
    )

    history = registry_history()

    class Meta:
        verbose_name = _("saved project")
        verbose_name_plural = _("saved projects")
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["organization", "-updated"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("finance:project-detail", args=[self.pk])

    def clean(self) -> None:
        """The document must be a valid project document; every problem is listed with its
        JSON path."""
        if not isinstance(self.document, dict):
            raise ValidationError({"document": _("The project document must be a JSON object.")})
        try:
            parse_project(self.document)
        except ProjectError as exc:
            raise ValidationError({"document": list(exc.errors)}) from None


class SimulationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SimulationRun(models.Model):
    """A Monte Carlo simulation too large to answer inline, run by the background worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="simulation_runs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SimulationStatus.choices, default="queued"
    )
    progress = models.FloatField(
        _("progress"), default=0.0, help_text=_("Share of the scenarios computed, 0 to 1.")
    )
    request = models.JSONField(
        _("request"),
        help_text=_("What was asked: the document, park, scenarios, seed, distributions."),
    )
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(
        _("task id"), max_length=64, blank=True, help_text=_("Id of the background task.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="finance_simulationrun_progress_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": str(self.id),
            "status": self.status,
            "progress": self.progress,
            "created": self.created.isoformat() if self.created else None,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
            "n": self.request.get("n"),
            "seed": self.request.get("seed"),
        }
        if self.status == SimulationStatus.DONE:
            out["result"] = self.result
        if self.status == SimulationStatus.FAILED:
            out["error"] = self.error
        return out
