"""`technopark import FILE...`: parks or sites from CSV, XLSX or GeoJSON, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from technopark.parks.exchange.importer import import_files

LARGE_FILE_BYTES = 1 << 20  # show a progress bar from 1 MiB on


class Command(BaseCommand):
    help = (
        "Import parks or sites from CSV, XLSX or GeoJSON (exchange schema), all or nothing.\n"
        "Upserts by park_id/site_id with history. Bad input: exit code 2 and every error as "
        "FILE:ROW: column: message on stderr (see docs/exchange-schema.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="Files to import; parks are written before sites.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and report what would change; write nothing.",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="No progress bar and no summary (errors are still printed).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print one JSON summary on stdout: {"created", "updated", "errors", ...}.',
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Import as this user, within their permissions (default: the "
            "system, which may do everything).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["as_user"]:
            user_model = get_user_model()
            try:
                user = user_model.objects.get(username=options["as_user"])
            except user_model.DoesNotExist:
                raise CommandError(f"No user {options['as_user']!r}.", returncode=2) from None
            if not user.is_active:
                raise CommandError(f"User {options['as_user']!r} is inactive.", returncode=2)
        files: list[str] = options["files"]
        size = sum(Path(f).stat().st_size for f in files if Path(f).is_file())
        progress = not options["quiet"] and size >= LARGE_FILE_BYTES
        try:
            report = import_files(files, user=user, dry_run=options["dry_run"], progress=progress)
        except IntegrityError as exc:
            # Everything was checked; only a concurrent writer can get here. Nothing is written.
            raise CommandError(
                f"The database changed while the files were being checked ({exc}); nothing was "
                "imported. Run the import again.",
                returncode=1,
            ) from exc
        for problem in report.errors:
            self.stderr.write(str(problem))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} error(s) in {', '.join(files)}; nothing was imported.",
                returncode=2,
            )
        if options["json"] or options["quiet"]:
            return
        parts = []
        for entity in ("parks", "sites"):
            created, updated = report.created[entity], report.updated[entity]
            unchanged = report.unchanged[entity]
            if created or updated or unchanged:
                parts.append(
                    f"{entity}: {created} created, {updated} updated, {unchanged} unchanged"
                )
        summary = "; ".join(parts) or "nothing to import"
        if report.dry_run:
            self.stdout.write(f"Dry run, nothing written. Would import {summary}.")
        else:
            rate = report.rows / report.seconds if report.seconds else 0
            self.stdout.write(
                f"Imported {summary} ({report.rows} rows in {report.seconds:.1f} s, "
                f"{rate:,.0f} rows/s; request id {report.request_id})."
            )
