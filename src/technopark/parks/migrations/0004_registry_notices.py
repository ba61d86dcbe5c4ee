"""PostgreSQL: a NOTIFY on channel technopark_registry from every statement that changes a
history table of the registry (parks.selectors.VERSIONED_MODELS), delivered when its
transaction commits; each server process LISTENs and reads the registry version again only
then (core.db_notices). Statement triggers: one notice per statement, a COPY of a million rows
included. Nothing on SQLite, whose own change counter serves the same purpose.
"""

from django.db import migrations

CHANNEL = "technopark_registry"
HISTORY_TABLES = (
    "parks_historicalpark",
    "parks_historicalsite",
    "parks_historicalparkutility",
    "parks_historicalregisterentry",
    "parks_historicalresident",
    "parks_historicalorganization",
    "geo_historicalregion",
    "geo_historicalcountry",
)
FUNCTION = "technopark_registry_notify"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$"
    )
    for table in HISTORY_TABLES:
        schema_editor.execute(
            f'CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in HISTORY_TABLES:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {table}_notify ON "{table}"')
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("parks", "0003_park_published_by_id"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
