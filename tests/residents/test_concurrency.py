"""Two operators acting on the same application at once: one wins, the other gets a conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from technopark.residents.choices import ApplicationState as S
from technopark.residents.models import Application, ApplicationEvent
from technopark.residents.services import (
    ApplicationConflict,
    application_approve,
    application_reject,
)
from tests.residents.conftest import set_state


def test_stale_copy_gets_a_conflict(rw, draft):
    set_state(draft, S.UNDER_REVIEW)
    first = Application.objects.get(pk=draft.pk)  # operator 1 opens the page
    second = Application.objects.get(pk=draft.pk)  # operator 2 opens it too
    application_approve(application=first, user=rw.users["operator"], comment="Fine.")
    with pytest.raises(ApplicationConflict) as err:
        application_reject(application=second, user=rw.users["operator2"], comment="No.")
    assert "changed by someone else" in str(err.value)
    fresh = Application.objects.get(pk=draft.pk)
    assert fresh.state == S.APPROVED and fresh.version == 2
    assert (
        ApplicationEvent.objects.filter(
            application=draft, transition__in=["approve", "reject"]
        ).count()
        == 1
    )


def test_explicit_version_is_checked(rw, draft):
    set_state(draft, S.UNDER_REVIEW)
    with pytest.raises(ApplicationConflict):
        application_approve(application=draft, user=rw.users["operator"], expected_version=7)
    application_approve(application=draft, user=rw.users["operator"], expected_version=1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="needs row locks (PostgreSQL)")
def test_two_threads_at_once(rw, draft):
    set_state(draft, S.UNDER_REVIEW)
    copies = [Application.objects.get(pk=draft.pk) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(index: int) -> None:
        from django.db import connection as conn

        service = application_approve if index == 0 else application_reject
        user = rw.users["operator"] if index == 0 else rw.users["operator2"]
        barrier.wait()
        try:
            service(application=copies[index], user=user, comment="At once.")
            outcomes.append("won")
        except ApplicationConflict:
            outcomes.append("conflict")
        finally:
            conn.close()

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    fresh = Application.objects.get(pk=draft.pk)
    assert fresh.state in {S.APPROVED, S.REJECTED} and fresh.version == 2
