"""The XLSX export: formulas reference the right ranges and the inputs reproduce the results."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy_financial as npf
import openpyxl
import pytest

from technopark.finance.engine import evaluate
from technopark.finance.xlsx import CASHFLOW_COLUMNS, to_xlsx_bytes
from technopark.incentives.engine import ParkFacts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ELTECH = ParkFacts("uz-eltech-industrial", "UZ", "technopark", ("uz-sez", "uz-electrical-industry"))


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text())


def open_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))  # formulas are kept as text


def summary(wb: openpyxl.Workbook) -> dict[str, tuple[Any, Any]]:
    return {
        row[0]: (row[1], row[2]) for row in wb["Summary"].iter_rows(min_row=2, values_only=True)
    }


def test_formulas_reference_the_right_ranges() -> None:
    doc = load("project-eltech-cable-plant.json")  # 10 years: rows 2..11 of the table
    wb = open_book(to_xlsx_bytes(doc, park=ELTECH))
    assert wb.sheetnames == ["Summary", "Cash flows", "Taxes", "Assumptions"]
    s = summary(wb)
    # Net cash flow is column I (9th); the discount rate is in the assumptions sheet.
    assert CASHFLOW_COLUMNS[8] == "Net cash flow"
    rate_ref = "Assumptions!$B$6"
    assert wb["Assumptions"]["A6"].value == "Discount rate"
    assert s["NPV"][0] == f"=NPV({rate_ref},'Cash flows'!I3:I11)+'Cash flows'!I2"
    assert s["IRR"][0] == "=IRR('Cash flows'!I2:I11)"
    assert s["MIRR"][0] == "=MIRR('Cash flows'!I2:I11,Assumptions!$B$7,Assumptions!$B$8)"
    assert s["NPV without benefits"][0] == f"=NPV({rate_ref},'Cash flows'!N3:N11)+'Cash flows'!N2"
    assert s["Value of benefits"][0] == "=B2-B8"
    assert wb["Summary"]["A8"].value == "NPV without benefits"
    assert s["Minimum DSCR"][0] == "=MIN('Cash flows'!T2:T11)"
    ws = wb["Cash flows"]
    for row in range(2, 12):
        assert ws[f"I{row}"].value == f"=C{row}-D{row}-E{row}-G{row}-H{row}"
        assert ws[f"K{row}"].value == f"=1/(1+{rate_ref})^B{row}"
        assert ws[f"L{row}"].value == f"=I{row}*K{row}"
        assert ws[f"J{row}"].value == (f"=I{row}" if row == 2 else f"=J{row - 1}+I{row}")
        assert ws[f"U{row}"].value == f"=I{row}+O{row}-P{row}-Q{row}"
    assert ws["A12"].value is None  # nothing past the horizon


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("project-*.json")))
def test_inputs_in_the_workbook_reproduce_the_results(name: str) -> None:
    doc = load(name)
    result = evaluate(doc)
    wb = open_book(to_xlsx_bytes(doc))
    ws = wb["Cash flows"]
    n = len(result.years)
    table = np.array(
        [[ws.cell(row=r, column=c).value for c in range(3, 9)] for r in range(2, n + 2)],
        dtype=float,
    )
    revenue, opex, capex, _dep, taxes, dwc = table.T
    # Recompute independently of the engine: the formula of column I, then numpy-financial.
    cf = revenue - opex - capex - taxes - dwc
    rate = wb["Assumptions"]["B6"].value
    assert rate == doc["discount_rate"]
    npv = npf.npv(rate, cf)
    s = summary(wb)
    assert npv == pytest.approx(result.npv, rel=1e-12)
    assert s["NPV"][1] == pytest.approx(npv, rel=1e-12)
    # The spreadsheet form NPV(r, CF1..CFn) + CF0 is the same number.
    assert sum(cf[1:] / (1 + rate) ** np.arange(1, n)) + cf[0] == pytest.approx(npv, rel=1e-12)
    if s["IRR"][1] is not None:
        assert s["IRR"][1] == pytest.approx(npf.irr(cf), rel=1e-8)
        assert npf.npv(s["IRR"][1], cf) == pytest.approx(0.0, abs=1e-6 * np.abs(cf).max())
    assert s["MIRR"][1] == pytest.approx(npf.mirr(cf, result.finance_rate, result.reinvest_rate))


def test_assumptions_sheet_names_tax_sources_and_conventions() -> None:
    wb = open_book(to_xlsx_bytes(load("project-ru-sez-components-plant.json")))
    text = "\n".join(
        str(v) for row in wb["Assumptions"].iter_rows(values_only=True) for v in row if v
    )
    assert "Tax rates used" in text and "Conventions" in text
    assert re.search(r"RU profit", text)
    assert "No terminal value" in text


def test_one_year_horizon_has_a_valid_npv_formula() -> None:
    doc = load("project-small-workshop.json")
    doc.update(horizon_years=1, revenue=[], opex=[], jobs=[], water_use_m3=[])
    doc["capex"] = [dict(doc["capex"][0], year=doc["start_year"])]
    doc["commissioning_year"] = doc["start_year"]
    doc.pop("financing", None)
    wb = open_book(to_xlsx_bytes(doc))
    assert summary(wb)["NPV"][0] == "='Cash flows'!I2"
