"""Admin of the finance app: saved projects (restricted, with history) and simulation runs
(read-only, for administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from technopark.core.admin import RegistryAdmin
from technopark.finance.models import SavedProject, SimulationRun


@admin.register(SavedProject)
class SavedProjectAdmin(RegistryAdmin):
    """Restricted by core.permissions like every registry admin: members see their own."""

    list_display = ("name", "organization", "park", "created_by", "updated")
    list_filter = ("organization",)
    search_fields = ("name", "organization__name")
    raw_id_fields = ("organization", "park", "created_by")


@admin.register(SimulationRun)
class SimulationRunAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "status", "progress", "created", "finished")
    list_filter = ("status",)
    readonly_fields = [f.name for f in SimulationRun._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
