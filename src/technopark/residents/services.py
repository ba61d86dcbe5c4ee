"""Writes of the residents app. Each service checks who may act, validates, and writes in one
transaction; transitions of an application lock its row and refuse a stale version.

Errors raised to callers (views, API, CLI translate them):
* ``PermissionDenied`` — the user may not do this;
* ``ValidationError`` — bad input, with field messages; nothing written;
* ``ApplicationConflict`` — someone else changed the application first, or the transition is not
  possible from its current state (HTTP 409);
* ``ReportImportError`` — an XLSX upload has cell errors (``"Reports!C5: revenue: expected a
  number"``); nothing written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from technopark.core.permissions import Action, AnyUser, can, enforce, is_administrator
from technopark.parks.choices import OrganizationKind
from technopark.parks.models import Organization, Park, Resident, Site
from technopark.residents import workflow
from technopark.residents.choices import (
    ApplicationState,
    DocumentType,
    InquiryStatus,
    ReportSource,
)
from technopark.residents.data import (
    TemplateError,
    commitment_templates,
    holidays_for,
    instantiate_template,
    review_rule,
)
from technopark.residents.deadlines import add_business_days, offset_date
from technopark.residents.models import (
    Agreement,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Commitment,
    Inquiry,
    Notification,
    Report,
)
from technopark.residents.uploads import UploadRejected, check_upload

log = logging.getLogger(__name__)


class ApplicationConflict(Exception):
    """The application changed under the caller, or cannot make this transition now."""


class ReportImportError(ValueError):
    """An uploaded report workbook is invalid; ``errors`` names each sheet, cell and problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


# --------------------------------------------------------------------------- notifications


def notify(*, key: str, kind: str, recipient: str, subject: str, body: str) -> bool:
    """Send one e-mail unless a notice with ``key`` was sent already; True when sent.

    The log row and the sending share a savepoint: if sending fails, the row is rolled back
    and the next run tries again.
    """
    if not recipient or Notification.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=key[:255], kind=kind, recipient=recipient, subject=subject[:255], body=body
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return False
    return True


def operator_emails(park: Park) -> list[str]:
    """E-mail addresses of a park's operator: its users with the operator role, else the company."""
    from technopark.core.choices import Role
    from technopark.core.models import Membership

    if park.operator_id is None:
        return []
    emails = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(
                organization_id=park.operator_id, role=Role.OPERATOR, user__is_active=True
            ).select_related("user")
            if m.user.email
        }
    )
    operator = park.operator
    return emails or ([operator.email] if operator is not None and operator.email else [])


def member_emails(organization: Organization) -> list[str]:
    """E-mail addresses of a company's users (any role but analyst), else the company's own."""
    from technopark.core.choices import Role
    from technopark.core.models import Membership

    emails = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(organization=organization, user__is_active=True)
            .exclude(role=Role.ANALYST)
            .select_related("user")
            if m.user.email
        }
    )
    return emails or ([organization.email] if organization.email else [])


# --------------------------------------------------------------------------- inquiries

INQUIRY_FIELDS = ("company_name", "contact_name", "email", "phone", "project_summary", "needs")


def inquiry_create(
    *,
    park: Park,
    site: Site | None = None,
    data: Mapping[str, Any],
    ip_address: str | None = None,
    language: str = "",
) -> Inquiry:
    """Anyone's inquiry about a published park or its site; the park's operator is told."""
    if not park.is_published:
        raise ValidationError({"park": _("This park does not take inquiries.")})
    inquiry = Inquiry(
        park=park,
        site=site,
        ip_address=ip_address,
        language=language[:10],
        **{f: (data.get(f) or "").strip() for f in INQUIRY_FIELDS},
    )
    with transaction.atomic():
        inquiry.full_clean()
        inquiry.save()
        for email in operator_emails(park):
            notify(
                key=f"inquiry:{inquiry.pk}:{email}",
                kind="inquiry",
                recipient=email,
                subject=_("New inquiry about %(park)s from %(company)s")
                % {"park": park, "company": inquiry.company_name},
                body=_(
                    "%(contact)s of %(company)s asks about %(what)s.\n\nProject: %(summary)s\n\n"
                    "Needs: %(needs)s\n\nAnswer it in your inbox."
                )
                % {
                    "contact": inquiry.contact_name,
                    "company": inquiry.company_name,
                    "what": site or park,
                    "summary": inquiry.project_summary,
                    "needs": inquiry.needs or "—",
                },
            )
    return inquiry


