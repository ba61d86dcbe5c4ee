from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member of an organization may do (see core/permissions.py)."""

    ADMINISTRATOR = "administrator", _("Administrator")
    ANALYST = "network_analyst", _("Network analyst")
    OPERATOR = "park_operator", _("Park operator")
    RESIDENT = "resident", _("Resident")
    INVESTOR = "investor", _("Investor")


class DatePrecision(models.TextChoices):
    """How much of an as-of date the source actually states."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
