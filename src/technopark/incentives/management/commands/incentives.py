"""`technopark incentives --park ID --project FILE`: the incentives of a park for a project."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from technopark.core.project import ProjectError, load_project
from technopark.incentives import selectors, services
from technopark.incentives.engine import render_text
from technopark.incentives.loader import RegimeError


class Command(BaseCommand):
    help = (
        "Incentives of a park's legal regimes for an investment project document: eligibility "
        "with reasons, benefits year by year, taxes saved and their present value. Bad input: "
        "exit code 2 and every error as FILE: $.path: message on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--park",
            metavar="PARK_ID",
            help="Registry id of the park (default: the document's park_id). Every park is "
            "seen, published or not.",
        )
        parser.add_argument(
            "--project", metavar="FILE", required=True, help="Project document (JSON)."
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON document (the API's response) on stdout.",
        )
        parser.add_argument(
            "--lang",
            choices=services.LANGUAGES,
            default="en",
            help="Language of regime names (default en).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["project"]
        try:
            project = load_project(path)
        except ProjectError as exc:
            self._bad_input(exc.errors, f"{path}: the project document is not valid.")
        except OSError as exc:
            self._bad_input([f"{path}: cannot read the file: {exc.strerror or exc}"], "")
        park_id: str | None = options["park"] or project.park_id
        if not park_id:
            self._bad_input(
                [f"{path}: $.park_id: no park given; use --park PARK_ID or set park_id"], ""
            )
        try:
            park = selectors.park_for_evaluation(park_id=park_id, user=None, system=True)
        except selectors.UnknownPark:
            self._bad_input([f"--park: there is no park {park_id!r} in the registry"], "")
        if project.park_id and project.park_id != park.park_id:
            self.stderr.write(
                f"{path}: note: the document names park {project.park_id!r}; "
                f"evaluating it in {park.park_id!r}"
            )
        try:
            result = services.evaluate_project(park=park, project=project)
        except RegimeError as exc:
            # The regime files ship with the installation: a broken one is a defect, not input.
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError("The legal regime data is invalid.", returncode=1) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.to_dict(options["lang"]), ensure_ascii=False))
        else:
            self.stdout.write(render_text(result, options["lang"]), ending="")

    def _bad_input(self, errors: list[str], summary: str) -> NoReturn:
        for line in errors:
            self.stderr.write(line)
        raise CommandError(summary or "Bad input; nothing was evaluated.", returncode=2)
