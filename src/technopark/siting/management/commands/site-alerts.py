"""`technopark site-alerts`: e-mail saved searches' owners the sites that newly match."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from technopark.siting import services


class Command(BaseCommand):
    help = (
        "Send the e-mail alerts of saved site searches: each owner is told once about each "
        "newly published or changed site that matches (safe to run as often as you like)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print what was sent as one JSON document."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = services.site_alerts_send()
        for line in run.invalid:
            self.stderr.write(f"saved search {line}")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "searches": run.searches,
                        "mails": run.mails,
                        "sites": run.sites,
                        "invalid": run.invalid,
                    }
                )
            )
        else:
            self.stdout.write(
                f"{run.searches} saved searches checked, {run.mails} e-mails sent about "
                f"{run.sites} sites."
            )
