"""Pages of the residents app. Each view parses input, calls one service or selector, renders.

Objects reach a page only through selectors (core.permissions.restrict): a row the user may
not see is a 404; an action the user may not take is a 403 (PermissionDenied from services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import View

from technopark.core.choices import Role
from technopark.core.permissions import (
    Action,
    can,
    is_administrator,
    operated_org_ids,
    restrict,
    roles_of,
)
from technopark.parks.models import Organization, Park, Site
from technopark.residents import selectors, services, spam, workflow
from technopark.residents.charts import agreement_chart, plotly_js
from technopark.residents.choices import CommitmentKind, ReportSource
from technopark.residents.data import checklist_for
from technopark.residents.forms import (
    ApplicationForm,
    ApproveForm,
    ChecklistForm,
    CommentForm,
    CommitmentDoneForm,
    DocumentForm,
    InquiryAnswerForm,
    InquiryAssignForm,
    InquiryForm,
    ReportForm,
    ReportUploadForm,
)
from technopark.residents.models import ApplicationDocument, Commitment, Report
from technopark.residents.uploads import CONTENT_TYPES
from technopark.residents.xlsx import build_template


class SignInRequired(LoginRequiredMixin):
    """Signed-in users only; others go to the web app's sign-in page."""

    login_url = reverse_lazy("web:login")


#: URL segment of each transition (hyphenated, as in the API).
TRANSITION_SLUGS = {name: name.replace("_", "-") for name in services.TRANSITIONS}
TRANSITION_LABELS = services.TRANSITION_LABELS


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _language() -> str:
    return (get_language() or "en")[:2]


# --------------------------------------------------------------------------- inquiries


class InquiryCreateView(View):
    """The public inquiry form about a park or one of its sites (?park=<park_id>&site=<site_id>)."""

    template_name = "residents/inquiry_form.html"

    def _target(self, request: HttpRequest) -> tuple[Park, Site | None]:
        params = request.POST if request.method == "POST" else request.GET
        park_ref, site_ref = params.get("park", ""), params.get("site", "")
        site = None
        if site_ref:
            site = (
                Site.objects.select_related("park")
                .filter(
                    Q(site_id=site_ref)
                    | (Q(pk=int(site_ref)) if site_ref.isdigit() else Q(pk__in=[])),
                    park__is_published=True,
                )
                .first()
            )
            if site is None:
                raise Http404(_("No such site."))
            if park_ref and park_ref not in {site.park.park_id, str(site.park_id)}:
                raise Http404(_("The site is not in this park."))
            return site.park, site
        park = Park.objects.filter(
            Q(park_id=park_ref) | (Q(pk=int(park_ref)) if park_ref.isdigit() else Q(pk__in=[])),
            is_published=True,
        ).first()
        if park is None:
            raise Http404(_("No such park."))
        return park, None

    def get(self, request: HttpRequest) -> HttpResponse:
        park, site = self._target(request)
        form = InquiryForm(initial={"started": spam.form_token()})
        return render(request, self.template_name, {"form": form, "park": park, "site": site})

    def post(self, request: HttpRequest) -> HttpResponse:
        park, site = self._target(request)
        ip = spam.client_ip(request)
        form = InquiryForm(request.POST)
        if spam.rate_limited(ip):
            form.is_valid()
            form.add_error(
                None, _("Too many inquiries from your address; please try again in an hour.")
            )
            context = {"form": form, "park": park, "site": site}
            return render(request, self.template_name, context, status=429)
        if form.is_bot:
            return redirect("residents:inquiry-thanks")
        if form.is_valid():
            try:
                services.inquiry_create(
                    park=park,
                    site=site,
                    data=form.cleaned_data,
                    ip_address=ip,
                    language=_language(),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("residents:inquiry-thanks")
        if form.has_error("started"):  # a fresh stamp; the visitor checks the form and resends
            data = request.POST.copy()
            data["started"] = spam.form_token()
            form.data = data
        return render(
            request, self.template_name, {"form": form, "park": park, "site": site}, status=400
        )


class InquiryThanksView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "residents/inquiry_thanks.html")


