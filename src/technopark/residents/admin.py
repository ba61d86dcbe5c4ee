"""Admin pages of the residents app: restricted by core.permissions, with change history.

The workflow (application transitions, compliance consequences, notifications) is written only
by services, so those models are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from technopark.core.admin import RegistryAdmin, RestrictedAdminMixin, RestrictedInline
from technopark.residents.models import (
    Agreement,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Commitment,
    Inquiry,
    Notification,
    Report,
    StatusChange,
)


class ReadOnlyAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    """Visible to those allowed to see the rows; changed only through the services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "user", "transition", "from_state", "to_state", "comment")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "applicant", "park", "state", "review_deadline", "version")
    list_filter = ("state",)
    search_fields = ("applicant__name", "park__name")
    inlines = [EventInline]


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = ("created", "company_name", "park", "status", "assigned_to")
    list_filter = ("status",)
    search_fields = ("company_name", "email")


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "application", "doc_type", "kind", "size", "created")


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "consequence", "effective_on", "recorded_at")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "recipient", "subject")
    search_fields = ("key", "recipient")


class CommitmentInline(RestrictedInline):
    model = Commitment
    fields = ("kind", "target", "unit", "due_date", "done_on", "status", "status_reason")
    readonly_fields = ("status", "status_reason")


@admin.register(Agreement)
class AgreementAdmin(RegistryAdmin):
    list_display = ("number", "organization", "park", "signed_on", "status", "benefits_end_on")
    list_filter = ("status", "kind")
    search_fields = ("number", "organization__name")
    readonly_fields = ("status", "status_lost_on", "benefits_end_on", "plot_withdrawal_on")
    inlines = [CommitmentInline]


@admin.register(Report)
class ReportAdmin(RegistryAdmin):
    list_display = ("agreement", "year", "quarter", "investment", "jobs", "revenue", "source")
    list_filter = ("year", "source")
    search_fields = ("agreement__number", "agreement__organization__name")
