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


class Command(BaseCommand):
    help = "Start the web server (http://127.0.0.1:8000 by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("TECHNOPARK_BIND", "127.0.0.1:8000"),
            help="host:port to listen on (TECHNOPARK_BIND).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "0") or 0),
            help="gunicorn worker processes (default: 2 × cores + 1).",
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

        workers = options["workers"] or (2 * (os.cpu_count() or 1) + 1)

        class App(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", options["bind"])
                self.cfg.set("workers", workers)
                self.cfg.set("accesslog", "-")

            def load(self) -> Any:
                return application

        self.stdout.write(f"Serving on http://{options['bind']}/ with {workers} workers")
        App().run()
