"""Site-finder actions: match a requirements document against the registry, save searches,
send their alerts, and write the location comparison report (XLSX, PDF).

Every interface — `technopark match`, `POST /api/v1/match`, the "Find a site" page and the
alerts command — goes through :func:`match_requirements`, so they return the same results.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from technopark.core.permissions import AnyUser
from technopark.siting import selectors
from technopark.siting.cost import TaxCache, WageTable
from technopark.siting.engine import match
from technopark.siting.models import SavedSearch, SiteAlert
from technopark.siting.registry_index import registry_index
from technopark.siting.requirements import Requirements, parse_requirements

WAGES_CSV = Path(__file__).resolve().parents[1] / "geo" / "data" / "wages.csv"
#: One tax cache per process (docs/site-finder.md): a project's taxes per regime set are kept.
TAX_CACHE = TaxCache(maxsize=64)
#: Results an alert run looks at per saved search.
ALERT_TOP = 200

#: Cost components in the order reports and charts show them, with their labels.
COMPONENT_LABELS: dict[str, Any] = {
    "land": gettext_lazy("Land"),
    "connection.electricity": gettext_lazy("Power connection"),
    "connection.gas": gettext_lazy("Gas connection"),
    "connection.water": gettext_lazy("Water connection"),
    "connection.wastewater": gettext_lazy("Wastewater connection"),
    "utility.electricity": gettext_lazy("Electricity"),
    "utility.gas": gettext_lazy("Gas"),
    "utility.water": gettext_lazy("Water"),
    "utility.wastewater": gettext_lazy("Wastewater"),
    "labour": gettext_lazy("Labour"),
    "tax.property": gettext_lazy("Property tax"),
    "tax.land": gettext_lazy("Land tax"),
    "tax.profit": gettext_lazy("Profit tax"),
    "tax.water": gettext_lazy("Water tax"),
    "transport": gettext_lazy("Transport"),
}
CONSTRAINT_LABELS: dict[str, Any] = {
    "status": gettext_lazy("status"),
    "site_kind": gettext_lazy("kind of site"),
    "area": gettext_lazy("area"),
    "electricity_mw": gettext_lazy("power, MW"),
    "gas_m3h": gettext_lazy("gas, m³/h"),
    "water_m3d": gettext_lazy("water, m³/day"),
    "wastewater_m3d": gettext_lazy("wastewater, m³/day"),
    "rail_siding": gettext_lazy("rail siding"),
    "hazard_class": gettext_lazy("hazard class"),
    "tenure": gettext_lazy("tenure"),
    "budget": gettext_lazy("budget"),
    "distance.airport": gettext_lazy("distance to airport, km"),
    "distance.rail": gettext_lazy("distance to rail, km"),
    "distance.port": gettext_lazy("distance to port, km"),
    "distance.highway": gettext_lazy("distance to highway, km"),
    "distance.border": gettext_lazy("distance to border crossing, km"),
}


VALUE_WORDS = {
    "min": gettext_lazy("at least"),
    "max": gettext_lazy("at most"),
    "max_sale_price": gettext_lazy("price at most"),
    "max_lease_per_year": gettext_lazy("lease a year at most"),
    "sale_price": gettext_lazy("price"),
    "lease_per_year": gettext_lazy("lease a year"),
}


def describe(value: Any) -> str:
    """A required or available value of a near miss in words (numbers, units, currencies)."""
    if value is None or value == "unknown":
        return _("unknown")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Mapping):
        unit = value.get("unit") or value.get("currency") or ""
        parts = [
            f"{VALUE_WORDS.get(k, k)} {describe(v)}"
            for k, v in value.items()
            if k not in ("unit", "currency")
        ]
        return f"{', '.join(parts)} {unit}".strip()
    return str(value)


# ---- matching ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def wage_table() -> WageTable:
    """Regional and national average wages (geo/data/wages.csv, with their sources)."""
    with open(WAGES_CSV, encoding="utf-8", newline="") as f:
        return WageTable(list(csv.DictReader(f)))


def parse_document(document: Any) -> Requirements:
    """A requirements document from a request (the project inline; a path is an error)."""
    return parse_requirements(document)


def match_requirements(
    *, requirements: Requirements, user: AnyUser, top: int | None = None
) -> dict[str, Any]:
    """Match against the published registry (refreshed first) and keep only the sites
    ``user`` may see. Returns the engine's result document (docs/site-finder.md)."""
    registry = registry_index()
    with registry.lock:
        index = registry.current()
        result = match(
            index, requirements, wages=wage_table(), top=top, tax_cache=TAX_CACHE
        ).to_dict()
    ids = [r["site_id"] for r in result["results"]] + [n["site_id"] for n in result["near_misses"]]
    visible = selectors.visible_sites(user=user, site_ids=ids)
    # The index holds published sites only, so nothing is dropped here unless a park was
    # unpublished after the refresh above; ranks stay consecutive either way.
    kept = [r for r in result["results"] if r["site_id"] in visible]
    dropped = len(result["results"]) - len(kept)
    for rank, r in enumerate(kept, start=1):
        r["rank"] = rank
    result["results"] = kept
    result["near_misses"] = [n for n in result["near_misses"] if n["site_id"] in visible]
    result["feasible_count"] = max(result["feasible_count"] - dropped, len(kept))
    return result


