"""The financial model as a spreadsheet a banker can check: yearly table, assumptions, and live
formulas (``=NPV(...)+CF0``, ``=IRR(...)``, ``=MIRR(...)``, net cash flow, cumulative,
discounting, DSCR) beside the values the engine computed.

Inputs (revenue, opex, capex, taxes, working-capital change, loan flows) are written as
numbers; everything derived from them is a formula, so changing an input or the discount
rate in the workbook recomputes the results.

This module imports nothing from Django.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from technopark.core.project import Project
from technopark.finance.engine import FinanceResult, evaluate, json_number

__all__ = ["CASHFLOW_COLUMNS", "result_workbook", "to_xlsx_bytes"]

MONEY = "#,##0;[Red]-#,##0"
RATE = "0.00%"
BOLD = Font(bold=True)
CF_SHEET = "Cash flows"
ASSUMPTIONS = "Assumptions"

#: Column headings of the yearly table, in order (loan columns only with a loan).
CASHFLOW_COLUMNS: tuple[str, ...] = (
    "Year",
    "t",
    "Revenue",
    "Opex",
    "Capex",
    "Depreciation",
    "Taxes payable",
    "Change in working capital",
    "Net cash flow",
    "Cumulative cash flow",
    "Discount factor",
    "Discounted cash flow",
    "Taxes without benefits",
    "Net cash flow without benefits",
)
LOAN_COLUMNS: tuple[str, ...] = (
    "Loan drawdown",
    "Interest",
    "Principal",
    "Loan balance",
    "CFADS",
    "DSCR",
    "Equity cash flow",
)


def _col(name: str, with_loan: bool) -> str:
    names = CASHFLOW_COLUMNS + (LOAN_COLUMNS if with_loan else ())
    return get_column_letter(names.index(name) + 1)


def _assumptions(wb: Workbook, r: FinanceResult) -> dict[str, str]:
    """Write the assumptions sheet; return absolute references of the cells formulas use."""
    ws = wb.create_sheet(ASSUMPTIONS)
    ws.append(["Assumption", "Value", "Note"])
    for c in ws[1]:
        c.font = BOLD
    refs: dict[str, str] = {}

    def put(key: str, label: str, value: Any, note: str = "", fmt: str | None = None) -> None:
        ws.append([label, value, note])
        cell = ws.cell(row=ws.max_row, column=2)
        if fmt:
            cell.number_format = fmt
        refs[key] = f"{ASSUMPTIONS}!$B${ws.max_row}"

    put("name", "Project", r.name)
    put("currency", "Currency", r.currency, "Nominal money, excluding VAT.")
    put("start", "Start year (t = 0)", int(r.years[0]))
    put("horizon", "Horizon, years", len(r.years))
    put(
        "rate",
        "Discount rate",
        r.discount_rate,
        "NPV = sum of CF_t / (1 + r)^t, t = 0 undiscounted; change it here.",
        RATE,
    )
    put("fin", "MIRR finance rate", r.finance_rate, "Rate at which outflows are financed.", RATE)
    put("reinv", "MIRR reinvestment rate", r.reinvest_rate, "Rate earned on inflows.", RATE)
    put(
        "benefits",
        "Benefits applied",
        "yes" if r.benefits_applied else "no",
        "Tax benefits of the park's legal regimes (incentives engine).",
    )
    if r.loan is not None:
        put("loan", "Loan drawn", float(r.loan.drawdown.sum()), "See the loan columns.", MONEY)
    ws.append([])
    ws.append(["Tax rates used", "", ""])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    ws.append(["Country / tax", "Value", "Valid from; source; confidence"])
    for s in r.tax_table.rates.sources:
        ws.append([f"{s.country} {s.tax}", s.value, f"{s.valid_from}; {s.source}; {s.confidence}"])
    if r.tax_table.unknown:
        ws.append(["Unknown taxes (counted as 0)", ", ".join(r.tax_table.unknown), ""])
    ws.append([])
    ws.append(["Conventions", "", ""])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    for line in (
        "Net cash flow = revenue - opex - capex - taxes payable - change in working capital.",
        "Flows fall at the end of each year; t = 0 is the start year.",
        "Taxes: core.taxes (straight-line depreciation from commissioning, loss carry-forward, "
        "loan interest deducted from taxable profit).",
        "No terminal value; working capital is not released at the horizon.",
        "CFADS = revenue - opex - taxes - change in working capital (capex funded by loan and "
        "equity); DSCR = CFADS / (interest + principal).",
    ):
        ws.append(["", "", line])
    for width, col in ((34, "A"), (22, "B"), (100, "C")):
        ws.column_dimensions[col].width = width
    for warning in r.warnings:
        ws.append(["Warning", "", warning])
    return refs


def _cash_flows(wb: Workbook, r: FinanceResult, refs: dict[str, str]) -> dict[str, str]:
    """Write the yearly table; return the ranges of the flow columns (for the summary)."""
    ws = wb.create_sheet(CF_SHEET)
    loan = r.loan
    with_loan = loan is not None
    headings = CASHFLOW_COLUMNS + (LOAN_COLUMNS if with_loan else ())
    ws.append(
        [
            f"{h} ({r.currency})" if i >= 2 and h not in ("DSCR", "Discount factor") else h
            for i, h in enumerate(headings)
        ]
    )
    for heading in ws[1]:
        heading.font = BOLD

    def c(name: str, row: int) -> str:
        return f"{_col(name, with_loan)}{row}"

    n = len(r.years)
    for i in range(n):
        row = i + 2
        values: dict[str, Any] = {
            "Year": int(r.years[i]),
            "t": i,
            "Revenue": float(r.revenue[i]),
            "Opex": float(r.opex[i]),
            "Capex": float(r.capex[i]),
            "Depreciation": float(r.depreciation[i]),
            "Taxes payable": float(r.taxes[i]),
            "Change in working capital": float(r.delta_working_capital[i]),
            "Net cash flow": (
                f"={c('Revenue', row)}-{c('Opex', row)}-{c('Capex', row)}"
                f"-{c('Taxes payable', row)}-{c('Change in working capital', row)}"
            ),
            "Cumulative cash flow": (
                f"={c('Net cash flow', row)}"
                if i == 0
                else f"={c('Cumulative cash flow', row - 1)}+{c('Net cash flow', row)}"
            ),
            "Discount factor": f"=1/(1+{refs['rate']})^{c('t', row)}",
            "Discounted cash flow": f"={c('Net cash flow', row)}*{c('Discount factor', row)}",
            "Taxes without benefits": float(r.taxes_without_benefits[i]),
            "Net cash flow without benefits": (
                f"={c('Revenue', row)}-{c('Opex', row)}-{c('Capex', row)}"
                f"-{c('Taxes without benefits', row)}-{c('Change in working capital', row)}"
            ),
        }
        if loan is not None:
            ds = f"({c('Interest', row)}+{c('Principal', row)})"
            values.update(
                {
                    "Loan drawdown": float(loan.drawdown[i]),
                    "Interest": float(loan.interest[i]),
                    "Principal": float(loan.principal[i]),
                    "Loan balance": float(loan.balance_end[i]),
                    "CFADS": (
                        f"={c('Revenue', row)}-{c('Opex', row)}-{c('Taxes payable', row)}"
                        f"-{c('Change in working capital', row)}"
                    ),
                    "DSCR": f'=IF({ds}>0,{c("CFADS", row)}/{ds},"")',
                    "Equity cash flow": (
                        f"={c('Net cash flow', row)}+{c('Loan drawdown', row)}"
                        f"-{c('Interest', row)}-{c('Principal', row)}"
                    ),
                }
            )
        ws.append([values[h] for h in headings])
        for h in headings:
            cell = ws[c(h, row)]
            if h == "Discount factor":
                cell.number_format = "0.0000"
            elif h == "DSCR":
                cell.number_format = "0.00"
            elif h not in ("Year", "t"):
                cell.number_format = MONEY
    for k in range(1, len(headings) + 1):
        ws.column_dimensions[get_column_letter(k)].width = 16
    ws.freeze_panes = "C2"
    last = n + 1

    def rng(name: str, first: int = 2) -> str:
        col = _col(name, with_loan)
        return f"'{CF_SHEET}'!{col}{first}:{col}{last}"

    out = {
        "cf": rng("Net cash flow"),
        "cf0": f"'{CF_SHEET}'!{c('Net cash flow', 2)}",
        "cf1": rng("Net cash flow", 3) if n > 1 else "",
        "cfb": rng("Net cash flow without benefits"),
        "cfb0": f"'{CF_SHEET}'!{c('Net cash flow without benefits', 2)}",
        "cfb1": rng("Net cash flow without benefits", 3) if n > 1 else "",
        "disc": rng("Discounted cash flow"),
    }
    if with_loan:
        out.update(
            eq=rng("Equity cash flow"),
            eq0=f"'{CF_SHEET}'!{c('Equity cash flow', 2)}",
            eq1=rng("Equity cash flow", 3) if n > 1 else "",
            dscr=rng("DSCR"),
        )
    return out


def _npv_formula(rate: str, first: str, rest: str) -> str:
    # Spreadsheet NPV discounts its first value by one period: add the t = 0 flow outside.
    return f"=NPV({rate},{rest})+{first}" if rest else f"={first}"


def _summary(wb: Workbook, r: FinanceResult, refs: dict[str, str], cols: dict[str, str]) -> None:
    ws = wb.create_sheet("Summary", 0)
    ws.append(["Figure", "Spreadsheet formula", "Model value", "Note"])
    for cell in ws[1]:
        cell.font = BOLD
    rows: list[tuple[str, str, float | None, str, str]] = [
        ("NPV", _npv_formula(refs["rate"], cols["cf0"], cols["cf1"]), r.npv, MONEY, ""),
        ("NPV (sum of discounted flows)", f"=SUM({cols['disc']})", r.npv, MONEY, "Same NPV."),
        (
            "IRR",
            f"=IRR({cols['cf']})",
            r.irr,
            RATE,
            "The model reports no IRR when it is not unique; a spreadsheet may show one root.",
        ),
        ("MIRR", f"=MIRR({cols['cf']},{refs['fin']},{refs['reinv']})", r.mirr, RATE, ""),
        ("Payback, years", "", r.payback_years, "0.00", "Interpolated within the year."),
        ("Discounted payback, years", "", r.discounted_payback_years, "0.00", ""),
    ]
    if r.benefits_applied:
        without_row = len(rows) + 2  # row of "NPV without benefits" (header is row 1)
        rows += [
            (
                "NPV without benefits",
                _npv_formula(refs["rate"], cols["cfb0"], cols["cfb1"]),
                r.without_benefits["npv"],
                MONEY,
                "",
            ),
            ("IRR without benefits", f"=IRR({cols['cfb']})", r.without_benefits["irr"], RATE, ""),
            (
                "Value of benefits",
                f"=B2-B{without_row}",
                r.benefits_value,
                MONEY,
                "NPV with benefits minus NPV without: the present value of the taxes saved.",
            ),
        ]
    if r.loan is not None:
        rows += [
            (
                "Equity NPV",
                _npv_formula(refs["rate"], cols["eq0"], cols["eq1"]),
                r.equity_npv,
                MONEY,
                "",
            ),
            ("Equity IRR", f"=IRR({cols['eq']})", r.equity_irr, RATE, ""),
            ("Minimum DSCR", f"=MIN({cols['dscr']})", r.min_dscr, "0.00", ""),
        ]
    for label, formula, value, fmt, note in rows:
        shown = json_number(value)
        if shown is None:
            note = (note + " " if note else "") + "Not defined for these cash flows."
        ws.append([label, formula or None, shown, note])
        for col in (2, 3):
            ws.cell(row=ws.max_row, column=col).number_format = fmt
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 80


def _taxes(wb: Workbook, r: FinanceResult) -> None:
    ws = wb.create_sheet("Taxes")
    ws.append(["Year", "Tax", "Baseline", "Payable", "Saved"])
    for cell in ws[1]:
        cell.font = BOLD
    for row in r.tax_table.rows():
        ws.append([row["year"], row["tax"], row["baseline"], row["payable"], row["saved"]])
        for col in (3, 4, 5):
            ws.cell(row=ws.max_row, column=col).number_format = MONEY


def result_workbook(result: FinanceResult) -> Workbook:
    """A workbook with the sheets Summary, Cash flows, Taxes and Assumptions."""
    wb = Workbook()
    default = wb.active
    refs = _assumptions(wb, result)
    cols = _cash_flows(wb, result, refs)
    _taxes(wb, result)
    _summary(wb, result, refs, cols)
    if default is not None:
        wb.remove(default)
    wb.move_sheet(ASSUMPTIONS, offset=len(wb.sheetnames))
    return wb


def to_xlsx_bytes(document: Mapping[str, Any] | Project | FinanceResult, **options: Any) -> bytes:
    """The ``.xlsx`` file of a project (evaluated with ``options``) or of a result.

    >>> from technopark.finance.engine import _EXAMPLE_2
    >>> to_xlsx_bytes(_EXAMPLE_2)[:2]
    b'PK'
    """
    result = document if isinstance(document, FinanceResult) else evaluate(document, **options)
    buf = io.BytesIO()
    result_workbook(result).save(buf)
    return buf.getvalue()