def inquiry_assign(*, inquiry: Inquiry, user: AnyUser, assignee: Any) -> Inquiry:
    """Hand an inquiry to a user of the park's operator."""
    with transaction.atomic():
        enforce(user, Action.CHANGE, inquiry)
        if not (workflow.is_park_operator(assignee, inquiry.park) or is_administrator(assignee)):
            raise ValidationError(
                {"assigned_to": _("Assign the inquiry to a user of the park's operator.")}
            )
        inquiry.assigned_to = assignee
        if inquiry.status == InquiryStatus.NEW:
            inquiry.status = InquiryStatus.ASSIGNED
        inquiry.full_clean()
        inquiry.save(update_fields=["assigned_to", "status", "updated"])
    return inquiry


def inquiry_answer(*, inquiry: Inquiry, user: AnyUser, answer: str) -> Inquiry:
    """Answer an inquiry; the answer is e-mailed to the inquirer."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    with transaction.atomic():
        enforce(user, Action.CHANGE, inquiry)
        inquiry.answer = answer
        inquiry.answered_at = timezone.now()
        inquiry.answered_by = user if user is not None and user.is_authenticated else None
        if inquiry.status != InquiryStatus.CONVERTED:
            inquiry.status = InquiryStatus.ANSWERED
        inquiry.save(update_fields=["answer", "answered_at", "answered_by", "status", "updated"])
        notify(
            key=f"inquiry-answer:{inquiry.pk}:{inquiry.answered_at.isoformat()}",
            kind="inquiry_answer",
            recipient=inquiry.email,
            subject=_("Your inquiry about %(park)s") % {"park": inquiry.park},
            body=answer,
        )
    return inquiry


def inquiry_convert(
    *, inquiry: Inquiry, user: AnyUser, applicant: Organization | None = None
) -> Application:
    """Turn an inquiry into a draft application of the inquiring company (created if new)."""
    with transaction.atomic():
        enforce(user, Action.CHANGE, inquiry)
        if inquiry.application_id:
            raise ValidationError(_("This inquiry has been converted already."))
        if applicant is None:
            applicant = Organization.objects.filter(name=inquiry.company_name).first()
        if applicant is None:
            applicant = Organization(
                name=inquiry.company_name,
                kind=OrganizationKind.COMPANY,
                email=inquiry.email,
                phone=inquiry.phone,
                contact_person=inquiry.contact_name,
            )
            applicant.full_clean()
            applicant.save()
        application = Application(
            park=inquiry.park, applicant=applicant, created_by=_user_or_none(user)
        )
        enforce(user, Action.ADD, application)
        application.full_clean()
        application.save()
        if inquiry.site_id:
            application.sites.set([inquiry.site_id])
        ApplicationEvent.objects.create(
            application=application,
            user=_user_or_none(user),
            transition="create",
            from_state=ApplicationState.DRAFT,
            to_state=ApplicationState.DRAFT,
            comment=_("Created from inquiry #%(id)s.") % {"id": inquiry.pk},
        )
        inquiry.application = application
        inquiry.status = InquiryStatus.CONVERTED
        inquiry.save(update_fields=["application", "status", "updated"])
    return application


# --------------------------------------------------------------------------- applications


def _user_or_none(user: AnyUser) -> Any:
    return user if user is not None and user.is_authenticated else None


def validate_project(project: Mapping[str, Any] | None) -> None:
    """Check the investment project document with core.project.parse_project."""
    if not project:
        return
    try:
        from technopark.core.project import ProjectError, parse_project
    except ImportError:  # the shared module is optional for this app
        return
    try:
        parse_project(project)
    except ProjectError as exc:
        raise ValidationError({"project": list(exc.errors)}) from exc


def _check_sites(park: Park, sites: Iterable[Site]) -> list[Site]:
    sites = list(sites)
    foreign = [s.site_id for s in sites if s.park_id != park.pk]
    if foreign:
        raise ValidationError(
            {"sites": _("These sites are not in the park: %(ids)s.") % {"ids": ", ".join(foreign)}}
        )
    return sites


def application_create(
    *,
    user: AnyUser,
    park: Park,
    applicant: Organization,
    sites: Iterable[Site] = (),
    project: Mapping[str, Any] | None = None,
) -> Application:
    """A draft application by a member of the applicant company (or the park's operator)."""
    application = Application(
        park=park, applicant=applicant, project=dict(project or {}), created_by=_user_or_none(user)
    )
    site_list = _check_sites(park, sites)
    with transaction.atomic():
        if not (
            workflow.applicant_may(application, user) or workflow.operator_may(application, user)
        ):
            raise PermissionDenied(_("You may not apply on behalf of this company."))
        validate_project(application.project)
        application.full_clean()
        application.save()
        application.sites.set(site_list)
        ApplicationEvent.objects.create(
            application=application,
            user=_user_or_none(user),
            transition="create",
            from_state=ApplicationState.DRAFT,
            to_state=ApplicationState.DRAFT,
        )
    return application


EDITABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.DOCUMENTS_REQUESTED})


