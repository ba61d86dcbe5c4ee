"""The agreement's commitments as a timeline chart, planned against actual (plotly, offline).

The chart's HTML carries no plotly.js: pages load it once from the residents' own
``plotly.min.js`` URL (served from the installed plotly package, no CDN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.utils.translation import gettext as _

from technopark.residents.choices import CommitmentKind
from technopark.residents.models import Agreement, Commitment, Report
from technopark.residents.selectors import commitment_actual


@lru_cache(maxsize=1)
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def agreement_chart(
    agreement: Agreement,
    commitments: Iterable[Commitment],
    reports: Iterable[Report],
    today: dt.date,
) -> str:
    """An HTML <div> with two panels: amounts (investment, jobs) and milestones."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    commitments = list(commitments)
    reports = list(reports)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.6, 0.4],
        subplot_titles=(_("Targets and what was reached"), _("Milestones")),
    )
    for kind, colour in ((CommitmentKind.INVESTMENT, "#1f5f99"), (CommitmentKind.JOBS, "#2e7d32")):
        items = [c for c in commitments if c.kind == kind and c.target is not None]
        if not items:
            continue
        label = CommitmentKind(kind).label
        fig.add_trace(
            go.Scatter(
                x=[agreement.signed_on] + [c.due_date for c in items],
                y=[0.0] + [float(c.target or 0) for c in items],
                mode="lines+markers",
                line={"dash": "dash", "color": colour, "shape": "hv"},
                name=_("%(what)s — planned") % {"what": label},
            ),
            row=1,
            col=1,
        )
        actual = commitment_actual(items[0], reports, today)
        if actual.series:
            fig.add_trace(
                go.Scatter(
                    x=[agreement.signed_on] + [d for d, _v in actual.series],
                    y=[0.0] + [float(v) for _d, v in actual.series],
                    mode="lines+markers",
                    line={"color": colour},
                    name=_("%(what)s — actual") % {"what": label},
                ),
                row=1,
                col=1,
            )
    planned_x, planned_y, done_x, done_y = [], [], [], []
    for c in commitments:
        name = c.get_kind_display()
        planned_x.append(c.due_date)
        planned_y.append(name)
        if c.done_on:
            done_x.append(c.done_on)
            done_y.append(name)
    fig.add_trace(
        go.Scatter(
            x=planned_x,
            y=planned_y,
            mode="markers",
            name=_("Due"),
            marker={"symbol": "diamond-open", "size": 12, "color": "#555"},
        ),
        row=2,
        col=1,
    )
    if done_x:
        fig.add_trace(
            go.Scatter(
                x=done_x,
                y=done_y,
                mode="markers",
                name=_("Done"),
                marker={"symbol": "diamond", "size": 12, "color": "#2e7d32"},
            ),
            row=2,
            col=1,
        )
    fig.add_vline(x=today.isoformat(), line={"color": "#b00020", "dash": "dot"})
    fig.update_layout(
        height=520,
        margin={"l": 40, "r": 20, "t": 40, "b": 30},
        legend={"orientation": "h"},
        template="plotly_white",
    )
    return fig.to_html(
        full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True}
    )
