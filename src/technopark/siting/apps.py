"""The site finder: requirements matched against every published site (see docs/site-finder.md)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitingConfig(AppConfig):
    name = "technopark.siting"
    label = "siting"
    verbose_name = _("Site finder")

    def ready(self) -> None:
        from technopark.core.permissions import Rule, register_rule

        # Saved searches are an investor's private work: no park, not public, not even for
        # network analysts. A Rule cannot say "only its owner", so the siting selectors filter
        # by user as well (administrators see every row through restrict()).
        private = Rule(park_path=None, public=False, admin_only_write=True, analyst_reads=False)
        register_rule("siting.savedsearch", private)
        register_rule("siting.sitealert", private)
