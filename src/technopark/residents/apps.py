from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """Inquiries, applications, agreements, commitments, periodic reports and compliance."""

    name = "technopark.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        from technopark.core.permissions import Rule, register_rule

        # Nothing here is public. Operators see and handle their parks' rows; members of the
        # applicant or resident company see their own. Workflow services decide the transitions.
        register_rule("residents.inquiry", Rule(park_path="park", public=False))
        register_rule(
            "residents.application",
            Rule(park_path="park", public=False, member_path="applicant", member_write=True),
        )
        register_rule(
            "residents.applicationevent",
            Rule(
                park_path="application__park",
                public=False,
                member_path="application__applicant",
                operator_write=False,
            ),
        )
        register_rule(
            "residents.applicationdocument",
            Rule(
                park_path="application__park",
                public=False,
                member_path="application__applicant",
                member_write=True,
            ),
        )
        register_rule(
            "residents.agreement",
            Rule(park_path="park", public=False, member_path="organization"),
        )
        register_rule(
            "residents.commitment",
            Rule(park_path="agreement__park", public=False, member_path="agreement__organization"),
        )
        register_rule(
            "residents.report",
            Rule(
                park_path="agreement__park",
                public=False,
                member_path="agreement__organization",
                member_write=True,
            ),
        )
        register_rule(
            "residents.statuschange",
            Rule(
                park_path="agreement__park",
                public=False,
                member_path="agreement__organization",
                operator_write=False,
            ),
        )
        register_rule(
            "residents.notification", Rule(park_path=None, public=False, admin_only_write=True)
        )