def result_points(result: Mapping[str, Any], *, user: AnyUser) -> list[dict[str, Any]]:
    """Map points and names of the ranked results (for the page and the reports)."""
    sites = selectors.visible_sites(user=user, site_ids=[r["site_id"] for r in result["results"]])
    points = []
    for r in result["results"]:
        site = sites.get(r["site_id"])
        if site is None:
            continue
        points.append(
            {
                "rank": r["rank"],
                "site_id": site.site_id,
                "site_name": site.name or site.site_id,
                "park_id": site.park.park_id,
                "park_name": site.park.display_name,
                "country": site.park.country_id,
                "region": site.park.region.name if site.park.region is not None else "",
                "url": site.get_absolute_url(),
                "npv": r["location_cost"]["npv"],
                "score": r["score"],
                **selectors.site_point(site),
            }
        )
    return points


# ---- saved searches and alerts -----------------------------------------------------------


def saved_search_create(*, user: AnyUser, name: str, document: Mapping[str, Any]) -> SavedSearch:
    """Save a (valid) requirements document for ``user``. The sites that match now are the
    baseline: alerts tell only about sites that match later."""
    if user is None or not user.is_authenticated:
        raise PermissionError("Only signed-in users can save searches.")
    requirements = parse_document(document)
    result = match_requirements(requirements=requirements, user=user, top=ALERT_TOP)
    search = SavedSearch(
        user=user,
        name=name,
        requirements=dict(document),
        last_result_ids=[r["site_id"] for r in result["results"]],
    )
    with transaction.atomic():
        search.full_clean()
        search.save()
    return search


def saved_search_delete(*, search: SavedSearch) -> None:
    search.delete()


@dataclass
class AlertRun:
    """What one run of :func:`site_alerts_send` did."""

    searches: int = 0
    mails: int = 0
    sites: int = 0
    invalid: list[str] = field(default_factory=list)


