"""The benefits calculator page of a park (/incentives/parks/<park_id>/calculator/)."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from technopark.core.project import parse_project

# Main figures of a cable plant (the Eltech example, simplified): buildings USD 1.5 m in 2025,
# equipment USD 4 m over 2025–2026, full production from 2026.
FIGURES: dict[str, Any] = {
    "name": "Cable plant",
    "currency": "USD",
    "start_year": 2025,
    "horizon_years": 10,
    "discount_rate": 12,
    "industry": "2732",
    "hazard_class": 4,
    "residency_start": "2025-04-01",
    "commissioning_year": 2026,
    "capex_buildings": 1_500_000,
    "capex_buildings_years": 1,
    "capex_equipment": 4_000_000,
    "capex_equipment_years": 2,
    "revenue": 10_000_000,
    "opex": 8_200_000,
    "jobs": 180,
    "avg_monthly_wage": 450,
    "land_area_ha": 3,
    "export_share": 30,
    "activity_electrical_products": 90,
}


def url(park: Any) -> str:
    return reverse("incentives:calculator", kwargs={"park_id": park.park_id})


def test_get_shows_the_form(client: Client, eltech_park: Any) -> None:
    response = client.get(url(eltech_park))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="capex_buildings"' in html and 'name="residency_start"' in html
    # the park's regime tests a revenue share: the form asks for it
    assert 'name="activity_electrical_products"' in html
    assert "Electrical industry benefits" in html
    assert reverse("incentives:plotly-js") in html
    assert 'hx-post="' in html


def test_unpublished_park_is_404_for_anonymous(client: Client, world: Any) -> None:
    assert client.get(url(world.other_hidden_park)).status_code == 404
    assert client.get("/incentives/parks/no-such-park/calculator/").status_code == 404
    client.force_login(world.users["analyst"])
    assert client.get(url(world.other_hidden_park)).status_code == 200


def test_post_valid_shows_results_checked_by_hand(client: Client, eltech_park: Any) -> None:
    response = client.post(url(eltech_park), FIGURES)
    assert response.status_code == 200
    result = response.context["result"]
    assert result is not None, response.context["form"].errors
    (pp15,) = result["regimes"]
    assert pp15["id"] == "uz-electrical-industry" and pp15["eligible"]
    # PP-15: profit and property tax −50 % until 01.01.2027, so only 2026 counts (2025 has no
    # production). Depreciation 2026: buildings 1.5 m / 30 = 50,000; equipment 4 m / 10 =
    # 400,000. Profit 10.0 m − 8.2 m − 0.45 m = 1,350,000 × 15 % = 202,500 → half 101,250.
    # Property: average NBV (1.5 m + 1.45 m) / 2 = 1,475,000 × 1.5 % = 22,125 → half 11,062.50.
    saved = {(r["year"], r["tax"]): r["saved"] for r in result["by_year"]}
    assert saved[(2026, "profit")] == pytest.approx(101_250)
    assert saved[(2026, "property")] == pytest.approx(11_062.50)
    assert result["total_saved"] == pytest.approx(112_312.50)
    assert result["npv_saved"] == pytest.approx(112_312.50 / 1.12, abs=0.01)
    html = response.content.decode()
    assert "112\u202f312" in html  # total saved, shown
    assert "Revenue share from electrical products 90% ≥ 80%: met" in html
    assert 'id="incentives-chart-data" type="application/json"' in html
    assert "UZS" in html  # the FX rate used for the water tax
    assert "<html" in html  # a full page without htmx


def test_form_document_is_a_valid_project(eltech_park: Any) -> None:
    from technopark.incentives.forms import CalculatorForm

    form = CalculatorForm(
        {**FIGURES, "capex_equipment": "1000000.01", "capex_equipment_years": 3},
        park=eltech_park,
        activities={"electrical_products": "electrical products"},
    )
    assert form.is_valid(), form.errors
    doc = form.project_document()
    project = parse_project(doc)
    assert project.park_id == "uz-eltech-industrial" and project.country == "UZ"
    assert project.discount_rate == pytest.approx(0.12)
    assert project.export_share == pytest.approx(0.30)
    assert project.activity_share("electrical_products") == pytest.approx(0.90)
    # equipment spread in equal parts over three years, adding up to the total exactly
    equipment = [(c.year, c.amount) for c in project.capex if c.asset == "equipment"]
    assert equipment == [(2025, 333_333.34), (2026, 333_333.34), (2027, 333_333.33)]
    assert project.revenue_by_year().tolist() == [0.0] + [10_000_000.0] * 9
    assert project.jobs_by_year()[1:].tolist() == [180.0] * 9
    assert project.tax_overrides.land_rate_per_ha is None and project.land_cadastral_value is None


def test_land_tax_figures(client: Client, navoi_park: Any) -> None:
    figures = {k: v for k, v in FIGURES.items() if not k.startswith("activity_")}
    response = client.post(url(navoi_park), {**figures, "land_rate_per_ha": 3000})
    result = response.context["result"]
    # 3 ha × USD 3,000 = 9,000 a year, due from the residency start 2025-04-01 (Apr–Dec 6,750);
    # exempt under ZRU-604 for 84 months (USD 5.5 m by end of 2026): 2025–2031 in full and
    # Jan–Mar 2032 (2,250) → 6,750 + 6 × 9,000 + 2,250 = 63,000
    assert result["totals_by_tax"]["land"]["saved"] == pytest.approx(63_000)
    assert "land" not in result["unknown_taxes"]


def test_invalid_figures_are_shown_next_to_their_fields(client: Client, eltech_park: Any) -> None:
    # Django's own checks ...
    response = client.post(url(eltech_park), {**FIGURES, "industry": "XX", "jobs": -1})
    form = response.context["form"]
    assert set(form.errors) == {"industry", "jobs"}
    assert response.context["result"] is None
    # ... and the project document's (parse_project), put back on the fields they concern
    response = client.post(
        url(eltech_park),
        {**FIGURES, "commissioning_year": 2040, "capex_equipment_years": 12, "industry": "04"},
    )
    form = response.context["form"]
    assert response.context["result"] is None
    assert form.errors["commissioning_year"] == [
        "must be within start_year..start_year+horizon_years-1 (2025..2034), got 2040"
    ]
    # twelve years of equipment from 2025 overrun the horizon in 2035 and 2036: said once
    assert form.errors["capex_equipment_years"] == [
        "must be within start_year..start_year+horizon_years-1 (2025..2034)"
    ]
    assert form.errors["industry"] == ["'04' is not an ISIC Rev.4 division"]
    html = response.content.decode()
    assert 'class="field has-error"' in html


def test_htmx_post_returns_only_the_calculator(client: Client, eltech_park: Any) -> None:
    response = client.post(url(eltech_park), FIGURES, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="calculator">') and "<html" not in html
    assert 'id="results"' in html


def test_user_input_is_escaped(client: Client, eltech_park: Any) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(url(eltech_park), {**FIGURES, "name": attack})
    assert response.context["result"] is not None
    html = response.content.decode()
    assert attack not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # and when the form is re-shown with errors
    response = client.post(url(eltech_park), {**FIGURES, "name": attack, "jobs": -1})
    assert attack not in response.content.decode()


def test_legal_acts_are_linked(client: Client, navoi_park: Any) -> None:
    figures = {k: v for k, v in FIGURES.items() if not k.startswith("activity_")}
    response = client.post(url(navoi_park), figures)
    html = response.content.decode()
    sez = response.context["result"]["regimes"][0]
    assert sez["id"] == "uz-sez" and sez["eligible"]
    # "https://lex.uz (text not checked here; …)" in the data → a link to https://lex.uz only
    assert 'href="https://lex.uz"' in html
    assert "Tax Code Art. 473" in html  # benefit citations
    prop = next(b for b in sez["benefits"] if b["id"] == "property-exemption")
    # USD 1.5 m + 2 m by end 2025 = 3.5 m → 60 months; 5.5 m by end 2026 → 84 (Art. 474)
    assert (prop["start"], prop["end"]) == ("2025-04-01", "2032-04-01")


def test_calculator_link_partial(eltech_park: Any) -> None:
    html = render_to_string("incentives/_calculator_link.html", {"park": eltech_park})
    assert 'href="/incentives/parks/uz-eltech-industrial/calculator/"' in html


def test_russian_page(client: Client, eltech_park: Any) -> None:
    client.cookies["django_language"] = "ru"
    response = client.get(url(eltech_park), headers={"Accept-Language": "ru"})
    html = response.content.decode()
    assert "Калькулятор льгот" in html
    # the date input keeps an ISO value (a browser drops "01.01.2026")
    assert f'name="residency_start" value="{dt.date.today().year}-01-01"' in html
    response = client.post(url(eltech_park), FIGURES, headers={"Accept-Language": "ru"})
    assert "Льготы для предприятий электротехнической промышленности" in response.content.decode()


def test_plotly_js_is_served_offline_and_cached(client: Client, db: Any) -> None:
    import plotly

    response = client.get(reverse("incentives:plotly-js"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response["Cache-Control"]
    body = gzip.decompress(response.content)
    assert plotly.__version__.split(".")[0] in response["ETag"]
    assert b"plotly" in body[:2000].lower() and len(body) > 1_000_000
    plain = client.get(reverse("incentives:plotly-js"))
    assert "Content-Encoding" not in plain and plain.content == body
    again = client.get(reverse("incentives:plotly-js"), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
