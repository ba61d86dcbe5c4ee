"""The project workspace (/finance/): saved projects of the user's organizations, their
results as tables and charts, Monte Carlo, park comparison, XLSX.

Views are thin: they read the form, call `services`, render. Access goes through
`selectors.saved_projects` (core.permissions): a project the user may not see is 404. Charts
are plotly figures built here as JSON and drawn by `finance/finance.js` with the plotly.js the
incentives app serves from the installed package (no CDN).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

import plotly
import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from technopark.core.permissions import Action, can
from technopark.core.project import ProjectError
from technopark.finance import selectors, services
from technopark.finance.api import xlsx_response
from technopark.finance.forms import (
    STARTER_DOCUMENT,
    CompareForm,
    ProjectForm,
    SimulateForm,
    initial_from,
)
from technopark.finance.models import SavedProject
from technopark.finance.risk import RiskSpecError

LOGIN = "web:login"


def _driver_label(name: str) -> str:
    labels = {
        "revenue": _("Revenue"),
        "opex": _("Operating costs"),
        "capex": _("Capital expenditure"),
        "commissioning_delay": _("Commissioning delay"),
        "discount_rate": _("Discount rate"),
        "tax_rates": _("Tax rates"),
    }
    return labels.get(name, name)


# ---- charts --------------------------------------------------------------------------------


def _figure(fig: go.Figure) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(fig.to_json())
    return out


def _layout(fig: go.Figure, **extra: Any) -> None:
    layout: dict[str, Any] = {
        "margin": {"l": 70, "r": 20, "t": 30, "b": 40},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
    }
    fig.update_layout(**{**layout, **extra})


def cashflow_chart(result: Mapping[str, Any]) -> dict[str, Any]:
    """Yearly flows as bars: revenue, costs, capex, taxes (outflows negative), net flow."""
    rows = result["cashflows"]
    years = [r["year"] for r in rows]
    fig = go.Figure(layout={"template": "none"})
    series = (
        ("revenue", _("Revenue"), 1, "#2ca02c"),
        ("opex", _("Operating costs"), -1, "#ff7f0e"),
        ("capex", _("Capital expenditure"), -1, "#7f7f7f"),
        ("taxes", _("Taxes"), -1, "#d62728"),
        ("net_cash_flow", _("Net cash flow"), 1, "#1f77b4"),
    )
    for key, label, sign, colour in series:
        fig.add_bar(
            x=years, y=[round(sign * r[key], 2) for r in rows], name=label, marker_color=colour
        )
    _layout(
        fig,
        barmode="group",
        xaxis={"title": {"text": _("Year")}, "dtick": 1},
        yaxis={"title": {"text": result["currency"]}},
    )
    return _figure(fig)


def cumulative_chart(result: Mapping[str, Any]) -> dict[str, Any]:
    """Cumulative net cash flow as a line (the payback is where it crosses zero)."""
    rows = result["cashflows"]
    fig = go.Figure(layout={"template": "none"})
    fig.add_scatter(
        x=[r["year"] for r in rows],
        y=[round(r["cumulative"], 2) for r in rows],
        mode="lines+markers",
        name=_("Cumulative cash flow"),
        line={"color": "#1f77b4"},
    )
    fig.add_hline(y=0, line={"color": "#999", "dash": "dot"})
    _layout(
        fig,
        xaxis={"title": {"text": _("Year")}, "dtick": 1},
        yaxis={"title": {"text": result["currency"]}},
    )
    return _figure(fig)


def tornado_chart(tornado: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """Horizontal bars: NPV with each driver low and high, around the base case."""
    bars = [b for b in tornado["bars"] if b["low"] is not None and b["high"] is not None][::-1]
    base = tornado["base"] or 0.0
    labels = [_driver_label(b["driver"]) for b in bars]
    fig = go.Figure(layout={"template": "none"})
    fig.add_bar(
        y=labels,
        x=[round(b["low"] - base, 2) for b in bars],
        base=base,
        orientation="h",
        name=_("Low"),
        marker_color="#d62728",
    )
    fig.add_bar(
        y=labels,
        x=[round(b["high"] - base, 2) for b in bars],
        base=base,
        orientation="h",
        name=_("High"),
        marker_color="#2ca02c",
    )
    _layout(
        fig,
        barmode="overlay",
        xaxis={"title": {"text": f"NPV, {currency}"}},
        margin={"l": 160, "r": 20, "t": 30, "b": 40},
    )
    return _figure(fig)


def histogram_chart(simulation: Mapping[str, Any]) -> dict[str, Any]:
    """NPV distribution of the Monte Carlo scenarios (bars over the histogram's bins)."""
    hist = simulation["npv_histogram"]
    edges, counts = hist["bin_edges"], hist["counts"]
    mids = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    total = sum(counts) or 1
    fig = go.Figure(layout={"template": "none"})
    fig.add_bar(
        x=[round(m, 2) for m in mids],
        y=[c / total for c in counts],
        width=[b - a for a, b in itertools.pairwise(edges)],
        marker_color=["#d62728" if m < 0 else "#1f77b4" for m in mids],
        name=_("Share of scenarios"),
    )
    _layout(
        fig,
        bargap=0.02,
        xaxis={"title": {"text": f"NPV, {simulation['currency']}"}},
        yaxis={"title": {"text": _("Share of scenarios")}, "tickformat": ".0%"},
        showlegend=False,
    )
    return _figure(fig)


# ---- helpers -------------------------------------------------------------------------------


def _project_or_404(request: HttpRequest, pk: int) -> SavedProject:
    project = selectors.saved_project_for(request.user, pk)
    if project is None:
        raise Http404(_("No such project."))
    return project


def _form(request: HttpRequest, data: Any = None, initial: Any = None) -> ProjectForm:
    return ProjectForm(
        data,
        initial=initial,
        organizations=selectors.member_organizations(request.user),
        parks=selectors.park_choices(request.user),
    )


def _base_context() -> dict[str, Any]:
    return {"plotly_version": plotly.__version__}


# ---- pages ---------------------------------------------------------------------------------


@login_required(login_url=LOGIN)
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The user's organizations' saved projects."""
    projects = selectors.saved_projects(request.user)
    return render(
        request,
        "finance/project_list.html",
        {
            "projects": projects,
            "can_create": selectors.member_organizations(request.user).exists(),
        },
    )


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not selectors.member_organizations(request.user).exists():
        raise PermissionDenied(_("Only members of an organization can keep projects."))
    if request.method == "POST":
        form = _form(request, request.POST)
        if form.is_valid() and form.merged_document is not None:
            project = services.saved_project_create(
                user=request.user,
                organization=form.cleaned_data["organization"],
                name=form.cleaned_data["name"],
                document=form.merged_document,
                park=form.cleaned_data["park"],
            )
            messages.success(request, _("The project is saved."))
            return redirect(project)
    else:
        initial = initial_from(STARTER_DOCUMENT)
        initial["organization"] = selectors.member_organizations(request.user).first()
        form = _form(request, initial=initial)
    return render(request, "finance/project_form.html", {"form": form, "project": None})


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def project_update(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    if not can(request.user, Action.CHANGE, project):
        raise PermissionDenied(_("You may not change this project."))
    if request.method == "POST":
        form = _form(request, request.POST)
        if form.is_valid() and form.merged_document is not None:
            services.saved_project_update(
                project=project,
                user=request.user,
                name=form.cleaned_data["name"],
                document=form.merged_document,
                park=form.cleaned_data["park"],
                organization=form.cleaned_data["organization"],
            )
            messages.success(request, _("The project is saved."))
            return redirect(project)
    else:
        initial = initial_from(project.document)
        initial.update(name=project.name, organization=project.organization, park=project.park)
        form = _form(request, initial=initial)
    return render(request, "finance/project_form.html", {"form": form, "project": project})


@login_required(login_url=LOGIN)
@require_POST
def project_validate(request: HttpRequest) -> HttpResponse:
    """htmx: the form's errors, field by field (out-of-band swaps; nothing is saved)."""
    form = _form(request, request.POST)
    form.is_valid()
    fields: list[tuple[str, Any]] = [(name, form.errors.get(name, [])) for name in form.fields]
    return render(
        request,
        "finance/_validation.html",
        {
            "fields": fields,
            "non_field_errors": form.non_field_errors(),
            "valid": form.is_valid() and form.merged_document is not None,
        },
    )


@login_required(login_url=LOGIN)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Results: metrics, yearly table, charts, sensitivity; simulation and comparison on demand."""
    project = _project_or_404(request, pk)
    context = {
        **_base_context(),
        "project": project,
        "can_change": can(request.user, Action.CHANGE, project),
        "simulate_form": SimulateForm(max_n=services.inline_simulation_max()),
        "compare_form": CompareForm(
            parks=selectors.park_choices(request.user),
            initial={"parks": [project.park] if project.park else []},
        ),
        "history": project.history.select_related("history_user").order_by("-history_date")[:10],
    }
    try:
        result = services.evaluate(project.document, park=project.park)
        sens = services.sensitivity_analysis(project.document, park=project.park)
    except ProjectError as exc:
        context["document_errors"] = exc.errors
        return render(request, "finance/project_detail.html", context)
    tornado = sens["tornado"]
    for bar in tornado["bars"]:
        bar["label"] = _driver_label(bar["driver"])
    context.update(
        result=result,
        tornado=tornado,
        charts={
            "cashflows": cashflow_chart(result),
            "cumulative": cumulative_chart(result),
            "tornado": tornado_chart(tornado, result["currency"]),
        },
    )
    return render(request, "finance/project_detail.html", context)


@login_required(login_url=LOGIN)
@require_POST
def project_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a Monte Carlo run of the project (inline size), as a histogram and percentiles."""
    project = _project_or_404(request, pk)
    form = SimulateForm(request.POST, max_n=services.inline_simulation_max())
    context: dict[str, Any] = {"project": project, "simulate_form": form}
    if form.is_valid():
        try:
            simulation = services.simulate(
                project.document,
                n=form.cleaned_data["n"],
                seed=form.cleaned_data["seed"],
                park=project.park,
            )
        except (ProjectError, RiskSpecError) as exc:
            context["errors"] = exc.errors
        else:
            context.update(simulation=simulation, histogram=histogram_chart(simulation))
    template = "finance/_simulation.html" if request.htmx else "finance/simulation_page.html"  # type: ignore[attr-defined]
    return render(request, template, {**_base_context(), **context})


@login_required(login_url=LOGIN)
@require_GET
def project_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The project in up to five parks: NPV, IRR and payback with and without benefits."""
    project = _project_or_404(request, pk)
    parks = selectors.park_choices(request.user)
    form = CompareForm(request.GET or None, parks=parks)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    if form.is_valid():
        try:
            rows = services.compare_parks(project.document, list(form.cleaned_data["parks"]))
        except ProjectError as exc:
            errors = exc.errors
    return render(
        request,
        "finance/project_compare.html",
        {"project": project, "form": form, "rows": rows, "errors": errors},
    )


@login_required(login_url=LOGIN)
@require_POST
def project_copy(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    copy = services.saved_project_copy(
        project=project, user=request.user, name=_("%(name)s (copy)") % {"name": project.name}
    )
    messages.success(request, _("A copy of the project is saved."))
    return redirect(copy)


@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    if request.method == "POST":
        services.saved_project_delete(project=project, user=request.user)
        messages.success(request, _("The project is deleted."))
        return redirect("finance:project-list")
    return render(request, "finance/project_confirm_delete.html", {"project": project})


@login_required(login_url=LOGIN)
@require_GET
def project_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    try:
        data = services.xlsx(project.document, park=project.park)
    except ProjectError:
        raise Http404(_("The project document is not valid; fix it first.")) from None
    return xlsx_response(data, project.name)
