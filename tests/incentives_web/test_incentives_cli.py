"""`technopark incentives`: run as a user runs it (a subprocess), checked by hand from the law.

Hand calculations use the example documents in examples/ (invented figures) and the default
Uzbek rates of core/data/tax_rates.yaml: property tax 1.5 % of the buildings' average net book
value from commissioning (straight line over 30 years), profit tax 15 %, social tax 12 %.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.incentives_web.conftest import ELTECH, EXAMPLES, Run, load_example


def _regime(result: dict[str, Any], regime_id: str) -> dict[str, Any]:
    return next(r for r in result["regimes"] if r["id"] == regime_id)


def _benefit(regime: dict[str, Any], benefit_id: str) -> dict[str, Any]:
    return next(b for b in regime["benefits"] if b["id"] == benefit_id)


def _saved(result: dict[str, Any], tax: str) -> dict[int, float]:
    return {row["year"]: row["saved"] for row in result["by_year"] if row["tax"] == tax}


def test_eltech_in_eltech_industrial_by_hand(cli: Callable[..., Run]) -> None:
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(ELTECH), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)  # exactly one JSON document on stdout
    assert result["park_id"] == "uz-eltech-industrial" and result["currency"] == "USD"
    # The reference data links Eltech to PP-15 of 13.01.2024 only: profit and property tax cut
    # by 50 % until 01.01.2027 for ≥ 80 % of revenue from electrical products (the example: 90 %).
    pp15 = _regime(result, "uz-electrical-industry")
    assert pp15["eligible"] is True
    assert {r["condition"]: r["status"] for r in pp15["reasons"]}["min_activity_share"] == "met"
    prop = _benefit(pp15, "property-half")
    assert prop["years"] == [2025, 2026] and prop["end"] == "2027-01-01"
    # Property tax: buildings USD 1.5 m commissioned in 2026 (the year counts in full), 30 years
    # → depreciation 50,000 a year; 2026 average NBV (1,500,000 + 1,450,000) / 2 = 1,475,000;
    # × 1.5 % = 22,125; half of it saved = 11,062.50. 2025: not yet commissioned, no tax.
    assert _saved(result, "property")[2025] == 0
    assert _saved(result, "property")[2026] == pytest.approx(11_062.50)
    # Profit tax: 2025 has no revenue; 2026 revenue 3.0 m − opex 3.2 m − depreciation < 0, a
    # loss → no profit tax, so the 50 % cut is worth nothing (usable value).
    assert _saved(result, "profit")[2025] == 0 and _saved(result, "profit")[2026] == 0
    # Nothing after 2026 (the cut ends on 01.01.2027).
    assert all(v == 0 for y, v in _saved(result, "property").items() if y >= 2027)
    assert result["total_saved"] == pytest.approx(11_062.50)
    # PV with t = 0 in start_year 2025: 2026 is t = 1 → 11,062.50 / 1.12 = 9,877.23
    assert result["npv_saved"] == pytest.approx(11_062.50 / 1.12, abs=0.01)
    # 2025 baseline: land 3 ha × USD 3,000 (override) for Apr–Dec = 6,750; social tax
    # 10 jobs × 450 × 12 × 12 % = 6,480 → 13,230.
    baseline_2025 = sum(r["baseline"] for r in result["by_year"] if r["year"] == 2025)
    assert baseline_2025 == pytest.approx(13_230)
    assert [f["currency"] for f in result["fx"]] == ["UZS"]
    assert run.stderr == ""


def test_eltech_in_a_free_economic_zone_by_hand(cli: Callable[..., Run]) -> None:
    run = cli("incentives", "--park", "uz-navoi-fez", "--project", str(ELTECH), "--json")
    assert run.returncode == 0, run.stderr
    result = run.json()
    sez = _regime(result, "uz-sez")
    assert sez["eligible"] is True
    # ZRU-604 / Tax Code Art. 473: property, land and water-use tax exempt by investment from
    # the certificate (2025-04-01): 0.3–3 m → 3 years, 3–5 m → 5, 5–10 m → 7, ≥ 10 m → 10.
    # Capex by end 2025: 1.5 m + 0.2 m = 1.7 m → 36 months (to 2028-04). By end 2026 4.2 m →
    # 60 months; by end 2028 5.7 m → 84 months; each while the term still runs (Art. 474):
    # 2025-04-01 .. 2032-04-01.
    prop = _benefit(sez, "property-exemption")
    assert prop["term_months"] == 84
    assert (prop["start"], prop["end"]) == ("2025-04-01", "2032-04-01")
    assert prop["years"] == list(range(2025, 2033))
    assert prop["months_by_year"] == {
        "2025": 9,
        **{str(y): 12 for y in range(2026, 2032)},
        "2032": 3,
    }
    # Property tax from commissioning (2026): average NBV 1,475,000 − 50,000 × k; × 1.5 %:
    # 22,125; 21,375; 20,625; 19,875; 19,125; 18,375 (2026–2031, all exempt);
    # 2032: (1,200,000 + 1,150,000) / 2 × 1.5 % = 17,625, exempt Jan–Mar → 3/12 = 4,406.25.
    expected = {
        2026: 22_125,
        2027: 21_375,
        2028: 20_625,
        2029: 19_875,
        2030: 19_125,
        2031: 18_375,
        2032: 4_406.25,
        2033: 0,
        2034: 0,
    }
    saved = _saved(result, "property")
    for year, value in expected.items():
        assert saved[year] == pytest.approx(value), year
    assert result["totals_by_tax"]["property"]["saved"] == pytest.approx(125_906.25)
    # Land: 3 ha × USD 3,000 = 9,000 a year, due from the title registration (= certificate):
    # 2025 Apr–Dec 6,750 exempt; 2026–2031 9,000 exempt; 2032 Jan–Mar 2,250 → 63,000.
    assert result["totals_by_tax"]["land"]["saved"] == pytest.approx(63_000)
    # Profit tax: 3–5 m by end of the commissioning year (4.2 m) → 36 months from 2026-07-01.
    profit = _benefit(sez, "profit-exemption")
    assert (profit["start"], profit["end"]) == ("2026-07-01", "2029-07-01")
    # Customs: listed with its years but not valued (no base in the document).
    customs = _benefit(sez, "customs-exemption")
    assert customs["quantified"] is False and customs["relief_by_year"] is None


def test_text_report(cli: Callable[..., Run]) -> None:
    run = cli(
        "incentives", "--park", "uz-eltech-industrial", "--project", str(ELTECH), "--lang", "ru"
    )
    assert run.returncode == 0, run.stderr
    assert "[ELIGIBLE] uz-electrical-industry" in run.stdout
    assert "Льготы для предприятий электротехнической промышленности" in run.stdout
    assert "Total saved: 11,062 USD" in run.stdout


def test_park_defaults_to_the_documents_park_id(cli: Callable[..., Run]) -> None:
    run = cli("incentives", "--project", str(ELTECH), "--json")
    assert run.returncode == 0, run.stderr
    assert run.json()["park_id"] == "uz-eltech-industrial"


def test_small_workshop_is_below_every_threshold(cli: Callable[..., Run]) -> None:
    doc = EXAMPLES / "project-small-workshop.json"
    run = cli("incentives", "--park", "uz-navoi-fez", "--project", str(doc), "--json")
    assert run.returncode == 0, run.stderr
    sez = _regime(run.json(), "uz-sez")
    # USD 0.2 m < USD 0.3 m, the lowest bracket of Art. 473: no property exemption.
    assert _benefit(sez, "property-exemption")["applies"] is False


def test_broken_document_exit_2_with_every_error(cli: Callable[..., Run], tmp_path: Path) -> None:
    doc = load_example()
    doc["capex"][0]["year"] = 2040
    doc["revenue"].append({"year": 2030, "amount": 1})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(path), "--json")
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert (
        f"{path}: $.capex[0].year: must be within start_year..start_year+horizon_years-1 "
        "(2025..2034), got 2040"
    ) in lines
    assert (
        f"{path}: $.revenue[9].year: year 2030 already given at $.revenue[4]; give one entry "
        "per year"
    ) in lines


def test_schema_errors_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    doc = load_example()
    doc["currency"] = "usd"
    del doc["industry"]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(path))
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert f"{path}: $: is required (missing industry)" in lines
    assert f"{path}: $.currency: must match '^[A-Z]{{3}}$', got 'usd'" in lines


def test_invalid_json_exit_2_with_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x",\n  oops}', encoding="utf-8")
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(path), "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines()[0].startswith(f"{path}:2: invalid JSON: ")


def test_missing_file_exit_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    run = cli("incentives", "--park", "uz-eltech-industrial", "--project", str(path), "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"{path}: cannot read the file")


def test_unknown_park_exit_2_names_it(cli: Callable[..., Run]) -> None:
    run = cli("incentives", "--park", "no-such-park", "--project", str(ELTECH), "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert "there is no park 'no-such-park'" in run.stderr


def test_listed_in_help(cli: Callable[..., Run]) -> None:
    run = cli("--help")
    assert run.returncode == 0
    assert any(line.split()[:1] == ["incentives"] for line in run.stdout.splitlines())


def test_malformed_regime_data_is_exit_1(
    eltech_park: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A broken regime file ships with the installation: a defect (exit 1), not bad input (2).
    from technopark.incentives import selectors
    from technopark.incentives.loader import RegimeError

    def broken() -> None:
        raise RegimeError(["uz-sez.yaml: $.benefits[0].form: must be one of [...], got 'x'"])

    monkeypatch.setattr(selectors, "regimes", broken)
    monkeypatch.setattr("technopark.incentives.services.regimes", broken)
    with pytest.raises(CommandError) as exc:
        call_command(
            "incentives", "--park", eltech_park.park_id, "--project", str(ELTECH), "--json"
        )
    assert exc.value.returncode == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "uz-sez.yaml: $.benefits[0].form" in err


def test_the_stated_discounting_convention_is_the_one_used(cli: Callable[..., Run]) -> None:
    result = cli("incentives", "--park", "uz-navoi-fez", "--project", str(ELTECH), "--json").json()
    saved = [sum(r["saved"] for r in result["by_year"] if r["year"] == y) for y in result["years"]]
    # saved_t / (1 + r)^t, t = 0 in start_year — and the result says so
    pv = sum(v / (1 + result["discount_rate"]) ** t for t, v in enumerate(saved))
    assert result["npv_saved"] == pytest.approx(pv, abs=0.05)
    assert result["npv_convention"].startswith("saved_t / (1 + discount_rate)^t, t = 0")
