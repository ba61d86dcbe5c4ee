from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """The investment project model's interfaces: command line, API and the project workspace."""

    name = "technopark.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from technopark.core.permissions import Rule, register_rule

        # A saved project is an organization's private work: its members see and edit it;
        # network analysts do not read it (it is not registry data).
        register_rule(
            "finance.savedproject",
            Rule(
                park_path=None,
                public=False,
                member_path="organization",
                member_write=True,
                analyst_reads=False,
            ),
        )
