"""`technopark finance`: run as a user runs it (a subprocess), checked against independent
calculations written here (numpy-financial over the printed cash flows, taxes by hand)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy_financial as npf
import openpyxl
import pytest

from tests.finance_web.conftest import ALABUGA, ELTECH, WORKSHOP, Run, load

pytestmark = pytest.mark.slow


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "project.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _flows(result: dict[str, Any], key: str = "net_cash_flow") -> np.ndarray:
    return np.array([row[key] for row in result["cashflows"]])


@pytest.mark.parametrize("example", [WORKSHOP, ELTECH, ALABUGA], ids=lambda p: p.stem)
def test_metrics_agree_with_numpy_financial(cli: Callable[..., Run], example: Path) -> None:
    run = cli("finance", str(example), "--json")
    assert run.returncode == 0, run.stderr
    r = run.json()  # exactly one JSON document on stdout
    for key in (
        "currency",
        "npv",
        "irr",
        "mirr",
        "payback_years",
        "discounted_payback_years",
        "min_dscr",
        "cashflows",
    ):
        assert key in r
    doc = load(example)
    assert r["currency"] == doc["currency"]
    assert [row["year"] for row in r["cashflows"]] == list(
        range(doc["start_year"], doc["start_year"] + doc["horizon_years"])
    )
    cf = _flows(r)
    # Net flow = revenue − opex − capex − taxes − ΔWC, row by row.
    for row in r["cashflows"]:
        assert row["net_cash_flow"] == pytest.approx(
            row["revenue"]
            - row["opex"]
            - row["capex"]
            - row["taxes"]
            - row["delta_working_capital"]
        )
    assert _flows(r, "cumulative") == pytest.approx(np.cumsum(cf))
    # numpy-financial: npv discounts the first flow by (1 + r)^0, as the model does.
    assert r["npv"] == pytest.approx(npf.npv(doc["discount_rate"], cf), rel=1e-10)
    if r["irr"] is not None:
        assert r["irr"] == pytest.approx(npf.irr(cf), abs=1e-9)
        assert npf.npv(r["irr"], cf) == pytest.approx(0, abs=1e-4 * np.abs(cf).max())
    if r["mirr"] is not None:
        assert r["mirr"] == pytest.approx(
            npf.mirr(cf, r["mirr_finance_rate"], r["mirr_reinvest_rate"]), rel=1e-9
        )
    # Payback by a plain loop: first year the cumulative turns non-negative, interpolated.
    cum = np.cumsum(cf)
    k = next((i for i in range(1, len(cf)) if cum[i] >= 0 > cum[i - 1]), None)
    if k is None:
        assert r["payback_years"] is None
    else:
        assert r["payback_years"] == pytest.approx(k - 1 + -cum[k - 1] / cf[k])


def test_first_year_tax_by_hand(cli: Callable[..., Run], tmp_path: Path) -> None:
    """The workshop with a stated water-tax rate so that every tax of 2025 is hand-checkable.

    2025: buildings 50,000 (30 years → 1,666.67 a year) and equipment 150,000 (10 years →
    15,000), commissioned in 2025. Profit 100,000 − 120,000 − 16,666.67 < 0: no profit tax.
    Property tax 1.5 % of the buildings' average net book value (50,000 + 48,333.33) / 2 =
    49,166.67 → 737.50. Water 2 m³/day × 365 = 730 m³ × USD 0.05 = 36.50. Land and social tax
    unknown (no rate per hectare, no wage). Total 774.00; net flow 100,000 − 120,000 −
    200,000 − 774 = −220,774.
    """
    doc = load(WORKSHOP)
    doc["tax_overrides"] = {"water_rate_per_m3": 0.05}
    run = cli("finance", str(_write(tmp_path, doc)), "--json")
    assert run.returncode == 0, run.stderr
    first = run.json()["cashflows"][0]
    assert first["depreciation"] == pytest.approx(50_000 / 30 + 150_000 / 10)
    assert first["taxes"] == pytest.approx(737.50 + 36.50)
    assert first["net_cash_flow"] == pytest.approx(-220_774.0)
    assert set(run.json()["unknown_taxes"]) == {"land", "social"}


def test_park_from_the_document_gives_benefits(cli: Callable[..., Run]) -> None:
    # examples/project-eltech-cable-plant.json names uz-eltech-industrial: PP-15 halves the
    # property tax in 2025–2026; 2026 property tax 1,500,000 buildings → average NBV
    # 1,475,000 × 1.5 % = 22,125, half saved = 11,062.50, worth 11,062.50 / 1.12 at t = 1.
    run = cli("finance", str(ELTECH), "--json")
    assert run.returncode == 0, run.stderr
    r = run.json()
    assert r["park_id"] == "uz-eltech-industrial"
    assert set(r["without_benefits"]) >= {"npv", "irr", "payback_years"}
    assert r["benefits_value"] == pytest.approx(11_062.50 / 1.12, abs=0.01)
    assert r["npv"] - r["without_benefits"]["npv"] == pytest.approx(r["benefits_value"])
    base = _flows(r) + np.array(
        [row["taxes"] - row["taxes_without_benefits"] for row in r["cashflows"]]
    )
    assert r["without_benefits"]["npv"] == pytest.approx(npf.npv(0.12, base), rel=1e-10)


def test_park_option_and_no_park(cli: Callable[..., Run], tmp_path: Path) -> None:
    doc = load(ELTECH)
    del doc["park_id"]
    path = _write(tmp_path, doc)
    plain = cli("finance", str(path), "--json").json()
    assert "without_benefits" not in plain and "benefits_value" not in plain
    navoi = cli("finance", str(path), "--park", "uz-navoi-fez", "--json")
    assert navoi.returncode == 0, navoi.stderr
    assert navoi.json()["park_id"] == "uz-navoi-fez"
    assert navoi.json()["benefits_value"] > 0
    assert navoi.json()["without_benefits"]["npv"] == pytest.approx(plain["npv"])


def test_simulation(cli: Callable[..., Run]) -> None:
    args = ("finance", str(WORKSHOP), "--simulate", "2000", "--seed", "7", "--json")
    first, second = cli(*args), cli(*args)
    assert first.returncode == 0, first.stderr
    sim = first.json()["simulation"]
    assert sim == second.json()["simulation"]  # the same seed, the same result
    assert (sim["n"], sim["seed"]) == (2000, 7)
    for key in (
        "npv_p5",
        "npv_p50",
        "npv_p95",
        "irr_p5",
        "irr_p50",
        "irr_p95",
        "prob_npv_negative",
        "expected_npv",
    ):
        assert key in sim
    assert sim["npv_p5"] <= sim["npv_p50"] <= sim["npv_p95"]
    assert 0 <= sim["prob_npv_negative"] <= 1
    assert sum(sim["npv_histogram"]["counts"]) == 2000


def test_readable_table(cli: Callable[..., Run]) -> None:
    run = cli("finance", str(ELTECH), "--simulate", "500", "--seed", "1")
    assert run.returncode == 0, run.stderr
    assert "NPV, USD" in run.stdout and "without benefits" in run.stdout
    assert "2034" in run.stdout and "Monte Carlo: 500 scenarios, seed 1" in run.stdout


def test_xlsx_has_live_formulas(cli: Callable[..., Run], tmp_path: Path) -> None:
    out = tmp_path / "eltech.xlsx"
    run = cli("finance", str(ELTECH), "--xlsx", str(out), "--json")
    assert run.returncode == 0, run.stderr
    json.loads(run.stdout)  # still one JSON document on stdout
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "Cash flows", "Taxes", "Assumptions"} <= set(wb.sheetnames)
    formulas = [
        c.value
        for row in wb["Summary"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert any(f.startswith("=NPV(") for f in formulas)
    assert any(f.startswith("=IRR(") for f in formulas)


def test_invalid_document_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    doc = load(WORKSHOP)
    doc["currency"] = "usd"
    doc["horizon_years"] = 0
    path = _write(tmp_path, doc)
    run = cli("finance", str(path), "--json")
    assert run.returncode == 2
    assert run.stdout == ""
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith(f"{path}: $")]
    assert f"{path}: $.currency: must match '^[A-Z]{{3}}$', got 'usd'" in lines
    assert any(ln.startswith(f"{path}: $.horizon_years: ") for ln in lines)
    # cross-field checks (years inside the horizon) come once the schema passes
    doc = load(WORKSHOP)
    doc["capex"][0]["year"] = 2040
    run = cli("finance", str(_write(tmp_path, doc)), "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert f"{path}: $.capex[0].year: must be within start_year" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--park", "no-such-park"), "--park: there is no park 'no-such-park' in the registry"),
        (("--simulate", "0"), "--simulate: the number of scenarios must be from 1 to"),
        (("--seed", "3"), "--seed: only meaningful with --simulate N"),
    ],
)
def test_bad_options_exit_2(cli: Callable[..., Run], args: tuple[str, ...], message: str) -> None:
    run = cli("finance", str(WORKSHOP), "--json", *args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert message in run.stderr


def test_unreadable_file_and_bad_json_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    run = cli("finance", str(missing))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"{missing}: cannot read the file")
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x",\n', encoding="utf-8")
    run = cli("finance", str(broken))
    assert run.returncode == 2 and f"{broken}:2: invalid JSON" in run.stderr


def test_unknown_park_in_the_document_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    doc = load(WORKSHOP)
    doc["park_id"] = "nowhere-park"
    path = _write(tmp_path, doc)
    run = cli("finance", str(path))
    assert run.returncode == 2 and run.stdout == ""
    assert f"{path}: $.park_id: there is no park 'nowhere-park' in the registry" in run.stderr


def test_listed_in_help(cli: Callable[..., Run]) -> None:
    run = cli("--help")
    assert run.returncode == 0
    assert any(line.strip().startswith("finance ") for line in run.stdout.splitlines())
