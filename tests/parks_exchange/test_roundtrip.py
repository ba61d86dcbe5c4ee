"""Export → import into an empty database → export gives identical files, in every format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from technopark.geo.models import Region
from technopark.parks.exchange.schema import render_markdown
from technopark.parks.exchange.synth import write_synth
from technopark.parks.models import Organization, Park, ParkUtility, Site
from technopark.parks.services.reference import load_reference_parks
from tests.parks_exchange.conftest import run_command

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[69.6, 40.9], [69.7, 40.9], [69.7, 41.0], [69.6, 40.9]]],
}


def _export(what: str, path: Path) -> bytes:
    run = run_command("export", "--what", what, "-o", str(path), "--quiet")
    assert run.code == 0, run.stderr
    return path.read_bytes()


def _empty_the_registry() -> None:
    Site.objects.all().delete()
    ParkUtility.objects.all().delete()
    Park.objects.all().delete()
    Organization.objects.all().delete()
    Region.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_export_import_export_is_identical(db: None, tmp_path: Path, fmt: str) -> None:
    load_reference_parks()
    paths = write_synth(tmp_path / "synth", parks=10, sites=300, seed=5)
    assert run_command("import", str(paths["parks"]), str(paths["sites"]), "--quiet").code == 0
    park = Park.objects.get(park_id="uz-chirchik-chemical-technopark")
    park.boundary = BOUNDARY
    park.is_published = False
    park.save()
    first = {what: _export(what, tmp_path / f"{what}-1.{fmt}") for what in ("parks", "sites")}
    _empty_the_registry()

    run = run_command(
        "import", str(tmp_path / f"parks-1.{fmt}"), str(tmp_path / f"sites-1.{fmt}"), "--quiet"
    )

    assert run.code == 0, run.stderr
    second = {what: _export(what, tmp_path / f"{what}-2.{fmt}") for what in ("parks", "sites")}
    assert second["parks"] == first["parks"]
    assert second["sites"] == first["sites"]
    again = Park.objects.get(park_id="uz-chirchik-chemical-technopark")
    assert again.boundary == BOUNDARY and again.is_published is False


def test_export_to_stdout(db: None, tmp_path: Path) -> None:
    load_reference_parks()
    run = run_command("export", "--what", "parks", "--format", "geojson", "-o", "-", "--quiet")
    assert run.code == 0
    assert run.stdout.startswith('{"type": "FeatureCollection"')


def test_exported_decimals_and_booleans_are_normalised(db: None, tmp_path: Path) -> None:
    load_reference_parks()
    park = Park.objects.get(park_id="uz-chirchik-chemical-technopark")
    Site.objects.create(
        site_id="x-1",
        park=park,
        kind="plot",
        area_ha="2.5000",
        sale_price="100.00",
        currency="USD",
        rail_siding=True,
    )
    text = _export("sites", tmp_path / "sites.csv").decode()
    header, row = text.splitlines()
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert (cells["area_ha"], cells["sale_price"], cells["rail_siding"]) == ("2.5", "100", "true")
    assert cells["hazard_class"] == "" and cells["status"] == "available"


def test_schema_document_is_current() -> None:
    document = (ROOT / "docs" / "exchange-schema.md").read_text(encoding="utf-8")
    assert render_markdown() in document, (
        "docs/exchange-schema.md is out of date: paste the output of "
        "`python -c 'from technopark.parks.exchange.schema import render_markdown as r; "
        "print(r())'` into it"
    )


@pytest.mark.slow
def test_cli_exit_code_and_stderr(tmp_path: Path) -> None:
    """The real command line: exit code 2, `FILE:ROW: column: message` lines, nothing written."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TECHNOPARK_VAR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    technopark = [sys.executable, "-c", "from technopark.cli import main; main()"]
    subprocess.run([*technopark, "migrate", "-v0"], env=env, check=True, cwd=tmp_path)
    bad = tmp_path / "sites.csv"
    bad.write_text("site_id,park_id,kind,hazard_class\ns-1,nowhere,plot,0\n", encoding="utf-8")

    result = subprocess.run(
        [*technopark, "import", str(bad)], env=env, cwd=tmp_path, capture_output=True, text=True
    )

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (
        f"{bad}:2: park_id: unknown park 'nowhere': it is neither in the database nor in "
        "this import" in lines
    )
    assert f"{bad}:2: hazard_class: 0 is outside 1 … 5" in lines
    assert result.stdout == ""
    count = subprocess.run(
        [
            *technopark,
            "shell",
            "-c",
            "from technopark.parks.models import Site; print(Site.objects.count())",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.strip().splitlines()[-1] == "0"
