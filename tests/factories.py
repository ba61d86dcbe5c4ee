"""Factories for the registry, shared by every test package (factory_boy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from technopark.core.choices import Role
from technopark.core.models import Membership
from technopark.geo.models import Country, Region
from technopark.parks.choices import OrganizationKind, ParkKind, SiteKind, SiteStatus, Tenure
from technopark.parks.models import Organization, Park, ParkUtility, Resident, Site


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "UZ"
    name = "Uzbekistan"
    currency = "UZS"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("country", "name")

    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = OrganizationKind.MANAGEMENT_COMPANY


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    park_id = factory.Sequence(lambda n: f"test-park-{n}")
    name = factory.Sequence(lambda n: f"Test park {n} (example)")
    kind = ParkKind.TECHNOPARK
    country = factory.SubFactory(CountryFactory)
    operator = factory.SubFactory(OrganizationFactory)
    lat = 41.3
    lon = 69.2
    coord_precision = "city"
    area_total_ha = Decimal("100")
    area_free_ha = Decimal("40")
    industries = factory.LazyFunction(lambda: ["27"])
    source = "example data for tests"
    as_of = factory.LazyFunction(dt.date.today)
    is_published = True


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    site_id = factory.Sequence(lambda n: f"test-site-{n}")
    park = factory.SubFactory(ParkFactory)
    kind = SiteKind.PLOT
    area_ha = Decimal("5")
    status = SiteStatus.AVAILABLE
    tenure = Tenure.LEASE
    lease_per_year = Decimal("10000")
    currency = "USD"
    electricity_mw = Decimal("2.5")
    source = "example data for tests"
    as_of = factory.LazyFunction(dt.date.today)


class ParkUtilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParkUtility

    park = factory.SubFactory(ParkFactory)
    utility = "electricity"
    capacity = Decimal("50")
    free_capacity = Decimal("20")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    park = factory.SubFactory(ParkFactory)
    organization = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.COMPANY)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


def user_with_role(role: Role | str, organization: Organization | None = None, **kwargs):
    """A user holding `role` in `organization` (a new one when not given)."""
    user = UserFactory(**kwargs)
    if role == "superuser":
        user.is_superuser = True
        user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
        return user
    org = organization or OrganizationFactory(
        kind=OrganizationKind.MANAGEMENT_COMPANY
        if role == Role.OPERATOR
        else OrganizationKind.COMPANY
    )
    Membership.objects.create(user=user, organization=org, role=role)
    return user
