"""`technopark finance FILE`: cash flows, taxes with benefits, NPV, IRR, payback, DSCR of a
project document, optionally in a park, with a Monte Carlo simulation and an XLSX workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from technopark.core.project import ProjectError, load_project
from technopark.finance import services
from technopark.finance.risk import MAX_SCENARIOS, RiskSpecError
from technopark.incentives import selectors
from technopark.incentives.loader import RegimeError


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f} %"


def _years(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def render_text(result: dict[str, Any]) -> str:
    """The evaluation (and simulation) as readable tables."""
    cur = result["currency"]
    lines = [
        f"{result['name']}",
        f"Currency {cur}; discount rate {_pct(result['discount_rate'])}"
        + (f"; park {result['park_id']}" if result.get("park_id") else "; no park (no benefits)"),
        "",
        f"{'':<28}{'with benefits' if 'without_benefits' in result else 'value':>18}"
        + (f"{'without benefits':>20}" if "without_benefits" in result else ""),
    ]
    wb = result.get("without_benefits")

    def row(label: str, value: str, other: str | None = None) -> str:
        return f"{label:<28}{value:>18}" + (f"{other:>20}" if wb is not None and other else "")

    lines += [
        row(f"NPV, {cur}", _money(result["npv"]), _money(wb["npv"]) if wb else None),
        row("IRR", _pct(result["irr"]), _pct(wb["irr"]) if wb else None),
        row("MIRR", _pct(result["mirr"])),
        row(
            "Payback, years",
            _years(result["payback_years"]),
            _years(wb["payback_years"]) if wb else None,
        ),
        row("Discounted payback, years", _years(result["discounted_payback_years"])),
        row("Minimum DSCR", _years(result["min_dscr"])),
    ]
    if wb is not None:
        lines.append(row(f"Value of benefits, {cur}", _money(result.get("benefits_value"))))
    for key in ("irr_reason", "payback_reason", "discounted_payback_reason", "min_dscr_reason"):
        if key in result:
            lines.append(f"  {key.replace('_reason', '').replace('_', ' ')}: {result[key]}")
    cols = ("revenue", "opex", "capex", "depreciation", "taxes", "net_cash_flow", "cumulative")
    heads = ("revenue", "opex", "capex", "deprec.", "taxes", "net flow", "cumulative")
    lines += ["", f"Cash flows, {cur}", f"{'year':<6}" + "".join(f"{h:>15}" for h in heads)]
    for cf in result["cashflows"]:
        lines.append(f"{cf['year']:<6}" + "".join(f"{_money(cf[c]):>15}" for c in cols))
    sim = result.get("simulation")
    if sim is not None:
        lines += [
            "",
            f"Monte Carlo: {sim['n']:,} scenarios, seed {sim['seed']}",
            f"  NPV p5 / p50 / p95, {cur}: {_money(sim['npv_p5'])} / {_money(sim['npv_p50'])} / "
            f"{_money(sim['npv_p95'])}",
            f"  expected NPV: {_money(sim['expected_npv'])}; "
            f"probability NPV < 0: {sim['prob_npv_negative'] * 100:.1f} %",
            f"  IRR p5 / p50 / p95: {_pct(sim['irr_p5'])} / {_pct(sim['irr_p50'])} / "
            f"{_pct(sim['irr_p95'])}",
        ]
    if result.get("warnings"):
        lines += ["", "Notes:"] + [f"  - {w}" for w in result["warnings"]]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Financial model of an investment project document: yearly cash flows, taxes with the "
        "park's benefits, NPV, IRR, MIRR, payback, DSCR; optional Monte Carlo and XLSX. Bad "
        "input: exit code 2 and every error as FILE: $.path: message on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Project document (JSON).")
        parser.add_argument(
            "--park",
            metavar="PARK_ID",
            help="Registry id of the park whose benefits apply (default: the document's "
            "park_id; none: no benefits). Every park is seen, published or not.",
        )
        parser.add_argument(
            "--simulate",
            metavar="N",
            type=int,
            help=f"Also run a Monte Carlo simulation of N scenarios (1 to {MAX_SCENARIOS:,}) "
            "with the default illustrative distributions.",
        )
        parser.add_argument(
            "--seed",
            metavar="S",
            type=int,
            help="Seed of the simulation (default: a random one, printed).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the result as one JSON document (the API's response) on stdout.",
        )
        parser.add_argument(
            "--xlsx",
            metavar="OUT.xlsx",
            help="Also write the spreadsheet with live formulas to this file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            project = load_project(path)
        except ProjectError as exc:
            self._bad_input(exc.errors, f"{path}: the project document is not valid.")
        except OSError as exc:
            self._bad_input([f"{path}: cannot read the file: {exc.strerror or exc}"], "")
        n = options["simulate"]
        if n is not None and not 1 <= n <= MAX_SCENARIOS:
            self._bad_input(
                [
                    f"--simulate: the number of scenarios must be from 1 to {MAX_SCENARIOS:,}, got {n}"
                ],
                "",
            )
        if options["seed"] is not None and n is None:
            self._bad_input(["--seed: only meaningful with --simulate N"], "")
        park = None
        park_id: str | None = options["park"] or project.park_id
        if park_id:
            try:
                park = selectors.park_for_evaluation(park_id=park_id, user=None, system=True)
            except selectors.UnknownPark:
                where = "--park" if options["park"] else f"{path}: $.park_id"
                self._bad_input([f"{where}: there is no park {park_id!r} in the registry"], "")
            if project.park_id and project.park_id != park.park_id:
                self.stderr.write(
                    f"{path}: note: the document names park {project.park_id!r}; "
                    f"evaluating it in {park.park_id!r}"
                )
        try:
            result = services.evaluate(project, park=park)
            if park is not None:
                result = {"park_id": park.park_id, **result}
            if n is not None:
                seed = options["seed"] if options["seed"] is not None else services.new_seed()
                result["simulation"] = services.simulate(project, n=n, seed=seed, park=park)
            workbook = services.xlsx(project, park=park) if options["xlsx"] else None
        except RiskSpecError as exc:
            self._bad_input([f"--simulate: {e}" for e in exc.errors], "")
        except RegimeError as exc:
            # The regime files ship with the installation: a broken one is a defect, not input.
            for line in exc.errors:
                self.stderr.write(line)
            raise CommandError("The legal regime data is invalid.", returncode=1) from None
        if workbook is not None:
            out = Path(options["xlsx"])
            try:
                out.write_bytes(workbook)
            except OSError as exc:
                raise CommandError(
                    f"{out}: cannot write the workbook: {exc.strerror or exc}", returncode=1
                ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, allow_nan=False))
        else:
            self.stdout.write(render_text(result), ending="")

    def _bad_input(self, errors: list[str], summary: str) -> NoReturn:
        for line in errors:
            self.stderr.write(line)
        raise CommandError(summary or "Bad input; nothing was computed.", returncode=2)
