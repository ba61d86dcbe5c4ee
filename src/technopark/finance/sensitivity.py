"""Sensitivity analysis of a project: a tornado of one driver at a time and a two-way table.

Each case is a full :func:`technopark.finance.engine.evaluate` of the adjusted project — taxes
by ``core.taxes.compute_taxes`` and, when a park is named, benefits re-evaluated by the
incentives engine for that case (a delay or a smaller investment can change the benefits).

Drivers (see :class:`~technopark.finance.engine.Drivers`): ``revenue``, ``opex``, ``capex``,
``tax_rates`` and ``discount_rate`` are factors on the document's values (a tornado moves them
by ± the given share); ``commissioning_delay`` is a whole number of years.

This module imports nothing from Django.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from technopark.core.project import Project
from technopark.finance.engine import (
    Drivers,
    FinanceResult,
    evaluate,
    json_number,
    parse_or_keep,
)

__all__ = ["MAX_CELLS", "METRICS", "SENSITIVITY_DRIVERS", "metric_value", "tornado", "two_way"]

#: Drivers of the tornado, in display order before sorting.
SENSITIVITY_DRIVERS: tuple[str, ...] = (
    "revenue",
    "opex",
    "capex",
    "commissioning_delay",
    "discount_rate",
    "tax_rates",
)

#: Largest two-way table (each cell is a full evaluation, a few milliseconds).
MAX_CELLS = 2_500

#: Result figures a sensitivity can report.
METRICS: tuple[str, ...] = (
    "npv",
    "irr",
    "mirr",
    "payback_years",
    "discounted_payback_years",
    "min_dscr",
    "equity_npv",
    "benefits_value",
)


def metric_value(result: FinanceResult, metric: str) -> float:
    """One figure of a result (``nan`` when it does not exist).

    >>> from technopark.finance.engine import _EXAMPLE_2
    >>> round(metric_value(evaluate(_EXAMPLE_2), "npv"), 2)
    -509.09
    """
    if metric not in METRICS:
        raise ValueError(f"Unknown metric {metric!r}; expected one of {', '.join(METRICS)}.")
    return float(getattr(result, metric))


def _setting(name: str, value: float) -> dict[str, Any]:
    """The :class:`Drivers` field(s) that set driver ``name`` to ``value``."""
    if name == "commissioning_delay":
        if value != int(value) or value < 0:
            raise ValueError(f"A commissioning delay is a whole number of years >= 0, got {value}.")
        return {"delay_years": int(value)}
    if name not in SENSITIVITY_DRIVERS:
        raise ValueError(
            f"Unknown driver {name!r}; expected one of {', '.join(SENSITIVITY_DRIVERS)}."
        )
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"A factor for {name} must be a number >= 0, got {value}.")
    return {name: float(value)}


def tornado(
    document: Mapping[str, Any] | Project,
    *,
    change: float = 0.10,
    metric: str = "npv",
    drivers: Sequence[str] = SENSITIVITY_DRIVERS,
    delay_years: int = 1,
    **options: Any,
) -> dict[str, Any]:
    r"""One-at-a-time sensitivity ("tornado"): the metric with each driver moved down and up.

    For a factor driver :math:`d`: low = metric at :math:`d = 1 - \text{change}`, high = at
    :math:`1 + \text{change}`; for ``commissioning_delay``: low = no delay (the base case),
    high = ``delay_years`` later. Bars are sorted by their swing
    :math:`|\text{high} - \text{low}|`, largest first (drivers whose metric does not exist in
    some case come last).

    Parameters
    ----------
    document : mapping or Project
    change : float
        Relative move of the factor drivers (0.10 = ±10 %).
    metric : str
        One of :data:`METRICS`.
    drivers : sequence of str
        Subset of :data:`SENSITIVITY_DRIVERS`.
    **options
        Passed to :func:`~technopark.finance.engine.evaluate` (``park``, ``reliefs``, ...).

    References
    ----------
    UNIDO, *Manual for the Preparation of Industrial Feasibility Studies*, 1991, ch. 10
    (sensitivity analysis); D. Vose, *Risk Analysis*, 3rd ed., 2008, §5.3 (tornado charts).

    Examples
    --------
    The workshop of ``engine.evaluate`` (NPV -509.09). Sales of 900: profit tax
    (900 - 400 - 100 - 100 loss) x 15 % = 45, flow 455, NPV -1000 + 455/1.1 = -586.36; sales of
    1,100: tax 75, flow 625, NPV -431.82. Costs of 360: tax 66, flow 574, NPV -478.18; costs of
    440: tax 54, flow 506, NPV -540.00. Sales swing more, so they come first:

    >>> from technopark.finance.engine import _EXAMPLE_2
    >>> t = tornado(_EXAMPLE_2, drivers=["opex", "revenue"])
    >>> [(b["driver"], round(b["low"], 2), round(b["high"], 2)) for b in t["bars"]]
    [('revenue', -586.36, -431.82), ('opex', -478.18, -540.0)]
    """
    if not 0 < change < 1:
        raise ValueError(f"The change must be a share between 0 and 1, got {change}.")
    if isinstance(delay_years, bool) or not isinstance(delay_years, int) or delay_years < 1:
        raise ValueError(
            f"The commissioning delay must be a whole number of years >= 1, got {delay_years!r}."
        )
    project = parse_or_keep(document)
    base = metric_value(evaluate(project, **options), metric)
    bars: list[dict[str, Any]] = []
    for name in drivers:
        lo_in: float
        hi_in: float
        if name == "commissioning_delay":
            lo_in, hi_in = 0, delay_years
            low = base
        else:
            lo_in, hi_in = 1 - change, 1 + change
            low = metric_value(
                evaluate(project, drivers=Drivers(**_setting(name, lo_in)), **options), metric
            )
        adjusted = Drivers(**_setting(name, hi_in))
        high = metric_value(evaluate(project, drivers=adjusted, **options), metric)
        swing = abs(high - low)
        bars.append(
            {
                "driver": name,
                "low_input": lo_in,
                "high_input": hi_in,
                "low": json_number(low),
                "high": json_number(high),
                "swing": json_number(swing),
            }
        )
    bars.sort(key=lambda b: -(b["swing"] if b["swing"] is not None else -math.inf))
    return {"metric": metric, "change": change, "base": json_number(base), "bars": bars}


def two_way(
    document: Mapping[str, Any] | Project,
    x: tuple[str, Sequence[float]],
    y: tuple[str, Sequence[float]],
    *,
    metric: str = "npv",
    **options: Any,
) -> dict[str, Any]:
    """Two-way sensitivity table: the metric for every pair of values of two drivers.

    ``table[i][j]`` is the metric with ``y`` at ``y_values[i]`` and ``x`` at ``x_values[j]``
    (``None`` where it does not exist). Values are factors, or years for
    ``commissioning_delay``.

    Examples
    --------
    The workshop with sales and costs each at 90 %, 100 % and 110 %:

    >>> from technopark.finance.engine import _EXAMPLE_2
    >>> t = two_way(_EXAMPLE_2, ("revenue", [0.9, 1.0, 1.1]), ("opex", [1.0]))
    >>> [round(v, 2) for v in t["table"][0]]
    [-586.36, -509.09, -431.82]
    """
    (xn, xv), (yn, yv) = x, y
    if xn == yn:
        raise ValueError("The two drivers of a two-way table must differ.")
    if not xv or not yv:
        raise ValueError("Give at least one value for each driver.")
    if len(xv) * len(yv) > MAX_CELLS:
        raise ValueError(
            f"A two-way table has at most {MAX_CELLS:,} cells, got {len(xv)} x {len(yv)}."
        )
    project = parse_or_keep(document)
    metric_value(evaluate(project, **options), metric)  # fail early on a bad metric
    table = []
    for yval in yv:
        row = []
        for xval in xv:
            both = Drivers(**_setting(xn, xval), **_setting(yn, yval))
            row.append(
                json_number(metric_value(evaluate(project, drivers=both, **options), metric))
            )
        table.append(row)
    return {
        "metric": metric,
        "x": {"driver": xn, "values": list(xv)},
        "y": {"driver": yn, "values": list(yv)},
        "table": table,
    }
