"""PostgreSQL: the registry version is read again only after a commit PostgreSQL notified
(core.db_notices, parks migration 0004), and an edit is still visible at once.

These tests commit (transaction=True): notices are delivered at commit, never from the test
transaction the rest of the suite runs in, where the version is read on the request's own
connection as before.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections

from technopark.core.db_notices import NotifiedValue
from technopark.parks import selectors

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY: PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

CHANNEL = "technopark_test_channel"


def in_another_connection(work: Callable[[], Any]) -> Any:
    """Run `work` on a connection of its own (a thread has one) and commit it."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0] if result else None


def notify(channel: str = CHANNEL) -> None:
    def send() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [channel])

    in_another_connection(send)


@pytest.fixture
def counted() -> Iterator[tuple[NotifiedValue, list[int]]]:
    """A NotifiedValue whose value is its listening connection's backend pid, and the pids it
    read, one per read."""
    reads: list[int] = []

    def read(cursor: Any) -> int:
        cursor.execute("SELECT pg_backend_pid()")
        reads.append(cursor.fetchone()[0])
        return reads[-1]

    value = NotifiedValue(CHANNEL, read, max_age=3600, retry_after=0)
    yield value, reads
    value.close()


def test_the_value_is_read_once_until_a_notice(counted: Any) -> None:
    value, reads = counted
    first = value.get()
    assert [value.get() for _ in range(5)] == [first] * 5
    assert len(reads) == 1

    notify("some_other_channel")
    assert value.get() == first and len(reads) == 1

    notify()
    assert value.get() == first and len(reads) == 2, "read again after the notice"
    assert value.get() == first and len(reads) == 2, "and once only"


def test_a_rolled_back_notice_is_never_delivered(counted: Any) -> None:
    value, reads = counted
    value.get()

    def rolled_back() -> None:
        conn = connection
        conn.set_autocommit(False)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
        conn.rollback()
        conn.set_autocommit(True)

    in_another_connection(rolled_back)
    value.get()
    assert len(reads) == 1


def test_forget_and_max_age_read_again(counted: Any) -> None:
    value, reads = counted
    value.get()
    value.forget()
    value.get()
    assert len(reads) == 2
    value.max_age = 0
    value.get()
    value.get()
    assert len(reads) == 4


def test_a_lost_connection_falls_back_then_reconnects(counted: Any) -> None:
    value, _ = counted
    listening_pid = value.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listening_pid])
    # The caller reads the value itself while there is no listening connection ...
    assert eventually(lambda: value.get() is None), "the terminated connection was never noticed"
    # ... and the next call (retry_after=0) listens again on a new connection.
    again = value.get()
    assert again is not None and again != listening_pid


def test_no_connection_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    value = NotifiedValue(CHANNEL, lambda cursor: 1, retry_after=3600)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError("connection refused (test)")

    monkeypatch.setattr(connection, "get_new_connection", refused)
    assert value.get() is None
    monkeypatch.undo()
    assert value.get() is None, "not retried before retry_after"


