"""Admin pages of the site finder: saved searches and their alert log.

Both are private (see SitingConfig.ready): through core.permissions only administrators see
them here. The alert log is written only by `technopark site-alerts`, so it is read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from technopark.core.admin import RestrictedAdminMixin
from technopark.siting.models import SavedSearch, SiteAlert


@admin.register(SavedSearch)
class SavedSearchAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "alerts", "last_notified", "created"]
    list_filter = ["alerts"]
    search_fields = ["name", "user__username", "user__email"]
    readonly_fields = ["last_notified", "last_result_ids", "created", "updated"]
    raw_id_fields = ["user"]


@admin.register(SiteAlert)
class SiteAlertAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    list_display = ["search", "site_id", "sent"]
    search_fields = ["site_id", "search__name"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
