"""Choices of the residents app: inquiry and application states, commitment kinds, statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InquiryStatus(models.TextChoices):
    """Where an investor's inquiry is in the operator's inbox."""

    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CONVERTED = "converted", _("Converted to an application")
    CLOSED = "closed", _("Closed")


class ApplicationState(models.TextChoices):
    """States of a residency application (see Application for the transitions)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: States in which the park operator owes the applicant a decision (the review clock runs).
AWAITING_OPERATOR = frozenset(
    {ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW, ApplicationState.RESUBMITTED}
)
FINAL_STATES = frozenset(
    {ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN}
)


class DocumentType(models.TextChoices):
    """What an uploaded application document is."""

    BUSINESS_PLAN = "business_plan", _("Business plan")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    REGISTRATION = "registration", _("Registration certificate")
    PROOF_OF_FINANCING = "proof_of_financing", _("Proof of financing")
    SITE_PLAN = "site_plan", _("Site plan or drawing")
    OTHER = "other", _("Other")


class AgreementKind(models.TextChoices):
    RESIDENCY = "residency", _("Residency agreement")
    INVESTMENT = "investment", _("Investment agreement")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    STATUS_LOST = "status_lost", _("Status lost")
    TERMINATED = "terminated", _("Terminated")


class CommitmentKind(models.TextChoices):
    """What a resident has committed to; the first three have numeric targets."""

    INVESTMENT = "investment", _("Investment")
    JOBS = "jobs", _("Jobs")
    EXPORT_SHARE = "export_share", _("Export share")
    CONSTRUCTION_START = "construction_start", _("Start of construction")
    PRODUCTION_START = "production_start", _("Start of production")
    DOCUMENTS = "documents", _("Documents")
    PROJECT = "project", _("Project documentation")


NUMERIC_COMMITMENTS = frozenset(
    {CommitmentKind.INVESTMENT, CommitmentKind.JOBS, CommitmentKind.EXPORT_SHARE}
)


class CommitmentStatus(models.TextChoices):
    """Compliance of one commitment on an evaluation date."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")


class Consequence(models.TextChoices):
    """What a breach leads to, as the regime's data says."""

    STATUS_LOSS = "status_loss", _("Loss of resident status")
    BENEFITS_STOP = "benefits_stop", _("Benefits stop")
    PLOT_WITHDRAWAL = "plot_withdrawal", _("Withdrawal of the plot")


class ReportSource(models.TextChoices):
    FORM = "form", _("Web form")
    XLSX = "xlsx", _("XLSX upload")
    BULK = "bulk", _("Operator's bulk upload")
    OPERATOR = "operator", _("Entered by the operator")
    API = "api", _("API")
