"""A value read from PostgreSQL again only after a commit that may have changed it.

PostgreSQL tells a connection that LISTENs on a channel about every committed transaction that
sent a NOTIFY on it (here: statement triggers on the history tables, parks migration 0004).
A NotifiedValue keeps one such connection per process and looks at its socket before each use:
no notice waiting means nothing was committed since the value was read, and the value is
returned without a round trip to the server. On this machine a round trip costs a request
0.3-0.6 ms of two shared cores — on a cached API read, about as much as everything else.

How fresh: PostgreSQL signals the listening server processes before it confirms the commit to
the writer, so a request that starts after a writer has its answer normally finds the notice
waiting; the process that wrote also forgets the value itself (`forget`, after any request
that may have written). As a bound for whatever could keep a notice away (a connection
pooler that does not pass LISTEN on, a network fault), the value is read again at least every
`max_age` seconds. Without a usable connection `get` returns None and the caller reads the
value itself, as it would without notices.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from psycopg import pq

logger = logging.getLogger(__name__)

_UNREAD = object()
# Connections a forked child inherited: never used, never closed (closing would end the
# parent's session on the server), only kept from the garbage collector.
_inherited: list[Any] = []


class NotifiedValue:
    """`read(cursor)` over a LISTENing connection of this process, read again after a notice.

    `channel` is the NOTIFY channel; `read` gets a cursor of the listening connection (in
    autocommit: each read is a fresh snapshot). Thread-safe; one per process and channel.
    """

    def __init__(
        self,
        channel: str,
        read: Callable[[Any], Any],
        *,
        max_age: float = 1.0,
        retry_after: float = 5.0,
    ) -> None:
        self.channel = channel
        self.read = read
        self.max_age = max_age
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._conn: Any = None
        self._polls = threading.local()
        self._pid = os.getpid()
        self._value: Any = _UNREAD
        self._read_at = 0.0
        self._noticed = False
        self._failed_at: float | None = None

    def get(self) -> Any:
        """The value, as of the last commit notified; None when there is no listening
        connection (then the caller reads the value on its own connection)."""
        # Without the lock while nothing is waiting on the socket: the threads of a process
        # would otherwise queue here on every request. A thread that drains the socket marks
        # the value unread first, so a value still in place after an empty look is current.
        value, conn = self._value, self._conn
        if (
            value is not _UNREAD
            and conn is not None
            and not self._noticed
            and time.monotonic() - self._read_at <= self.max_age
            and self._pid == os.getpid()
        ):
            try:
                waiting = self._waiting(conn)
            except Exception:  # closed by another thread meanwhile: the locked way decides
                waiting = True
            if not waiting and self._value is value:
                return value
        with self._lock:
            if self._pid != os.getpid():
                self._forked()
            now = time.monotonic()
            if self._conn is None and not self._connect(now):
                return None
            try:
                if self._pending() or now - self._read_at > self.max_age:
                    self._value = _UNREAD
                if self._value is _UNREAD:
                    with self._conn.cursor() as cursor:
                        value = self.read(cursor)
                    # A notice that came in while reading may be of a commit the read missed.
                    if not self._pending():
                        self._value, self._read_at = value, now
                    return value
                return self._value
            except Exception:
                self._drop(now, "lost")
                return None

    def forget(self) -> None:
        """Read the value again on the next `get` (this process may just have changed it)."""
        self._value = _UNREAD

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
            self._value = _UNREAD

    # ---- internals --------------------------------------------------------------------

    def _connect(self, now: float) -> bool:
        if self._failed_at is not None and now - self._failed_at < self.retry_after:
            return False
        try:
            # The project's own connection settings, on a connection of its own.
            conn = connection.get_new_connection(connection.get_connection_params())
            conn.autocommit = True
            conn.add_notify_handler(self._notified)
            conn.execute(f'LISTEN "{self.channel}"')
        except Exception:
            self._drop(now, "unavailable")
            return False
        self._conn = conn
        self._value = _UNREAD
        self._failed_at = None
        return True

    def _notified(self, notice: Any) -> None:
        # Called by psycopg for notices that arrive while this connection runs a query.
        self._noticed = True

    def _waiting(self, conn: Any) -> bool:
        """Whether the connection's socket holds data, without blocking. A poll object of the
        calling thread's own: one poll object may not be polled by two threads at once."""
        fd = conn.fileno()
        mine = getattr(self._polls, "fd_poll", None)
        if mine is None or mine[0] != fd:
            poll = select.poll()
            poll.register(fd, select.POLLIN)
            mine = self._polls.fd_poll = (fd, poll)
        return bool(mine[1].poll(0))

    def _pending(self) -> bool:
        """Whether a notice has arrived since the last look (they are consumed)."""
        noticed, self._noticed = self._noticed, False
        if self._waiting(self._conn):
            self._value = _UNREAD  # before the socket is drained: see get
            noticed = True  # data arrived: a notice, or the end of the connection (raised)
            pgconn = self._conn.pgconn
            pgconn.consume_input()  # raises when the server has closed the connection
            while pgconn.notifies() is not None:
                noticed = True
            if pgconn.status != pq.ConnStatus.OK:
                raise ConnectionError("the listening connection is closed")
        return noticed

    def _drop(self, now: float, what: str) -> None:
        if self._failed_at is None:
            logger.warning(
                "Commit notices on %r %s; reading on every request until it is back",
                self.channel,
                what,
                exc_info=True,
            )
        self._failed_at = now
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already broken: nothing more to do
                self._conn.close()
        self._conn = None
        self._value = _UNREAD

    def _forked(self) -> None:
        if self._conn is not None:
            _inherited.append(self._conn)
        self._conn = None
        self._value = _UNREAD
        self._failed_at = None
        self._pid = os.getpid()