def site_alerts_send(*, now: Any = None) -> AlertRun:
    """E-mail each saved search's owner the sites that match it now and that it was never
    told about (neither in the log nor among the results seen when it was saved or last
    checked). Idempotent: the log (`SiteAlert`, unique per search and site) is written in the
    same transaction as the mail is sent, so a second run sends nothing new."""
    now = now or timezone.now()
    run = AlertRun()
    for search in selectors.searches_with_alerts():
        run.searches += 1
        try:
            requirements = parse_document(search.requirements)
        except ValueError as exc:
            run.invalid.append(f"{search.pk}: {exc}")
            continue
        result = match_requirements(requirements=requirements, user=search.user, top=ALERT_TOP)
        ids = [r["site_id"] for r in result["results"]]
        told = set(search.site_alerts.values_list("site_id", flat=True))
        seen = set(search.last_result_ids or ())
        new = [r for r in result["results"] if r["site_id"] not in told | seen]
        with transaction.atomic():
            if new:
                SiteAlert.objects.bulk_create(
                    [SiteAlert(search=search, site_id=r["site_id"]) for r in new],
                    ignore_conflicts=True,
                )
                _send_alert(search, new, result["currency"])
                search.last_notified = now
                run.mails += 1
                run.sites += len(new)
            search.last_result_ids = ids
            search.save(update_fields=["last_result_ids", "last_notified", "updated"])
    return run


def _send_alert(search: SavedSearch, new: Sequence[Mapping[str, Any]], currency: str) -> None:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("New or changed sites match your saved search “%(name)s”:") % {"name": search.name},
            "",
        ]
        for r in new:
            npv = r["location_cost"]["npv"]
            lines.append(
                _("%(site)s in %(park)s — score %(score)s, location cost %(npv)s %(currency)s")
                % {
                    "site": r["site_id"],
                    "park": r["park_id"],
                    "score": r["score"],
                    "npv": f"{npv:,.0f}",
                    "currency": currency,
                }
            )
            lines.append(f"  {base}{reverse('web:site-detail', kwargs={'site_id': r['site_id']})}")
        lines += ["", _("Open the site finder: %(url)s") % {"url": base + reverse("siting:find")}]
        subject = _("Site finder: %(count)d new match(es) for “%(name)s”") % {
            "count": len(new),
            "name": search.name,
        }
    send_mail(subject, "\n".join(lines), None, [search.user.email])


# ---- the location comparison report ------------------------------------------------------


