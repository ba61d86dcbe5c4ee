"""API schemas of the residents app (django-ninja / pydantic)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from technopark.core.schemas import Input

# Unknown fields are a 422; dates are ISO text.
Strict = Input


class InquiryIn(Strict):
    park: str = Field(..., description="The park's id (park_id).")
    site: str | None = Field(None, description="A site's id (site_id) in that park.")
    company_name: str = Field(..., max_length=300)
    contact_name: str = Field(..., max_length=200)
    email: str = Field(..., max_length=254)
    phone: str = Field("", max_length=50)
    project_summary: str = Field(..., max_length=5000)
    needs: str = Field("", max_length=5000)
    website: str = Field("", description="Leave empty (spam trap).")


class InquiryAccepted(Schema):
    detail: str


class InquiryOut(Schema):
    id: int
    park: str = Field(..., alias="park.park_id")
    site: str | None = None
    company_name: str
    contact_name: str
    email: str
    phone: str
    project_summary: str
    needs: str
    status: str
    assigned_to: str | None = None
    answer: str
    answered_at: dt.datetime | None
    application: int | None = Field(None, alias="application_id")
    created: dt.datetime

    @staticmethod
    def resolve_site(obj: Any) -> str | None:
        return obj.site.site_id if obj.site_id else None

    @staticmethod
    def resolve_assigned_to(obj: Any) -> str | None:
        return obj.assigned_to.get_username() if obj.assigned_to_id else None


class AnswerIn(Strict):
    answer: str


class AssignIn(Strict):
    user_id: int


class ConvertIn(Strict):
    applicant_id: int | None = None


class EventOut(Schema):
    at: dt.datetime
    user: str | None = None
    transition: str
    from_state: str
    to_state: str
    comment: str

    @staticmethod
    def resolve_user(obj: Any) -> str | None:
        return obj.user.get_username() if obj.user_id else None


class DocumentOut(Schema):
    id: int
    doc_type: str
    original_name: str
    kind: str
    size: int
    sha256: str
    created: dt.datetime


class ApplicationIn(Strict):
    park: str = Field(..., description="The park's id (park_id).")
    applicant_id: int = Field(
        ..., description="The applicant company (an organization you belong to)."
    )
    sites: list[str] = Field(default_factory=list, description="Site ids in that park.")
    project: dict[str, Any] = Field(
        default_factory=dict, description="The investment project document."
    )


class ApplicationPatch(Strict):
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    sites: list[str] | None = None
    project: dict[str, Any] | None = None
    checklist: dict[str, bool] | None = None


class ApplicationOut(Schema):
    id: int
    park: str = Field(..., alias="park.park_id")
    applicant_id: int
    applicant: str = Field(..., alias="applicant.name")
    sites: list[str]
    project: dict[str, Any]
    state: str
    version: int
    regime_id: str
    submitted_at: dt.datetime | None
    review_deadline: dt.date | None
    overdue: bool
    decided_at: dt.datetime | None
    checklist: dict[str, bool]
    agreement_id: int | None = None

    @staticmethod
    def resolve_sites(obj: Any) -> list[str]:
        return [s.site_id for s in obj.sites.all()]

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_agreement_id(obj: Any) -> int | None:
        agreement = getattr(obj, "agreement", None)
        return agreement.pk if agreement is not None else None


class ApplicationDetailOut(ApplicationOut):
    events: list[EventOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())


class AgreementTerms(Strict):
    number: str
    signed_on: dt.date
    template_id: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    regime_ids: list[str] | None = None
    valid_until: dt.date | None = None
    currency: str = ""
    certificate_number: str = ""
    certificate_date: dt.date | None = None


class TransitionIn(Strict):
    comment: str = ""
    version: int | None = Field(None, description="The version you read; a stale one gets 409.")
    agreement: AgreementTerms | None = Field(
        None, description="Approve only: sign the agreement too."
    )


class AgreementIn(AgreementTerms):
    application_id: int | None = None
    park: str | None = None
    organization_id: int | None = None
    sites: list[str] | None = None


class AgreementPatch(Strict):
    number: str | None = None
    valid_until: dt.date | None = None
    certificate_number: str | None = None
    certificate_date: dt.date | None = None


class CommitmentDoneIn(Strict):
    done_on: dt.date | None = Field(..., description="When it happened; null to clear.")


class CommitmentOut(Schema):
    id: int
    kind: str
    target: Decimal | None
    unit: str
    start_date: dt.date
    due_date: dt.date
    done_on: dt.date | None
    consequences: list[str]
    status: str
    status_reason: str
    actual: Decimal | None
    evaluated_on: dt.date | None
    source: str


class StatusChangeOut(Schema):
    consequence: str
    effective_on: dt.date
    reason: str


class AgreementOut(Schema):
    id: int
    park: str = Field(..., alias="park.park_id")
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    application_id: int | None
    kind: str
    number: str
    signed_on: dt.date
    valid_until: dt.date | None
    sites: list[str]
    regime_ids: list[str]
    template_id: str
    parameters: dict[str, Any]
    currency: str
    certificate_number: str
    certificate_date: dt.date | None
    status: str
    status_lost_on: dt.date | None
    benefits_end_on: dt.date | None
    plot_withdrawal_on: dt.date | None

    @staticmethod
    def resolve_sites(obj: Any) -> list[str]:
        return [s.site_id for s in obj.sites.all()]


class AgreementDetailOut(AgreementOut):
    commitments: list[CommitmentOut]
    status_changes: list[StatusChangeOut]

    @staticmethod
    def resolve_commitments(obj: Any) -> list[Any]:
        return list(obj.commitments.all())

    @staticmethod
    def resolve_status_changes(obj: Any) -> list[Any]:
        return list(obj.status_changes.all())


class ReportIn(Strict):
    agreement_id: int
    year: int = Field(..., ge=1990, le=2100)
    quarter: int | None = Field(None, ge=1, le=4, description="1–4; null for an annual report.")
    investment: Decimal = Field(Decimal(0), ge=0)
    jobs: int = Field(0, ge=0)
    revenue: Decimal = Field(Decimal(0), ge=0)
    taxes_paid: Decimal = Field(Decimal(0), ge=0)
    exports: Decimal = Field(Decimal(0), ge=0)
    imports_customs_benefits: Decimal = Field(Decimal(0), ge=0)
    satisfaction: int | None = Field(None, ge=1, le=5)
    satisfaction_comment: str = ""
    reason: str = Field("", max_length=100, description="Why an operator corrects a report.")


class ReportOut(Schema):
    id: int
    agreement_id: int
    agreement: str = Field(..., alias="agreement.number")
    year: int
    quarter: int | None
    investment: Decimal
    jobs: int
    revenue: Decimal
    taxes_paid: Decimal
    exports: Decimal
    imports_customs_benefits: Decimal
    satisfaction: int | None
    satisfaction_comment: str
    source: str
    updated: dt.datetime


class ReportUploadOut(Schema):
    saved: int
    reports: list[ReportOut]
