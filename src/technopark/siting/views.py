"""Web pages of the site finder (mounted at /site-finder/).

- ``find``: the step-by-step form; POST matches it and shows the results on a map, as a ranked
  list with each site's cost breakdown (a stacked bar per site), and the near misses.
- ``compare``: the chosen results side by side; ``report``: the same as XLSX or PDF.
- ``saved_list`` / ``save_search`` / ``saved_run`` / ``saved_delete``: a signed-in investor's
  saved searches (alerts: ``technopark site-alerts``).

The results page carries its requirements document in a hidden field, so comparing and
downloading re-run the same match: nothing is kept on the server between requests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import plotly
import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from technopark.siting import selectors, services
from technopark.siting.forms import ChosenSitesForm, FindSiteForm, SaveSearchForm
from technopark.siting.models import SavedSearch
from technopark.siting.requirements import RequirementsError

#: The sign-in page (settings.LOGIN_URL names no namespaced URL).
LOGIN = "web:login"

COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
]


def cost_chart(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """Plotly JSON: one horizontal bar per site, stacked by cost component (known ones)."""
    results = result["results"]
    if not results:
        return None
    labels = [f"{r['rank']}. {r['site_id']}" for r in results]
    fig = go.Figure(layout={"template": "none"})
    for i, name in enumerate(services._components(result)):
        values = [r["location_cost"]["components"].get(name) for r in results]
        if not any(values):
            continue
        fig.add_bar(
            y=labels,
            x=[v if v is not None else 0 for v in values],
            name=services.component_label(name),
            orientation="h",
            marker_color=COLOURS[i % len(COLOURS)],
        )
    fig.update_layout(
        barmode="stack",
        height=120 + 32 * len(results),
        margin={"l": 170, "r": 20, "t": 20, "b": 40},
        yaxis={"autorange": "reversed"},
        xaxis={
            "title": {"text": _("Present value, %(currency)s") % {"currency": result["currency"]}}
        },
        legend={"orientation": "h", "y": -0.2},
    )
    return json.loads(fig.to_json())


def _violations(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in result["near_misses"]:
        explained = []
        for v in n["violations"]:
            label = services.CONSTRAINT_LABELS.get(v["constraint"], v["constraint"])
            explained.append(
                {
                    **v,
                    "label": str(label),
                    "required_text": services.describe(v["required"]),
                    "available_text": services.describe(v["available"]),
                }
            )
        out.append({**n, "explained": explained})
    return out


def _results_context(
    request: HttpRequest, document: Mapping[str, Any], result: dict[str, Any]
) -> dict[str, Any]:
    points = services.result_points(result, user=request.user)
    by_site = {p["site_id"]: p for p in points}
    rows = []
    for r in result["results"]:
        rows.append(
            {
                **r,
                "point": by_site.get(r["site_id"], {}),
                "components": [
                    (services.component_label(k), v)
                    for k, v in r["location_cost"]["components"].items()
                ],
                "unknown_labels": [
                    services.component_label(u) for u in r["location_cost"]["unknown"]
                ],
            }
        )
    return {
        "result": result,
        "rows": rows,
        "near_misses": _violations(result),
        "points": [p for p in points if p["lat"] is not None],
        "chart": cost_chart(result),
        "document_json": json.dumps(document, ensure_ascii=False),
        "save_form": SaveSearchForm(initial={"document": json.dumps(document)}),
        "plotly_version": plotly.__version__,
    }


@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """The form (GET) and the results (POST)."""
    context: dict[str, Any] = {}
    if request.method == "POST":
        form = FindSiteForm(request.POST)
        if form.is_valid():
            document = form.requirements_document()
            try:
                requirements = services.parse_document(document)
            except RequirementsError as exc:
                for line in exc.errors:
                    form.add_error(None, line)
            else:
                result = services.match_requirements(requirements=requirements, user=request.user)
                context.update(_results_context(request, document, result))
    else:
        form = FindSiteForm()
    context["form"] = form
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "siting/find.html", context, status=status)


def _chosen(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any], list[str]] | None:
    """The posted document, its match and the chosen site ids (None when the post is bad)."""
    form = ChosenSitesForm(request.POST)
    if not form.is_valid():
        return None
    try:
        document = json.loads(form.cleaned_data["document"])
        requirements = services.parse_document(document)
    except (json.JSONDecodeError, RequirementsError):
        return None
    chosen = list(form.cleaned_data["site"])
    top = max(int(document.get("top", 10)), 10)
    result = services.match_requirements(requirements=requirements, user=request.user, top=top)
    if chosen:
        keep = set(chosen)
        result["results"] = [r for r in result["results"] if r["site_id"] in keep]
    return document, result, chosen


@require_POST
def compare(request: HttpRequest) -> HttpResponse:
    """The chosen results side by side (all of them when none is chosen)."""
    chosen = _chosen(request)
    if chosen is None:
        return HttpResponseBadRequest(_("The comparison request is not valid."))
    document, result, _ids = chosen
    points = services.result_points(result, user=request.user)
    header, rows = services.comparison_rows(result, points)
    context = {
        "header": header,
        "rows": [[row[0]] + [services.format_cell(v) for v in row[1:]] for row in rows],
        "result": result,
        "document_json": json.dumps(document, ensure_ascii=False),
        "chart": cost_chart(result),
        "plotly_version": plotly.__version__,
    }
    return render(request, "siting/compare.html", context)


@require_POST
def report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The location comparison report of the chosen results, as XLSX or PDF."""
    chosen = _chosen(request)
    if chosen is None:
        return HttpResponseBadRequest(_("The report request is not valid."))
    document, result, _ids = chosen
    points = services.result_points(result, user=request.user)
    if fmt == "xlsx":
        body = services.comparison_xlsx(result, points, document)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = services.comparison_pdf(result, points, document)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="location-comparison.{fmt}"'
    return response


@login_required(login_url=LOGIN)
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    if form.is_valid():
        try:
            document = json.loads(form.cleaned_data["document"])
            search = services.saved_search_create(
                user=request.user, name=form.cleaned_data["name"], document=document
            )
        except (json.JSONDecodeError, RequirementsError):
            messages.error(
                request, _("The search could not be saved: its requirements are not valid.")
            )
        except ValidationError as exc:  # e.g. a name already used
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Saved “%(name)s”. You will get an e-mail when a new site matches it.")
                % {"name": search.name},
            )
    return redirect("siting:saved")


@login_required(login_url=LOGIN)
def saved_list(request: HttpRequest) -> HttpResponse:
    searches = selectors.saved_searches(user=request.user)
    return render(request, "siting/saved.html", {"searches": searches})


@login_required(login_url=LOGIN)
def saved_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The results of a saved search, as they are now."""
    try:
        search = selectors.saved_search(user=request.user, pk=pk)
    except SavedSearch.DoesNotExist:
        return render(request, "siting/saved.html", {"searches": []}, status=404)
    try:
        requirements = services.parse_document(search.requirements)
    except RequirementsError as exc:
        messages.error(request, "; ".join(exc.errors))
        return redirect("siting:saved")
    result = services.match_requirements(requirements=requirements, user=request.user)
    context = _results_context(request, search.requirements, result)
    context["form"] = None
    context["search"] = search
    return render(request, "siting/find.html", context)


@login_required(login_url=LOGIN)
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        search = selectors.saved_search(user=request.user, pk=pk)
    except SavedSearch.DoesNotExist:
        return redirect("siting:saved")
    services.saved_search_delete(search=search)
    messages.success(request, _("The saved search was deleted."))
    return redirect("siting:saved")
