"""Reads of the residents app: querysets already restricted to what the user may see, with their
relations loaded, and the inbox / dashboard summaries built from them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from technopark.core.permissions import Action, AnyUser, operated_org_ids, restrict
from technopark.residents.choices import (
    AWAITING_OPERATOR,
    AgreementStatus,
    CommitmentKind,
    CommitmentStatus,
    InquiryStatus,
)
from technopark.residents.data import reporting
from technopark.residents.models import (
    Agreement,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Commitment,
    Inquiry,
    Report,
)


def inquiries_for(user: AnyUser) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related("park", "site", "assigned_to", "application")
    return restrict(qs, user, Action.VIEW)


def applications_for(user: AnyUser) -> QuerySet[Application]:
    qs = Application.objects.select_related("park", "park__operator", "park__country", "applicant")
    return restrict(qs, user, Action.VIEW).prefetch_related("sites")


def application_for(user: AnyUser, pk: int) -> Application:
    """One application the user may see, with its timeline and documents (DoesNotExist else)."""
    return (
        applications_for(user)
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("user")),
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("created")),
        )
        .get(pk=pk)
    )


def agreements_for(user: AnyUser) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("park", "park__operator", "organization", "application")
    return restrict(qs, user, Action.VIEW).prefetch_related("sites")


def agreement_for(user: AnyUser, pk: int) -> Agreement:
    return (
        agreements_for(user)
        .prefetch_related(
            "commitments",
            "status_changes",
            Prefetch("reports", queryset=Report.objects.order_by("year", "quarter")),
        )
        .get(pk=pk)
    )


def commitments_for(user: AnyUser) -> QuerySet[Commitment]:
    qs = Commitment.objects.select_related(
        "agreement", "agreement__park", "agreement__organization"
    )
    return restrict(qs, user, Action.VIEW)


def reports_for(user: AnyUser) -> QuerySet[Report]:
    qs = Report.objects.select_related("agreement", "agreement__park", "agreement__organization")
    return restrict(qs, user, Action.VIEW)


# --------------------------------------------------------------------------- reports due


@dataclass(frozen=True)
class ReportDue:
    """A periodic report not yet received."""

    agreement: Agreement
    year: int
    quarter: int | None
    due_on: dt.date

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def is_overdue(self, today: dt.date) -> bool:
        return today > self.due_on


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def reports_due(
    agreements: Iterable[Agreement], today: dt.date, *, last: int = 4
) -> list[ReportDue]:
    """Quarterly reports missing for the last ``last`` quarters that ended since signing.

    A quarter counts from the one in which the agreement was signed; its report is due
    ``reporting.yaml: due_days`` after the quarter ends. An annual report for the year covers
    its quarters.
    """
    agreements = [a for a in agreements if a.status == AgreementStatus.ACTIVE]
    due_days = int(reporting()["due_days"])
    have: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    for agreement_id, year, quarter in Report.objects.filter(agreement__in=agreements).values_list(
        "agreement_id", "year", "quarter"
    ):
        have[agreement_id].add((year, quarter))
    out: list[ReportDue] = []
    for agreement in agreements:
        periods: list[tuple[int, int]] = []
        year, quarter = today.year, (today.month - 1) // 3 + 1
        for _ in range(last):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            if quarter_end(year, quarter) < agreement.signed_on:
                break
            periods.append((year, quarter))
        for year, quarter in reversed(periods):
            if (year, quarter) in have[agreement.pk] or (year, None) in have[agreement.pk]:
                continue
            out.append(
                ReportDue(
                    agreement,
                    year,
                    quarter,
                    quarter_end(year, quarter) + dt.timedelta(days=due_days),
                )
            )
    return out


# --------------------------------------------------------------------------- inbox, dashboard


def operator_inbox(user: AnyUser, today: dt.date) -> dict[str, Any]:
    """What a park operator has to act on: open inquiries, applications awaiting a decision
    (overdue first), reports due and commitments at risk or breached."""
    inquiries = inquiries_for(user).filter(status__in=[InquiryStatus.NEW, InquiryStatus.ASSIGNED])
    operated = operated_org_ids(user)
    if operated:  # an operator's inbox is its own parks', not everything an admin could see
        inquiries = inquiries.filter(park__operator_id__in=operated)
    applications = list(
        applications_for(user).filter(state__in=AWAITING_OPERATOR).order_by("review_deadline", "pk")
    )
    agreements = list(agreements_for(user).filter(status=AgreementStatus.ACTIVE))
    commitments = (
        commitments_for(user)
        .filter(
            status__in=[CommitmentStatus.AT_RISK, CommitmentStatus.BREACHED],
            agreement__status=AgreementStatus.ACTIVE,
        )
        .order_by("due_date")
    )
    return {
        "inquiries": list(inquiries[:200]),
        "applications": applications,
        "overdue_applications": [a for a in applications if a.is_overdue(today)],
        "reports_due": reports_due(agreements, today),
        "commitments": list(commitments[:200]),
        "agreements": agreements,
    }


def resident_dashboard(user: AnyUser, today: dt.date) -> dict[str, Any]:
    """A resident company's own agreements, commitments, reports due and applications."""
    agreements = list(agreements_for(user).prefetch_related("commitments"))
    return {
        "agreements": agreements,
        "commitments": [c for a in agreements for c in a.commitments.all()],
        "reports_due": reports_due(agreements, today),
        "reports": list(reports_for(user).order_by("-year", "-quarter")[:20]),
        "applications": list(applications_for(user)[:50]),
    }


# --------------------------------------------------------------------------- actuals


@dataclass(frozen=True)
class Actual:
    """How far a numeric commitment got by a date, and when its target was first reached."""

    value: Decimal
    reached_on: dt.date | None
    series: list[tuple[dt.date, Decimal]]


def deduplicated_reports(reports: Iterable[Report], today: dt.date) -> list[Report]:
    """Reports that ended by ``today``, with an annual report replacing its year's quarters."""
    by_year: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        if report.period_end <= today:
            by_year[report.year].append(report)
    out: list[Report] = []
    for year in sorted(by_year):
        annual = [r for r in by_year[year] if r.quarter is None]
        out.extend(annual or sorted(by_year[year], key=lambda r: r.quarter or 0))
    return out


def commitment_actual(commitment: Commitment, reports: Iterable[Report], today: dt.date) -> Actual:
    """Investment: cumulative sum; jobs: the latest headcount; export share: exports / revenue
    over all periods reported. ``reached_on`` is the end of the period in which the target was
    first reached."""
    rows = deduplicated_reports(reports, today)
    series: list[tuple[dt.date, Decimal]] = []
    reached_on = None
    total = Decimal(0)
    exports = revenue = Decimal(0)
    value = Decimal(0)
    for report in rows:
        if commitment.kind == CommitmentKind.INVESTMENT:
            total += report.investment
            value = total
        elif commitment.kind == CommitmentKind.JOBS:
            value = Decimal(report.jobs)
        elif commitment.kind == CommitmentKind.EXPORT_SHARE:
            exports += report.exports
            revenue += report.revenue
            value = (exports / revenue).quantize(Decimal("0.0001")) if revenue else Decimal(0)
        series.append((report.period_end, value))
        if reached_on is None and commitment.target is not None and value >= commitment.target:
            reached_on = report.period_end
    return Actual(value, reached_on, series)