def test_every_versioned_history_table_notifies() -> None:
    tables = [model.history.model._meta.db_table for model in selectors.VERSIONED_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND t.tgenabled = 'O'
              AND t.tgfoid = 'technopark_registry_notify'::regproc
            """
        )
        notifying = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= notifying, set(tables) - notifying


@pytest.fixture
def notices() -> Iterator[NotifiedValue]:
    """The registry's own NotifiedValue, read again only after notices (no `max_age`), so that
    nothing but a notice can make these tests see another connection's commit."""
    selectors.registry_version()
    value = selectors._registry_notices
    assert value is not None, "the registry version is read through notices on PostgreSQL"
    value.max_age = 3600
    yield value
    value.max_age = selectors.REGISTRY_NOTICES_MAX_AGE


def eventually(check: Callable[[], bool], seconds: float = 2.0) -> bool:
    """Whether `check()` holds within `seconds`: a notice is delivered asynchronously,
    normally within a millisecond of the commit; nothing but a notice makes it hold here."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def test_the_registry_version_follows_registry_commits_only(notices: NotifiedValue) -> None:
    from django.contrib.auth import get_user_model

    from tests.factories import ParkFactory

    first = selectors.registry_version()
    assert selectors.registry_version() == first

    # A commit elsewhere that touches no registry table sends no notice: same version.
    in_another_connection(lambda: get_user_model().objects.create(username="not-registry"))
    assert not eventually(lambda: selectors.registry_version() != first, seconds=0.2)

    park = in_another_connection(lambda: ParkFactory())
    assert eventually(lambda: selectors.registry_version() != first), "another connection's park"
    second = selectors.registry_version()

    def rename() -> None:
        park.name = "Renamed elsewhere (example)"
        park.save()

    in_another_connection(rename)
    assert eventually(lambda: selectors.registry_version() != second)


def _get(url: str) -> tuple[int, dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - test server
        return response.status, json.loads(response.read())


def _patch(url: str, body: dict[str, Any], token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the test server
        url,
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - test server
        return response.status


def test_edits_are_visible_over_http(live_server: Any, notices: NotifiedValue) -> None:
    """A running server answers reads from its cache; an edit made through it is in the very
    next answer, one made by another connection as soon as its notice is delivered."""
    from technopark.core.choices import Role
    from technopark.core.tokens import token_create
    from tests.factories import ParkFactory, user_with_role

    park = ParkFactory(name="Before (example)")
    admin = user_with_role(Role.ADMINISTRATOR)
    _, token = token_create(user=admin, name="test")
    url = f"{live_server.url}/api/v1/parks/{park.park_id}"
    listed = f"{live_server.url}/api/v1/parks?q=example"

    for _ in range(3):  # cached after the first
        assert _get(url)[1]["name"] == "Before (example)"
        _get(listed)

    # Through the server (the process that wrote forgets its version) ...
    assert _patch(url, {"name": "Through the API (example)"}, token) == 200
    assert _get(url)[1]["name"] == "Through the API (example)"
    names = {r["park_id"]: r["name"] for r in _get(listed)[1]["results"]}
    assert names[park.park_id] == "Through the API (example)"

    # ... and by another connection, as another server process or an import would.
    def rename() -> None:
        park.name = "Elsewhere (example)"
        park.save()

    in_another_connection(rename)
    assert eventually(lambda: _get(url)[1]["name"] == "Elsewhere (example)")
    names = {r["park_id"]: r["name"] for r in _get(listed)[1]["results"]}
    assert names[park.park_id] == "Elsewhere (example)"


def test_a_write_through_this_process_needs_no_notice(
    live_server: Any, notices: NotifiedValue
) -> None:
    """The process that served a write reads the version again itself: with the park history's
    notices switched off, the next read through it is still the edited one."""
    from technopark.core.choices import Role
    from technopark.core.tokens import token_create
    from tests.factories import ParkFactory, user_with_role

    park = ParkFactory(name="Before (example)")
    _, token = token_create(user=user_with_role(Role.ADMINISTRATOR), name="test")
    url = f"{live_server.url}/api/v1/parks/{park.park_id}"
    assert _get(url)[1]["name"] == "Before (example)"
    assert _get(url)[1]["name"] == "Before (example)"  # cached

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE parks_historicalpark DISABLE TRIGGER USER")
    try:
        assert _patch(url, {"name": "Unnoticed (example)"}, token) == 200
        assert _get(url)[1]["name"] == "Unnoticed (example)"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE parks_historicalpark ENABLE TRIGGER USER")


def test_many_threads_read_at_once(counted: Any) -> None:
    """The threads of a server process look at the socket at the same time (the look takes no
    lock): every one gets the value, none an error, and a notice is still seen."""
    value, reads = counted
    first = value.get()
    errors: list[BaseException] = []
    seen: list[Any] = []

    def read_many() -> None:
        try:
            for _ in range(3000):
                seen.append(value.get())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=read_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:1]
    assert set(seen) == {first} and len(reads) == 1
    notify()
    assert eventually(lambda: value.get() == first and len(reads) == 2)


def test_notices_can_be_switched_off(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """TECHNOPARK_REGISTRY_NOTICES=off (behind a pooler that does not pass LISTEN on): no
    listening connection, the version read on the request's own connection every time."""
    from django.test.utils import CaptureQueriesContext

    settings.REGISTRY_NOTICES = False
    monkeypatch.setattr(selectors, "_registry_notices", None)
    with CaptureQueriesContext(connection) as queries:
        first = selectors.registry_version()
        assert selectors.registry_version() == first
    assert selectors._registry_notices is None
    executed = [q for q in queries.captured_queries if q["sql"].startswith("EXECUTE")]
    assert len(executed) == 2, "read on every call"
