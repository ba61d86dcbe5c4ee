"""The public's park pages in the API's default order walk the partial index of published
parks (parks_park_published_by_id): an offset deep into the list skips index entries, not
table rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

INDEX = "parks_park_published_by_id"


def test_the_index_exists_with_its_condition(db: Any) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "parks_park")
    # PostgreSQL lists the included id too; SQLite has no INCLUDE (its entries carry the id).
    expected = ["park_id", "id"] if connection.vendor == "postgresql" else ["park_id"]
    assert constraints[INDEX]["columns"] == expected
    assert constraints[INDEX]["index"] and not constraints[INDEX]["unique"]


def test_the_public_page_query_uses_it_on_sqlite(world: Any) -> None:
    if connection.vendor != "sqlite":
        # PostgreSQL chooses by its statistics (on the 50,000 parks of bench/api.py it keeps
        # the unique park_id index and filters); the index is there for SQLite's planner.
        pytest.skip("the plan asserted is SQLite's")
    from tests.factories import ParkFactory

    ParkFactory.create_batch(5)
    ParkFactory.create_batch(2, is_published=False)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/api/v1/parks?offset=2&limit=3")
    assert response.status_code == 200
    page = [q["sql"] for q in queries.captured_queries if "OFFSET 2" in q["sql"]]
    assert len(page) == 1, [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page[0]}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert f"USING INDEX {INDEX}" in plan, plan
    # The rows of the page are the published ones in park_id order (hand count: the world's
    # two published parks and the five made here; two hidden parks are not among them).
    from technopark.parks.models import Park

    published = sorted(Park.objects.filter(is_published=True).values_list("park_id", flat=True))
    assert [row["park_id"] for row in response.json()["results"]] == published[2:5]


def test_on_postgresql_the_page_query_needs_no_table_row(world: Any) -> None:
    """The index holds the id (INCLUDE), so the ids of a page are read from it alone: an
    index-only scan, which skips an offset's entries without visiting the table."""
    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE and index-only scans are PostgreSQL's (SQLite's entries carry the id)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = %s::regclass",
            [INDEX],
        )
        definition = cursor.fetchone()[0]
        assert definition.endswith("(park_id) INCLUDE (id) WHERE is_published"), definition
        # On a test database's few rows the planner would read the table outright; without
        # that choice it must be able to answer from the index alone.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM parks_park WHERE is_published ORDER BY park_id "
            "LIMIT 50 OFFSET 100"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert f"Index Only Scan using {INDEX}" in plan, plan
