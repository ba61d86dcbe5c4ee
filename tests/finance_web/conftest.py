"""Fixtures of the finance interface tests: the command line against its own reference
database, registry parks for the API and the pages, and workspace users in two companies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reference_cli import (  # noqa: F401 — fixtures are registered by import
    ELTECH,
    EXAMPLES,
    ROOT,
    Run,
    cli,
    eltech_park,
    navoi_park,
    reference_db,
)

WORKSHOP = EXAMPLES / "project-small-workshop.json"
ALABUGA = EXAMPLES / "project-ru-sez-components-plant.json"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


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