def application_update(
    *,
    application: Application,
    user: AnyUser,
    sites: Iterable[Site] | None = None,
    project: Mapping[str, Any] | None = None,
    checklist: Mapping[str, bool] | None = None,
    expected_version: int | None = None,
) -> Application:
    """Edit the project or sites (applicant, in draft or when documents are asked for) or the
    review checklist (operator, during the review)."""
    with transaction.atomic():
        locked = _lock(application, expected_version)
        if sites is not None or project is not None:
            if not workflow.applicant_may(locked, user):
                raise PermissionDenied(_("Only the applicant may edit the application."))
            if locked.state not in EDITABLE_STATES:
                raise ApplicationConflict(
                    _("The application cannot be edited in its current state.")
                )
            if project is not None:
                validate_project(project)
                locked.project = dict(project)
            if sites is not None:
                locked.sites.set(_check_sites(locked.park, sites))
        if checklist is not None:
            if not workflow.operator_may(locked, user):
                raise PermissionDenied(_("Only the park's operator keeps the review checklist."))
            from technopark.residents.data import checklist_for

            known = {item["id"] for item in checklist_for(locked.park.kind)}
            unknown = sorted(set(checklist) - known)
            if unknown:
                raise ValidationError(
                    {"checklist": _("Unknown items: %(ids)s.") % {"ids": ", ".join(unknown)}}
                )
            locked.checklist = {
                k: bool(checklist.get(k, locked.checklist.get(k, False))) for k in sorted(known)
            }
        locked.version += 1
        locked.full_clean()
        _save(locked)
    _refresh(application, locked)
    return application