def _components(result: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for r in result["results"]:
        for name in r["location_cost"]["components"]:
            seen[name] = None
    order = list(COMPONENT_LABELS)
    return sorted(seen, key=lambda n: (order.index(n) if n in order else len(order), n))


def component_label(name: str) -> str:
    return str(COMPONENT_LABELS.get(name, name))


def comparison_rows(
    result: Mapping[str, Any], points: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[list[Any]]]:
    """The comparison as a table: one row per fact, one column per site."""
    by_site = {p["site_id"]: p for p in points}
    results = result["results"]
    header = [_("Site")] + [r["site_id"] for r in results]
    rows: list[list[Any]] = [
        [_("Rank")] + [r["rank"] for r in results],
        [_("Park")]
        + [by_site.get(r["site_id"], {}).get("park_name", r["park_id"]) for r in results],
        [_("Region")] + [by_site.get(r["site_id"], {}).get("region", "") for r in results],
        [_("Score (0–100)")] + [r["score"] for r in results],
        [_("Location cost, present value") + f" ({result['currency']})"]
        + [r["location_cost"]["npv"] for r in results],
    ]
    for name in _components(result):
        rows.append(
            [component_label(name)] + [r["location_cost"]["components"].get(name) for r in results]
        )
    rows.append(
        [_("Value of benefits") + f" ({result['currency']})"]
        + [r["benefits_value"] for r in results]
    )
    rows.append(
        [_("Unknown components")]
        + [", ".join(component_label(u) for u in r["location_cost"]["unknown"]) for r in results]
    )
    return header, rows


def comparison_xlsx(
    result: Mapping[str, Any], points: Sequence[Mapping[str, Any]], document: Mapping[str, Any]
) -> bytes:
    """The location comparison as an XLSX workbook: comparison, reasons, near misses, inputs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Comparison")[:31]
    header, rows = comparison_rows(result, points)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.column_dimensions["A"].width = 36
    for r in range(2, ws.max_row + 1):
        for c in range(2, ws.max_column + 1):
            if isinstance(ws.cell(r, c).value, float):
                ws.cell(r, c).number_format = "#,##0"
    reasons = wb.create_sheet(_("Reasons")[:31])
    reasons.append([_("Site"), _("Reason")])
    for r in result["results"]:
        for text in r["reasons"]:
            reasons.append([r["site_id"], text])
    near = wb.create_sheet(_("Near misses")[:31])
    near.append([_("Site"), _("Park"), _("Constraint"), _("Required"), _("Available")])
    for n in result["near_misses"]:
        for v in n["violations"]:
            near.append(
                [
                    n["site_id"],
                    n["park_id"],
                    v["constraint"],
                    _cell(v["required"]),
                    _cell(v["available"]),
                ]
            )
    inputs = wb.create_sheet(_("Requirements")[:31])
    inputs.append([_("Requirements document")])
    for line in json.dumps(document, ensure_ascii=False, indent=1).splitlines():
        inputs.append([line])
    inputs.append([])
    inputs.append([_("Valuation date"), result.get("valuation_date")])
    inputs.append([_("Discount rate"), result.get("discount_rate")])
    inputs.append([_("Horizon, years"), result.get("horizon_years")])
    for fx in result.get("fx_rates", []):
        inputs.append([_("Exchange rate"), fx["currency"], fx["year"], fx["per_usd"], fx["source"]])
    for w in result.get("warnings", []):
        inputs.append([_("Warning"), w])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return describe(value)


def format_cell(value: Any) -> str:
    """A report cell as text: thousands separated, '—' for unknown."""
    return _fmt(value)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:,.0f}"
    return str(value)


def comparison_pdf(
    result: Mapping[str, Any], points: Sequence[Mapping[str, Any]], document: Mapping[str, Any]
) -> bytes:
    """The location comparison as a PDF (reportlab): the table, then each site's reasons."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _pdf_font()
    styles = getSampleStyleSheet()
    for s in styles.byName.values():
        s.fontName = font
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Location comparison"),
        pageCompression=0,
    )
    story: list[Any] = [
        Paragraph(_("Location comparison"), styles["Title"]),
        Paragraph(
            _(
                "Present value over %(years)s years at %(rate)s discount rate, in %(currency)s, "
                "valued on %(date)s. %(feasible)s sites fit the requirements."
            )
            % {
                "years": result.get("horizon_years"),
                "rate": f"{(result.get('discount_rate') or 0) * 100:.1f}%",
                "currency": result["currency"],
                "date": result.get("valuation_date"),
                "feasible": result["feasible_count"],
            },
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    header, rows = comparison_rows(result, points)
    data = [header] + [[row[0]] + [_fmt(v) for v in row[1:]] for row in rows]
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                # site ids in a standard font, so that they can be searched for in the file
                ("FONTNAME", (1, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    for r in result["results"]:
        story.append(Paragraph(f"{r['rank']}. {r['site_id']} ({r['park_id']})", styles["Heading3"]))
        for text in r["reasons"]:
            story.append(Paragraph(_escape(text), styles["Normal"]))
    if result["near_misses"]:
        story.append(Paragraph(_("Near misses"), styles["Heading2"]))
        for n in result["near_misses"]:
            why = "; ".join(
                f"{CONSTRAINT_LABELS.get(v['constraint'], v['constraint'])}: "
                f"{_('required')} {describe(v['required'])}, "
                f"{_('available')} {describe(v['available'])}"
                for v in n["violations"]
            )
            story.append(
                Paragraph(_escape(f"{n['site_id']} ({n['park_id']}): {why}"), styles["Normal"])
            )
    for w in result.get("warnings", []):
        story.append(Paragraph(_escape(w), styles["Italic"]))
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@functools.lru_cache(maxsize=1)
def _pdf_font() -> str:
    """DejaVu Sans (Cyrillic and Uzbek Latin) where the system has it, else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ):
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", path))
            return "DejaVuSans"
    return "Helvetica"
