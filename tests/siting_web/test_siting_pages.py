"""The "Find a site" page, the comparison, the XLSX/PDF report, saved searches and alerts."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from technopark.parks.models import Site
from tests.siting_web.conftest import brute_force_feasible, run_command

FORM = {
    "industry": "2732",
    "hazard_class": "3",
    "countries": ["UZ"],
    "site_kind": "plot",
    "area_unit": "ha",
    "area_min": "1",
    "area_max": "8",
    "tenure": "lease",
    "electricity_mw": "1",
    "water_m3d": "10",
    "max_rail_km": "40",
    "max_highway_km": "20",
    "jobs": "50",
    "currency": "USD",
    "capex": "1000000",
    "revenue": "2000000",
    "opex": "1000000",
    "start_year": "2026",
    "discount_rate": "12",
    "weight_cost": "5",
    "weight_infrastructure": "3",
    "weight_logistics": "3",
    "weight_labour": "1",
    "weight_cluster_fit": "2",
    "weight_freshness": "1",
    "top": "50",
}
#: FORM as a requirements document (what the brute force checks)
DOC = {
    "countries": ["UZ"],
    "site_kind": "plot",
    "area_ha_min": 1,
    "area_ha_max": 8,
    "electricity_mw": 1,
    "water_m3d": 10,
    "tenure": "lease",
    "hazard_class": 3,
    "max_distance_km": {"rail": 40, "highway": 20},
}


def _document(page: str) -> str:
    match = re.search(r'name="document" value="([^"]*)"', page)
    assert match, "the results carry their requirements document"
    return html.unescape(match.group(1))


def _site_ids(page: str) -> list[str]:
    return re.findall(r'name="site" value="([^"]+)"', page)


def test_page_get_shows_the_steps(db: None) -> None:
    response = Client().get("/site-finder/")
    assert response.status_code == 200
    page = response.content.decode()
    for legend in (
        "What you make",
        "Land or floor space",
        "Power, gas and water",
        "Logistics",
        "People",
        "Money",
        "What matters most",
    ):
        assert f"<legend>{legend}</legend>" in page
    assert 'type="range"' in page


def test_page_post_lists_the_feasible_sites_with_map_and_chart(synth_import: Any) -> None:
    synth_import(parks=20, sites=400, seed=1)
    response = Client().post("/site-finder/", FORM)
    assert response.status_code == 200
    page = response.content.decode()
    expected = brute_force_feasible(DOC)
    shown = _site_ids(page)
    assert set(shown) == expected and len(shown) == len(expected)
    assert 'id="finder-points"' in page and 'id="cost-chart-data"' in page
    assert "Near misses" in page
    assert "leaflet" in page.lower()
    assert "http://" not in re.sub(r'href="[^"]*"', "", page.split("<body>")[1]).replace(
        "http://www.w3.org", ""
    ), "no outside resources"
    points = json.loads(re.search(r'id="finder-points"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert {p["site_id"] for p in points} <= expected


def test_page_post_with_bad_input_is_422_with_errors(db: None) -> None:
    response = Client().post("/site-finder/", {**FORM, "area_min": "9", "area_max": "2"})
    assert response.status_code == 422
    assert "The largest area must not be below the smallest." in response.content.decode()


def test_compare_and_reports(synth_import: Any) -> None:
    synth_import(parks=20, sites=400, seed=1)
    client = Client()
    loose = {**FORM, "max_rail_km": "", "max_highway_km": "", "hazard_class": "5", "tenure": "any"}
    page = client.post("/site-finder/", loose).content.decode()
    document, chosen = _document(page), _site_ids(page)[:3]
    assert len(chosen) == 3

    compare = client.post("/site-finder/compare/", {"document": document, "site": chosen})
    assert compare.status_code == 200
    text = compare.content.decode()
    assert all(site_id in text for site_id in chosen)
    assert "Location cost, present value" in text

    xlsx = client.post("/site-finder/report.xlsx", {"document": document, "site": chosen})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:3] == ["Comparison", "Reasons", "Near misses"]
    sheet = wb["Comparison"]
    assert [c.value for c in sheet[1]][1:] == chosen
    labels = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "Land" in labels and "Labour" in labels
    npv_row = next(
        r for r in sheet.iter_rows(min_row=2) if str(r[0].value).startswith("Location cost")
    )
    assert all(isinstance(c.value, float) for c in npv_row[1:])

    pdf = client.post("/site-finder/report.pdf", {"document": document, "site": chosen})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:  # the content stream is uncompressed and site ids are in Helvetica
        for site_id in chosen:
            assert f"({site_id})".encode() in pdf.content
    else:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert all(site_id in text for site_id in chosen)

    bad = client.post("/site-finder/report.pdf", {"document": "{not json", "site": chosen})
    assert bad.status_code == 400
    assert client.post("/site-finder/report.docx", {"document": document}).status_code == 404


def test_saved_search_needs_sign_in_and_is_private(synth_import: Any, admin: Any) -> None:
    from technopark.core.choices import Role
    from technopark.core.permissions import restrict
    from technopark.siting import selectors, services
    from technopark.siting.models import SavedSearch
    from tests.factories import user_with_role

    synth_import(parks=10, sites=100, seed=1)
    anonymous = Client().post("/site-finder/saved/new/", {"name": "x", "document": json.dumps(DOC)})
    assert anonymous.status_code == 302 and "sign-in" in anonymous["Location"]
    owner = user_with_role(Role.INVESTOR)
    other = user_with_role(Role.INVESTOR)
    analyst = user_with_role(Role.ANALYST)
    search = services.saved_search_create(user=owner, name="Cable plant", document=DOC)
    assert list(selectors.saved_searches(user=owner)) == [search]
    assert list(selectors.saved_searches(user=other)) == []
    assert not restrict(SavedSearch.objects.all(), analyst).exists()
    assert restrict(SavedSearch.objects.all(), admin).exists()
    client = Client()
    client.force_login(other)
    assert client.get(f"/site-finder/saved/{search.pk}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/site-finder/saved/{search.pk}/").status_code == 200
    assert "Cable plant" in client.get("/site-finder/saved/").content.decode()


def test_saved_search_alerts_are_sent_once(synth_import: Any, admin: Any, settings: Any) -> None:
    from technopark.core.choices import Role
    from technopark.core.services import object_update
    from technopark.siting.models import SiteAlert
    from tests.factories import user_with_role

    synth_import(parks=20, sites=300, seed=1)
    investor = user_with_role(Role.INVESTOR)
    investor.email = "investor@example.org"
    investor.save()
    client = Client()
    client.force_login(investor)
    saved = client.post(
        "/site-finder/saved/new/", {"name": "Cable plant", "document": json.dumps(DOC)}
    )
    assert saved.status_code == 302
    baseline = brute_force_feasible(DOC)

    run = run_command("site-alerts")
    assert run.code == 0 and len(mail.outbox) == 0  # nothing new since it was saved

    # an import brings new sites, and a site changes so that it now fits
    synth_import(parks=20, sites=450, seed=1)
    candidate = (
        Site.objects.filter(
            park__country_id="UZ",
            park__is_published=True,
            kind="plot",
            status="available",
            area_ha__gte=2,
            area_ha__lte=7,
        )
        .exclude(site_id__in=baseline)
        .first()
    )
    object_update(
        obj=candidate,
        user=admin,
        data={
            "electricity_mw": 5,
            "water_m3d": 100,
            "tenure": "lease",
            "hazard_class": 1,
            "dist_rail_km": 1,
            "dist_highway_km": 1,
        },
    )
    new = brute_force_feasible(DOC) - baseline
    assert candidate.site_id in new

    run = run_command("site-alerts", "--json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["mails"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["investor@example.org"]
    assert "Cable plant" in message.subject
    assert all(site_id in message.body for site_id in new)
    assert set(SiteAlert.objects.values_list("site_id", flat=True)) == new

    again = run_command("site-alerts", "--json")
    assert json.loads(again.stdout)["mails"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("url", ["/site-finder/saved/", "/site-finder/saved/1/"])
def test_saved_pages_need_sign_in(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("language", "heading"), [("ru", "Найти площадку"), ("uz", "Maydoncha topish")]
)
def test_page_in_russian_and_uzbek(db: None, language: str, heading: str) -> None:
    from django.conf import settings

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/site-finder/").content.decode()
    assert f"<h1>{heading}</h1>" in page


def test_admin_lists_saved_searches_for_administrators(synth_import: Any, admin: Any) -> None:
    from technopark.core.choices import Role
    from technopark.siting import services
    from tests.factories import user_with_role

    synth_import(parks=5, sites=50, seed=1)
    services.saved_search_create(user=user_with_role(Role.INVESTOR), name="Mine", document=DOC)
    admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    assert "Mine" in client.get("/admin/siting/savedsearch/").content.decode()
    assert client.get("/admin/siting/sitealert/").status_code == 200
