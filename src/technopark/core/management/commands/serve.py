"""Serve the platform: granian in production, Django's auto-reloading server under DEBUG.

Why granian (a Rust HTTP server running the WSGI application) and not gunicorn: measured by
bench/api.py on 2026-11-28 (same machine, same moments, 50 keep-alive clients, 2 cores), the
bare fixed-JSON view answered at p95 35–45 ms and 2,066–3,043 req/s under granian 2 workers ×
2 or × 8 threads, against 44–92 ms and 1,115–1,957 req/s under gunicorn gthread 2 × 8; the
PostgreSQL park list at p95 58–61 ms against 72–106 ms. Granian parses HTTP and keeps the
connections in Rust, off the GIL; gunicorn's Python HTTP handling and its gthread poller
thread competed for the GIL with the requests themselves.
"""

from __future__ import annotations

import atexit
import copy
import ipaddress
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LOGGING_CONFIG

# The WSGI application granian imports in each worker process.
TARGET = "technopark.config.wsgi:application"

# Each granian worker is a process with its own interpreter; a Python process runs on one core
# at a time, so one worker per core keeps every core busy. In a worker, THREADS Python threads
# (granian's "blocking threads") run the requests, so that one request's wait on the database
# or the cache overlaps another's work; granian's Rust runtime reads and writes the sockets and
# keeps idle keep-alive connections, holding no Python thread. Two threads: bench/api.py
# alternating 1, 2, 4 and 8 threads per worker (2026-11-29 00:00-00:06, 2 workers, both
# databases) gave 2 the shortest tails — park lists p95 23-44 ms against 36-72 with 8, the
# PostgreSQL park detail 66-89 against 89-98 — as more threads mostly wait for the GIL, and a
# request that returns from a round trip to the database or Redis waits longest for it; one
# thread cannot overlap one request's wait with another's work (SQLite detail 80 ms).
THREADS = 2
# An idle keep-alive connection is closed after this many seconds: granian waits this long for
# the next request's headers (as gunicorn's keep-alive was set before).
KEEPALIVE_SECONDS = 30

# granian's own line (path without the query string) with the query string added at the end:
# the API's filters and pages live in it.
ACCESS_LOG_FORMAT = (
    '[%(time)s] %(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1f ms '
    '"%(query_string)s"'
)
# granian's logger of requests (granian/log.py); its other messages go to `_granian`.
ACCESS_LOGGER = "granian.access"


def default_workers() -> int:
    """WEB_CONCURRENCY when set, else one worker process per core."""
    return int(os.environ.get("WEB_CONCURRENCY", "0") or 0) or (os.cpu_count() or 1)


def default_threads() -> int:
    """TECHNOPARK_THREADS when set, else THREADS."""
    return int(os.environ.get("TECHNOPARK_THREADS", "0") or 0) or THREADS


def default_access_log() -> str | None:
    """TECHNOPARK_ACCESS_LOG: a file, `-` for standard output (the default) or `off`.

    Behind a proxy that logs requests already, `off` saves writing a line per request (with
    gunicorn it cost ~35 µs, about a fifth of a cached API read).
    """
    value = os.environ.get("TECHNOPARK_ACCESS_LOG", "-") or "-"
    return None if value.lower() == "off" else value


def parse_bind(bind: str) -> tuple[str, int]:
    """The IP address and port of `IPv4:port` or `[IPv6]:port`.

    >>> parse_bind("0.0.0.0:8000"), parse_bind("[::1]:8080")
    (('0.0.0.0', 8000), ('::1', 8080))
    """
    host, _, port = bind.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        # granian binds an IP address; it does not resolve host names such as localhost.
        address = ipaddress.ip_address(host[1:-1] if bracketed else host)
        number = int(port)
    except ValueError:
        address, number = None, 0
    if address is None or not 0 < number < 65536 or bracketed != (address.version == 6):
        raise CommandError(
            f"--bind {bind!r} is not an IP address and a port: give e.g. 127.0.0.1:8000, "
            "0.0.0.0:8000 or [::1]:8000."
        )
    return str(address), number


