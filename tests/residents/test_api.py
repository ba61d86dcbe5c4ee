"""The residents API: same permissions as the pages, one error format, 409 on conflicts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from technopark.residents.choices import ApplicationState as S
from technopark.residents.models import Application, Inquiry, Report
from tests.residents.conftest import PROJECT, make_agreement, set_state

API = "/api/v1"
INQUIRY = {
    "park": "test-sez",
    "site": "sez-plot-1",
    "company_name": "Cable Works LLC (example)",
    "contact_name": "A. Karimov",
    "email": "a.karimov@example.org",
    "phone": "+998 71 000 00 00",
    "project_summary": "Cable plant, 120 jobs.",
    "needs": "3 ha, 4 MW.",
}


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def assert_error_format(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str)
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
    return body


def test_anyone_sends_an_inquiry_and_the_operator_is_told(client, rw, mailoutbox):
    response = client.post(f"{API}/inquiries", INQUIRY, content_type="application/json")
    assert response.status_code == 202
    inquiry = Inquiry.objects.get()
    assert inquiry.site == rw.site and inquiry.status == "new"
    assert sorted(m.to[0] for m in mailoutbox) == ["operator2@example.org", "operator@example.org"]


def test_inquiry_honeypot_and_rate_limit(client, rw, settings):
    settings.TECHNOPARK_INQUIRY_RATE_PER_HOUR = 2
    assert (
        client.post(
            f"{API}/inquiries",
            {**INQUIRY, "website": "http://spam"},
            content_type="application/json",
        ).status_code
        == 202
    )
    assert Inquiry.objects.count() == 0
    assert (
        client.post(f"{API}/inquiries", INQUIRY, content_type="application/json").status_code == 202
    )
    body = assert_error_format(
        client.post(f"{API}/inquiries", INQUIRY, content_type="application/json"), 429
    )
    assert "Too many inquiries" in body["detail"]
    assert Inquiry.objects.count() == 1


def test_inquiry_validation_errors(client, rw):
    body = assert_error_format(
        client.post(
            f"{API}/inquiries",
            {**INQUIRY, "email": "not-an-address", "site": ""},
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"] == [{"field": "email", "message": "Enter a valid email address."}]
    assert_error_format(
        client.post(
            f"{API}/inquiries", {**INQUIRY, "park": "nowhere"}, content_type="application/json"
        ),
        422,
    )


@pytest.mark.parametrize(
    ("role", "sees"),
    [("operator", 1), ("other_operator", 0), ("applicant", 0), ("analyst", 1), ("admin", 1)],
)
def test_inquiries_are_the_operators(client, rw, role, sees):
    from technopark.residents.services import inquiry_create

    inquiry_create(park=rw.park, data=INQUIRY)
    response = client_for(client, rw.users[role]).get(f"{API}/inquiries")
    assert response.status_code == 200 and len(response.json()) == sees


def test_inquiries_need_a_login(client, rw):
    assert_error_format(client.get(f"{API}/inquiries"), 401)


def test_operator_answers_assigns_converts(client, rw, mailoutbox):
    from technopark.residents.services import inquiry_create

    inquiry = inquiry_create(park=rw.park, site=rw.site, data=INQUIRY)
    c = client_for(client, rw.users["operator"])
    assert (
        c.post(
            f"{API}/inquiries/{inquiry.pk}/answer",
            {"answer": "Welcome, plot 1 is free."},
            content_type="application/json",
        ).json()["status"]
        == "answered"
    )
    assert mailoutbox[-1].to == ["a.karimov@example.org"]
    body = assert_error_format(
        c.post(
            f"{API}/inquiries/{inquiry.pk}/assign",
            {"user_id": rw.users["applicant"].pk},
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"][0]["field"] == "assigned_to"
    assigned = c.post(
        f"{API}/inquiries/{inquiry.pk}/assign",
        {"user_id": rw.users["operator2"].pk},
        content_type="application/json",
    ).json()
    assert assigned["assigned_to"] == "operator2"
    converted = c.post(f"{API}/inquiries/{inquiry.pk}/convert", {}, content_type="application/json")
    assert converted.status_code == 201
    assert converted.json()["state"] == "draft" and converted.json()["sites"] == ["sez-plot-1"]
    # the analyst sees but may not act
    analyst = client_for(client, rw.users["analyst"])
    assert_error_format(
        analyst.post(
            f"{API}/inquiries/{inquiry.pk}/answer", {"answer": "x"}, content_type="application/json"
        ),
        403,
    )


def test_application_lifecycle_over_the_api(client, rw, mailoutbox):
    applicant = client_for(client, rw.users["applicant"])
    created = applicant.post(
        f"{API}/applications",
        {
            "park": "test-sez",
            "applicant_id": rw.company.pk,
            "sites": ["sez-plot-1"],
            "project": PROJECT,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    submitted = applicant.post(
        f"{API}/applications/{pk}/submit", {"version": version}, content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert submitted.json()["review_deadline"] is not None
    # the applicant may not review its own application
    assert_error_format(
        applicant.post(
            f"{API}/applications/{pk}/start-review", {}, content_type="application/json"
        ),
        403,
    )
    client.logout()
    operator = client_for(client, rw.users["operator"])
    reviewed = operator.post(
        f"{API}/applications/{pk}/start-review", {"version": 2}, content_type="application/json"
    )
    assert reviewed.json()["state"] == "under_review"
    approved = operator.post(
        f"{API}/applications/{pk}/approve",
        {
            "version": 3,
            "comment": "Welcome.",
            "agreement": {
                "number": "SEZ-2026-001",
                "signed_on": "2026-03-02",
                "template_id": "uz-sez",
                "parameters": {"investment": 3000000},
                "certificate_number": "C-77",
                "certificate_date": "2026-03-02",
            },
        },
        content_type="application/json",
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    agreement_id = approved.json()["agreement_id"]
    detail = operator.get(f"{API}/agreements/{agreement_id}").json()
    assert detail["number"] == "SEZ-2026-001" and detail["sites"] == ["sez-plot-1"]
    assert [c["kind"] for c in detail["commitments"]] == [
        "construction_start",
        "production_start",
        "investment",
    ]
    events = operator.get(f"{API}/applications/{pk}").json()["events"]
    assert [e["to_state"] for e in events] == ["draft", "submitted", "under_review", "approved"]


def test_stale_version_is_409_and_invisible_is_404(client, rw, draft):
    set_state(draft, S.UNDER_REVIEW)
    first = client_for(client, rw.users["operator"])
    assert (
        first.post(
            f"{API}/applications/{draft.pk}/approve",
            {"version": 1},
            content_type="application/json",
        ).status_code
        == 200
    )
    client.logout()
    second = client_for(client, rw.users["operator2"])
    body = assert_error_format(
        second.post(
            f"{API}/applications/{draft.pk}/reject",
            {"version": 1, "comment": "No."},
            content_type="application/json",
        ),
        409,
    )
    assert "changed by someone else" in body["detail"]
    # without a version, the state decides: approved cannot be rejected
    body = assert_error_format(
        second.post(
            f"{API}/applications/{draft.pk}/reject",
            {"comment": "No."},
            content_type="application/json",
        ),
        409,
    )
    assert "the step “Reject” is not possible now" in body["detail"]
    client.logout()
    other = client_for(client, rw.users["other_operator"])
    assert_error_format(other.get(f"{API}/applications/{draft.pk}"), 404)
    assert_error_format(
        other.post(f"{API}/applications/{draft.pk}/approve", {}, content_type="application/json"),
        404,
    )
    assert Application.objects.get(pk=draft.pk).state == S.APPROVED


def test_upload_over_the_api(client, rw, draft):
    c = client_for(client, rw.users["applicant"])
    exe = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)
    exe.name = "invoice.pdf"
    body = assert_error_format(
        c.post(f"{API}/applications/{draft.pk}/documents", {"file": exe}), 422
    )
    assert body["errors"][0]["field"] == "file"
    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    pdf.name = "../../plan<b>.pdf"
    ok = c.post(
        f"{API}/applications/{draft.pk}/documents", {"file": pdf, "doc_type": "business_plan"}
    )
    assert ok.status_code == 201 and ok.json()["original_name"] == "plan_b_.pdf"


@pytest.mark.parametrize("body", [b"", b"--x\r\nnot a part"])
def test_an_unreadable_multipart_body_is_400_and_stores_nothing(client, rw, draft, body):
    """A multipart Content-Type without a boundary (found by schemathesis: it was a 500)."""
    from technopark.residents.models import ApplicationDocument

    c = client_for(client, rw.users["applicant"])
    for path in (f"{API}/applications/{draft.pk}/documents", f"{API}/reports/upload"):
        # CONTENT_TYPE in the environ too: the test client sets it only for a non-empty body.
        response = c.generic("POST", path, body, CONTENT_TYPE="multipart/form-data")
        assert "multipart" in assert_error_format(response, 400)["detail"]
    assert not ApplicationDocument.objects.exists()


def test_reports_over_the_api(client, rw):
    agreement = make_agreement(rw, signed_on=dt.date(2026, 1, 15))
    c = client_for(client, rw.users["applicant"])
    made = c.post(
        f"{API}/reports",
        {
            "agreement_id": agreement.pk,
            "year": 2026,
            "quarter": 1,
            "investment": "1000",
            "jobs": 5,
            "satisfaction": 5,
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["source"] == "api"
    assert_error_format(
        c.post(
            f"{API}/reports",
            {"agreement_id": agreement.pk, "year": 2026, "quarter": 1},
            content_type="application/json",
        ),
        422,
    )
    assert len(c.get(f"{API}/reports").json()) == 1
    wb = Workbook()
    ws = wb.active
    ws.title = "Reports"
    ws.append(
        [
            "agreement",
            "year",
            "quarter",
            "investment",
            "jobs",
            "revenue",
            "taxes_paid",
            "exports",
            "imports_customs_benefits",
            "satisfaction",
            "satisfaction_comment",
        ]
    )
    ws.append([agreement.number, 2026, 2, 10, 5, "lots", 1, 0, 0, 3, ""])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "reports.xlsx"
    body = assert_error_format(c.post(f"{API}/reports/upload", {"file": out}), 422)
    assert body["errors"] == [
        {"field": "Reports!F2", "message": "revenue: expected a number, got 'lots'"}
    ]
    assert Report.objects.count() == 1
    template = c.get(f"{API}/reports/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    client.logout()
    other = client_for(client, rw.users["other_company"])
    assert other.get(f"{API}/reports").json() == []
    assert_error_format(other.get(f"{API}/agreements/{agreement.pk}"), 404)
    assert_error_format(
        other.post(
            f"{API}/reports",
            {"agreement_id": agreement.pk, "year": 2026, "quarter": 2},
            content_type="application/json",
        ),
        404,
    )


def test_api_lists_are_scoped(client, rw, draft):
    agreement = make_agreement(rw, signed_on=dt.date(2026, 1, 15))
    for role, apps, agreements in [
        ("applicant", 1, 1),
        ("operator", 1, 1),
        ("other_operator", 0, 0),
        ("other_company", 0, 0),
        ("analyst", 1, 1),
    ]:
        client.force_login(rw.users[role])
        assert len(client.get(f"{API}/applications").json()) == apps, role
        assert len(client.get(f"{API}/agreements").json()) == agreements, role
        client.logout()
    assert agreement.pk


def test_application_list_filters_and_refuses_bad_values(client, rw, draft):
    client.force_login(rw.users["operator"])
    assert len(client.get(f"{API}/applications?state=draft").json()) == 1
    assert client.get(f"{API}/applications?state=approved").json() == []
    unknown = assert_error_format(client.get(f"{API}/applications?state=drafty"), 400)
    assert [e["field"] for e in unknown["errors"]] == ["query.state"]
    # Sent twice, a single value is refused, not read as the last one (schemathesis found it).
    twice = assert_error_format(client.get(f"{API}/applications?state=x&state=draft"), 400)
    assert [e["field"] for e in twice["errors"]] == ["query.state"]


def test_operator_sets_the_certificate_and_marks_events_done(client, rw):
    agreement = make_agreement(
        rw, signed_on=dt.date(2026, 1, 31), template_id="uz-small-industrial-zone"
    )
    documents = agreement.commitments.get(kind="documents")
    resident = client_for(client, rw.users["applicant"])
    assert_error_format(
        resident.patch(
            f"{API}/agreements/{agreement.pk}",
            {"certificate_number": "X"},
            content_type="application/json",
        ),
        403,
    )
    assert_error_format(
        resident.post(
            f"{API}/commitments/{documents.pk}/done",
            {"done_on": "2026-02-10"},
            content_type="application/json",
        ),
        403,
    )
    client.logout()
    operator = client_for(client, rw.users["operator"])
    patched = operator.patch(
        f"{API}/agreements/{agreement.pk}",
        {"certificate_number": "SIZ-7", "certificate_date": "2026-02-02"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["certificate_number"] == "SIZ-7"
    done = operator.post(
        f"{API}/commitments/{documents.pk}/done",
        {"done_on": "2026-02-10"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["done_on"] == "2026-02-10"
    assert_error_format(
        operator.post(
            f"{API}/commitments/{documents.pk}/done",
            {"done_on": "2025-01-01"},
            content_type="application/json",
        ),
        422,
    )


def test_admin_lists_residents_models(client, rw, draft):
    from tests.factories import user_with_role

    client.force_login(user_with_role("superuser"))
    for model in ("application", "inquiry", "agreement", "report", "notification", "statuschange"):
        assert client.get(f"/admin/residents/{model}/").status_code == 200, model
    assert client.get(f"/admin/residents/application/{draft.pk}/change/").status_code == 200
