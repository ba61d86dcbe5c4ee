"""Web pages of the incentives app: the benefits calculator of a park, and plotly.js.

The calculator is one view: GET shows the form, POST validates it (the form, then the project
document through `parse_project`), evaluates it through `services.evaluate_project` and shows
the results. Under htmx only the calculator block is returned and swapped in place.
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import Any

import plotly
import plotly.graph_objects as go
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from technopark.core.project import ProjectError, parse_project
from technopark.core.taxes import TAXES
from technopark.incentives import selectors, services
from technopark.incentives.engine import IncentiveResult
from technopark.incentives.forms import CalculatorForm, activity_conditions
from technopark.parks.models import Park

TAX_LABELS = {
    "profit": gettext_lazy("Profit tax"),
    "property": gettext_lazy("Property tax"),
    "land": gettext_lazy("Land tax"),
    "water": gettext_lazy("Water tax"),
    "social": gettext_lazy("Social tax"),
}
TAX_COLOURS = {
    "profit": "#1f77b4",
    "property": "#ff7f0e",
    "land": "#2ca02c",
    "water": "#17becf",
    "social": "#9467bd",
}


def chart_figure(result: IncentiveResult) -> dict[str, Any] | None:
    """The year-by-year chart as plotly JSON: taxes saved per tax (stacked bars) and the taxes
    payable with and without the benefits (lines). None when there is no tax table."""
    table = result.table
    if table is None:
        return None
    years = [int(y) for y in table.years]
    fig = go.Figure(layout={"template": "none"})  # an empty template keeps the JSON small
    for tax in TAXES:
        saved = table.lines[tax].saved
        if saved.any():
            fig.add_bar(
                x=years,
                y=[round(float(v), 2) for v in saved],
                name=str(TAX_LABELS.get(tax, tax)),
                marker_color=TAX_COLOURS.get(tax),
            )
    fig.add_scatter(
        x=years,
        y=[round(float(v), 2) for v in table.total("baseline")],
        name=_("Taxes without benefits"),
        mode="lines+markers",
        line={"color": "#555", "dash": "dot"},
    )
    fig.add_scatter(
        x=years,
        y=[round(float(v), 2) for v in table.total("payable")],
        name=_("Taxes with benefits"),
        mode="lines+markers",
        line={"color": "#222"},
    )
    fig.update_layout(
        barmode="stack",
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
        height=400,
        legend={"orientation": "h", "y": -0.25},
        xaxis={"title": {"text": _("Year")}, "dtick": 1},
        yaxis={"title": {"text": result.currency}},
        hovermode="x unified",
    )
    figure: dict[str, Any] = json.loads(fig.to_json())
    return figure


def _year_rows(result: IncentiveResult) -> list[dict[str, Any]]:
    """One row per year: totals and saved per tax, for the table under the chart."""
    table = result.table
    if table is None:
        return []
    baseline, payable, saved = (table.total(k) for k in ("baseline", "payable", "saved"))
    return [
        {
            "year": int(y),
            "baseline": float(baseline[i]),
            "payable": float(payable[i]),
            "saved": float(saved[i]),
            "by_tax": [float(table.lines[t].saved[i]) for t in _taxes_shown(result)],
        }
        for i, y in enumerate(table.years)
    ]


def _taxes_shown(result: IncentiveResult) -> list[str]:
    table = result.table
    if table is None:
        return []
    return [t for t in TAXES if table.lines[t].baseline.any() or table.lines[t].saved.any()]


def _park_or_404(request: HttpRequest, park_id: str) -> Park:
    try:
        return selectors.park_for_evaluation(park_id=park_id, user=request.user)
    except selectors.UnknownPark:
        raise Http404(_("No such park.")) from None


@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest, park_id: str) -> HttpResponse:
    """The benefits calculator of one park."""
    park = _park_or_404(request, park_id)
    facts = selectors.park_facts(park)
    all_regimes = selectors.regimes()
    park_regimes = [
        r
        for rid, r in all_regimes.items()
        if rid in facts.regime_ids or park.park_id in r.applies_to.park_ids
    ]
    activities = activity_conditions(park_regimes)
    result: IncentiveResult | None = None
    if request.method == "POST":
        form = CalculatorForm(request.POST, park=park, activities=activities)
        if form.is_valid():
            try:
                project = parse_project(form.project_document())
            except ProjectError as exc:
                form.add_project_errors(exc)
            else:
                result = services.evaluate_project(park=park, project=project)
    else:
        form = CalculatorForm(park=park, activities=activities)
    lang = (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]
    data = result.to_dict(lang if lang in services.LANGUAGES else "en") if result else None
    context = {
        "park": park,
        "form": form,
        "park_regimes": park_regimes,
        "result": data,
        "chart": chart_figure(result) if result else None,
        "year_rows": _year_rows(result) if result else [],
        "taxes_shown": [TAX_LABELS[t] for t in _taxes_shown(result)] if result else [],
        "plotly_version": plotly.__version__,
    }
    template = (
        "incentives/_calculator.html"
        if getattr(request, "htmx", False)
        else "incentives/calculator.html"
    )
    return render(request, template, context)


@functools.cache
def _plotly_js() -> tuple[bytes, bytes, str]:
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode("utf-8")
    return raw, gzip.compress(raw, compresslevel=6, mtime=0), f'"plotly-{plotly.__version__}"'


@require_GET
def plotly_js(request: HttpRequest) -> HttpResponse:
    """The plotly.js bundled with the Python package, so charts work offline. Versioned by
    plotly's version (the page adds `?v=`), cached for a year; gzip when the client takes it."""
    raw, compressed, etag = _plotly_js()
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            compressed if gzip_ok else raw, content_type="text/javascript; charset=utf-8"
        )
        if gzip_ok:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Vary"] = "Accept-Encoding"
    return response
