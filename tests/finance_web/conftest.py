"""Fixtures of the finance interface tests: the command line against its own reference
database, registry parks for the API and the pages, and workspace users in two companies."""

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

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ELTECH = EXAMPLES / "project-eltech-cable-plant.json"
WORKSHOP = EXAMPLES / "project-small-workshop.json"
ALABUGA = EXAMPLES / "project-ru-sez-components-plant.json"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
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
    """A SQLite file migrated and loaded with the reference parks, once per session."""
    db = tmp_path_factory.mktemp("finance-cli") / "reference.sqlite3"
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
    """Run `technopark ...` as a user does (a subprocess)."""

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
    """Navoi free economic zone (the SEZ regime)."""
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


@pytest.fixture
def hidden_park(db: Any) -> Any:
    from tests.factories import ParkFactory

    return ParkFactory(park_id="uz-hidden-park", is_published=False)


@dataclass
class People:
    """Two companies' investors, an analyst, an administrator and a user in no organization."""

    investor: Any
    colleague: Any
    resident: Any
    other_investor: Any
    analyst: Any
    admin: Any
    loner: Any
    company: Any
    other_company: Any
    analyst_org: Any


@pytest.fixture
def people(db: Any) -> People:
    from technopark.core.choices import Role
    from tests.factories import OrganizationFactory, UserFactory, user_with_role

    company = OrganizationFactory(name="Cable investor LLC (example)", kind="investor")
    other = OrganizationFactory(name="Other investor LLC (example)", kind="investor")
    analyst_org = OrganizationFactory(name="Association (example)", kind="association")
    return People(
        investor=user_with_role(Role.INVESTOR, company, username="investor"),
        colleague=user_with_role(Role.INVESTOR, company, username="colleague"),
        resident=user_with_role(Role.RESIDENT, company, username="resident"),
        other_investor=user_with_role(Role.INVESTOR, other, username="other"),
        analyst=user_with_role(Role.ANALYST, analyst_org, username="analyst"),
        admin=user_with_role(Role.ADMINISTRATOR, username="admin"),
        loner=UserFactory(username="loner"),
        company=company,
        other_company=other,
        analyst_org=analyst_org,
    )


@pytest.fixture
def saved(people: People) -> Any:
    """A project saved by the investor's company (no park)."""
    from technopark.finance import services

    return services.saved_project_create(
        user=people.investor,
        organization=people.company,
        name="Workshop (example)",
        document=load(WORKSHOP),
    )


@pytest.fixture
def token_of() -> Callable[[Any], str]:
    from technopark.core.tokens import token_create

    def make(user: Any) -> str:
        _, raw = token_create(user=user, name="test")
        return raw

    return make
