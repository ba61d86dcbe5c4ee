"""Forms of the residents pages: they parse and validate input; services do the writing."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from technopark.parks.models import Organization, Site
from technopark.residents import spam
from technopark.residents.choices import DocumentType
from technopark.residents.data import commitment_templates
from technopark.residents.models import Inquiry, Report


class InquiryForm(forms.ModelForm):
    """The public inquiry form with its honeypot and signed start time."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Inquiry
        fields = ["company_name", "contact_name", "email", "phone", "project_summary", "needs"]
        widgets = {
            "project_summary": forms.Textarea(attrs={"rows": 5}),
            "needs": forms.Textarea(attrs={"rows": 3}),
        }

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_started(self) -> str:
        token = self.cleaned_data.get("started") or ""
        if not spam.token_ok(token):
            raise ValidationError(
                _(
                    "The form was sent too quickly or has expired. Please check it and send it again."
                )
            )
        return token


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def _template_choices() -> list[tuple[str, str]]:
    return [(tid, tpl["title"]["en"]) for tid, tpl in sorted(commitment_templates().items())]


class ApproveForm(CommentForm):
    """Approval with the agreement signed at the same time."""

    number = forms.CharField(label=_("Agreement number"), max_length=100)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    template_id = forms.ChoiceField(label=_("Commitment template"), choices=_template_choices)
    parameters = forms.CharField(
        label=_("Template parameters (JSON)"),
        required=False,
        initial="{}",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('For example {"investment": 5000000, "investment_years": 3}.'),
    )
    certificate_number = forms.CharField(label=_("Status certificate number"), required=False)
    certificate_date = forms.DateField(
        label=_("Status certificate date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_parameters(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("parameters") or "{}"
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from exc
        if not isinstance(value, dict):
            raise ValidationError(_("Give an object of parameter names and values."))
        return value


class ApplicationForm(forms.Form):
    """A new application: the company, the sites and the project document."""

    applicant = forms.ModelChoiceField(label=_("Company"), queryset=Organization.objects.none())
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites asked for"), queryset=Site.objects.none(), required=False
    )
    project = forms.CharField(
        label=_("Investment project (JSON)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The investment project document; see the examples in the documentation."),
    )

    def __init__(self, *args: Any, companies: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["applicant"]).queryset = companies
        cast(forms.ModelMultipleChoiceField, self.fields["sites"]).queryset = sites

    def clean_project(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["project"])
        except json.JSONDecodeError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from exc
        if not isinstance(value, dict):
            raise ValidationError(_("The project is a JSON object."))
        return value


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, DOCX, XLSX, PNG or JPG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )


class ChecklistForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, items: list[dict[str, str]], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"item_{item['id']}"] = forms.BooleanField(
                label=item.get(language) or item["en"], required=False
            )


class ReportForm(forms.ModelForm):
    """One period's report (the period itself comes from the URL or the form)."""

    class Meta:
        model = Report
        fields = [
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
        widgets = {
            "satisfaction": forms.Select(choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)]),
            "satisfaction_comment": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_unique(self) -> None:
        # The service decides between a new report and an operator's correction.
        return


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in XLSX template"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class CommitmentDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class InquiryAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))


class InquiryAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = users
