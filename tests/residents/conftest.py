"""Fixtures of the residents tests: an Uzbek SEZ with its operator, an applicant company and a
user for every role the workflow knows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

PROJECT = {
    "name": "Example cable plant (test)",
    "currency": "USD",
    "country": "UZ",
    "start_year": 2026,
    "horizon_years": 3,
    "discount_rate": 0.12,
    "industry": "2732",
    "hazard_class": 4,
    "residency_start": "2026-04-01",
    "commissioning_year": 2027,
    "land_area_ha": 2.0,
    "capex": [{"year": 2026, "amount": 3000000, "asset": "buildings"}],
    "revenue": [{"year": 2027, "amount": 5000000}],
    "opex": [{"year": 2027, "amount": 4000000}],
    "jobs": [{"year": 2027, "count": 120}],
}

ROLES = [
    "anonymous",
    "stranger",
    "applicant",
    "other_company",
    "operator",
    "other_operator",
    "analyst",
    "admin",
]


@dataclass
class RWorld:
    op_org: Any
    other_op_org: Any
    park: Any
    other_park: Any
    site: Any
    other_site: Any
    company: Any
    other_company: Any
    users: dict[str, Any]

    def user(self, role: str) -> Any:
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser() if role == "anonymous" else self.users[role]


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Every test starts in English (a request in another language leaves it active)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def rw(db: Any) -> RWorld:
    from technopark.core.choices import Role
    from tests.factories import (
        OrganizationFactory,
        ParkFactory,
        SiteFactory,
        UserFactory,
        user_with_role,
    )

    op_org = OrganizationFactory(name="SEZ directorate (example)", email="directorate@example.org")
    other_op_org = OrganizationFactory(name="Other directorate (example)")
    park = ParkFactory(operator=op_org, kind="sez", regime_ids=["uz-sez"], park_id="test-sez")
    other_park = ParkFactory(operator=other_op_org, kind="sez", regime_ids=["uz-sez"])
    company = OrganizationFactory(name="Cable Works LLC (example)", kind="company")
    other_company = OrganizationFactory(name="Other Works LLC (example)", kind="company")
    users = {
        "stranger": UserFactory(username="stranger"),
        "applicant": user_with_role(Role.INVESTOR, company, username="applicant"),
        "other_company": user_with_role(Role.RESIDENT, other_company, username="othercompany"),
        "operator": user_with_role(Role.OPERATOR, op_org, username="operator"),
        "operator2": user_with_role(Role.OPERATOR, op_org, username="operator2"),
        "other_operator": user_with_role(Role.OPERATOR, other_op_org, username="otheroperator"),
        "analyst": user_with_role(
            Role.ANALYST, OrganizationFactory(kind="association"), username="analyst"
        ),
        "admin": user_with_role(Role.ADMINISTRATOR, username="admin"),
    }
    return RWorld(
        op_org=op_org,
        other_op_org=other_op_org,
        park=park,
        other_park=other_park,
        site=SiteFactory(park=park, site_id="sez-plot-1"),
        other_site=SiteFactory(park=other_park),
        company=company,
        other_company=other_company,
        users=users,
    )


@pytest.fixture
def draft(rw: RWorld) -> Any:
    from technopark.residents.services import application_create

    return application_create(
        user=rw.users["applicant"],
        park=rw.park,
        applicant=rw.company,
        sites=[rw.site],
        project=PROJECT,
    )


def set_state(application: Any, state: str) -> Any:
    """Put an application into a state directly (test setup only)."""
    from technopark.residents.models import Application

    Application.objects.filter(pk=application.pk).update(state=state)
    return Application.objects.get(pk=application.pk)


def make_agreement(
    rw: RWorld,
    *,
    signed_on: dt.date,
    template_id: str = "uz-sez",
    parameters: dict[str, Any] | None = None,
    number: str = "A-1",
    organization: Any = None,
) -> Any:
    from technopark.residents.services import agreement_create

    return agreement_create(
        user=rw.users["operator"],
        park=rw.park,
        organization=organization or rw.company,
        number=number,
        signed_on=signed_on,
        template_id=template_id,
        parameters=parameters or {},
        sites=[rw.site],
        certificate_number="C-1",
        certificate_date=signed_on,
    )
