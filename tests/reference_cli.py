"""Shared by the interface tests of incentives and finance: the `technopark` command run as a
user runs it (a subprocess) against its own SQLite database loaded with the 52 reference parks,
and registry parks that mirror two reference parks for the API and the pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ELTECH = EXAMPLES / "project-eltech-cable-plant.json"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def _env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The command line runs against its own SQLite file with the 52 reference parks, whatever
    # database the suite itself uses.
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        SECRET_KEY="test-only-secret-key-not-for-production",
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="technopark.config.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


@pytest.fixture(scope="session")
def reference_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated and loaded with the reference parks (once per session)."""
    db = tmp_path_factory.mktemp("reference-cli") / "reference.sqlite3"
    for args in (["migrate", "-v", "0"], ["load-reference"]):
        subprocess.run(
            [sys.executable, "-m", "technopark.cli", *args],
            env=_env(db),
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    return db


@pytest.fixture(scope="session")
def cli(reference_db: Path) -> Callable[..., Run]:
    """Run `technopark ...` in a subprocess against the reference database."""

    def run(*args: str) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "technopark.cli", *args],
            env=_env(reference_db),
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def eltech_park(db: Any) -> Any:
    """Eltech Industrial as the reference data has it (regime PP-15 of 2024, no areas)."""
    from tests.factories import CountryFactory, OrganizationFactory, ParkFactory, RegionFactory

    uz = CountryFactory(code="UZ", name="Uzbekistan", currency="UZS")
    return ParkFactory(
        park_id="uz-eltech-industrial",
        name="Eltech Industrial Technopark",
        kind="technopark",
        country=uz,
        region=RegionFactory(country=uz, name="Tashkent Region"),
        operator=OrganizationFactory(name="Directorate of Eltech Industrial Technopark"),
        area_total_ha=None,
        area_free_ha=None,
        industries=["27"],
        regime_ids=["uz-electrical-industry"],
    )


@pytest.fixture
def navoi_park(db: Any) -> Any:
    """Navoi free economic zone as the reference data has it (the SEZ regime, ZRU-604)."""
    from tests.factories import CountryFactory, ParkFactory

    uz = CountryFactory(code="UZ", name="Uzbekistan", currency="UZS")
    return ParkFactory(
        park_id="uz-navoi-fez",
        name="Navoi free economic zone",
        kind="fez",
        country=uz,
        area_total_ha=None,
        area_free_ha=None,
        regime_ids=["uz-sez"],
    )
