"""The residents pages: the public inquiry form and its spam protection, the operator's inbox,
the application page, the agreement page with its chart, the dashboard and reports — each
answering only to the right roles."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.urls import reverse

from technopark.residents import spam
from technopark.residents.choices import ApplicationState as S
from technopark.residents.models import Application, Inquiry, Report
from tests.residents.conftest import make_agreement, set_state

FORM = {
    "company_name": "Cable Works LLC (example)",
    "contact_name": "A. Karimov",
    "email": "a.karimov@example.org",
    "phone": "",
    "project_summary": "Cable plant.",
    "needs": "3 ha",
}


def aged_token(seconds: float = 10) -> str:
    return spam.form_token(time.time() - seconds)


def test_inquiry_form_url_and_page(client, rw):
    url = reverse("residents:inquiry-create")
    assert url == "/residents/inquiries/new/"
    page = client.get(url, {"park": "test-sez", "site": "sez-plot-1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html and 'name="started"' in html and "sez-plot-1" in html
    assert client.get(url, {"park": "nowhere"}).status_code == 404
    assert client.get(url, {"park": rw.other_park.park_id, "site": "sez-plot-1"}).status_code == 404


def test_inquiry_is_saved_after_the_minimum_time(client, rw, mailoutbox):
    response = client.post(
        reverse("residents:inquiry-create"),
        {**FORM, "park": "test-sez", "site": "sez-plot-1", "started": aged_token()},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "residents:inquiry-thanks"
    )
    inquiry = Inquiry.objects.get()
    assert (inquiry.park, inquiry.site, inquiry.ip_address) == (rw.park, rw.site, "127.0.0.1")
    assert len(mailoutbox) == 2  # both operators of the directorate


def test_too_fast_forged_or_missing_stamp_is_refused(client, rw):
    url = reverse("residents:inquiry-create")
    for token in (spam.form_token(), "123.0:forged", ""):
        response = client.post(url, {**FORM, "park": "test-sez", "started": token})
        assert response.status_code == 400
        assert "too quickly or has expired" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_honeypot_looks_like_success_but_stores_nothing(client, rw, mailoutbox):
    response = client.post(
        reverse("residents:inquiry-create"),
        {**FORM, "park": "test-sez", "started": aged_token(), "website": "http://spam.example"},
    )
    assert response.status_code == 302
    assert Inquiry.objects.count() == 0 and mailoutbox == []


def test_rate_limit_per_ip(client, rw, settings):
    settings.TECHNOPARK_INQUIRY_RATE_PER_HOUR = 3
    url = reverse("residents:inquiry-create")
    codes = [
        client.post(url, {**FORM, "park": "test-sez", "started": aged_token()}).status_code
        for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    # another address is not affected
    assert (
        client.post(
            url, {**FORM, "park": "test-sez", "started": aged_token()}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        == 302
    )
    assert Inquiry.objects.count() == 4


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("operator", 200),
        ("admin", 200),
        ("applicant", 403),
        ("analyst", 403),
        ("other_company", 403),
    ],
)
def test_inbox_answers_to_operators(client, rw, role, status):
    client.force_login(rw.users[role])
    assert client.get(reverse("residents:inbox")).status_code == status


def test_inbox_shows_only_the_operators_parks(client, rw, draft):
    from technopark.residents.services import application_submit, inquiry_create

    inquiry_create(park=rw.park, data=FORM)
    inquiry_create(park=rw.other_park, data={**FORM, "company_name": "Elsewhere Ltd (example)"})
    application_submit(application=draft, user=rw.users["applicant"])
    Application.objects.filter(pk=draft.pk).update(review_deadline=dt.date(2020, 1, 1))
    client.force_login(rw.users["operator"])
    html = client.get(reverse("residents:inbox")).content.decode()
    assert "Cable Works LLC (example)" in html and "Elsewhere Ltd" not in html
    assert "1 review is overdue." in html
    assert reverse("residents:inbox") == "/residents/inbox/"
    client.force_login(rw.users["anonymous"] if False else rw.users["other_operator"])
    html = client.get(reverse("residents:inbox")).content.decode()
    assert "Elsewhere Ltd" in html and "Cable Works LLC" not in html


def test_anonymous_is_sent_to_sign_in(client, rw):
    response = client.get(reverse("residents:inbox"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_operator_answers_on_the_inquiry_page(client, rw, mailoutbox):
    from technopark.residents.services import inquiry_create

    inquiry = inquiry_create(park=rw.park, site=rw.site, data=FORM)
    client.force_login(rw.users["operator"])
    page = client.post(
        inquiry.get_absolute_url(), {"action": "answer", "answer": "Plot 1 is free."}
    )
    assert page.status_code == 302
    page = client.post(
        inquiry.get_absolute_url(), {"action": "assign", "assignee": rw.users["operator2"].pk}
    )
    assert page.status_code == 302
    page = client.post(inquiry.get_absolute_url(), {"action": "convert"})
    inquiry.refresh_from_db()
    assert page["Location"] == inquiry.application.get_absolute_url()
    assert (inquiry.status, inquiry.assigned_to) == ("converted", rw.users["operator2"])
    client.force_login(rw.users["other_operator"])
    assert client.get(inquiry.get_absolute_url()).status_code == 404


def test_application_page_timeline_and_steps(client, rw, draft):
    client.force_login(rw.users["applicant"])
    url = draft.get_absolute_url()
    html = client.get(url).content.decode()
    assert "Timeline" in html and 'value="submit"' in html and 'value="start-review"' not in html
    response = client.post(
        url, {"action": "submit", "submit-version": 1, "submit-comment": "Please."}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED
    client.force_login(rw.users["operator"])
    html = client.get(url).content.decode()
    assert 'value="start-review"' in html and "Please." in html
    # a stale form (version 1) gets a conflict, nothing changes
    response = client.post(url, {"action": "start-review", "start_review-version": 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert (
        client.post(url, {"action": "start-review", "start_review-version": 2}).status_code == 302
    )
    for role in ("other_company", "other_operator"):
        client.force_login(rw.users[role])
        assert client.get(url).status_code == 404


def test_approve_from_the_page_signs_the_agreement(client, rw, draft):
    set_state(draft, S.UNDER_REVIEW)
    client.force_login(rw.users["operator"])
    response = client.post(
        draft.get_absolute_url(),
        {
            "action": "approve",
            "approve-version": 1,
            "approve-number": "SEZ-1",
            "approve-signed_on": "2026-03-02",
            "approve-template_id": "uz-sez",
            "approve-parameters": '{"investment": 500000}',
            "approve-certificate_number": "C-1",
            "approve-certificate_date": "2026-03-02",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.APPROVED and draft.agreement.number == "SEZ-1"


def test_document_upload_and_download_keep_names_safe(client, rw, draft):
    client.force_login(rw.users["applicant"])
    upload = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    upload.name = "<script>alert(1)</script>.pdf"
    assert (
        client.post(
            draft.get_absolute_url(), {"action": "upload", "doc_type": "other", "file": upload}
        ).status_code
        == 302
    )
    document = draft.documents.get()
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    download = client.get(reverse("residents:document-download", kwargs={"pk": document.pk}))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(rw.users["other_company"])
    assert (
        client.get(reverse("residents:document-download", kwargs={"pk": document.pk})).status_code
        == 404
    )
    client.force_login(rw.users["applicant"])
    fake = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 20)
    fake.name = "scan.pdf"
    response = client.post(
        draft.get_absolute_url(), {"action": "upload", "doc_type": "other", "file": fake}
    )
    assert (
        response.status_code == 400 and "not one of the allowed types" in response.content.decode()
    )


def test_agreement_page_chart_and_scoping(client, rw):
    from technopark.residents.services import report_save

    agreement = make_agreement(
        rw, signed_on=dt.date(2026, 1, 15), parameters={"investment": 1_000_000}
    )
    report_save(
        user=rw.users["applicant"],
        agreement=agreement,
        year=2026,
        quarter=1,
        data={"investment": 250_000, "jobs": 10},
    )
    for role in ("applicant", "operator", "analyst"):
        client.force_login(rw.users[role])
        html = client.get(agreement.get_absolute_url()).content.decode()
        assert "Planned and actual" in html and "plotly-graph-div" in html, role
        assert reverse("residents:plotly-js") in html and "cdn.plot.ly" not in html
    # Dates as the language writes them (Django's SHORT_DATE_FORMAT: d.m.Y in Russian).
    russian = client.get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content
    assert "15.01.2026" in russian.decode()
    english = client.get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content
    assert "01/15/2026" in english.decode()
    for role in ("other_company", "other_operator"):
        client.force_login(rw.users[role])
        assert client.get(agreement.get_absolute_url()).status_code == 404
    js = client.get(reverse("residents:plotly-js"))
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")


def test_dashboard_shows_only_the_residents_own(client, rw):
    make_agreement(rw, signed_on=dt.date(2025, 1, 15), number="MINE-1")
    make_agreement(
        rw, signed_on=dt.date(2025, 1, 15), number="THEIRS-1", organization=rw.other_company
    )
    client.force_login(rw.users["applicant"])
    html = client.get(reverse("residents:dashboard")).content.decode()
    assert "MINE-1" in html and "THEIRS-1" not in html
    assert "Reports due" in html


def test_report_form_template_upload_and_correction(client, rw):
    agreement = make_agreement(rw, signed_on=dt.date(2025, 1, 15))
    client.force_login(rw.users["applicant"])
    url = reverse("residents:report-create") + f"?agreement={agreement.pk}"
    data = {
        "year": 2025,
        "quarter": 1,
        "investment": "100",
        "jobs": 3,
        "revenue": "0",
        "taxes_paid": "0",
        "exports": "0",
        "imports_customs_benefits": "0",
        "satisfaction": "4",
        "satisfaction_comment": "",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400 and "exists already" in again.content.decode()
    template = client.get(reverse("residents:report-template"))
    assert template.status_code == 200
    bad = io.BytesIO(b"not a workbook")
    bad.name = "reports.xlsx"
    page = client.post(reverse("residents:report-upload"), {"file": bad})
    assert page.status_code == 400 and "not an XLSX workbook" in page.content.decode()
    report = Report.objects.get()
    assert client.get(reverse("residents:report-edit", kwargs={"pk": report.pk})).status_code == 403
    client.force_login(rw.users["operator"])
    edit = reverse("residents:report-edit", kwargs={"pk": report.pk})
    assert (
        client.post(edit, {**data, "investment": "150", "reason": "Audited figure"}).status_code
        == 302
    )
    report.refresh_from_db()
    assert (
        report.investment == 150
        and report.history.first().history_change_reason == "Audited figure"
    )


@pytest.mark.parametrize(
    ("language", "title", "button"),
    [
        ("en", "Send an inquiry", "Send"),
        ("ru", "Отправить запрос", "Отправить"),
        ("uz", "So'rov yuborish", "Yuborish"),
    ],
)
def test_pages_are_translated(client, rw, language, title, button):
    client.cookies["django_language"] = language
    html = client.get(reverse("residents:inquiry-create"), {"park": "test-sez"}).content.decode()
    assert f"<h1>{title}</h1>" in html
    assert f'<button type="submit">{button}</button>' in html


def test_compliance_reasons_are_translated(rw):
    from django.utils import translation

    from technopark.residents.compliance import evaluate
    from technopark.residents.compliance_engine import reason_for
    from technopark.residents.models import Commitment

    commitment = Commitment(
        kind="documents", start_date=dt.date(2026, 1, 31), due_date=dt.date(2026, 2, 16)
    )
    result = evaluate(
        start=commitment.start_date, due=commitment.due_date, today=dt.date(2026, 2, 17)
    )
    with translation.override("ru"):
        assert (
            reason_for(commitment, result, None, None) == "Нарушено: срок 2026-02-16, не выполнено."
        )
    with translation.override("uz"):
        assert (
            reason_for(commitment, result, None, None)
            == "Buzilgan: muddat 2026-02-16, bajarilmagan."
        )


def test_apply_for_residency_page(client, rw):
    import json

    from tests.residents.conftest import PROJECT

    url = reverse("residents:application-create") + "?park=test-sez"
    client.force_login(rw.users["applicant"])
    page = client.get(url)
    assert page.status_code == 200 and "Cable Works LLC (example)" in page.content.decode()
    bad = client.post(url, {"applicant": rw.company.pk, "project": "{not json"})
    assert bad.status_code == 400 and "Not valid JSON" in bad.content.decode()
    invalid = client.post(url, {"applicant": rw.company.pk, "project": json.dumps({"name": "x"})})
    assert invalid.status_code == 400 and "$: is required" in invalid.content.decode()
    ok = client.post(
        url, {"applicant": rw.company.pk, "sites": [rw.site.pk], "project": json.dumps(PROJECT)}
    )
    assert ok.status_code == 302
    application = Application.objects.get()
    assert ok["Location"] == application.get_absolute_url()
    assert list(application.sites.all()) == [rw.site]
    # a company the user is not a member of is not offered
    foreign = client.post(url, {"applicant": rw.other_company.pk, "project": json.dumps(PROJECT)})
    assert foreign.status_code == 400 and Application.objects.count() == 1


def test_inquiry_and_report_pages_render(client, rw):
    from technopark.residents.services import inquiry_create, report_save

    inquiry = inquiry_create(park=rw.park, site=rw.site, data=FORM)
    client.force_login(rw.users["operator"])
    html = client.get(inquiry.get_absolute_url()).content.decode()
    assert "Inquiry from Cable Works LLC (example)" in html and 'value="convert"' in html
    client.force_login(rw.users["analyst"])
    html = client.get(inquiry.get_absolute_url()).content.decode()
    assert 'value="convert"' not in html  # the analyst watches, never acts
    agreement = make_agreement(rw, signed_on=dt.date(2025, 1, 15))
    report = report_save(
        user=rw.users["applicant"],
        agreement=agreement,
        year=2025,
        quarter=1,
        data={"investment": 10, "jobs": 1},
    )
    client.force_login(rw.users["operator"])
    page = client.get(reverse("residents:report-edit", kwargs={"pk": report.pk}))
    assert page.status_code == 200 and "History" in page.content.decode()
    html = client.get(reverse("residents:inbox")).content.decode()
    assert agreement.number in html