def _lock(application: Application, expected_version: int | None) -> Application:
    """Lock the row (SELECT ... FOR UPDATE) and refuse when the caller's version is stale."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("park", "park__operator", "applicant")
        .get(pk=application.pk)
    )
    expected = application.version if expected_version is None else expected_version
    if locked.version != expected:
        raise ApplicationConflict(
            _(
                "The application was changed by someone else (now version %(now)s, you had "
                "version %(had)s, state “%(state)s”). Reload it and try again."
            )
            % {"now": locked.version, "had": expected, "state": locked.get_state_display()}
        )
    return locked


def _save(locked: Application) -> None:
    try:
        locked.save()
    except ConcurrentTransition as exc:
        raise ApplicationConflict(_("The application was changed by someone else.")) from exc


def _refresh(target: Application, source: Application) -> None:
    for field in (
        "state",
        "version",
        "submitted_at",
        "review_deadline",
        "decided_at",
        "regime_id",
        "project",
        "checklist",
        "updated",
    ):
        setattr(target, field, getattr(source, field))
    # the state field's "initial" must follow, or a later save would look concurrent
    target._update_initial_state()


def review_deadline_for(park: Park, start: dt.date) -> tuple[str, dt.date]:
    """The regime whose review term applies and the deadline, counted from ``start``."""
    rule = review_rule(list(park.regime_ids or []))
    off = holidays_for(park.country_id)
    if rule.get("working_days"):
        return rule["regime_id"], add_business_days(start, int(rule["working_days"]), off)
    return rule["regime_id"], offset_date(start, days=int(rule.get("days", 0)), holidays=off)


TRANSITIONS = (
    "submit",
    "start_review",
    "request_documents",
    "resubmit",
    "approve",
    "reject",
    "withdraw",
)
#: What each transition is called on pages and in messages.
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "start_review": gettext_lazy("Start the review"),
    "request_documents": gettext_lazy("Request documents"),
    "resubmit": gettext_lazy("Send the documents"),
    "approve": gettext_lazy("Approve and sign the agreement"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw"),
}


def transition_permission(name: str) -> Any:
    """The actor check of a transition, as declared on the model (workflow.py)."""
    meta = getattr(Application, name)._django_fsm
    return next(iter(meta.transitions.values())).permission


def may_transition(application: Application, user: AnyUser, name: str) -> bool:
    """Whether ``user`` may make transition ``name`` now (for showing buttons)."""
    from django_fsm import can_proceed

    method = getattr(application, name)
    return can_proceed(method) and bool(transition_permission(name)(application, user))


def _transition(
    name: str,
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
    before_save: Any = None,
) -> Application:
    """Make transition ``name``: lock, check actor and version and state, record the event."""
    from django_fsm import can_proceed

    if name not in TRANSITIONS:
        raise ValueError(name)
    with transaction.atomic():
        locked = _lock(application, expected_version)
        if not transition_permission(name)(locked, user):
            raise PermissionDenied(
                _("You may not take the step “%(step)s” on this application.")
                % {"step": TRANSITION_LABELS[name]}
            )
        method = getattr(locked, name)
        if not can_proceed(method):
            raise ApplicationConflict(
                _("The application is “%(state)s”; the step “%(step)s” is not possible now.")
                % {"state": locked.get_state_display(), "step": TRANSITION_LABELS[name]}
            )
        source = locked.state
        method()
        now = timezone.now()
        if before_save is not None:
            before_save(locked, now)
        locked.version += 1
        locked.full_clean()
        _save(locked)
        event = ApplicationEvent.objects.create(
            application=locked,
            user=_user_or_none(user),
            at=now,
            transition=name,
            from_state=source,
            to_state=locked.state,
            comment=(comment or "").strip(),
        )
        transaction.on_commit(lambda: _notify_transition(locked, event))
    _refresh(application, locked)
    return application


def _notify_transition(application: Application, event: ApplicationEvent) -> None:
    """Tell the other side of the workflow about a transition."""
    operator_side = event.transition in {"start_review", "request_documents", "approve", "reject"}
    recipients = (
        member_emails(application.applicant) if operator_side else operator_emails(application.park)
    )
    subject = _("Application #%(id)s: %(state)s") % {
        "id": application.pk,
        "state": application.get_state_display(),
    }
    body = _("Application #%(id)s of %(company)s to %(park)s is now “%(state)s”.") % {
        "id": application.pk,
        "company": application.applicant,
        "park": application.park,
        "state": application.get_state_display(),
    }
    if event.comment:
        body += "\n\n" + event.comment
    for email in recipients:
        notify(
            key=f"application-event:{event.pk}:{email}",
            kind="application",
            recipient=email,
            subject=subject,
            body=body,
        )


def _start_clock(locked: Application, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    locked.regime_id, locked.review_deadline = review_deadline_for(locked.park, today)


def application_submit(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """draft → submitted (applicant). The project document must be valid; the review clock starts."""
    if not application.project:
        raise ValidationError({"project": _("Give the investment project before submitting.")})
    validate_project(application.project)

    def stamp(locked: Application, now: dt.datetime) -> None:
        locked.submitted_at = now
        _start_clock(locked, now)

    return _transition(
        "submit",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
        before_save=stamp,
    )


def application_start_review(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """submitted | resubmitted → under_review (operator)."""
    return _transition(
        "start_review",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
    )


def application_request_documents(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """under_review → documents_requested (operator); the comment says what is missing."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say which documents are needed.")})
    return _transition(
        "request_documents",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
    )


