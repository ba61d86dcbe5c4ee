"""The permission matrix: role × model × action × whose object — zero leaks.

The expected table is written out here from the rules of the Foundation issue, not derived from
core/permissions.py:
- anonymous visitors and investors read published data only and change nothing;
- a resident also reads the parks it is resident in (published or not) and changes nothing;
- a park operator reads published data and its own parks, and changes only its own parks and
  their sites, utilities, register entries and residents;
- an analyst reads everything and changes nothing;
- an administrator (role or superuser) does everything.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from technopark.core.permissions import Action, can, restrict
from technopark.core.services import object_update
from technopark.geo.models import Country
from technopark.parks.models import Organization, Park, ParkUtility, RegisterEntry, Resident, Site

ROLES = ["anonymous", "investor", "resident", "operator", "analyst", "admin", "superuser"]
SCOPES = ["own", "own_hidden", "other", "other_hidden"]

# Who may VIEW a park-scoped object, by scope ("own" = the operator's organization's park,
# which is also the park the resident company is resident in).
VIEW = {
    "anonymous": {"own", "other"},
    "investor": {"own", "other"},
    "resident": {"own", "other"},
    "operator": {"own", "own_hidden", "other"},
    "analyst": set(SCOPES),
    "admin": set(SCOPES),
    "superuser": set(SCOPES),
}
WRITE = {
    "anonymous": set(),
    "investor": set(),
    "resident": set(),
    "operator": {"own", "own_hidden"},
    "analyst": set(),
    "admin": set(SCOPES),
    "superuser": set(SCOPES),
}


def _objects(world: Any) -> dict[str, dict[str, Any]]:
    from tests.factories import ParkUtilityFactory, ResidentFactory, SiteFactory

    parks = {
        "own": world.own_park,
        "own_hidden": world.own_hidden_park,
        "other": world.other_park,
        "other_hidden": world.other_hidden_park,
    }
    objects: dict[str, dict[str, Any]] = {"park": parks}
    objects["site"] = {scope: SiteFactory(park=park) for scope, park in parks.items()}
    objects["utility"] = {
        scope: ParkUtilityFactory(park=park, utility="gas") for scope, park in parks.items()
    }
    objects["register_entry"] = {
        scope: RegisterEntry.objects.create(park=park, kind="register", register="GISIP")
        for scope, park in parks.items()
    }
    objects["resident"] = {scope: ResidentFactory(park=park) for scope, park in parks.items()}
    return objects


def _user(world: Any, role: str) -> Any:
    return AnonymousUser() if role == "anonymous" else world.users[role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", ["park", "site", "utility", "register_entry", "resident"])
def test_park_scoped_matrix(world: Any, role: str, model: str) -> None:
    objects = _objects(world)[model]
    user = _user(world, role)
    for scope, obj in objects.items():
        assert can(user, Action.VIEW, obj) == (scope in VIEW[role]), (role, model, scope, "view")
        for action in (Action.CHANGE, Action.DELETE, Action.ADD):
            assert can(user, action, obj) == (scope in WRITE[role]), (role, model, scope, action)
        # The queryset answer agrees with the object answer.
        qs = type(obj).objects.filter(pk=obj.pk)
        assert restrict(qs, user, Action.VIEW).exists() == (scope in VIEW[role])
        assert restrict(qs, user, Action.CHANGE).exists() == (scope in WRITE[role])


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_reference_models_read_by_all_written_by_administrators(world: Any, role: str) -> None:
    user = _user(world, role)
    country = Country.objects.get(code="UZ")
    org = world.other_org
    for obj in (country, org):
        assert can(user, Action.VIEW, obj)
        assert can(user, Action.CHANGE, obj) == (role in {"admin", "superuser"})
        assert can(user, Action.DELETE, obj) == (role in {"admin", "superuser"})


@pytest.mark.django_db
def test_resident_sees_the_unpublished_park_it_is_resident_in(world: Any) -> None:
    from tests.factories import ResidentFactory

    ResidentFactory(park=world.other_hidden_park, organization=world.resident_org)
    user = world.users["resident"]
    assert can(user, Action.VIEW, world.other_hidden_park)
    assert not can(user, Action.CHANGE, world.other_hidden_park)
    # The join through residents must not duplicate rows.
    visible = restrict(Park.objects.all(), user, Action.VIEW)
    assert visible.count() == len(set(visible.values_list("pk", flat=True)))


@pytest.mark.django_db
def test_list_restriction_counts(world: Any) -> None:
    # Parks in the world: 2 published, 2 unpublished.
    anonymous = restrict(Park.objects.all(), AnonymousUser(), Action.VIEW)
    assert set(anonymous) == {world.own_park, world.other_park}
    operator = restrict(Park.objects.all(), world.users["operator"], Action.CHANGE)
    assert set(operator) == {world.own_park, world.own_hidden_park}
    assert restrict(Site.objects.all(), world.users["analyst"], Action.CHANGE).count() == 0
    assert restrict(ParkUtility.objects.all(), world.users["investor"], Action.CHANGE).count() == 0
    assert restrict(Resident.objects.all(), world.users["resident"], Action.DELETE).count() == 0


@pytest.mark.django_db
def test_write_that_leaves_the_allowed_set_is_rolled_back(world: Any) -> None:
    operator = world.users["operator"]
    park = world.own_park
    with pytest.raises(PermissionDenied):
        object_update(obj=park, user=operator, data={"operator": world.other_org})
    park.refresh_from_db()
    assert park.operator == world.op_org
    assert park.history.count() == 1  # only the creation; the refused edit left no trace


@pytest.mark.django_db
def test_operator_cannot_move_a_site_into_another_operators_park(world: Any) -> None:
    operator = world.users["operator"]
    site = world.own_site
    with pytest.raises(PermissionDenied):
        object_update(obj=site, user=operator, data={"park": world.other_park})
    site.refresh_from_db()
    assert site.park == world.own_park


@pytest.mark.django_db
def test_inactive_user_loses_every_right(world: Any) -> None:
    operator = world.users["operator"]
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert not can(operator, Action.CHANGE, world.own_park)


@pytest.mark.django_db
def test_every_registry_model_has_a_rule() -> None:
    from django.apps import apps

    from technopark.core.permissions import RULES

    for label in ("parks", "geo"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert model._meta.label_lower in RULES, model
    assert Organization._meta.label_lower in RULES
