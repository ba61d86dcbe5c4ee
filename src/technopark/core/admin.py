"""Admin integration of the permission rules and change history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet, URLField
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from technopark.core.models import Membership
from technopark.core.permissions import Action, can, can_add_any, restrict


class RestrictedAdminMixin:
    """Let core.permissions decide, instead of Django's per-model permission flags."""

    model: type[Model]
    # Web addresses typed without a scheme are read as https (Django 6's default).
    formfield_overrides: Any = {URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return restrict(super().get_queryset(request), request.user, Action.VIEW)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or can(request.user, Action.VIEW, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_staff) and can_add_any(request.user, self.model)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not request.user.is_staff:
            return False
        if obj is None:
            return can_add_any(request.user, self.model)
        return can(request.user, Action.CHANGE, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not request.user.is_staff:
            return False
        if obj is None:
            return can_add_any(request.user, self.model)
        return can(request.user, Action.DELETE, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        from django.core.exceptions import PermissionDenied

        if not can(request.user, Action.CHANGE if change else Action.ADD, obj):
            raise PermissionDenied("This change would move the object outside what you may edit.")
        super().save_model(request, obj, form, change)  # type: ignore[misc]


class RegistryAdmin(RestrictedAdminMixin, SimpleHistoryAdmin):
    """Base admin for registry models: restricted querysets plus a history view."""


class RestrictedInline(RestrictedAdminMixin, admin.TabularInline):
    extra = 0


@admin.register(Membership)
class MembershipAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["organization"]
