"""Periodic reports: form saves, operator corrections with history, XLSX uploads with cell errors
(nothing saved until all are valid) and the operator's bulk upload."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from technopark.residents.models import Report
from technopark.residents.services import ReportImportError, report_import_xlsx, report_save
from technopark.residents.xlsx import COLUMNS, build_template
from tests.residents.conftest import make_agreement

D = dt.date
GOOD = {
    "investment": 1000,
    "jobs": 12,
    "revenue": 5000,
    "taxes_paid": 300,
    "exports": 100,
    "imports_customs_benefits": 50,
    "satisfaction": 4,
    "satisfaction_comment": "Roads are fine.",
}


@pytest.fixture
def agreement(rw):
    return make_agreement(rw, signed_on=D(2026, 1, 15), parameters={"investment": 1_000_000})


def workbook(rows, header=COLUMNS, title="Reports") -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append([row.get(c) for c in header])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def row(number="A-1", year=2026, quarter=1, **overrides):
    return {"agreement": number, "year": year, "quarter": quarter, **GOOD, **overrides}


def test_resident_reports_and_operator_corrects_with_history(rw, agreement):
    report = report_save(
        user=rw.users["applicant"],
        agreement=agreement,
        year=2026,
        quarter=1,
        data={k: v for k, v in GOOD.items()},
    )
    assert report.revenue == Decimal(5000) and report.satisfaction == 4
    with pytest.raises(ValidationError):  # the resident may not overwrite it
        report_save(
            user=rw.users["applicant"], agreement=agreement, year=2026, quarter=1, data=GOOD
        )
    report_save(
        user=rw.users["operator"],
        agreement=agreement,
        year=2026,
        quarter=1,
        data={"revenue": Decimal(5500)},
        source="operator",
        reason="Typo in revenue",
    )
    history = list(Report.history.filter(id=report.pk).order_by("history_date"))
    assert [h.revenue for h in history] == [Decimal(5000), Decimal(5500)]
    assert history[-1].history_user == rw.users["operator"]
    assert history[-1].history_change_reason == "Typo in revenue"


@pytest.mark.parametrize(
    "role", ["other_company", "other_operator", "analyst", "stranger", "anonymous"]
)
def test_others_may_not_report(rw, agreement, role):
    with pytest.raises(PermissionDenied):
        report_save(user=rw.user(role), agreement=agreement, year=2026, quarter=1, data=GOOD)


def test_satisfaction_out_of_range_is_refused(rw, agreement):
    with pytest.raises(ValidationError) as err:
        report_save(
            user=rw.users["applicant"],
            agreement=agreement,
            year=2026,
            quarter=1,
            data={**GOOD, "satisfaction": 6},
        )
    assert "satisfaction" in err.value.message_dict


def test_xlsx_upload_saves_all_rows(rw, agreement):
    saved = report_import_xlsx(
        user=rw.users["applicant"],
        agreements=[agreement],
        fileobj=workbook([row(quarter=1), row(quarter=2, revenue="6 000,50")]),
    )
    assert [(r.quarter, r.revenue) for r in saved] == [(1, Decimal(5000)), (2, Decimal("6000.50"))]
    assert {r.source for r in saved} == {"xlsx"}


def test_xlsx_bad_cells_are_named_and_nothing_is_saved(rw, agreement):
    rows = [
        row(quarter=1),  # row 2: fine
        row(quarter=2, revenue="n/a"),  # row 3
        row(quarter=5, jobs=-3, satisfaction=7),  # row 4
        row(quarter=3, investment=None, year="2026x"),  # row 5
        row(number="ZZZ-9", quarter=4),  # row 6: not this resident's agreement
    ]
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(
            user=rw.users["applicant"], agreements=[agreement], fileobj=workbook(rows)
        )
    assert err.value.errors == [
        "Reports!F3: revenue: expected a number, got 'n/a'",
        "Reports!C4: quarter: expected a whole number 1–4, got 5",
        "Reports!E4: jobs: expected a whole number ≥ 0, got -3",
        "Reports!J4: satisfaction: expected a whole number 1–5, got 7",
        "Reports!B5: year: expected a whole number, got '2026x'",
        "Reports!D5: investment: expected a number, the cell is empty",
        "Reports!A6: agreement: no agreement “ZZZ-9” of yours",
    ]
    assert Report.objects.count() == 0


def test_xlsx_sheet_is_named_as_in_the_file(rw, agreement):
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(
            user=rw.users["applicant"],
            agreements=[agreement],
            fileobj=workbook([row(revenue="abc")], title="Sheet1"),
        )
    assert err.value.errors == ["Sheet1!F2: revenue: expected a number, got 'abc'"]


def test_xlsx_missing_columns_and_not_a_workbook(rw, agreement):
    header = [c for c in COLUMNS if c != "revenue"]
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(
            user=rw.users["applicant"],
            agreements=[agreement],
            fileobj=workbook([row()], header=header),
        )
    assert err.value.errors == ["Reports!A1: header: missing column revenue"]
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(
            user=rw.users["applicant"],
            agreements=[agreement],
            fileobj=io.BytesIO(b"%PDF-1.4 not a workbook"),
        )
    assert err.value.errors == ["file: not an XLSX workbook"]


def test_xlsx_same_period_twice_and_existing_report(rw, agreement):
    report_save(user=rw.users["applicant"], agreement=agreement, year=2026, quarter=1, data=GOOD)
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(
            user=rw.users["applicant"],
            agreements=[agreement],
            fileobj=workbook([row(quarter=1), row(quarter=2), row(quarter=2)]),
        )
    assert err.value.errors == [
        "Reports!B2: period: the report for 2026-Q1 exists already",
        "Reports!A4: period: the same period appears twice",
    ]
    assert Report.objects.count() == 1


def test_operator_bulk_upload_many_residents(rw, agreement):
    second = make_agreement(
        rw, signed_on=D(2026, 2, 2), number="A-2", organization=rw.other_company
    )
    foreign = make_agreement(rw, signed_on=D(2026, 2, 2), number="B-1")
    foreign.park = rw.other_park
    foreign.save(update_fields=["park"])
    rows = [row("A-1", quarter=1), row("A-2", quarter=1, revenue=10), row("B-1", quarter=1)]
    with pytest.raises(ReportImportError) as err:
        report_import_xlsx(user=rw.users["operator"], fileobj=workbook(rows), source="bulk")
    assert err.value.errors == ["Reports!A4: agreement: no agreement “B-1” of yours"]
    assert Report.objects.count() == 0
    saved = report_import_xlsx(user=rw.users["operator"], fileobj=workbook(rows[:2]), source="bulk")
    assert sorted(r.agreement.number for r in saved) == ["A-1", "A-2"]
    # a second upload corrects (operator), keeping history
    report_import_xlsx(
        user=rw.users["operator"],
        fileobj=workbook([row("A-2", quarter=1, revenue=20)]),
        source="bulk",
    )
    fixed = Report.objects.get(agreement=second)
    assert fixed.revenue == 20 and fixed.history.count() == 2


def test_template_is_prefilled_and_reads_back(rw, agreement):
    data = build_template([("A-1", 2026, 1)])
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Reports"]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert [c.value for c in ws[2]][:3] == ["A-1", 2026, 1]
