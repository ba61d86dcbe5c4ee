"""The application state machine: every transition × every state × every role.

Expected outcomes are written out from the issue, not derived from the code:
applicant-side transitions (submit, resubmit, withdraw) belong to members of the applicant
company; operator-side ones (start_review, request_documents, approve, reject) to the park's
operators; administrators may make all; analysts, strangers, anonymous visitors, other
companies and other parks' operators none. A permitted actor asking for a transition the
current state does not allow gets a conflict.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from technopark.residents.choices import ApplicationState as S
from technopark.residents.models import ApplicationEvent
from technopark.residents.services import TRANSITION_SERVICES, ApplicationConflict
from tests.residents.conftest import ROLES, set_state

SOURCES = {
    "submit": {S.DRAFT},
    "start_review": {S.SUBMITTED, S.RESUBMITTED},
    "request_documents": {S.UNDER_REVIEW},
    "resubmit": {S.DOCUMENTS_REQUESTED},
    "approve": {S.UNDER_REVIEW},
    "reject": {S.UNDER_REVIEW},
    "withdraw": {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.DOCUMENTS_REQUESTED, S.RESUBMITTED},
}
TARGET = {
    "submit": S.SUBMITTED,
    "start_review": S.UNDER_REVIEW,
    "request_documents": S.DOCUMENTS_REQUESTED,
    "resubmit": S.RESUBMITTED,
    "approve": S.APPROVED,
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
}
ACTORS = {
    "submit": {"applicant", "admin"},
    "resubmit": {"applicant", "admin"},
    "withdraw": {"applicant", "admin"},
    "start_review": {"operator", "admin"},
    "request_documents": {"operator", "admin"},
    "approve": {"operator", "admin"},
    "reject": {"operator", "admin"},
}
CASES = [(name, state, role) for name in SOURCES for state in S.values for role in ROLES]


@pytest.mark.parametrize(
    ("name", "state", "role"), CASES, ids=[f"{n}-{s}-{r}" for n, s, r in CASES]
)
def test_transition_matrix(rw, draft, name, state, role):
    application = set_state(draft, state)
    user = rw.user(role)
    events_before = ApplicationEvent.objects.filter(application=application).count()
    service = TRANSITION_SERVICES[name]
    kwargs = {"comment": "Reasons given in writing."}
    if role not in ACTORS[name]:
        with pytest.raises(PermissionDenied):
            service(application=application, user=user, **kwargs)
        expected_state = state
    elif state not in SOURCES[name]:
        with pytest.raises(ApplicationConflict):
            service(application=application, user=user, **kwargs)
        expected_state = state
    else:
        service(application=application, user=user, **kwargs)
        expected_state = TARGET[name]
        event = ApplicationEvent.objects.filter(application=application).latest("at", "pk")
        assert (event.from_state, event.to_state, event.transition) == (state, expected_state, name)
        assert event.user == user
        assert event.comment == "Reasons given in writing."
        assert application.version == 2
    application.refresh_from_db()
    assert application.state == expected_state
    changed = expected_state != state
    assert (
        ApplicationEvent.objects.filter(application=application).count() == events_before + changed
    )


def test_full_path_with_documents_round(rw, draft, django_capture_on_commit_callbacks, mailoutbox):
    from technopark.residents import services

    op, ap = rw.users["operator"], rw.users["applicant"]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=draft, user=ap)
        services.application_start_review(application=draft, user=op)
        services.application_request_documents(
            application=draft, user=op, comment="Send the proof of financing."
        )
        services.application_resubmit(application=draft, user=ap, comment="Attached.")
        services.application_start_review(application=draft, user=op)
        services.application_approve(application=draft, user=op, comment="Welcome.")
    states = list(draft.events.values_list("to_state", flat=True))
    assert states == [
        "draft",
        "submitted",
        "under_review",
        "documents_requested",
        "resubmitted",
        "under_review",
        "approved",
    ]
    assert draft.version == 7 and draft.decided_at is not None
    # each side hears of the other's steps: operator 2 users × 2 applicant steps, applicant × 4
    assert len(mailoutbox) == 2 * 2 + 4


def test_submit_needs_a_valid_project(rw):
    from django.core.exceptions import ValidationError

    from technopark.residents.services import application_create, application_submit

    app = application_create(user=rw.users["applicant"], park=rw.park, applicant=rw.company)
    with pytest.raises(ValidationError) as err:
        application_submit(application=app, user=rw.users["applicant"])
    assert "project" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        application_create(
            user=rw.users["applicant"], park=rw.park, applicant=rw.company, project={"name": "x"}
        )
    assert any("$" in m for m in err.value.message_dict["project"])


def test_reject_and_request_documents_need_a_comment(rw, draft):
    from django.core.exceptions import ValidationError

    from technopark.residents.services import application_reject, application_request_documents

    app = set_state(draft, S.UNDER_REVIEW)
    for service in (application_reject, application_request_documents):
        with pytest.raises(ValidationError):
            service(application=app, user=rw.users["operator"], comment="  ")


def test_other_company_cannot_apply_for_a_company(rw):
    from technopark.residents.services import application_create

    with pytest.raises(PermissionDenied):
        application_create(user=rw.users["other_company"], park=rw.park, applicant=rw.company)
    with pytest.raises(PermissionDenied):
        application_create(user=rw.users["analyst"], park=rw.park, applicant=rw.company)


def test_sites_must_be_in_the_park(rw):
    from django.core.exceptions import ValidationError

    from technopark.residents.services import application_create

    with pytest.raises(ValidationError):
        application_create(
            user=rw.users["applicant"], park=rw.park, applicant=rw.company, sites=[rw.other_site]
        )