class InboxView(SignInRequired, View):
    """The park operator's inbox: inquiries, applications, reports due, commitments at risk."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not (operated_org_ids(request.user) or is_administrator(request.user)):
            raise PermissionDenied(_("The inbox is for park operators."))
        today = timezone.localdate()
        context = selectors.operator_inbox(request.user, today)
        context["today"] = today
        return render(request, "residents/inbox.html", context)


class InquiryDetailView(SignInRequired, View):
    def _get(self, request: HttpRequest, pk: int) -> Any:
        try:
            return selectors.inquiries_for(request.user).get(pk=pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def _context(self, request: HttpRequest, inquiry: Any, **forms: Any) -> dict[str, Any]:
        users = (
            get_user_model()
            .objects.filter(
                memberships__organization_id=inquiry.park.operator_id,
                memberships__role=Role.OPERATOR,
            )
            .distinct()
        )
        return {
            "inquiry": inquiry,
            "can_change": can(request.user, Action.CHANGE, inquiry),
            "answer_form": forms.get("answer_form")
            or InquiryAnswerForm(initial={"answer": inquiry.answer}),
            "assign_form": forms.get("assign_form") or InquiryAssignForm(users=users),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inquiry = self._get(request, pk)
        return render(request, "residents/inquiry_detail.html", self._context(request, inquiry))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inquiry = self._get(request, pk)
        action = request.POST.get("action")
        forms: dict[str, Any] = {}
        form: Any
        try:
            if action == "answer":
                form = forms["answer_form"] = InquiryAnswerForm(request.POST)
                if form.is_valid():
                    services.inquiry_answer(
                        inquiry=inquiry, user=request.user, answer=form.cleaned_data["answer"]
                    )
                    messages.success(request, _("The answer was sent."))
                    return redirect(inquiry)
            elif action == "assign":
                users = (
                    get_user_model()
                    .objects.filter(
                        memberships__organization_id=inquiry.park.operator_id,
                        memberships__role=Role.OPERATOR,
                    )
                    .distinct()
                )
                form = forms["assign_form"] = InquiryAssignForm(request.POST, users=users)
                if form.is_valid():
                    services.inquiry_assign(
                        inquiry=inquiry, user=request.user, assignee=form.cleaned_data["assignee"]
                    )
                    messages.success(request, _("The inquiry was assigned."))
                    return redirect(inquiry)
            elif action == "convert":
                application = services.inquiry_convert(inquiry=inquiry, user=request.user)
                messages.success(request, _("A draft application was created."))
                return redirect(application)
            else:
                return HttpResponse(status=400)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        context = self._context(request, inquiry, **forms)
        return render(request, "residents/inquiry_detail.html", context, status=400)


# --------------------------------------------------------------------------- applications


def _companies_of(user: Any) -> Any:
    ids = {org for role, orgs in roles_of(user).items() if role != Role.ANALYST for org in orgs}
    return Organization.objects.filter(pk__in=ids)


class ApplicationCreateView(SignInRequired, View):
    """A member of a company applies for residency in a park (?park=<park_id>)."""

    def _park(self, request: HttpRequest) -> Park:
        ref = request.GET.get("park", "")
        return get_object_or_404(
            restrict(Park.objects.all(), request.user, Action.VIEW), park_id=ref
        )

    def _form(self, request: HttpRequest, park: Park, data: Any = None) -> ApplicationForm:
        return ApplicationForm(data, companies=_companies_of(request.user), sites=park.sites.all())

    def get(self, request: HttpRequest) -> HttpResponse:
        park = self._park(request)
        return render(
            request,
            "residents/application_form.html",
            {"form": self._form(request, park), "park": park},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        park = self._park(request)
        form = self._form(request, park, request.POST)
        if form.is_valid():
            try:
                application = services.application_create(
                    user=request.user,
                    park=park,
                    applicant=form.cleaned_data["applicant"],
                    sites=form.cleaned_data["sites"],
                    project=form.cleaned_data["project"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("The draft application was saved; submit it when it is complete.")
                )
                return redirect(application)
        return render(
            request, "residents/application_form.html", {"form": form, "park": park}, status=400
        )


class ApplicationDetailView(SignInRequired, View):
    """An application with its timeline, documents, checklist and the user's possible steps."""

    def _get(self, request: HttpRequest, pk: int) -> Any:
        try:
            return selectors.application_for(request.user, pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def _context(self, request: HttpRequest, application: Any, **forms: Any) -> dict[str, Any]:
        user = request.user
        transitions = [
            {
                "name": name,
                "slug": TRANSITION_SLUGS[name],
                "label": TRANSITION_LABELS[name],
                "form": forms.get(name)
                or (ApproveForm if name == "approve" else CommentForm)(
                    initial={"version": application.version}, prefix=name
                ),
            }
            for name in services.TRANSITIONS
            if services.may_transition(application, user, name)
        ]
        items = checklist_for(application.park.kind)
        is_operator = workflow.operator_may(application, user)
        checklist_form = forms.get("checklist") or ChecklistForm(
            initial={
                "version": application.version,
                **{f"item_{k}": v for k, v in application.checklist.items()},
            },
            items=items,
            language=_language(),
        )
        return {
            "application": application,
            "events": list(application.events.all()),
            "documents": list(application.documents.all()),
            "transitions": transitions,
            "is_operator": is_operator,
            "checklist_items": [
                {
                    "label": item.get(_language()) or item["en"],
                    "checked": application.checklist.get(item["id"], False),
                }
                for item in items
            ],
            "checklist_form": checklist_form,
            "document_form": forms.get("upload") or DocumentForm(),
            "may_upload": workflow.applicant_may(application, user) or is_operator,
            "overdue": application.is_overdue(),
            "agreement": getattr(application, "agreement", None),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._get(request, pk)
        return render(
            request, "residents/application_detail.html", self._context(request, application)
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._get(request, pk)
        action = request.POST.get("action", "").replace("-", "_")
        forms: dict[str, Any] = {}
        form: Any
        status = 400
        try:
            if action in services.TRANSITIONS:
                form_class = ApproveForm if action == "approve" else CommentForm
                form = forms[action] = form_class(request.POST, prefix=action)
                if form.is_valid():
                    data = form.cleaned_data
                    kwargs: dict[str, Any] = {
                        "comment": data.get("comment", ""),
                        "expected_version": data["version"],
                    }
                    if action == "approve":
                        kwargs["agreement"] = {
                            "number": data["number"],
                            "signed_on": data["signed_on"],
                            "template_id": data["template_id"],
                            "parameters": data["parameters"],
                            "certificate_number": data["certificate_number"],
                            "certificate_date": data["certificate_date"],
                        }
                    services.TRANSITION_SERVICES[action](
                        application=application, user=request.user, **kwargs
                    )
                    messages.success(
                        request,
                        _("Done: the application is now “%(state)s”.")
                        % {"state": application.get_state_display()},
                    )
                    return redirect(application)
            elif action == "checklist":
                items = checklist_for(application.park.kind)
                form = forms["checklist"] = ChecklistForm(
                    request.POST, items=items, language=_language()
                )
                if form.is_valid():
                    services.application_update(
                        application=application,
                        user=request.user,
                        expected_version=form.cleaned_data["version"],
                        checklist={i["id"]: form.cleaned_data[f"item_{i['id']}"] for i in items},
                    )
                    messages.success(request, _("The checklist was saved."))
                    return redirect(application)
            elif action == "upload":
                form = forms["upload"] = DocumentForm(request.POST, request.FILES)
                if form.is_valid():
                    upload = form.cleaned_data["file"]
                    services.document_upload(
                        application=application,
                        user=request.user,
                        fileobj=upload,
                        name=upload.name,
                        size=upload.size,
                        doc_type=form.cleaned_data["doc_type"],
                    )
                    messages.success(request, _("The document was added."))
                    return redirect(application)
            else:
                return HttpResponse(status=400)
        except services.ApplicationConflict as exc:
            messages.error(request, str(exc))
            status = 409
        except ValidationError as exc:
            target = forms.get(action) or forms.get("upload")
            if target is not None:
                _form_errors(target, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        application = self._get(request, pk)
        return render(
            request,
            "residents/application_detail.html",
            self._context(request, application, **forms),
            status=status,
        )


class DocumentDownloadView(SignInRequired, View):
    """A document, to those who may see its application; sent as an attachment under its
    sanitised original name."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        qs = restrict(
            ApplicationDocument.objects.select_related("application"), request.user, Action.VIEW
        )
        document = get_object_or_404(qs, pk=pk)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=CONTENT_TYPES.get(document.kind, "application/octet-stream"),
        )


# --------------------------------------------------------------------------- agreements, dashboard


class AgreementDetailView(SignInRequired, View):
    """An agreement: commitments with their status and reason, the planned-vs-actual chart,
    status changes and reports."""

    def _get(self, request: HttpRequest, pk: int) -> Any:
        try:
            return selectors.agreement_for(request.user, pk)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self._get(request, pk)
        today = timezone.localdate()
        commitments = list(agreement.commitments.all())
        reports = list(agreement.reports.all())
        return render(
            request,
            "residents/agreement_detail.html",
            {
                "agreement": agreement,
                "commitments": commitments,
                "reports": reports,
                "status_changes": list(agreement.status_changes.all()),
                "chart": agreement_chart(agreement, commitments, reports, today),
                "is_operator": workflow.is_park_operator(request.user, agreement.park)
                or is_administrator(request.user),
                "may_report": can(request.user, Action.ADD, Report(agreement=agreement)),
                "event_kinds": {
                    k
                    for k in CommitmentKind.values
                    if k not in {"investment", "jobs", "export_share"}
                },
                "done_form": CommitmentDoneForm(),
                "benefits_end": services.benefits_end_date(agreement),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self._get(request, pk)
        commitment = get_object_or_404(
            Commitment, pk=request.POST.get("commitment"), agreement=agreement
        )
        form = CommitmentDoneForm(request.POST)
        if form.is_valid():
            try:
                services.commitment_mark_done(
                    commitment=commitment, user=request.user, done_on=form.cleaned_data["done_on"]
                )
                messages.success(
                    request, _("Saved; the status is updated by the next compliance check.")
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect(agreement)


class DashboardView(SignInRequired, View):
    """A resident company's own page: its agreements, commitments, reports due, applications."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        context = selectors.resident_dashboard(request.user, today)
        context["today"] = today
        context["is_operator"] = bool(operated_org_ids(request.user))
        return render(request, "residents/dashboard.html", context)


# --------------------------------------------------------------------------- reports


class ReportCreateView(SignInRequired, View):
    """A period's report through the form (?agreement=<id>)."""

    def _agreement(self, request: HttpRequest) -> Any:
        ref = request.GET.get("agreement", "")
        if not ref.isdigit():
            raise Http404
        return get_object_or_404(selectors.agreements_for(request.user), pk=int(ref))

    def get(self, request: HttpRequest) -> HttpResponse:
        agreement = self._agreement(request)
        initial = {"year": request.GET.get("year"), "quarter": request.GET.get("quarter")}
        return render(
            request,
            "residents/report_form.html",
            {"form": ReportForm(initial=initial), "agreement": agreement},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        agreement = self._agreement(request)
        form = ReportForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            year, quarter = data.pop("year"), data.pop("quarter")
            operator = workflow.is_park_operator(request.user, agreement.park)
            try:
                services.report_save(
                    user=request.user,
                    agreement=agreement,
                    year=year,
                    quarter=quarter,
                    data=data,
                    source=ReportSource.OPERATOR if operator else ReportSource.FORM,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The report was saved."))
                return redirect(agreement)
        return render(
            request,
            "residents/report_form.html",
            {"form": form, "agreement": agreement},
            status=400,
        )


class ReportEditView(SignInRequired, View):
    """The operator corrects a report; the change is kept in its history."""

    def _get(self, request: HttpRequest, pk: int) -> Report:
        report = get_object_or_404(selectors.reports_for(request.user), pk=pk)
        if not (
            workflow.is_park_operator(request.user, report.agreement.park)
            or is_administrator(request.user)
        ):
            raise PermissionDenied(_("Only the park's operator corrects reports."))
        return report

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._get(request, pk)
        history = list(report.history.select_related("history_user").order_by("-history_date")[:50])
        return render(
            request,
            "residents/report_form.html",
            {
                "form": ReportForm(instance=report),
                "agreement": report.agreement,
                "report": report,
                "history": history,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = self._get(request, pk)
        form = ReportForm(request.POST, instance=Report.objects.get(pk=report.pk))
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("year"), data.pop("quarter")
            try:
                services.report_save(
                    user=request.user,
                    agreement=report.agreement,
                    year=report.year,
                    quarter=report.quarter,
                    data=data,
                    source=ReportSource.OPERATOR,
                    reason=request.POST.get("reason", "")[:100],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The report was corrected."))
                return redirect(report.agreement)
        return render(
            request,
            "residents/report_form.html",
            {"form": form, "agreement": report.agreement, "report": report},
            status=400,
        )


class ReportTemplateView(SignInRequired, View):
    """The XLSX template, one row per report due for the agreements the user reports on."""

    def get(self, request: HttpRequest) -> HttpResponse:
        agreements = [
            a
            for a in selectors.agreements_for(request.user)
            if can(request.user, Action.ADD, Report(agreement=a))
        ]
        due = selectors.reports_due(agreements, timezone.localdate())
        rows = [(d.agreement.number, d.year, d.quarter) for d in due]
        response = HttpResponse(
            build_template(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="technopark-reports.xlsx"'
        return response


class ReportUploadView(SignInRequired, View):
    """Upload a filled-in template: a resident's own rows, or an operator's bulk of many residents."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "residents/report_upload.html", {"form": ReportUploadForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReportUploadForm(request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            bulk = bool(operated_org_ids(request.user)) or is_administrator(request.user)
            try:
                saved = services.report_import_xlsx(
                    user=request.user,
                    fileobj=upload,
                    source=ReportSource.BULK if bulk else ReportSource.XLSX,
                )
            except services.ReportImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    ngettext("%(n)s report was saved.", "%(n)s reports were saved.", len(saved))
                    % {"n": len(saved)},
                )
                return HttpResponseRedirect(reverse("residents:dashboard"))
        return render(
            request, "residents/report_upload.html", {"form": form, "errors": errors}, status=400
        )


def plotly_js_view(request: HttpRequest) -> HttpResponse:
    """plotly.js from the installed plotly package (no CDN), cached by browsers for a day."""
    response = HttpResponse(plotly_js(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
