"""Compliance examples worked by hand, the breach consequences and the daily command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from technopark.residents.compliance import AT_RISK, BREACHED, MET, ON_TRACK, evaluate
from tests.residents.conftest import make_agreement

D = dt.date


@pytest.mark.parametrize(
    ("today", "actual", "reached_on", "expected", "why"),
    [
        # start 1 Jan 2026, due 31 Dec 2026: 364 days
        (
            D(2026, 7, 2),
            Decimal(40),
            None,
            AT_RISK,
            "182/364 = 0.5 of the time gone, 40 % < 50 % reached",
        ),
        (D(2026, 7, 2), Decimal(50), None, ON_TRACK, "50 % reached is not below 50 %"),
        (D(2026, 7, 1), Decimal(0), None, ON_TRACK, "181/364 = 0.497 < 0.5 of the time gone"),
        (
            D(2026, 12, 31),
            Decimal(40),
            None,
            AT_RISK,
            "on the due day itself, 40 % is at risk, not yet breached",
        ),
        (D(2027, 1, 1), Decimal(99), None, BREACHED, "the day after, 99 of 100 is a breach"),
        (D(2026, 3, 1), Decimal(100), D(2026, 3, 31), MET, "target reached early"),
        (D(2027, 6, 1), Decimal(120), D(2027, 3, 31), BREACHED, "reached only after the due date"),
    ],
)
def test_numeric_examples(today, actual, reached_on, expected, why):
    result = evaluate(
        start=D(2026, 1, 1),
        due=D(2026, 12, 31),
        today=today,
        target=Decimal(100),
        actual=actual,
        reached_on=reached_on,
    )
    assert result.status == expected, why


@pytest.mark.parametrize(
    ("today", "done_on", "expected"),
    [
        (D(2026, 2, 5), None, ON_TRACK),  # 5 of 16 days gone
        (D(2026, 2, 9), None, AT_RISK),  # 9/16 ≥ 0.5, nothing done
        (D(2026, 2, 16), D(2026, 2, 10), MET),
        (D(2026, 2, 17), None, BREACHED),
        (D(2026, 3, 1), D(2026, 2, 20), BREACHED),  # done late
    ],
)
def test_event_examples(today, done_on, expected):
    result = evaluate(start=D(2026, 1, 31), due=D(2026, 2, 16), today=today, done_on=done_on)
    assert result.status == expected


def test_thresholds_are_configurable():
    kwargs = {
        "start": D(2026, 1, 1),
        "due": D(2026, 12, 31),
        "today": D(2026, 4, 1),
        "target": Decimal(100),
        "actual": Decimal(10),
    }
    assert evaluate(**kwargs).status == ON_TRACK  # 90/364 of the time gone
    assert evaluate(time_share=0.2, progress_share=Decimal("0.25"), **kwargs).status == AT_RISK


@pytest.fixture
def sez_agreement(rw):
    # Uzbek SEZ, signed Thursday 15 January 2026: USD 1 m within 1 year → Friday 15 January
    # 2027; construction start within 6 months → Wednesday 15 July 2026; production within
    # 2 years → Saturday 15 January 2028 → Monday 17 January 2028.
    return make_agreement(
        rw,
        signed_on=D(2026, 1, 15),
        parameters={"investment": 1_000_000, "investment_years": 1, "production_start_years": 2},
    )


def _report(rw, agreement, year, quarter, investment):
    from technopark.residents.services import report_save

    return report_save(
        user=rw.users["applicant"],
        agreement=agreement,
        year=year,
        quarter=quarter,
        data={
            "investment": Decimal(investment),
            "jobs": 10,
            "revenue": Decimal(0),
            "taxes_paid": Decimal(0),
        },
    )


def test_agreement_commitments_from_the_uz_sez_template(sez_agreement):
    rows = [(c.kind, c.due_date, c.target) for c in sez_agreement.commitments.all()]
    assert rows == [
        ("construction_start", D(2026, 7, 15), None),
        ("investment", D(2027, 1, 15), Decimal("1000000.00")),
        ("production_start", D(2028, 1, 17), None),
    ]
    assert sez_agreement.currency == "USD"
    assert sez_agreement.regime_ids == ["uz-sez"]
    assert sez_agreement.resident.since == D(2026, 1, 15)


def test_at_risk_then_breached_then_benefits_stop_from_the_first_of_the_month(
    rw, sez_agreement, mailoutbox
):
    from technopark.residents.choices import AgreementStatus
    from technopark.residents.models import Commitment, StatusChange
    from technopark.residents.services import benefits_end_date, compliance_run

    for quarter in (1, 2, 3, 4):
        _report(rw, sez_agreement, 2026, quarter, 200_000)
    investment = Commitment.objects.get(agreement=sez_agreement, kind="investment")

    # 1 August 2026: 198 of 365 days gone (0.54), reports to 30 June give 400,000 (0.4) → at risk.
    compliance_run(today=D(2026, 8, 1), send=False)
    investment.refresh_from_db()
    assert investment.status == "at_risk"
    assert investment.actual == Decimal(400_000)
    assert "54 % of the time is gone" in investment.status_reason
    assert "only 40 % of the target" in investment.status_reason
    construction = Commitment.objects.get(agreement=sez_agreement, kind="construction_start")
    construction.refresh_from_db()
    assert construction.status == "breached"  # due 15 July, not done; no consequence in the data
    assert StatusChange.objects.count() == 0
    assert benefits_end_date(sez_agreement) is None

    # 20 January 2027: due 15 January passed with 800,000 of 1,000,000 → breached; status lost
    # from 16 January 2027, benefits stop from 1 January 2027 (Tax Code Art. 474).
    result = compliance_run(today=D(2027, 1, 20), send=False)
    investment.refresh_from_db()
    assert investment.status == "breached"
    assert "only 800,000 USD of 1,000,000 USD reached (80 %)" in investment.status_reason
    changes = {c.consequence: c.effective_on for c in StatusChange.objects.all()}
    assert changes == {"status_loss": D(2027, 1, 16), "benefits_stop": D(2027, 1, 1)}
    sez_agreement.refresh_from_db()
    assert sez_agreement.status == AgreementStatus.STATUS_LOST
    assert sez_agreement.status_lost_on == D(2027, 1, 16)
    assert benefits_end_date(sez_agreement) == D(2027, 1, 1)
    assert len(result["status_changes"]) == 2
    # stored once: a second run adds nothing
    assert compliance_run(today=D(2027, 1, 21), send=False)["status_changes"] == []
    assert StatusChange.objects.count() == 2


def test_breach_at_a_month_end_stops_benefits_from_the_next_month(rw):
    from technopark.residents.services import benefits_end_date, compliance_run

    # Signed Friday 31 January 2025, one month for the investment → 28 February 2025 (Friday).
    # Status lost from 1 March 2025 → benefits stop from 1 March 2025, not 1 February.
    agreement = make_agreement(
        rw, signed_on=D(2025, 1, 31), parameters={"investment": 500_000, "investment_years": 0}
    )
    commitment = agreement.commitments.get(kind="investment")
    commitment.due_date = D(2025, 2, 28)
    commitment.save(update_fields=["due_date"])
    compliance_run(today=D(2025, 3, 3), send=False)
    agreement.refresh_from_db()
    assert agreement.status_lost_on == D(2025, 3, 1)
    assert benefits_end_date(agreement) == D(2025, 3, 1)


def test_small_industrial_zone_breach_withdraws_the_plot(rw):
    from technopark.residents.models import StatusChange
    from technopark.residents.services import commitment_mark_done, compliance_run

    agreement = make_agreement(rw, signed_on=D(2026, 1, 31), template_id="uz-small-industrial-zone")
    documents = agreement.commitments.get(kind="documents")
    commitment_mark_done(commitment=documents, user=rw.users["operator"], done_on=D(2026, 2, 10))
    compliance_run(today=D(2026, 4, 1), send=False)  # project was due 31 March, not done
    agreement.refresh_from_db()
    assert agreement.plot_withdrawal_on == D(2026, 4, 1)
    assert list(StatusChange.objects.values_list("consequence", flat=True)) == ["plot_withdrawal"]
    documents.refresh_from_db()
    assert documents.status == "met"
    assert agreement.status == "active"  # a plot withdrawal is not a loss of status here


def test_annual_report_replaces_its_quarters(rw, sez_agreement):
    from technopark.residents.selectors import commitment_actual

    _report(rw, sez_agreement, 2026, 1, 100)
    _report(rw, sez_agreement, 2026, None, 900)
    investment = sez_agreement.commitments.get(kind="investment")
    got = commitment_actual(investment, sez_agreement.reports.all(), D(2027, 2, 1))
    assert got.value == Decimal(900)


def test_compliance_command_twice_sends_nothing_twice(rw, sez_agreement, mailoutbox):
    from technopark.residents.models import Notification

    out = StringIO()
    call_command("compliance-check", "--date", "2026-07-10", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["date"] == "2026-07-10"
    sent = len(mailoutbox)
    # construction start due 15 July: the resident's 7-day reminder; the operators' digest
    # lists the overdue Q1 report (due 30 April)
    assert first["notifications_sent"] == sent > 0
    subjects = {m.subject for m in mailoutbox}
    assert any(s.startswith("Deadline in 5 days") for s in subjects)
    assert any(s.startswith("Residents digest") for s in subjects)
    out = StringIO()
    call_command("compliance-check", "--date", "2026-07-10", "--json", stdout=out)
    assert json.loads(out.getvalue())["notifications_sent"] == 0
    assert len(mailoutbox) == sent
    assert Notification.objects.count() == sent


def test_reminders_go_once_per_threshold(rw, sez_agreement, mailoutbox):
    from technopark.residents.services import compliance_run

    def reminders():
        return [m for m in mailoutbox if m.subject.startswith("Deadline in")]

    compliance_run(today=D(2026, 6, 10))  # 35 days before 15 July: no threshold reached
    assert reminders() == []
    compliance_run(today=D(2026, 6, 16))  # 29 days: the 30-day reminder
    compliance_run(today=D(2026, 6, 20))  # still within 30: nothing new
    assert [m.subject for m in reminders()] == ["Deadline in 29 days: Start of construction"]
    compliance_run(today=D(2026, 7, 14))  # 1 day: the 1-day reminder (the 7-day one was missed)
    assert (
        len(reminders()) == 2
        and reminders()[-1].subject == "Deadline in 1 day: Start of construction"
    )
    assert reminders()[0].to == ["applicant@example.org"]


def test_ru_sez_breach_ends_benefits_on_the_day_status_is_lost(rw):
    from technopark.residents.services import benefits_end_date, compliance_run

    # Signed Monday 2 March 2026, declared 150 m RUB; two-thirds (100 m) within 3 years →
    # Friday 2 March 2029. The template says benefits end on the day status is lost.
    agreement = make_agreement(
        rw,
        signed_on=D(2026, 3, 2),
        template_id="ru-sez-industrial",
        parameters={"declared_investment": 150_000_000},
    )
    first = agreement.commitments.filter(kind="investment").order_by("due_date").first()
    assert (first.target, first.due_date) == (Decimal("100000000.00"), D(2029, 3, 2))
    compliance_run(today=D(2029, 3, 5), send=False)
    agreement.refresh_from_db()
    assert agreement.status_lost_on == D(2029, 3, 3)
    assert benefits_end_date(agreement) == D(2029, 3, 3)


def test_compliance_command_plain_output_and_bad_date(rw, sez_agreement):
    out = StringIO()
    call_command("compliance-check", "--date", "2026-02-01", "--no-email", stdout=out)
    assert "Compliance on 2026-02-01" in out.getvalue()
    with pytest.raises(SystemExit) as exit_:
        call_command("compliance-check", "--date", "2026-02-30")
    assert exit_.value.code == 2
