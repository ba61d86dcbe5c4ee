"""Load the reference parks that ship with the project (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from technopark.parks.services.reference import load_reference_parks


class Command(BaseCommand):
    help = "Load the reference data (real parks with sources); existing parks are kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite parks that already exist with the reference values.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_reference_parks(update=options["update"])
        self.stdout.write(
            f"Reference parks: {report.created} created, {report.updated} updated, "
            f"{report.kept} kept as they are."
        )
