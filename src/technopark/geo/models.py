"""Countries (ISO 3166-1) and their regions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from technopark.core.history import registry_history


class Country(models.Model):
    """A country, keyed by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(
        _("code"), max_length=2, primary_key=True, help_text=_("ISO 3166-1 alpha-2, e.g. UZ.")
    )
    name = models.CharField(_("name (English)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100, blank=True)
    name_uz = models.CharField(_("name (Uzbek)"), max_length=100, blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("ISO 4217 code of the national currency."),
    )

    history = registry_history()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A first-level administrative division (oblast, viloyat, krai, republic, city)."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="regions"
    )
    name = models.CharField(_("name (English)"), max_length=150)
    name_ru = models.CharField(_("name (Russian)"), max_length=150, blank=True)
    name_uz = models.CharField(_("name (Uzbek)"), max_length=150, blank=True)

    history = registry_history()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="geo_region_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"
