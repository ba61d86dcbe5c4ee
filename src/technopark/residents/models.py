"""Residents: inquiries, residency applications, agreements with dated commitments, periodic
reports, compliance status changes and the notification log.

Writes go through services.py, reads through selectors.py; who may do what is decided by the
rules registered in apps.py (core.permissions) and, for workflow transitions, by workflow.py.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from technopark.core.history import registry_history
from technopark.core.models import TimeStampedModel
from technopark.residents import workflow
from technopark.residents.choices import (
    AWAITING_OPERATOR,
    AgreementKind,
    AgreementStatus,
    ApplicationState,
    CommitmentKind,
    CommitmentStatus,
    Consequence,
    DocumentType,
    InquiryStatus,
    ReportSource,
)

NON_NEGATIVE = [MinValueValidator(Decimal(0))]
MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 2}
S = ApplicationState


class Inquiry(TimeStampedModel):
    """An investor's question about a park or one of its sites, in the operator's inbox."""

    park = models.ForeignKey(
        "parks.Park", verbose_name=_("park"), on_delete=models.CASCADE, related_name="inquiries"
    )
    site = models.ForeignKey(
        "parks.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiries",
        help_text=_("The site asked about, if any."),
    )
    company_name = models.CharField(_("company"), max_length=300)
    contact_name = models.CharField(_("contact name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    project_summary = models.TextField(
        _("project summary"), max_length=5000, help_text=_("What the company plans to do.")
    )
    needs = models.TextField(
        _("needs"),
        max_length=5000,
        blank=True,
        help_text=_("Land, premises, power, water, gas, staff and other needs."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
        help_text=_("A user of the park's operator who handles the inquiry."),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    application = models.OneToOneField(
        "Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_inquiry",
        help_text=_("The application this inquiry was converted to."),
    )
    ip_address = models.GenericIPAddressField(
        _("IP address"), null=True, blank=True, help_text=_("Kept for abuse handling only.")
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created"]
        indexes = [models.Index(fields=["park", "status"])]

    def __str__(self) -> str:
        return f"{self.company_name} → {self.park}"

    def get_absolute_url(self) -> str:
        return reverse("residents:inquiry-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.site is not None and self.park_id and self.site.park_id != self.park_id:
            raise ValidationError({"site": _("The site is not in this park.")})


class Application(ConcurrentTransitionMixin, TimeStampedModel):
    """A company's application for residency in a park: a state machine (django-fsm-2).

    draft → submitted → under_review → approved | rejected; withdrawn from any open state;
    under_review → documents_requested → resubmitted → under_review. Each transition is made by
    a service in services.py, which checks the actor (workflow.py), locks the row, bumps
    ``version`` and records an ApplicationEvent.
    """

    park = models.ForeignKey(
        "parks.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        "parks.Organization",
        verbose_name=_("applicant company"),
        on_delete=models.PROTECT,
        related_name="residency_applications",
    )
    sites = models.ManyToManyField(
        "parks.Site", verbose_name=_("sites asked for"), blank=True, related_name="applications"
    )
    project = models.JSONField(
        _("investment project"),
        default=dict,
        blank=True,
        help_text=_("The investment project document (see docs/project-schema.md)."),
    )
    state = FSMField(
        _("state"),
        max_length=30,
        choices=ApplicationState.choices,
        default=S.DRAFT,
        protected=False,
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised by every change; a change made from an older version is refused."),
    )
    regime_id = models.CharField(
        _("review regime"),
        max_length=60,
        blank=True,
        help_text=_("The regime whose review deadline applies."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_deadline = models.DateField(
        _("review deadline"),
        null=True,
        blank=True,
        help_text=_("When the operator's decision is due."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    checklist = models.JSONField(
        _("review checklist"),
        default=dict,
        blank=True,
        help_text=_("Checklist item id → checked (true/false)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created"]
        indexes = [models.Index(fields=["park", "state"])]

    def __str__(self) -> str:
        return _("Application #%(id)s by %(company)s") % {"id": self.pk, "company": self.applicant}

    def get_absolute_url(self) -> str:
        return reverse("residents:application-detail", kwargs={"pk": self.pk})

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Whether the operator's decision is late."""
        today = today or timezone.localdate()
        return (
            self.state in AWAITING_OPERATOR
            and self.review_deadline is not None
            and today > self.review_deadline
        )

    # Transitions: only state changes here; the services do the rest.
    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=workflow.applicant_may)
    def submit(self) -> None:
        """The applicant sends the application to the park operator."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.RESUBMITTED],
        target=S.UNDER_REVIEW,
        permission=workflow.operator_may,
    )
    def start_review(self) -> None:
        """The operator takes the application up."""

    @transition(
        field=state,
        source=S.UNDER_REVIEW,
        target=S.DOCUMENTS_REQUESTED,
        permission=workflow.operator_may,
    )
    def request_documents(self) -> None:
        """The operator asks for more documents."""

    @transition(
        field=state,
        source=S.DOCUMENTS_REQUESTED,
        target=S.RESUBMITTED,
        permission=workflow.applicant_may,
    )
    def resubmit(self) -> None:
        """The applicant sends the documents asked for."""

    @transition(
        field=state, source=S.UNDER_REVIEW, target=S.APPROVED, permission=workflow.operator_may
    )
    def approve(self) -> None:
        """The operator approves."""

    @transition(
        field=state, source=S.UNDER_REVIEW, target=S.REJECTED, permission=workflow.operator_may
    )
    def reject(self) -> None:
        """The operator rejects."""

    @transition(
        field=state,
        source=[S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.DOCUMENTS_REQUESTED, S.RESUBMITTED],
        target=S.WITHDRAWN,
        permission=workflow.applicant_may,
    )
    def withdraw(self) -> None:
        """The applicant withdraws."""


class ApplicationEvent(models.Model):
    """One recorded transition of an application: who, when, from which state to which."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    transition = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, choices=ApplicationState.choices)
    to_state = models.CharField(_("to"), max_length=30, choices=ApplicationState.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


_STORED_NAME = re.compile(r"^residents/documents/[0-9a-f]{32}\.(pdf|docx|xlsx|png|jpg)$")


def _document_path(instance: ApplicationDocument, filename: str) -> str:
    """Storage path of a document: the generated name the service passes, never a user's name."""
    if _STORED_NAME.match(filename):
        return filename
    return f"residents/documents/{uuid.uuid4().hex}.bin"


class ApplicationDocument(TimeStampedModel):
    """A document uploaded to an application (checked type and size, generated storage name)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    doc_type = models.CharField(
        _("document type"), max_length=30, choices=DocumentType.choices, default=DocumentType.OTHER
    )
    file = models.FileField(_("file"), max_length=200, upload_to=_document_path)
    original_name = models.CharField(
        _("original name"), max_length=200, help_text=_("The uploader's file name, sanitised.")
    )
    kind = models.CharField(
        _("file type"), max_length=10, help_text=_("Detected from the content.")
    )
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["created"]

    def __str__(self) -> str:
        return self.original_name


class Agreement(TimeStampedModel):
    """A residency or investment agreement: number, dates, sites, regimes granted, commitments,
    and the status certificate whose date starts the benefits' terms."""

    park = models.ForeignKey(
        "parks.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="agreements"
    )
    organization = models.ForeignKey(
        "parks.Organization",
        verbose_name=_("resident company"),
        on_delete=models.PROTECT,
        related_name="residency_agreements",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreement",
    )
    resident = models.ForeignKey(
        "parks.Resident",
        verbose_name=_("registry entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    number = models.CharField(_("number"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sites = models.ManyToManyField(
        "parks.Site", verbose_name=_("sites"), blank=True, related_name="agreements"
    )
    regime_ids = models.JSONField(
        _("regimes granted"),
        default=list,
        blank=True,
        help_text=_("Ids of the legal regimes the agreement grants (incentives regimes)."),
    )
    template_id = models.CharField(
        _("commitment template"),
        max_length=60,
        blank=True,
        help_text=_("The template the commitments were created from."),
    )
    parameters = models.JSONField(
        _("template parameters"),
        default=dict,
        blank=True,
        help_text=_("The values given to the template (declared investment, terms, ...)."),
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    certificate_number = models.CharField(
        _("status certificate number"), max_length=100, blank=True
    )
    certificate_date = models.DateField(
        _("status certificate date"),
        null=True,
        blank=True,
        help_text=_("The benefits' terms run from this date (e.g. Uzbek Tax Code Art. 474)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    status_lost_on = models.DateField(_("status lost on"), null=True, blank=True)
    benefits_end_on = models.DateField(
        _("benefits end on"),
        null=True,
        blank=True,
        help_text=_("The first day without benefits after loss of status."),
    )
    plot_withdrawal_on = models.DateField(_("plot withdrawn on"), null=True, blank=True)

    history = registry_history(m2m_fields=[sites])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "number"], name="residents_agreement_number_per_park"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("signed_on")),
                name="residents_agreement_valid_after_signed",
                violation_error_message=_("An agreement cannot end before it is signed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("residents:agreement-detail", kwargs={"pk": self.pk})


class Commitment(TimeStampedModel):
    """A dated commitment of an agreement, with its latest compliance evaluation."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=CommitmentKind.choices)
    description = models.TextField(_("description"), blank=True)
    target = models.DecimalField(
        _("target"),
        **MONEY,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Amount, jobs or share (0.3 = 30 %); blank for events."),
    )
    unit = models.CharField(
        _("unit"), max_length=10, blank=True, help_text=_("Currency code, 'jobs' or 'share'.")
    )
    start_date = models.DateField(_("counted from"))
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(
        _("done on"), null=True, blank=True, help_text=_("When an event commitment happened.")
    )
    consequences = models.JSONField(
        _("breach consequences"),
        default=list,
        blank=True,
        help_text=_("From the regime's data: status_loss, benefits_stop, plot_withdrawal."),
    )
    grace_days = models.PositiveIntegerField(_("grace days"), default=0)
    source = models.TextField(_("source"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.ON_TRACK,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    actual = models.DecimalField(
        _("reached"), **MONEY, null=True, blank=True, help_text=_("From reports, on evaluation.")
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)

    history = registry_history()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("start_date")),
                name="residents_commitment_due_after_start",
                violation_error_message=_("A commitment cannot be due before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.due_date}"


class Report(TimeStampedModel):
    """A resident's periodic (quarterly or annual) report under an agreement.

    Amounts are for the period, in the agreement's currency; jobs are the headcount at its end.
    """

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1–4 for a quarterly report; blank for an annual one."),
    )
    investment = models.DecimalField(
        _("investment made"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    jobs = models.PositiveIntegerField(
        _("jobs"), default=0, help_text=_("Headcount at the end of the period.")
    )
    revenue = models.DecimalField(
        _("revenue"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    taxes_paid = models.DecimalField(
        _("taxes paid"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    exports = models.DecimalField(
        _("exports"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    imports_customs_benefits = models.DecimalField(
        _("imports under customs benefits"), **MONEY, default=Decimal(0), validators=NON_NEGATIVE
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("The resident's satisfaction with the park, 1 (poor) to 5 (excellent)."),
    )
    satisfaction_comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(
        _("entered through"), max_length=10, choices=ReportSource.choices, default=ReportSource.FORM
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = registry_history()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="residents_report_one_per_quarter",
                violation_error_message=_("This quarter's report exists already."),
            ),
            models.UniqueConstraint(
                fields=["agreement", "year"],
                condition=Q(quarter__isnull=True),
                name="residents_report_one_per_year",
                violation_error_message=_("This year's report exists already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def period_end(self) -> dt.date:
        if self.quarter:
            month = self.quarter * 3
            return (dt.date(self.year, month, 1) + dt.timedelta(days=32)).replace(
                day=1
            ) - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)


class StatusChange(models.Model):
    """A consequence of a breach, stored once: loss of status, end of benefits, plot withdrawal."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_changes",
    )
    consequence = models.CharField(_("consequence"), max_length=20, choices=Consequence.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "commitment", "consequence"],
                name="residents_status_change_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.get_consequence_display()} {self.effective_on}"


class Notification(models.Model):
    """A sent e-mail, keyed so that the same notice is never sent twice."""

    key = models.CharField(
        _("key"),
        max_length=255,
        unique=True,
        help_text=_("What the notice is about and for whom, e.g. digest:42:2026-03-02."),
    )
    kind = models.CharField(_("kind"), max_length=30)
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
