"""Fixtures for the exchange tests: countries, two operators with a park each, file helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from technopark.core.choices import Role
from technopark.core.models import Membership
from technopark.parks.choices import OrganizationKind
from technopark.parks.models import Organization, Park, Site
from technopark.parks.services.reference import ensure_countries


@dataclass
class Run:
    """The outcome of one `technopark import` (or export) through call_command."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if not line.startswith("CommandError")]


def run_command(name: str, *args: Any) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        return Run(exc.returncode, out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())


@pytest.fixture
def importer() -> Callable[..., Run]:
    def run(*args: Any) -> Run:
        return run_command("import", *[str(a) for a in args])

    return run


@pytest.fixture
def registry(db: None) -> dict[str, Any]:
    """Countries, two management companies with one park each, an operator user of the first."""
    ensure_countries()
    alpha = Organization.objects.create(name="Alpha MC", kind=OrganizationKind.MANAGEMENT_COMPANY)
    beta = Organization.objects.create(name="Beta MC", kind=OrganizationKind.MANAGEMENT_COMPANY)
    park_a = Park.objects.create(
        park_id="uz-alpha",
        name="Alpha Park",
        kind="industrial_park",
        country_id="UZ",
        operator=alpha,
    )
    park_b = Park.objects.create(
        park_id="ru-beta", name="Beta Park", kind="technopark", country_id="RU", operator=beta
    )
    operator = User.objects.create_user("alice", password="x")
    Membership.objects.create(user=operator, organization=alpha, role=Role.OPERATOR)
    return {"alpha": alpha, "beta": beta, "park_a": park_a, "park_b": park_b, "operator": operator}


def counts() -> dict[str, int]:
    """Rows and history rows of everything an import may touch."""
    return {
        "parks": Park.objects.count(),
        "sites": Site.objects.count(),
        "organizations": Organization.objects.count(),
        "park_history": Park.history.count(),
        "site_history": Site.history.count(),
        "organization_history": Organization.history.count(),
    }


SITE_HEADER = "site_id,park_id,kind,area_ha,area_m2,status,currency,sale_price,hazard_class,lat,lon,source,as_of"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
