"""`technopark compliance-check`: the daily evaluation of residents' commitments."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Evaluate every commitment (on track, at risk, breached, met), store loss of status, end "
        "of benefits and plot withdrawal, and e-mail operators' digests and residents' reminders; "
        "safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Evaluate as of this date, YYYY-MM-DD (default: today).")
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")
        parser.add_argument(
            "--no-email", action="store_true", help="Evaluate without sending e-mail."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from technopark.residents.services import compliance_run

        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                sys.stderr.write(f"--date: expected YYYY-MM-DD, got {options['date']!r}\n")
                sys.exit(2)
        else:
            today = timezone.localdate()
        result = compliance_run(today=today, send=not options["no_email"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(result["commitments"].items())) or "none"
        self.stdout.write(f"Compliance on {result['date']}: commitments {counts}.")
        for change in result["status_changes"]:
            self.stdout.write(
                f"  {change['agreement']} ({change['park']}): {change['consequence']} from "
                f"{change['effective_on']} — {change['reason']}"
            )
        self.stdout.write(f"Notifications sent: {result['notifications_sent']}.")
