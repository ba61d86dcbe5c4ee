"""REST endpoints of the residents app (mounted under /api/v1/).

Same permissions as the pages (core.permissions + workflow.py) and the one error format of
core/api_errors.py: 403 not allowed, 404 not visible, 409 a stale version or a transition the
state does not allow, 422 invalid data, 429 too many inquiries.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from technopark.core.api_errors import ApiError
from technopark.core.permissions import Action, is_administrator, operated_org_ids
from technopark.parks.api import ERRORS as PARKS_ERRORS
from technopark.parks.api import anonymous, bearer, session, user_of
from technopark.parks.models import Organization, Park, Site
from technopark.residents import selectors, services, spam
from technopark.residents.choices import ApplicationState, DocumentType, ReportSource
from technopark.residents.schemas import (
    AgreementDetailOut,
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AnswerIn,
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    AssignIn,
    CommitmentDoneIn,
    CommitmentOut,
    ConvertIn,
    DocumentOut,
    InquiryAccepted,
    InquiryIn,
    InquiryOut,
    ReportIn,
    ReportOut,
    ReportUploadOut,
    TransitionIn,
)
from technopark.residents.xlsx import build_template

router = Router(tags=["residents"])

READ = [bearer, session]
PUBLIC = [bearer, session, anonymous]
ERRORS: dict[int, Any] = {**PARKS_ERRORS, 429: PARKS_ERRORS[422]}


def _conflict(exc: services.ApplicationConflict) -> ApiError:
    return ApiError(409, str(exc))


def _import_errors(exc: services.ReportImportError) -> ApiError:
    errors = []
    for line in exc.errors:
        ref, _, message = line.partition(": ")
        errors.append(
            {"field": ref if "!" in ref or ref == "file" else "", "message": message or line}
        )
    return ApiError(422, "The workbook has errors; nothing was saved.", errors)


def _park(park_id: str) -> Park:
    park = Park.objects.filter(park_id=park_id).first()
    if park is None:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "park", "message": "No such park."}],
        )
    return park


def _sites(park: Park, site_ids: list[str]) -> list[Site]:
    sites = list(Site.objects.filter(site_id__in=site_ids))
    missing = sorted(set(site_ids) - {s.site_id for s in sites})
    if missing:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "sites", "message": f"No such sites: {', '.join(missing)}."}],
        )
    return sites


# --------------------------------------------------------------------------- inquiries


@router.post(
    "/inquiries",
    response={202: InquiryAccepted, **ERRORS},
    auth=PUBLIC,
    summary="Send an inquiry about a park or a site (anyone)",
)
def inquiry_create(request: HttpRequest, payload: InquiryIn) -> Status:
    ip = spam.client_ip(request)
    if spam.rate_limited(ip):
        raise ApiError(429, "Too many inquiries from your address; try again in an hour.")
    accepted = {"detail": "The inquiry was sent to the park's management company."}
    if payload.website:
        return Status(202, accepted)
    park = _park(payload.park)
    site = None
    if payload.site:
        site = Site.objects.filter(site_id=payload.site, park=park).first()
        if site is None:
            raise ApiError(
                422,
                "The data is not valid; see errors.",
                [{"field": "site", "message": "No such site in this park."}],
            )
    data = payload.dict(exclude={"park", "site", "website"})
    services.inquiry_create(
        park=park,
        site=site,
        data=data,
        ip_address=ip,
        language=getattr(request, "LANGUAGE_CODE", ""),
    )
    return Status(202, accepted)


@router.get(
    "/inquiries",
    response={200: list[InquiryOut], **ERRORS},
    auth=READ,
    summary="Inquiries to the parks you operate",
)
def inquiry_list(request: HttpRequest, status: str | None = None) -> Any:
    qs = selectors.inquiries_for(user_of(request))
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


def _inquiry(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(selectors.inquiries_for(user_of(request)), pk=pk)


@router.get(
    "/inquiries/{pk}", response={200: InquiryOut, **ERRORS}, auth=READ, summary="One inquiry"
)
def inquiry_detail(request: HttpRequest, pk: int) -> Any:
    return _inquiry(request, pk)


@router.post(
    "/inquiries/{pk}/answer",
    response={200: InquiryOut, **ERRORS},
    auth=READ,
    summary="Answer an inquiry (e-mailed to the inquirer)",
)
def inquiry_answer(request: HttpRequest, pk: int, payload: AnswerIn) -> Any:
    return services.inquiry_answer(
        inquiry=_inquiry(request, pk), user=user_of(request), answer=payload.answer
    )


@router.post(
    "/inquiries/{pk}/assign",
    response={200: InquiryOut, **ERRORS},
    auth=READ,
    summary="Assign an inquiry to a user of the park's operator",
)
def inquiry_assign(request: HttpRequest, pk: int, payload: AssignIn) -> Any:
    from django.contrib.auth import get_user_model

    assignee = get_user_model().objects.filter(pk=payload.user_id, is_active=True).first()
    if assignee is None:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "user_id", "message": "No such user."}],
        )
    return services.inquiry_assign(
        inquiry=_inquiry(request, pk), user=user_of(request), assignee=assignee
    )


@router.post(
    "/inquiries/{pk}/convert",
    response={201: ApplicationOut, **ERRORS},
    auth=READ,
    summary="Convert an inquiry to a draft application",
)
def inquiry_convert(request: HttpRequest, pk: int, payload: ConvertIn) -> Any:
    applicant = None
    if payload.applicant_id is not None:
        applicant = get_object_or_404(Organization, pk=payload.applicant_id)
    return Status(
        201,
        services.inquiry_convert(
            inquiry=_inquiry(request, pk), user=user_of(request), applicant=applicant
        ),
    )


# --------------------------------------------------------------------------- applications


@router.get(
    "/applications",
    response={200: list[ApplicationOut], **ERRORS},
    auth=READ,
    summary="Applications you may see (yours, or to the parks you operate)",
)
def application_list(
    request: HttpRequest, state: ApplicationState | None = None, park: str | None = None
) -> Any:
    qs = selectors.applications_for(user_of(request)).select_related("agreement")
    if state:
        qs = qs.filter(state=state)
    if park:
        qs = qs.filter(park__park_id=park)
    return list(qs[:500])


@router.post(
    "/applications",
    response={201: ApplicationDetailOut, **ERRORS},
    auth=READ,
    summary="Create a draft application",
)
def application_create(request: HttpRequest, payload: ApplicationIn) -> Any:
    park = _park(payload.park)
    applicant = Organization.objects.filter(pk=payload.applicant_id).first()
    if applicant is None:
        raise ApiError(
            422,
            "The data is not valid; see errors.",
            [{"field": "applicant_id", "message": "No such organization."}],
        )
    application = services.application_create(
        user=user_of(request),
        park=park,
        applicant=applicant,
        sites=_sites(park, payload.sites),
        project=payload.project,
    )
    return Status(201, selectors.application_for(user_of(request), application.pk))


def _application(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.application_for(user_of(request), pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@router.get(
    "/applications/{pk}",
    response={200: ApplicationDetailOut, **ERRORS},
    auth=READ,
    summary="One application with its timeline and documents",
)
def application_detail(request: HttpRequest, pk: int) -> Any:
    return _application(request, pk)


@router.patch(
    "/applications/{pk}",
    response={200: ApplicationDetailOut, **ERRORS},
    auth=READ,
    summary="Edit the project or sites (applicant) or the review checklist (operator)",
)
def application_patch(request: HttpRequest, pk: int, payload: ApplicationPatch) -> Any:
    application = _application(request, pk)
    sites = _sites(application.park, payload.sites) if payload.sites is not None else None
    try:
        services.application_update(
            application=application,
            user=user_of(request),
            sites=sites,
            project=payload.project,
            checklist=payload.checklist,
            expected_version=payload.version,
        )
    except services.ApplicationConflict as exc:
        raise _conflict(exc) from exc
    return _application(request, pk)


def _make_transition(name: str) -> None:
    slug = name.replace("_", "-")
    service = services.TRANSITION_SERVICES[name]

    def endpoint(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
        application = _application(request, pk)
        kwargs: dict[str, Any] = {"comment": payload.comment, "expected_version": payload.version}
        if payload.agreement is not None:
            if name != "approve":
                raise ApiError(
                    422,
                    "Only an approval signs an agreement.",
                    [{"field": "agreement", "message": "Not accepted here."}],
                )
            kwargs["agreement"] = payload.agreement.dict()
        try:
            service(application=application, user=user_of(request), **kwargs)
        except services.ApplicationConflict as exc:
            raise _conflict(exc) from exc
        return _application(request, pk)

    endpoint.__name__ = f"application_{name}"
    router.post(
        f"/applications/{{pk}}/{slug}",
        response={200: ApplicationDetailOut, **ERRORS},
        auth=READ,
        summary=(service.__doc__ or name).strip().splitlines()[0],
        description="Send the `version` you read: if the application changed since, the answer is 409.",
    )(endpoint)


for _name in services.TRANSITIONS:
    _make_transition(_name)


@router.post(
    "/applications/{pk}/documents",
    response={201: DocumentOut, **ERRORS},
    auth=READ,
    summary="Upload a document (PDF, DOCX, XLSX, PNG, JPG; checked by content)",
)
def document_upload(
    request: HttpRequest,
    pk: int,
    file: File[UploadedFile],
    doc_type: Form[str] = DocumentType.OTHER,
) -> Any:
    application = _application(request, pk)
    try:
        document = services.document_upload(
            application=application,
            user=user_of(request),
            fileobj=file,
            name=file.name or "",
            size=file.size,
            doc_type=doc_type,
        )
    except services.ApplicationConflict as exc:
        raise _conflict(exc) from exc
    return Status(201, document)


# --------------------------------------------------------------------------- agreements


@router.get(
    "/agreements",
    response={200: list[AgreementOut], **ERRORS},
    auth=READ,
    summary="Agreements you may see (yours, or of the parks you operate)",
)
def agreement_list(request: HttpRequest, park: str | None = None, status: str | None = None) -> Any:
    qs = selectors.agreements_for(user_of(request))
    if park:
        qs = qs.filter(park__park_id=park)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


@router.get(
    "/agreements/{pk}",
    response={200: AgreementDetailOut, **ERRORS},
    auth=READ,
    summary="One agreement with its commitments and status changes",
)
def agreement_detail(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.agreement_for(user_of(request), pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@router.post(
    "/agreements",
    response={201: AgreementDetailOut, **ERRORS},
    auth=READ,
    summary="Sign an agreement (from an approved application, or for a park and company)",
)
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Any:
    user = user_of(request)
    data = payload.dict(exclude={"application_id", "park", "organization_id", "sites"})
    if payload.application_id is not None:
        data["application"] = _application(request, payload.application_id)
    else:
        data["park"] = _park(payload.park or "")
        data["organization"] = get_object_or_404(Organization, pk=payload.organization_id)
    if payload.sites is not None:
        data["sites"] = _sites(data.get("park") or data["application"].park, payload.sites)
    agreement = services.agreement_create(user=user, **data)
    return Status(201, selectors.agreement_for(user, agreement.pk))


@router.patch(
    "/agreements/{pk}",
    response={200: AgreementDetailOut, **ERRORS},
    auth=READ,
    summary="Change the number, end date or status certificate (operator)",
)
def agreement_patch(request: HttpRequest, pk: int, payload: AgreementPatch) -> Any:
    user = user_of(request)
    agreement = agreement_detail(request, pk)
    services.agreement_update(agreement=agreement, user=user, data=payload.dict(exclude_unset=True))
    return selectors.agreement_for(user, pk)


@router.post(
    "/commitments/{pk}/done",
    response={200: CommitmentOut, **ERRORS},
    auth=READ,
    summary="Record when an event commitment happened (operator)",
)
def commitment_done(request: HttpRequest, pk: int, payload: CommitmentDoneIn) -> Any:
    commitment = get_object_or_404(selectors.commitments_for(user_of(request)), pk=pk)
    return services.commitment_mark_done(
        commitment=commitment, user=user_of(request), done_on=payload.done_on
    )


# --------------------------------------------------------------------------- reports


@router.get(
    "/reports",
    response={200: list[ReportOut], **ERRORS},
    auth=READ,
    summary="Periodic reports you may see",
)
def report_list(
    request: HttpRequest, agreement_id: int | None = None, year: int | None = None
) -> Any:
    qs = selectors.reports_for(user_of(request))
    if agreement_id:
        qs = qs.filter(agreement_id=agreement_id)
    if year:
        qs = qs.filter(year=year)
    return list(qs[:1000])


@router.post(
    "/reports",
    response={201: ReportOut, **ERRORS},
    auth=READ,
    summary="Submit a report, or correct one (operator)",
)
def report_save(request: HttpRequest, payload: ReportIn) -> Any:
    user = user_of(request)
    agreement = get_object_or_404(selectors.agreements_for(user), pk=payload.agreement_id)
    data = payload.dict(exclude={"agreement_id", "year", "quarter", "reason"})
    operator = is_administrator(user) or agreement.park.operator_id in operated_org_ids(user)
    report = services.report_save(
        user=user,
        agreement=agreement,
        year=payload.year,
        quarter=payload.quarter,
        data=data,
        reason=payload.reason,
        source=ReportSource.OPERATOR if operator else ReportSource.API,
    )
    return Status(201, report)


@router.get(
    "/reports/template.xlsx",
    auth=READ,
    response={200: None, **ERRORS},
    summary="The report template (XLSX), one row per report due",
)
def report_template(request: HttpRequest) -> HttpResponse:
    from technopark.core.permissions import can
    from technopark.residents.models import Report

    user = user_of(request)
    agreements = [
        a for a in selectors.agreements_for(user) if can(user, Action.ADD, Report(agreement=a))
    ]
    rows = [
        (d.agreement.number, d.year, d.quarter)
        for d in selectors.reports_due(agreements, timezone.localdate())
    ]
    response = HttpResponse(
        build_template(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="technopark-reports.xlsx"'
    return response


@router.post(
    "/reports/upload",
    response={201: ReportUploadOut, **ERRORS},
    auth=READ,
    summary="Upload a filled-in template (a resident's rows, or an operator's bulk)",
)
def report_upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    user = user_of(request)
    bulk = is_administrator(user) or bool(operated_org_ids(user))
    try:
        saved = services.report_import_xlsx(
            user=user, fileobj=file, source=ReportSource.BULK if bulk else ReportSource.XLSX
        )
    except services.ReportImportError as exc:
        raise _import_errors(exc) from exc
    return Status(201, {"saved": len(saved), "reports": saved})
