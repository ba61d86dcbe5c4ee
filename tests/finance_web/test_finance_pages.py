"""The project workspace at /finance/: access, forms that validate as they type, results and
charts, simulation, park comparison, XLSX, escaping and translations."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client

from tests.finance_web.conftest import ELTECH, WORKSHOP, People, load


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def form_data(document: dict[str, Any], /, **changes: Any) -> dict[str, Any]:
    """What the browser posts for `document` (the fields filled from it, as the page does)."""
    from technopark.finance.forms import initial_from

    data = {k: v for k, v in initial_from(document).items() if v is not None}
    data["discount_rate"] = str(data["discount_rate"])
    data.update(changes)
    return data


def test_anonymous_users_are_sent_to_sign_in(client: Client, saved: Any) -> None:
    for url in ("/finance/", "/finance/projects/new/", f"/finance/projects/{saved.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/?next=")


def test_list_shows_only_the_users_organizations_projects(
    client: Client, people: People, saved: Any
) -> None:
    page = signed_in(client, people.colleague).get("/finance/")
    assert page.status_code == 200
    assert "Workshop (example)" in page.content.decode()
    client.logout()
    page = signed_in(client, people.other_investor).get("/finance/")
    assert "Workshop (example)" not in page.content.decode()


@pytest.mark.parametrize("who", ["other_investor", "analyst"])
def test_other_organizations_and_analysts_get_404(
    client: Client, people: People, saved: Any, who: str
) -> None:
    signed_in(client, getattr(people, who))
    for suffix in ("", "edit/", "xlsx/", "compare/", "delete/"):
        assert client.get(f"/finance/projects/{saved.pk}/{suffix}").status_code == 404
    assert client.post(f"/finance/projects/{saved.pk}/copy/").status_code == 404
    assert client.post(f"/finance/projects/{saved.pk}/delete/").status_code == 404
    assert client.post(f"/finance/projects/{saved.pk}/simulate/", {"n": 100}).status_code == 404


def test_a_resident_of_the_company_works_on_it_too(
    client: Client, people: People, saved: Any
) -> None:
    page = signed_in(client, people.resident).get(f"/finance/projects/{saved.pk}/")
    assert page.status_code == 200


def test_create_edit_copy_delete(client: Client, people: People, eltech_park: Any) -> None:
    from technopark.finance.models import SavedProject

    signed_in(client, people.investor)
    assert client.get("/finance/projects/new/").status_code == 200
    doc = load(ELTECH)
    data = form_data(
        doc, name="Cable plant", organization=people.company.pk, park=eltech_park.park_id
    )
    response = client.post("/finance/projects/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project = SavedProject.objects.get()
    assert response["Location"] == f"/finance/projects/{project.pk}/"
    assert project.park == eltech_park and project.created_by == people.investor
    assert project.document["revenue"] == doc["revenue"]

    # edit a main figure: it replaces the key of the JSON
    data = form_data(
        project.document,
        name="Cable plant",
        organization=people.company.pk,
        park=eltech_park.park_id,
        discount_rate="10",
    )
    response = client.post(f"/finance/projects/{project.pk}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.document["discount_rate"] == pytest.approx(0.10)
    assert project.history.count() == 2

    response = client.post(f"/finance/projects/{project.pk}/copy/")
    copy = SavedProject.objects.exclude(pk=project.pk).get()
    assert response["Location"] == f"/finance/projects/{copy.pk}/"
    assert copy.name == "Cable plant (copy)" and copy.document == project.document

    response = client.post(f"/finance/projects/{copy.pk}/delete/")
    assert response.status_code == 302
    assert list(SavedProject.objects.all()) == [project]


def test_series_fields_replace_the_yearly_entries(client: Client, people: People) -> None:
    from technopark.finance.models import SavedProject

    signed_in(client, people.investor)
    doc = load(WORKSHOP)
    data = form_data(
        doc,
        name="W",
        organization=people.company.pk,
        revenue_by_year="100 000, 200000; 300000, 0, 400000",
    )
    assert client.post("/finance/projects/new/", data).status_code == 302
    revenue = SavedProject.objects.get().document["revenue"]
    assert revenue == [
        {"year": 2025, "amount": 100000.0},
        {"year": 2026, "amount": 200000.0},
        {"year": 2027, "amount": 300000.0},
        {"year": 2029, "amount": 400000.0},
    ]


def test_series_are_shown_as_plain_numbers(db: Any) -> None:
    from technopark.finance.forms import initial_from

    initial = initial_from(load(ELTECH))
    assert initial["revenue_by_year"].startswith("0, 3000000, 7000000, 9000000, 10000000")
    assert initial["discount_rate"] == 12


def test_invalid_form_shows_errors_next_to_fields(client: Client, people: People) -> None:
    signed_in(client, people.investor)
    data = form_data(
        load(WORKSHOP), name="W", organization=people.company.pk, commissioning_year="2040"
    )
    response = client.post("/finance/projects/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = re.search(
        r'<ul class="errorlist" id="errors-commissioning_year">(.*?)</ul>', html, re.S
    )
    assert errors and "within start_year" in errors.group(1)


def test_validation_endpoint_answers_field_by_field(client: Client, people: People) -> None:
    signed_in(client, people.investor)
    doc = load(WORKSHOP)
    bad = form_data(
        doc,
        name="W",
        organization=people.company.pk,
        currency="usd1",
        document=json.dumps({**doc, "hazard_class": 9}),
    )
    response = client.post("/finance/projects/validate/", bad, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    # every field's error list is swapped out of band, filled or emptied
    assert 'id="errors-name" hx-swap-oob="true"></ul>' in html
    currency = re.search(r'id="errors-currency" hx-swap-oob="true">(.*?)</ul>', html, re.S)
    assert currency and "at most 3 characters" in currency.group(1)

    bad = form_data(
        doc,
        name="W",
        organization=people.company.pk,
        document=json.dumps({**doc, "hazard_class": 9}),
    )
    html = client.post("/finance/projects/validate/", bad).content.decode()
    document = re.search(r'id="errors-document" hx-swap-oob="true">(.*?)</ul>', html, re.S)
    assert document and "$.hazard_class:" in document.group(1)

    broken = form_data(doc, name="W", organization=people.company.pk, document="{nope")
    html = client.post("/finance/projects/validate/", broken).content.decode()
    assert "Not valid JSON (line 1, column 2)" in html

    good = form_data(doc, name="W", organization=people.company.pk)
    html = client.post("/finance/projects/validate/", good).content.decode()
    assert "The project is valid." in html
    assert "<li>" not in html


def test_the_form_is_wired_to_the_validation_endpoint(client: Client, people: People) -> None:
    html = signed_in(client, people.investor).get("/finance/projects/new/").content.decode()
    assert 'hx-post="/finance/projects/validate/"' in html
    assert 'hx-swap="none"' in html and 'id="errors-document"' in html


def test_results_tables_and_charts(client: Client, people: People, eltech_park: Any) -> None:
    from technopark.finance import services

    project = services.saved_project_create(
        user=people.investor,
        organization=people.company,
        name="Cable",
        document=load(ELTECH),
        park=eltech_park,
    )
    page = signed_in(client, people.investor).get(f"/finance/projects/{project.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for chart in ("chart-cashflows", "chart-cumulative", "chart-tornado"):
        data = re.search(
            rf'<script id="{chart}-data" type="application/json">(.*?)</script>', html, re.S
        )
        assert data, chart
        figure = json.loads(data.group(1))
        assert figure["data"], chart
    tornado = json.loads(
        re.search(r'id="chart-tornado-data" type="application/json">(.*?)<', html, re.S).group(1)
    )
    assert tornado["data"][0]["orientation"] == "h"
    cumulative = json.loads(
        re.search(r'id="chart-cumulative-data" type="application/json">(.*?)<', html, re.S).group(1)
    )
    expected = services.evaluate(load(ELTECH), park=eltech_park)
    assert cumulative["data"][0]["y"] == [round(r["cumulative"], 2) for r in expected["cashflows"]]
    assert "Without benefits" in html and "2034" in html
    # plotly.js comes from the application, never a CDN
    assert "/incentives/plotly.js?v=" in html and "cdn" not in html.lower()


def test_simulation_fragment(client: Client, people: People, saved: Any) -> None:
    signed_in(client, people.investor)
    response = client.post(
        f"/finance/projects/{saved.pk}/simulate/",
        {"n": 2000, "seed": 4},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for htmx
    histogram = json.loads(
        re.search(r'id="chart-histogram-data" type="application/json">(.*?)<', html, re.S).group(1)
    )
    assert histogram["data"][0]["type"] == "bar"
    assert sum(histogram["data"][0]["y"]) == pytest.approx(1.0)
    too_many = client.post(
        f"/finance/projects/{saved.pk}/simulate/",
        {"n": 10**7, "seed": 4},
        headers={"HX-Request": "true"},
    )
    assert "chart-histogram" not in too_many.content.decode()
    assert "errorlist" in too_many.content.decode()


def test_compare_parks(
    client: Client,
    people: People,
    saved: Any,
    eltech_park: Any,
    navoi_park: Any,
    hidden_park: Any,
) -> None:
    from technopark.finance import services

    signed_in(client, people.investor)
    url = f"/finance/projects/{saved.pk}/compare/?parks=uz-eltech-industrial&parks=uz-navoi-fez"
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["park_id"] for r in rows] == ["uz-eltech-industrial", "uz-navoi-fez"]
    navoi = services.evaluate(saved.document, park=navoi_park)
    assert rows[1]["npv"] == pytest.approx(navoi["npv"])
    assert rows[1]["npv_without"] == pytest.approx(navoi["without_benefits"]["npv"])
    # an unpublished park is not offered, and more than five are refused
    page = client.get(f"/finance/projects/{saved.pk}/compare/?parks=uz-hidden-park")
    assert page.context["rows"] == [] and page.context["form"].errors


def test_compare_refuses_more_than_five(client: Client, people: People, saved: Any) -> None:
    from tests.factories import ParkFactory

    ids = [ParkFactory().park_id for _ in range(6)]
    signed_in(client, people.investor)
    query = "&".join(f"parks={i}" for i in ids)
    page = client.get(f"/finance/projects/{saved.pk}/compare/?{query}")
    assert "Choose at most five parks." in page.content.decode()


def test_xlsx_download_has_live_formulas(client: Client, people: People, saved: Any) -> None:
    response = signed_in(client, people.investor).get(f"/finance/projects/{saved.pk}/xlsx/")
    assert response.status_code == 200
    assert 'filename="workshop-example.xlsx"' in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=NPV(") for v in summary)
    flows = [c.value for row in wb["Cash flows"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=") for v in flows)


def test_project_name_is_escaped(client: Client, people: People) -> None:
    from technopark.finance import services

    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    project = services.saved_project_create(
        user=people.investor, organization=people.company, name=evil, document=load(WORKSHOP)
    )
    signed_in(client, people.investor)
    for url in (
        "/finance/",
        f"/finance/projects/{project.pk}/",
        f"/finance/projects/{project.pk}/edit/",
        f"/finance/projects/{project.pk}/compare/",
    ):
        html = client.get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_no_organization_no_workspace(client: Client, people: People) -> None:
    signed_in(client, people.loner)
    page = client.get("/finance/")
    assert page.status_code == 200 and not page.context["can_create"]
    assert client.get("/finance/projects/new/").status_code == 403


def test_pages_in_russian_and_uzbek(client: Client, people: People, saved: Any) -> None:
    signed_in(client, people.investor)
    ru = client.get(f"/finance/projects/{saved.pk}/", headers={"Accept-Language": "ru"})
    assert "Денежные потоки" in ru.content.decode()
    uz = client.get("/finance/", headers={"Accept-Language": "uz"})
    assert "Loyihalar" in uz.content.decode()
