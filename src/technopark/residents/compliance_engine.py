"""The daily compliance run: evaluate commitments, store breach consequences, send notices.

Called by ``technopark compliance-check`` (and services.compliance_run). Idempotent: a status
change is stored once per (agreement, commitment, consequence) and every e-mail is logged in
Notification under a unique key, so running twice on a day sends nothing twice.

Breach consequences come from the commitment (copied from the regime's template):

* ``status_loss`` — the resident status is lost from ``due + 1 + grace_days``;
* ``benefits_stop`` — benefits end per the template's ``benefits_stop`` rule:
  ``first_day_of_month`` (Uzbek Tax Code Art. 474: from the 1st day of the month in which the
  status was lost) or ``status_loss_date``;
* ``plot_withdrawal`` — the plot is withdrawn from ``due + 1 + grace_days``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from technopark.residents import compliance
from technopark.residents.choices import (
    AWAITING_OPERATOR,
    NUMERIC_COMMITMENTS,
    AgreementStatus,
    CommitmentStatus,
    Consequence,
)
from technopark.residents.data import commitment_templates, reporting
from technopark.residents.deadlines import first_day_of_month
from technopark.residents.models import Agreement, Application, Commitment, StatusChange
from technopark.residents.selectors import commitment_actual, reports_due


def _fmt(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "0"
    if unit == "share":
        return f"{number_format(value * 100, 1)} %"
    places = 0 if value == value.to_integral_value() else 2
    return f"{number_format(value, places, force_grouping=True)} {unit}".strip()


def _pct(value: Decimal | float | None) -> str:
    return number_format(Decimal(str(value or 0)) * 100, 0)


def reason_for(
    commitment: Commitment,
    result: compliance.Evaluation,
    actual: Decimal | None,
    reached_on: dt.date | None,
) -> str:
    """The evaluation in words, for the operator and the resident."""
    numeric = commitment.target is not None
    facts = {
        "due": commitment.due_date.isoformat(),
        "days": result.days_left,
        "time": _pct(result.time_share),
        "pct": _pct(result.progress_share),
        "actual": _fmt(actual, commitment.unit) if numeric else "",
        "target": _fmt(commitment.target, commitment.unit) if numeric else "",
        "done": commitment.done_on.isoformat() if commitment.done_on else "",
        "reached": reached_on.isoformat() if reached_on else "",
    }
    status = result.status
    if status == compliance.MET:
        if numeric:
            return _("Met: %(actual)s reached against a target of %(target)s.") % facts
        return _("Met: done on %(done)s, due on %(due)s.") % facts
    if status == compliance.BREACHED:
        if numeric and reached_on:
            return (
                _(
                    "Breached: the target of %(target)s was reached only in the period ending "
                    "%(reached)s, after the due date %(due)s."
                )
                % facts
            )
        if numeric:
            return (
                _("Breached: due on %(due)s, only %(actual)s of %(target)s reached (%(pct)s %%).")
                % facts
            )
        if commitment.done_on:
            return _("Breached: done on %(done)s, after the due date %(due)s.") % facts
        return _("Breached: due on %(due)s and not done.") % facts
    if status == compliance.AT_RISK:
        if numeric:
            return (
                _(
                    "At risk: %(time)s %% of the time is gone but only %(pct)s %% of the target "
                    "is reached (%(actual)s of %(target)s); due on %(due)s."
                )
                % facts
            )
        return (
            _("At risk: %(time)s %% of the time is gone and it is not done yet; due on %(due)s.")
            % facts
        )
    if numeric:
        return (
            _("On track: %(actual)s of %(target)s reached (%(pct)s %%), %(days)s days left.")
            % facts
        )
    return _("On track: due on %(due)s, %(days)s days left.") % facts


def evaluate_commitment(
    commitment: Commitment, reports: list[Any], today: dt.date
) -> tuple[str, str, Decimal | None]:
    """(status, reason, actual) of one commitment on ``today``."""
    template = commitment_templates().get(commitment.agreement.template_id, {})
    thresholds = template.get("at_risk", {})
    kwargs: dict[str, Any] = {
        "start": commitment.start_date,
        "due": commitment.due_date,
        "today": today,
        "time_share": float(thresholds.get("time_share", compliance.DEFAULT_TIME_SHARE)),
        "progress_share": Decimal(
            str(thresholds.get("progress_share", compliance.DEFAULT_PROGRESS_SHARE))
        ),
    }
    actual = reached_on = None
    if commitment.kind in NUMERIC_COMMITMENTS and commitment.target is not None:
        got = commitment_actual(commitment, reports, today)
        actual, reached_on = got.value, got.reached_on
        result = compliance.evaluate(
            target=commitment.target, actual=actual, reached_on=reached_on, **kwargs
        )
    else:
        result = compliance.evaluate(done_on=commitment.done_on, **kwargs)
    return result.status, reason_for(commitment, result, actual, reached_on), actual


#: The agreement's date field each consequence sets.
AGREEMENT_DATE_OF: dict[str, str] = {
    Consequence.STATUS_LOSS: "status_lost_on",
    Consequence.BENEFITS_STOP: "benefits_end_on",
    Consequence.PLOT_WITHDRAWAL: "plot_withdrawal_on",
}


def _apply_consequences(commitment: Commitment, today: dt.date) -> list[StatusChange]:
    """Store the breach's consequences once and update the agreement's dates."""
    agreement = commitment.agreement
    template = commitment_templates().get(agreement.template_id, {})
    effective = commitment.due_date + dt.timedelta(days=1 + commitment.grace_days)
    created: list[StatusChange] = []
    reason = commitment.status_reason
    consequences = list(commitment.consequences or [])
    for consequence in consequences:
        if consequence == Consequence.BENEFITS_STOP:
            lost_on = effective
            day = (
                first_day_of_month(lost_on)
                if template.get("benefits_stop", "first_day_of_month") == "first_day_of_month"
                else lost_on
            )
        else:
            day = effective
        change, was_created = StatusChange.objects.get_or_create(
            agreement=agreement,
            commitment=commitment,
            consequence=consequence,
            defaults={"effective_on": day, "reason": reason},
        )
        if was_created:
            created.append(change)
    if not created:
        return created
    changed: list[str] = []
    for change in created:
        field = AGREEMENT_DATE_OF[change.consequence]
        current = getattr(agreement, field)
        if current is None or change.effective_on < current:  # the earliest date wins
            setattr(agreement, field, change.effective_on)
            changed.append(field)
        lost = change.consequence == Consequence.STATUS_LOSS and change.effective_on <= today
        if lost and agreement.status == AgreementStatus.ACTIVE:
            agreement.status = AgreementStatus.STATUS_LOST
            changed.append("status")
    if changed:
        agreement._change_reason = reason  # type: ignore[attr-defined]  # for django-simple-history
        agreement.save(update_fields=sorted({*changed, "updated"}))
    return created


def evaluate_all(today: dt.date) -> dict[str, Any]:
    """Evaluate every commitment of active agreements; returns counts and new status changes."""
    counts: dict[str, int] = defaultdict(int)
    new_changes: list[StatusChange] = []
    commitments = (
        Commitment.objects.filter(agreement__status=AgreementStatus.ACTIVE)
        .select_related("agreement", "agreement__park", "agreement__organization")
        .order_by("agreement_id", "due_date", "pk")
    )
    reports_by_agreement: dict[int, list[Any]] = {}
    for commitment in commitments:
        agreement_id = commitment.agreement_id
        if agreement_id not in reports_by_agreement:
            reports_by_agreement[agreement_id] = list(commitment.agreement.reports.all())
        status, reason, actual = evaluate_commitment(
            commitment, reports_by_agreement[agreement_id], today
        )
        counts[status] += 1
        with transaction.atomic():
            if (
                commitment.status,
                commitment.status_reason,
                commitment.actual,
                commitment.evaluated_on,
            ) != (status, reason, actual, today):
                commitment.status, commitment.status_reason = status, reason
                commitment.actual, commitment.evaluated_on = actual, today
                commitment._change_reason = "compliance-check"  # type: ignore[attr-defined]
                commitment.save(
                    update_fields=["status", "status_reason", "actual", "evaluated_on", "updated"]
                )
            if status == CommitmentStatus.BREACHED and commitment.consequences:
                new_changes.extend(_apply_consequences(commitment, today))
    # A status loss dated in the future becomes the agreement's status on its day.
    for agreement in Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, status_lost_on__isnull=False, status_lost_on__lte=today
    ):
        agreement.status = AgreementStatus.STATUS_LOST
        agreement.save(update_fields=["status", "updated"])
    return {"counts": dict(counts), "status_changes": new_changes}


# --------------------------------------------------------------------------- notices


def _operator_digests(today: dt.date, new_changes: list[StatusChange]) -> int:
    from technopark.residents.services import notify, operator_emails

    sections: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    parks: dict[int, Any] = {}
    for app in Application.objects.filter(state__in=AWAITING_OPERATOR).select_related(
        "park", "park__operator", "applicant"
    ):
        if app.is_overdue(today) and app.park.operator_id:
            parks[app.park.operator_id] = app.park
            sections[app.park.operator_id]["overdue"].append(
                _("Application #%(id)s of %(company)s to %(park)s: decision was due on %(due)s.")
                % {
                    "id": app.pk,
                    "company": app.applicant,
                    "park": app.park,
                    "due": app.review_deadline,
                }
            )
    for commitment in Commitment.objects.filter(
        agreement__status=AgreementStatus.ACTIVE,
        status__in=[CommitmentStatus.AT_RISK, CommitmentStatus.BREACHED],
    ).select_related("agreement", "agreement__park", "agreement__organization"):
        park = commitment.agreement.park
        if park.operator_id:
            parks[park.operator_id] = park
            sections[park.operator_id]["commitments"].append(
                f"{commitment.agreement.organization} ({commitment.agreement.number}), "
                f"{commitment.get_kind_display()}: {commitment.status_reason}"
            )
    for change in new_changes:
        park = change.agreement.park
        if park.operator_id:
            parks[park.operator_id] = park
            sections[park.operator_id]["changes"].append(
                f"{change.agreement.organization} ({change.agreement.number}): "
                f"{change.get_consequence_display()} — {change.effective_on}"
            )
    agreements = Agreement.objects.filter(status=AgreementStatus.ACTIVE).select_related(
        "park", "organization"
    )
    for due in reports_due(agreements, today):
        park = due.agreement.park
        if park.operator_id and due.is_overdue(today):
            parks[park.operator_id] = park
            sections[park.operator_id]["reports"].append(
                _("%(company)s: the report for %(period)s was due on %(due)s.")
                % {
                    "company": due.agreement.organization,
                    "period": due.period_label,
                    "due": due.due_on,
                }
            )
    titles = {
        "changes": _("Status changes"),
        "overdue": _("Overdue application reviews"),
        "commitments": _("Commitments at risk or breached"),
        "reports": _("Reports overdue"),
    }
    sent = 0
    for operator_id, parts in sections.items():
        body = "\n\n".join(
            f"{titles[k]}:\n" + "\n".join(f"- {line}" for line in parts[k])
            for k in titles
            if parts.get(k)
        )
        for email in operator_emails(parks[operator_id]):
            sent += notify(
                key=f"digest:{operator_id}:{email}:{today.isoformat()}",
                kind="digest",
                recipient=email,
                subject=_("Residents digest for %(date)s") % {"date": today.isoformat()},
                body=body,
            )
    return sent


def _resident_reminders(today: dt.date) -> int:
    """Remind residents of commitment deadlines (the nearest threshold reached, once each)."""
    from technopark.residents.services import member_emails, notify

    thresholds = sorted(int(d) for d in reporting().get("reminder_days", []))
    sent = 0
    for commitment in Commitment.objects.filter(
        agreement__status=AgreementStatus.ACTIVE,
        status__in=[CommitmentStatus.ON_TRACK, CommitmentStatus.AT_RISK],
        due_date__gte=today,
    ).select_related("agreement", "agreement__organization", "agreement__park"):
        days_left = (commitment.due_date - today).days
        reached = [d for d in thresholds if days_left <= d]
        if not reached:
            continue
        threshold = reached[0]
        agreement = commitment.agreement
        for email in member_emails(agreement.organization):
            sent += notify(
                key=f"reminder:{commitment.pk}:{threshold}:{email}",
                kind="reminder",
                recipient=email,
                subject=ngettext(
                    "Deadline in %(days)s day: %(what)s",
                    "Deadline in %(days)s days: %(what)s",
                    days_left,
                )
                % {"days": days_left, "what": commitment.get_kind_display()},
                body=_(
                    "Agreement %(number)s with %(park)s: %(what)s is due on %(due)s.\n%(reason)s"
                )
                % {
                    "number": agreement.number,
                    "park": agreement.park,
                    "what": commitment.get_kind_display(),
                    "due": commitment.due_date,
                    "reason": commitment.status_reason,
                },
            )
    agreements = Agreement.objects.filter(status=AgreementStatus.ACTIVE).select_related(
        "park", "organization"
    )
    for due in reports_due(agreements, today):
        days_left = (due.due_on - today).days
        if days_left > (thresholds[-1] if thresholds else 0):
            continue
        for email in member_emails(due.agreement.organization):
            sent += notify(
                key=f"report-due:{due.agreement.pk}:{due.period_label}:{email}",
                kind="report_due",
                recipient=email,
                subject=_("Report for %(period)s due on %(due)s")
                % {"period": due.period_label, "due": due.due_on},
                body=_(
                    "Agreement %(number)s with %(park)s: please submit the report for %(period)s "
                    "by %(due)s."
                )
                % {
                    "number": due.agreement.number,
                    "park": due.agreement.park,
                    "period": due.period_label,
                    "due": due.due_on,
                },
            )
    return sent


def run(*, today: dt.date, send: bool = True) -> dict[str, Any]:
    """Evaluate, store consequences, and (with ``send``) send the digests and reminders."""
    evaluated = evaluate_all(today)
    sent = 0
    if send:
        sent += _operator_digests(today, evaluated["status_changes"])
        sent += _resident_reminders(today)
    return {
        "date": today.isoformat(),
        "commitments": evaluated["counts"],
        "status_changes": [
            {
                "agreement": c.agreement.number,
                "park": c.agreement.park.park_id,
                "consequence": c.consequence,
                "effective_on": c.effective_on.isoformat(),
                "reason": c.reason,
            }
            for c in evaluated["status_changes"]
        ],
        "notifications_sent": sent,
    }
