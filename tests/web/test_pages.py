"""Public pages: what each role sees, filters in the URL, htmx fragments, query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import ROLES, SCOPES, VIEW, scoped
from tests.factories import OrganizationFactory, ParkFactory, ResidentFactory, SiteFactory

pytestmark = pytest.mark.django_db


def as_role(world: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("scope", SCOPES)
def test_park_and_site_pages(world: Any, role: str, scope: str) -> None:
    client = as_role(world, role)
    park = scoped(world, "park", scope)
    site = SiteFactory(park=park)
    expected = 200 if scope in VIEW[role] else 404
    assert client.get(f"/parks/{park.park_id}/").status_code == expected
    assert client.get(f"/sites/{site.site_id}/").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_home_lists_the_visible_parks(world: Any, role: str) -> None:
    response = as_role(world, role).get("/")
    assert response.status_code == 200
    listed = {p.park_id for p in response.context["page"].object_list}
    assert listed == {scoped(world, "park", s).park_id for s in VIEW[role]}


def test_home_page_landmarks_and_offline_assets(client: Client, world: Any) -> None:
    html = client.get("/").content.decode()
    for landmark in ('<header class="site">', "<main", "<nav", "<footer", 'class="skip-link"'):
        assert landmark in html
    assert "/static/leaflet/leaflet.js" in html
    assert "/static/django_htmx/htmx" in html
    # Nothing from a CDN or any other host.
    for host in ("cdn.", "unpkg.com", "jsdelivr", "googleapis", "tile.openstreetmap"):
        assert host not in html
    assert 'hx-push-url="true"' in html


def test_filters_live_in_the_url_and_htmx_gets_a_fragment(client: Client, world: Any) -> None:
    ParkFactory(park_id="chem", industries=["20"])
    full = client.get("/?industry=20")
    assert [p.park_id for p in full.context["page"].object_list] == ["chem"]
    assert b"<html" in full.content
    fragment = client.get("/?industry=20", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b'id="results"' in fragment.content
    assert b'data-query="industry=20"' in fragment.content
    # A history restore (back button) gets the whole page.
    restore = client.get(
        "/?industry=20", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_invalid_filters_show_a_message_not_an_error(client: Client, world: Any) -> None:
    response = client.get("/?industry=xyz&min_free_area=-1")
    assert response.status_code == 200
    assert response.context["filter"].errors
    assert b'role="alert"' in response.content


def test_a_checkbox_filter_keeps_its_state_and_refuses_other_values(
    client: Client, world: Any
) -> None:
    checked = client.get("/?available_sites=on")
    assert not checked.context["filter"].errors
    assert re.search(rb'<input[^>]*name="available_sites"[^>]*checked', checked.content)
    unchecked = client.get("/?available_sites=false")
    assert not re.search(rb'<input[^>]*name="available_sites"[^>]*checked', unchecked.content)
    refused = client.get("/?available_sites=null")
    assert refused.status_code == 200
    assert "available_sites" in refused.context["filter"].errors
    assert b'role="alert"' in refused.content


def test_map_data_uses_the_same_filters(client: Client, world: Any) -> None:
    ParkFactory(
        park_id="far-north", lat=68.97, lon=33.07, coord_precision="site", industries=["20"]
    )
    data = client.get("/map-data/?industry=20&zoom=5").json()
    assert data["total"] == 1
    assert data["points"] == [
        {
            "id": "far-north",
            "name": data["points"][0]["name"],
            "lat": 68.97,
            "lon": 33.07,
            "precision": "site",
            "kind": "technopark",
        }
    ]
    # Many parks in one place arrive as one cluster, not as many markers.
    for _ in range(30):
        ParkFactory(lat=41.3, lon=69.2)
    data = client.get("/map-data/?zoom=3").json()
    assert sum(c["count"] for c in data["clusters"]) + len(data["points"]) == data["total"]
    assert len(data["clusters"]) + len(data["points"]) < 5
    assert client.get("/map-data/?bbox=1,2").status_code == 400
    hidden = client.get(f"/map-data/?q={world.other_hidden_park.park_id}").json()
    assert hidden["total"] == 0


def test_park_page_shows_facts_with_source_age_and_staleness(client: Client, world: Any) -> None:
    import datetime as dt

    park = world.own_park
    park.as_of = dt.date(2020, 1, 1)
    park.as_of_precision = "year"
    park.source = "https://example.org/a | Decree 1"
    park.industries = ["27", "2710"]
    park.save()
    html = client.get(f"/parks/{park.park_id}/").content.decode()
    assert "2020" in html and "stale" in html
    assert "https://example.org/a" in html and "Decree 1" in html
    assert "Manufacture of electrical equipment" in html
    assert "History of changes" not in html  # not for anonymous visitors


def test_park_site_table_sorts_and_filters(client: Client, world: Any) -> None:
    from decimal import Decimal

    SiteFactory(park=world.own_park, site_id="big", area_ha=Decimal("50"))
    SiteFactory(park=world.own_park, site_id="small", area_ha=Decimal("1"), status="occupied")
    page = client.get(f"/parks/{world.own_park.park_id}/?ordering=-area_ha")
    order = [s.site_id for s in page.context["site_page"].object_list]
    assert order[0] == "big" and order[-1] == "small"
    assert b'aria-sort="descending"' in page.content
    fragment = client.get(
        f"/parks/{world.own_park.park_id}/?status=occupied",
        headers={"HX-Request": "true", "HX-Target": "site-table"},
    )
    assert b"<html" not in fragment.content
    assert [s.site_id for s in fragment.context["site_page"].object_list] == ["small"]


def test_compare_up_to_five_visible_sites(client: Client, world: Any) -> None:
    sites = [SiteFactory(park=world.own_park) for _ in range(6)]
    query = ",".join(s.site_id for s in sites)
    response = client.get(f"/compare/?sites={query},{world.other_hidden_site.site_id}")
    assert [s.site_id for s in response.context["sites"]] == [s.site_id for s in sites[:5]]
    response = client.get(
        f"/compare/?sites={sites[0].site_id}&sites={world.other_hidden_site.site_id}"
    )
    assert [s.site_id for s in response.context["sites"]] == [sites[0].site_id]


def _grow(world: Any, n: int) -> None:
    for _ in range(n):
        park = ParkFactory(operator=world.op_org)
        SiteFactory(park=park)
        ResidentFactory(park=park, organization=OrganizationFactory(kind="company"))


@pytest.mark.parametrize("role", ["anonymous", "resident", "operator", "admin"])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?country=UZ&industry=2&available_sites=true",
        "/map-data/?zoom=4",
        "PARK",
        "/compare/?sites=SITES",
    ],
)
def test_list_pages_run_a_constant_number_of_queries(world: Any, role: str, url: str) -> None:
    client = as_role(world, role)

    def resolve(u: str) -> str:
        from technopark.parks.models import Site

        u = u.replace("PARK", f"/parks/{world.own_park.park_id}/")
        return u.replace("SITES", ",".join(Site.objects.values_list("site_id", flat=True)[:5]))

    client.get(resolve(url))
    with CaptureQueriesContext(connection) as few:
        assert client.get(resolve(url)).status_code == 200
    _grow(world, 19)
    for _ in range(19):
        SiteFactory(park=world.own_park)
        ResidentFactory(park=world.own_park, organization=OrganizationFactory(kind="company"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(resolve(url)).status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_errors_pages_are_in_the_site_layout(client: Client, world: Any) -> None:
    response = client.get("/parks/does-not-exist/")
    assert response.status_code == 404


def test_language_switch_translates_the_page(client: Client, world: Any) -> None:
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="ru">' in html
    assert "Технопарки, индустриальные парки и экономические зоны" in html
    client.post("/i18n/setlang/", {"language": "uz", "next": "/"})
    html = client.get(f"/parks/{world.own_park.park_id}/").content.decode()
    assert '<html lang="uz">' in html and "Pasport" in html


def test_park_names_follow_the_language(client: Client, world: Any) -> None:
    park = world.own_park
    park.name_ru = "Технопарк-пример"
    park.save()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert "Технопарк-пример" in client.get(f"/parks/{park.park_id}/").content.decode()


def test_numbers_are_formatted_for_the_language(client: Client, world: Any) -> None:
    from decimal import Decimal

    park = world.own_park
    park.investment_amount = Decimal("127000000")
    park.investment_currency = "USD"
    park.save()
    english = client.get(f"/parks/{park.park_id}/").content.decode()
    assert "127,000,000 USD" in english
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    russian = client.get(f"/parks/{park.park_id}/").content.decode()
    assert "127\xa0000\xa0000 USD" in russian or "127 000 000 USD" in russian


@pytest.mark.parametrize(
    ("language", "day", "month"),
    [
        # Django's DATE_FORMAT and YEAR_MONTH_FORMAT of each language; Russian and Uzbek
        # month names in lower case, as those languages write them.
        ("en", "Dec. 18, 2024", "December 2024"),
        ("ru", "18 декабря 2024 г.", "декабрь 2024 г."),
        ("uz", "18-dekabr, 2024-yil", "dekabr 2024-yil"),
    ],
)
def test_an_as_of_date_is_written_for_the_language_with_its_precision(
    language: str, day: str, month: str
) -> None:
    import datetime as dt

    from django.utils import translation

    from technopark.web.templatetags.web_tags import as_of_local

    date = dt.date(2024, 12, 18)
    with translation.override(language):
        written = [
            as_of_local({"as_of": date, "as_of_precision": p}) for p in ("day", "month", "year")
        ]
        assert written == [day, month, "2024"]
        assert as_of_local({"as_of": None, "as_of_precision": "day"}) == ""


def test_the_park_page_writes_its_as_of_date_in_russian(client: Client, world: Any) -> None:
    import datetime as dt

    park = ParkFactory(park_id="dated", as_of=dt.date(2021, 1, 1), as_of_precision="month")
    page = client.get(f"/parks/{park.park_id}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Данные на январь 2021 г." in page
    # The Russian date ends in "г." already: no second full stop after it.
    assert "г.." not in page


def test_the_park_page_names_its_legal_regimes_in_the_language(client: Client, world: Any) -> None:
    """Names as incentives/regimes/ru-alabuga.yaml gives them; an id no file has stays an id."""
    park = ParkFactory(park_id="regimes", regime_ids=["ru-alabuga", "no-such-regime"])
    russian = client.get(f"/parks/{park.park_id}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Льготы резидентам ОЭЗ «Алабуга» (Республика Татарстан)" in russian
    assert '<code class="muted">no-such-regime</code>' in russian
    english = client.get(f"/parks/{park.park_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alabuga SEZ resident benefits (Republic of Tatarstan)" in english
