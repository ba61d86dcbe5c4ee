"""`technopark match FILE [--top K] [--json]`: the sites that fit a requirements document."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from technopark.siting import services
from technopark.siting.requirements import RequirementsError, load_requirements


class Command(BaseCommand):
    help = (
        "Match a site-finder requirements document against every published site: feasible "
        "sites ranked with their location cost and reasons, near misses with what they miss. "
        "Bad input: exit code 2 and every error as FILE: $.path: message on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Requirements document (JSON).")
        parser.add_argument(
            "--top",
            type=int,
            metavar="K",
            help="Results to return (default: the document's top, else 10).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON document (the API's response) on stdout.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        top = options["top"]
        if top is not None and top < 1:
            self._bad_input([f"--top: must be at least 1, got {top}"])
        try:
            requirements = load_requirements(path)
        except RequirementsError as exc:
            self._bad_input(exc.errors)
        except OSError as exc:
            self._bad_input([f"{path}: cannot read the file: {exc.strerror or exc}"])
        # The command line sees what the public sees: published parks only.
        result = services.match_requirements(requirements=requirements, user=None, top=top)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(render_text(result), ending="")

    def _bad_input(self, errors: list[str]) -> NoReturn:
        for line in errors:
            self.stderr.write(line)
        raise CommandError("Bad input; nothing was matched.", returncode=2)


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def render_text(result: dict[str, Any]) -> str:
    """A readable table of the results, their cost components and the near misses."""
    cur = result["currency"]
    lines = [
        f"{result['feasible_count']} of {result.get('in_scope_count', '?')} sites in scope fit "
        f"({result.get('site_count', '?')} published sites); ranking by {result.get('ranking')}; "
        f"location cost: present value over {result.get('horizon_years')} years in {cur}.",
        "",
    ]
    if result["results"]:
        head = f"{'#':>3}  {'site':<28} {'park':<28} {'score':>6} {'location cost':>16} {'benefits':>14}  unknown"
        lines += [head, "-" * len(head)]
        for r in result["results"]:
            lc = r["location_cost"]
            lines.append(
                f"{r['rank']:>3}  {r['site_id'][:28]:<28} {str(r['park_id'])[:28]:<28} "
                f"{r['score']:>6.1f} {_num(lc['npv']):>16} {_num(r['benefits_value']):>14}  "
                f"{', '.join(lc['unknown']) or '-'}"
            )
        lines.append("")
        for r in result["results"]:
            lines.append(f"{r['rank']}. {r['site_id']} ({r['park_id']})")
            comps = r["location_cost"]["components"]
            lines.append(
                "   cost: " + "; ".join(f"{k} {_num(v)}" for k, v in comps.items() if v != 0.0)
            )
            lines += [f"   - {text}" for text in r["reasons"]]
    else:
        lines.append("No site fits every constraint.")
    if result["near_misses"]:
        lines += ["", "Near misses:"]
        for n in result["near_misses"]:
            why = "; ".join(
                f"{v['constraint']}: required {_num(v['required'], 2)}, "
                f"available {_num(v['available'], 2)}"
                for v in n["violations"]
            )
            lines.append(f"   {n['site_id']} ({n['park_id']}): {why}")
    for w in result.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines) + "\n"
