"""`technopark synth --parks N --sites M --seed S -o DIR`: a synthetic data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from technopark.parks.exchange.synth import write_synth


class Command(BaseCommand):
    help = "Write a realistic synthetic data set (DIR/parks.csv, DIR/sites.csv) in the exchange schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parks", type=int, default=100, help="Number of parks (100).")
        parser.add_argument("--sites", type=int, default=1000, help="Number of sites (1000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (42).")
        parser.add_argument("--format", choices=["csv", "xlsx", "geojson"], default="csv")
        parser.add_argument("-o", "--output", required=True, metavar="DIR")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["parks"] < 0 or options["sites"] < 0:
            raise CommandError("--parks and --sites cannot be negative.", returncode=2)
        if options["format"] == "xlsx" and options["sites"] > 1_048_575:
            raise CommandError("An XLSX sheet holds at most 1,048,575 rows.", returncode=2)
        try:
            paths = write_synth(
                Path(options["output"]),
                parks=options["parks"],
                sites=options["sites"],
                seed=options["seed"],
                fmt=options["format"],
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if not options["quiet"]:
            self.stdout.write(
                f"Wrote {options['parks']} parks to {paths['parks']} and {options['sites']} "
                f"sites to {paths['sites']} (seed {options['seed']})."
            )