def server_options(
    bind: str, workers: int, threads: int, access_log: str | None = "-"
) -> dict[str, Any]:
    """The keyword arguments of granian.Granian for the production server.

    bench/api.py starts its server from these too, so that it measures this configuration.
    `access_log` is `-` for standard output, a file, or None for no access log.
    """
    address, port = parse_bind(bind)
    options: dict[str, Any] = {
        "target": TARGET,
        "interface": Interfaces.WSGI,
        "address": address,
        "port": port,
        "workers": workers,
        "blocking_threads": threads,
        # HTTP/1.1 with keep-alive; HTTP/2 when a client opens with it (h2c prior knowledge).
        # Websockets need ASGI: off.
        "http": HTTPModes.auto,
        "http1_settings": HTTP1Settings(
            keep_alive=True, header_read_timeout=KEEPALIVE_SECONDS * 1000
        ),
        "websockets": False,
        "log_access": access_log is not None,
        "log_access_format": ACCESS_LOG_FORMAT,
    }
    if access_log not in (None, "-"):
        # granian replaces its configuration's top-level keys by these (log.configure_logging),
        # so this is its own configuration with the access logger writing to the file. The
        # file is opened at start: a path that cannot be written stops the server there.
        config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
        config["formatters"]["access_file"] = {"format": "%(message)s"}
        config["handlers"]["access_file"] = {
            "class": "logging.FileHandler",
            "formatter": "access_file",
            "filename": access_log,
        }
        config["loggers"][ACCESS_LOGGER] = {
            "handlers": ["access_file"],
            "level": "INFO",
            "propagate": False,
        }
        options["log_dictconfig"] = config
    return options


class Command(BaseCommand):
    help = (
        "Start the web server (http://127.0.0.1:8000 by default): granian running the WSGI "
        "application in worker processes × threads, or Django's development server under DEBUG."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("TECHNOPARK_BIND", "127.0.0.1:8000"),
            help="IP:port to listen on, [::1]:port for IPv6 (TECHNOPARK_BIND).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="worker processes (WEB_CONCURRENCY; default: one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help="Python threads running requests in each worker process "
            f"(TECHNOPARK_THREADS; default: {THREADS}).",
        )
        parser.add_argument(
            "--access-log",
            default=default_access_log(),
            type=lambda value: None if value.lower() == "off" else value,
            help="where each request is logged: a file, - for standard output, or off "
            "(TECHNOPARK_ACCESS_LOG; default: -).",
        )
        parser.add_argument(
            "--production", action="store_true", help="Use granian even when DEBUG is on."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background-task worker (run `technopark db_worker` elsewhere).",
        )

    def _start_worker(self) -> None:
        """Run the background-task worker beside the web server, and stop it with the server."""
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "technopark.cli",
                "db_worker",
                "--queue-name",
                "*",
                "--no-reload",
            ]
        )
        atexit.register(worker.terminate)
        self.stdout.write(f"Background-task worker started (pid {worker.pid}).")

    def handle(self, *args: Any, **options: Any) -> None:
        production = not settings.DEBUG or options["production"]
        # A bad --bind stops here, before anything is started.
        config = (
            server_options(
                options["bind"], options["workers"], options["threads"], options["access_log"]
            )
            if production
            else {}
        )
        # Under the auto-reloader this method runs again in the child (RUN_MAIN); one worker only.
        uses_database_tasks = "DatabaseBackend" in settings.TASKS["default"]["BACKEND"]
        if (
            not options["no_worker"]
            and uses_database_tasks
            and os.environ.get("RUN_MAIN") != "true"
        ):
            self._start_worker()
        if not production:
            self.stdout.write(f"Serving on http://{options['bind']}/ (development server)")
            call_command("runserver", options["bind"], use_reloader=True)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving on http://{options['bind']}/ with granian, {config['workers']} workers × "
            f"{config['blocking_threads']} threads"
        )
        self.stdout.flush()
        Granian(**config).serve()
