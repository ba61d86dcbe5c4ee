"""Serve the platform: gunicorn in production, Django's auto-reloading server under DEBUG."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# gunicorn's threaded workers: each worker process serves THREADS requests at once and keeps
# idle keep-alive connections in its event loop, not in a thread. A Python process runs on one
# core at a time, so one worker per core keeps every core busy, and the threads overlap each
# request's waits on the database and the cache. bench/api.py (50 clients, 2 cores, cached
# API reads) measured 2 workers × 8 threads ahead of 4 × 4, 2 × 16 and 3 × 8, and level with
# 2 × 4 (docs/benchmarks.md); it starts its server with these same defaults. Sync workers
# (the previous default, 2 × cores + 1) serve one request per process and close every
# connection after it.
WORKER_CLASS = "gthread"
THREADS = 8
# A browser or a proxy in front reuses its connection within this many idle seconds.
KEEPALIVE_SECONDS = 30


def default_workers() -> int:
    """WEB_CONCURRENCY when set, else one worker process per core."""
    return int(os.environ.get("WEB_CONCURRENCY", "0") or 0) or (os.cpu_count() or 1)


def default_threads() -> int:
    """TECHNOPARK_THREADS when set, else THREADS."""
    return int(os.environ.get("TECHNOPARK_THREADS", "0") or 0) or THREADS


def default_access_log() -> str | None:
    """TECHNOPARK_ACCESS_LOG: a file, `-` for standard output (the default) or `off`.

    A line per request costs gunicorn ~35 µs, about a fifth of a cached API read; behind a
    proxy that logs requests already, `off` saves it.
    """
    value = os.environ.get("TECHNOPARK_ACCESS_LOG", "-") or "-"
    return None if value.lower() == "off" else value


def gunicorn_settings(
    bind: str, workers: int, threads: int, access_log: str | None = "-"
) -> dict[str, Any]:
    """The gunicorn settings of the production server."""
    return {
        "bind": bind,
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "threads": threads,
        "keepalive": KEEPALIVE_SECONDS,
        "accesslog": access_log,
    }


class Command(BaseCommand):
    help = (
        "Start the web server (http://127.0.0.1:8000 by default): gunicorn with threaded "
        "workers, or Django's development server under DEBUG."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("TECHNOPARK_BIND", "127.0.0.1:8000"),
            help="host:port to listen on (TECHNOPARK_BIND).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="gunicorn worker processes (WEB_CONCURRENCY; default: one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help=f"threads per worker process (TECHNOPARK_THREADS; default: {THREADS}).",
        )
        parser.add_argument(
            "--access-log",
            default=default_access_log(),
            type=lambda value: None if value.lower() == "off" else value,
            help="where gunicorn logs each request: a file, - for standard output, or off "
            "(TECHNOPARK_ACCESS_LOG; default: -).",
        )
        parser.add_argument(
            "--production", action="store_true", help="Use gunicorn even when DEBUG is on."
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
        # Under the auto-reloader this method runs again in the child (RUN_MAIN); one worker only.
        uses_database_tasks = "DatabaseBackend" in settings.TASKS["default"]["BACKEND"]
        if (
            not options["no_worker"]
            and uses_database_tasks
            and os.environ.get("RUN_MAIN") != "true"
        ):
            self._start_worker()
        if settings.DEBUG and not options["production"]:
            self.stdout.write(f"Serving on http://{options['bind']}/ (development server)")
            call_command("runserver", options["bind"], use_reloader=True)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.base import BaseApplication

        from technopark.config.wsgi import application

        config = gunicorn_settings(
            options["bind"], options["workers"], options["threads"], options["access_log"]
        )

        class App(BaseApplication):
            def load_config(self) -> None:
                for name, value in config.items():
                    self.cfg.set(name, value)

            def load(self) -> Any:
                return application

        self.stdout.write(
            f"Serving on http://{options['bind']}/ with {config['workers']} workers × "
            f"{config['threads']} threads"
        )
        self.stdout.flush()
        App().run()
