"""Bulk export: CSV, GeoJSON and XLSX in the exchange schema, streamed, honouring filters."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest

from technopark.parks.exchange.schema import column_names
from tests.api.conftest import assert_error_shape
from tests.factories import CountryFactory, ParkFactory, SiteFactory

pytestmark = pytest.mark.django_db


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def test_park_csv_has_the_exchange_columns_and_only_visible_filtered_parks(
    api_as: Any, world: Any
) -> None:
    ru = CountryFactory(code="RU", name="Russia", currency="RUB")
    ParkFactory(park_id="ru-export", country=ru, industries=["20", "22"])
    text = body(api_as("anonymous").get("/parks/export?format=csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == column_names("parks")
    got = {r["park_id"] for r in rows}
    assert got == {world.own_park.park_id, world.other_park.park_id, "ru-export"}
    filtered = body(api_as("anonymous").get("/parks/export?format=csv&country=RU")).decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(filtered)))
    assert [r["park_id"] for r in rows] == ["ru-export"]
    assert rows[0]["industries"] == "20;22"
    assert rows[0]["country"] == "RU"


def test_site_geojson(api_as: Any, world: Any) -> None:
    SiteFactory(park=world.own_park, site_id="with-point", lat=41.0, lon=69.5)
    data = json.loads(
        body(api_as("operator").get(f"/sites/export?format=geojson&park={world.own_park.park_id}"))
    )
    assert data["type"] == "FeatureCollection"
    features = {f["properties"]["site_id"]: f for f in data["features"]}
    assert set(features) == {world.own_site.site_id, "with-point"}
    assert features["with-point"]["geometry"] == {"type": "Point", "coordinates": [69.5, 41.0]}
    assert features["with-point"]["properties"]["park_id"] == world.own_park.park_id


def test_park_xlsx(api_as: Any, world: Any) -> None:
    content = body(api_as("admin").get("/parks/export?format=xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == column_names("parks")
    assert len(rows) == 1 + 4  # the admin sees all four parks


def test_bad_format_and_bad_filters(api_as: Any, world: Any) -> None:
    assert_error_shape(api_as("anonymous").get("/parks/export?format=pdf"), 400)
    assert_error_shape(api_as("anonymous").get("/sites/export?min_area_ha=big"), 400)


@pytest.mark.parametrize(
    ("entity", "fmt"),
    [("parks", "csv"), ("sites", "csv"), ("parks", "geojson"), ("sites", "geojson")],
)
def test_api_export_is_what_technopark_export_writes(
    api_as: Any, world: Any, entity: str, fmt: str
) -> None:
    """Same rows, same bytes: the API streams the exchange exporter's output."""
    from technopark.parks.exchange.exporter import export_table

    SiteFactory(park=world.own_park, lat=41.25, lon=69.125)
    expected = io.StringIO()
    export_table(entity, fmt, expected, as_system=True)
    streamed = body(api_as("admin").get(f"/{entity}/export?format={fmt}")).decode()
    assert streamed == expected.getvalue()