def application_resubmit(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """documents_requested → resubmitted (applicant); the review clock starts again."""
    return _transition(
        "resubmit",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
        before_save=_start_clock,
    )


def application_approve(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
    agreement: Mapping[str, Any] | None = None,
) -> Application:
    """under_review → approved (operator). With ``agreement`` (the keyword arguments of
    :func:`agreement_create` other than application and user) the agreement is signed in the
    same transaction."""

    def decide(locked: Application, now: dt.datetime) -> None:
        locked.decided_at = now

    with transaction.atomic():
        _transition(
            "approve",
            application=application,
            user=user,
            comment=comment,
            expected_version=expected_version,
            before_save=decide,
        )
        if agreement is not None:
            agreement_create(application=application, user=user, **agreement)
    return application


def application_reject(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """under_review → rejected (operator); the comment gives the reasons."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Give the reasons for the rejection.")})

    def decide(locked: Application, now: dt.datetime) -> None:
        locked.decided_at = now

    return _transition(
        "reject",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
        before_save=decide,
    )


def application_withdraw(
    *,
    application: Application,
    user: AnyUser,
    comment: str = "",
    expected_version: int | None = None,
) -> Application:
    """Any open state → withdrawn (applicant)."""
    return _transition(
        "withdraw",
        application=application,
        user=user,
        comment=comment,
        expected_version=expected_version,
    )


TRANSITION_SERVICES = {
    "submit": application_submit,
    "start_review": application_start_review,
    "request_documents": application_request_documents,
    "resubmit": application_resubmit,
    "approve": application_approve,
    "reject": application_reject,
    "withdraw": application_withdraw,
}


def document_upload(
    *,
    application: Application,
    user: AnyUser,
    fileobj: IO[bytes],
    name: str,
    doc_type: str = DocumentType.OTHER,
    size: int | None = None,
) -> ApplicationDocument:
    """Attach a checked document (type by content, size limit, virus-scan hook, generated name)."""
    if not (workflow.applicant_may(application, user) or workflow.operator_may(application, user)):
        raise PermissionDenied(_("You may not add documents to this application."))
    if application.state not in EDITABLE_STATES | {ApplicationState.UNDER_REVIEW}:
        raise ApplicationConflict(
            _("Documents cannot be added to the application in its current state.")
        )
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Unknown document type.")})
    try:
        checked = check_upload(fileobj, name, size)
    except UploadRejected as exc:
        raise ValidationError({"file": str(exc)}) from exc
    document = ApplicationDocument(
        application=application,
        doc_type=doc_type,
        original_name=checked.original_name,
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=_user_or_none(user),
    )
    with transaction.atomic():
        document.file.save(checked.stored_name, File(fileobj), save=False)
        try:
            document.full_clean()
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
    return document


# --------------------------------------------------------------------------- agreements


def agreement_create(
    *,
    user: AnyUser,
    number: str,
    signed_on: dt.date,
    application: Application | None = None,
    park: Park | None = None,
    organization: Organization | None = None,
    template_id: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    sites: Sequence[Site] | None = None,
    regime_ids: Sequence[str] | None = None,
    valid_until: dt.date | None = None,
    currency: str = "",
    certificate_number: str = "",
    certificate_date: dt.date | None = None,
) -> Agreement:
    """Sign an agreement and create its commitments from the regime's template.

    From an approved application (its park, company and sites), or for a park and company
    directly (agreements signed before the platform). The company becomes a resident of the
    park in the registry.
    """
    if application is not None:
        if application.state != ApplicationState.APPROVED:
            raise ValidationError(_("Only an approved application leads to an agreement."))
        park, organization = application.park, application.applicant
        if sites is None:
            sites = list(application.sites.all())
    if park is None or organization is None:
        raise ValidationError(_("Give the park and the company."))
    regimes = list(regime_ids if regime_ids is not None else park.regime_ids or [])
    if template_id is None:
        from technopark.residents.data import template_for_regimes

        template_id = template_for_regimes(regimes)
    agreement = Agreement(
        park=park,
        organization=organization,
        application=application,
        number=number.strip(),
        signed_on=signed_on,
        valid_until=valid_until,
        regime_ids=regimes,
        template_id=template_id or "",
        currency=currency.upper(),
        certificate_number=certificate_number,
        certificate_date=certificate_date,
    )
    with transaction.atomic():
        enforce(user, Action.ADD, agreement)
        specs = []
        if template_id:
            try:
                result = instantiate_template(
                    template_id,
                    start=signed_on,
                    parameters=dict(parameters or {}),
                    holidays=holidays_for(park.country_id),
                )
            except TemplateError as exc:
                raise ValidationError({"parameters": exc.errors}) from exc
            agreement.kind = commitment_templates()[template_id]["agreement_kind"]
            agreement.parameters = result.parameters
            if not agreement.currency:
                agreement.currency = next(
                    (c.unit for c in result.commitments if len(c.unit) == 3 and c.unit.isupper()),
                    "",
                )
            if result.regime_id not in agreement.regime_ids:
                agreement.regime_ids.append(result.regime_id)
            specs = result.commitments
        else:
            agreement.kind = agreement.kind or "residency"
        agreement.full_clean()
        _stamp(agreement, user)
        agreement.save()
        if sites:
            _check_sites(park, sites)
            agreement.sites.set(sites)
        for spec in specs:
            commitment = Commitment(
                agreement=agreement,
                kind=spec.kind,
                target=spec.target,
                unit=spec.unit,
                start_date=signed_on,
                due_date=spec.due,
                consequences=list(spec.consequences),
                grace_days=spec.grace_days,
                source=spec.source,
            )
            commitment.full_clean()
            commitment.save()
        resident, _created = Resident.objects.get_or_create(
            park=park, organization=organization, defaults={"since": signed_on}
        )
        if sites:
            resident.sites.add(*sites)
        agreement.resident = resident
        agreement.save(update_fields=["resident", "updated"])
    return agreement


def _stamp(obj: Any, user: AnyUser) -> None:
    if user is not None and user.is_authenticated:
        obj._history_user = user


def agreement_update(*, agreement: Agreement, user: AnyUser, data: Mapping[str, Any]) -> Agreement:
    """Change an agreement's certificate, dates or number (operator)."""
    allowed = {"number", "valid_until", "certificate_number", "certificate_date"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        enforce(user, Action.CHANGE, agreement)
        for key, value in data.items():
            setattr(agreement, key, value)
        agreement.full_clean()
        _stamp(agreement, user)
        agreement.save(update_fields=[*data.keys(), "updated"])
    return agreement


def commitment_mark_done(
    *, commitment: Commitment, user: AnyUser, done_on: dt.date | None
) -> Commitment:
    """Record when an event commitment (construction start, documents ...) happened (operator)."""
    with transaction.atomic():
        enforce(user, Action.CHANGE, commitment)
        if commitment.target is not None:
            raise ValidationError(
                _("A numeric commitment is met through reports, not marked done.")
            )
        if done_on is not None and done_on < commitment.start_date:
            raise ValidationError({"done_on": _("The date is before the commitment started.")})
        commitment.done_on = done_on
        _stamp(commitment, user)
        commitment.save(update_fields=["done_on", "updated"])
    return commitment


# --------------------------------------------------------------------------- reports

REPORT_FIELDS = (
    "investment",
    "jobs",
    "revenue",
    "taxes_paid",
    "exports",
    "imports_customs_benefits",
    "satisfaction",
    "satisfaction_comment",
)


def _may_correct(user: AnyUser, agreement: Agreement) -> bool:
    return is_administrator(user) or workflow.is_park_operator(user, agreement.park)


def report_save(
    *,
    user: AnyUser,
    agreement: Agreement,
    year: int,
    quarter: int | None,
    data: Mapping[str, Any],
    source: str = ReportSource.FORM,
    reason: str = "",
) -> Report:
    """Create a period's report (resident or operator) or correct it (operator, with history)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(agreement=agreement, year=year, quarter=quarter)
            .first()
        )
        if report is None:
            report = Report(agreement=agreement, year=year, quarter=quarter)
            if not (can(user, Action.ADD, report) and can(user, Action.VIEW, agreement)):
                raise PermissionDenied(_("You may not report for this agreement."))
        elif not _may_correct(user, agreement):
            raise ValidationError(
                _(
                    "The report for %(period)s exists already; ask the park's operator to correct it."
                )
                % {"period": report.period_label}
            )
        for key in REPORT_FIELDS:
            if key in data:
                value = data[key]
                if value is None:
                    value = {"satisfaction": None, "satisfaction_comment": ""}.get(key, 0)
                setattr(report, key, value)
        report.source = source
        report.submitted_by = _user_or_none(user)
        report.full_clean()
        _stamp(report, user)
        if reason:
            report._change_reason = reason  # type: ignore[attr-defined]  # for django-simple-history
        report.save()
    return report


def report_import_xlsx(
    *,
    user: AnyUser,
    fileobj: IO[bytes],
    agreements: Iterable[Agreement] | None = None,
    source: str = ReportSource.XLSX,
) -> list[Report]:
    """Save every row of a report workbook, or nothing: all cells are checked first.

    ``agreements`` limits which agreements the rows may name (a resident's own); otherwise
    every agreement the user may add reports to (an operator's bulk upload).
    """
    from technopark.residents.xlsx import read_reports_workbook

    rows, errors = read_reports_workbook(fileobj)
    allowed = {a.number: a for a in (agreements or [])} if agreements is not None else None
    resolved: list[tuple[Agreement, dict[str, Any]]] = []
    seen: set[tuple[int, int, int | None]] = set()
    for row in rows:
        ref = row["ref"]
        if allowed is not None:
            agreement = allowed.get(row["agreement"])
        else:
            from technopark.residents.selectors import agreements_for

            matches = list(agreements_for(user).filter(number=row["agreement"])[:2])
            if len(matches) > 1:
                errors.append(
                    f"{ref('agreement')}: agreement: “{row['agreement']}” is the number of "
                    "agreements in several of your parks; upload each park's reports separately"
                )
                continue
            agreement = matches[0] if matches else None
        if agreement is None:
            errors.append(
                f"{ref('agreement')}: agreement: no agreement “{row['agreement']}” of yours"
            )
            continue
        if not (can(user, Action.ADD, Report(agreement=agreement))):
            errors.append(
                f"{ref('agreement')}: agreement: you may not report for “{agreement.number}”"
            )
            continue
        key = (agreement.pk, row["year"], row["quarter"])
        if key in seen:
            errors.append(f"{ref('agreement')}: period: the same period appears twice")
            continue
        seen.add(key)
        exists = Report.objects.filter(
            agreement=agreement, year=row["year"], quarter=row["quarter"]
        ).exists()
        if exists and not _may_correct(user, agreement):
            errors.append(
                f"{ref('year')}: period: the report for "
                f"{row['year']}{'-Q' + str(row['quarter']) if row['quarter'] else ''} exists already"
            )
            continue
        resolved.append((agreement, row))
    if errors:
        raise ReportImportError(errors)
    saved: list[Report] = []
    with transaction.atomic():
        for agreement, row in resolved:
            try:
                saved.append(
                    report_save(
                        user=user,
                        agreement=agreement,
                        year=row["year"],
                        quarter=row["quarter"],
                        data=row["data"],
                        source=source,
                        reason=_("XLSX upload"),
                    )
                )
            except ValidationError as exc:
                errors.extend(f"{row['ref']('agreement')}: {m}" for m in exc.messages)
        if errors:
            transaction.set_rollback(True)
            raise ReportImportError(errors)
    return saved


# --------------------------------------------------------------------------- compliance


def benefits_end_date(agreement: Agreement) -> dt.date | None:
    """The first day without benefits because the resident lost its status, or None.

    Set by the compliance check from the regime's data: for Uzbek SEZ agreements the first day of
    the month in which the status was lost (Tax Code Art. 474). The incentives engine calls this
    to cut a benefit's term short; the term itself (by investment bracket) is the engine's.
    """
    return agreement.benefits_end_on


def compliance_run(*, today: dt.date, send: bool = True) -> dict[str, Any]:
    """Evaluate every commitment of every agreement on ``today``, store status changes and send
    the day's notices; see compliance_engine for the details."""
    from technopark.residents.compliance_engine import run

    return run(today=today, send=send)
