"""Personal API tokens: a user's bearer credentials for the REST API.

Only a SHA-256 digest of each token is stored; the token itself is shown once, when it is
created (see core/tokens.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A named, revocable bearer token belonging to one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. 'nightly export'.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        help_text=_("The first characters of the token, to recognise it; not a secret."),
    )
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, help_text=_("SHA-256 of the token, hex.")
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    expires = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Blank: valid until revoked.")
    )
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > now)
