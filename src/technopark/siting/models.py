"""Saved site searches of signed-in investors, and the log of the alerts sent for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from technopark.core.models import TimeStampedModel


class SavedSearch(TimeStampedModel):
    """A requirements document an investor keeps, to be told when a new or changed site fits.

    Private to its user: not even network analysts read it (see ``SitingConfig.ready``; the
    selectors filter by owner, which a permission rule cannot express).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_site_searches",
    )
    name = models.CharField(_("name"), max_length=200)
    requirements = models.JSONField(
        _("requirements"),
        help_text=_("The site-finder requirements document (docs/site-finder.md)."),
    )
    alerts = models.BooleanField(
        _("e-mail alerts"),
        default=True,
        help_text=_("Send an e-mail when a newly published or changed site matches."),
    )
    last_notified = models.DateTimeField(_("last notified"), null=True, blank=True)
    last_result_ids = models.JSONField(
        _("last results"),
        default=list,
        blank=True,
        help_text=_("Site ids of the matching sites at the last check."),
    )

    class Meta:
        verbose_name = _("saved site search")
        verbose_name_plural = _("saved site searches")
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="siting_saved_search_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SiteAlert(models.Model):
    """One site announced to one saved search: the key that keeps alerts from repeating."""

    search = models.ForeignKey(
        SavedSearch,
        verbose_name=_("saved search"),
        on_delete=models.CASCADE,
        related_name="site_alerts",
    )
    site_id = models.CharField(_("site id"), max_length=100)
    sent = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("site alert")
        verbose_name_plural = _("site alerts")
        ordering = ["search", "site_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["search", "site_id"], name="siting_site_alert_once_per_search"
            )
        ]

    def __str__(self) -> str:
        return f"{self.search} — {self.site_id}"
