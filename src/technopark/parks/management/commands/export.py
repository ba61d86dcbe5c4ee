"""`technopark export --what parks|sites --format csv|xlsx|geojson -o FILE`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from technopark.parks.exchange.exporter import FORMATS, export_table, format_from_name
from technopark.parks.models import Park, Site

XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header


class Command(BaseCommand):
    help = (
        "Export parks or sites in the exchange schema (CSV, XLSX, GeoJSON), as import reads.\n"
        "The same data always gives the same bytes (see docs/exchange-schema.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--what", choices=["parks", "sites"], required=True)
        parser.add_argument(
            "--format", choices=FORMATS, help="Default: from the file name's extension."
        )
        parser.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="FILE",
            help="Output file, or - for stdout (csv and geojson).",
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Export only what this user may view (default: everything).",
        )
        parser.add_argument("--quiet", action="store_true", help="No summary on stderr.")

    def handle(self, *args: Any, **options: Any) -> None:
        output: str = options["output"]
        fmt = options["format"] or (format_from_name(output) if output != "-" else "csv")
        if fmt is None:
            raise CommandError(
                f"Cannot tell the format from {output!r}: give --format ({', '.join(FORMATS)}).",
                returncode=2,
            )
        if output == "-" and fmt == "xlsx":
            raise CommandError("XLSX cannot go to stdout: give a file with -o.", returncode=2)
        if fmt == "xlsx":
            model = Park if options["what"] == "parks" else Site
            if model.objects.count() > XLSX_MAX_ROWS:
                raise CommandError(
                    f"An XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows; export CSV or GeoJSON.",
                    returncode=2,
                )
        user = None
        if options["as_user"]:
            user_model = get_user_model()
            try:
                user = user_model.objects.get(username=options["as_user"])
            except user_model.DoesNotExist:
                raise CommandError(f"No user {options['as_user']!r}.", returncode=2) from None
        if output == "-":
            stream = getattr(self.stdout, "_out", sys.stdout)
            count = export_table(options["what"], fmt, stream, user=user, as_system=user is None)
            stream.flush()
        else:
            count = export_table(
                options["what"], fmt, Path(output), user=user, as_system=user is None
            )
        if not options["quiet"]:
            self.stderr.write(f"Exported {count} {options['what']} to {output} ({fmt}).")
