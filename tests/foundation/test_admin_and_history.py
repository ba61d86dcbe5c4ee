"""The admin answers to the same permission rules, and every change leaves history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from technopark.core.history import change_context, diff_against_previous
from technopark.core.services import object_update
from technopark.parks.models import Park, Site


def _staff_client(user: Any) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_operator_admin_lists_only_what_it_may_see(world: Any) -> None:
    client = _staff_client(world.users["operator"])
    response = client.get(reverse("admin:parks_park_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.own_park.park_id in body and world.own_hidden_park.park_id in body
    assert world.other_hidden_park.park_id not in body
    # Another operator's park may be viewed (it is published) but not changed.
    other = client.get(reverse("admin:parks_park_change", args=[world.other_park.pk]))
    assert other.status_code == 200
    assert 'name="_save"' not in other.content.decode()
    hidden = client.get(reverse("admin:parks_park_change", args=[world.other_hidden_park.pk]))
    assert hidden.status_code in (302, 403, 404)


@pytest.mark.django_db
def test_operator_cannot_post_a_change_to_another_operators_site(world: Any) -> None:
    client = _staff_client(world.users["operator"])
    url = reverse("admin:parks_site_change", args=[world.other_site.pk])
    response = client.post(url, {"site_id": world.other_site.site_id, "status": "occupied"})
    assert response.status_code == 403
    world.other_site.refresh_from_db()
    assert world.other_site.status == "available"


@pytest.mark.django_db
def test_analyst_admin_is_read_only(world: Any) -> None:
    client = _staff_client(world.users["analyst"])
    listing = client.get(reverse("admin:parks_park_changelist"))
    assert listing.status_code == 200
    assert world.other_hidden_park.park_id in listing.content.decode()
    assert client.get(reverse("admin:parks_park_add")).status_code == 403


@pytest.mark.django_db
def test_history_records_who_when_and_before_after(world: Any) -> None:
    operator = world.users["operator"]
    site = world.own_site
    with change_context() as request_id:
        object_update(obj=site, user=operator, data={"status": "reserved"}, reason="hand check")
        object_update(obj=site, user=operator, data={"lease_per_year": 12000}, reason="new lease")
    records = list(site.history.order_by("history_id"))
    assert len(records) == 3  # created + two edits
    status_edit = records[1]
    assert status_edit.history_user == operator
    assert status_edit.history_change_reason == "hand check"
    assert status_edit.request_id == request_id == records[2].request_id
    assert diff_against_previous(status_edit) == [
        {"field": "status", "before": "available", "after": "reserved"}
    ]


@pytest.mark.django_db
def test_history_is_visible_in_the_admin(world: Any) -> None:
    admin_user = world.users["superuser"]
    object_update(obj=world.own_park, user=admin_user, data={"name": "Renamed park (example)"})
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("admin:parks_park_history", args=[world.own_park.pk]))
    assert response.status_code == 200
    assert "Renamed park (example)" in response.content.decode()


@pytest.mark.django_db
def test_every_registry_model_keeps_history() -> None:
    from django.apps import apps

    for label in ("parks", "geo"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            assert hasattr(model, "history"), model


@pytest.mark.django_db
def test_database_constraints_reject_inconsistent_facts(world: Any) -> None:
    from django.core.exceptions import ValidationError

    park = Park(
        park_id="bad-park",
        name="Bad (example)",
        kind="sez",
        country=world.own_park.country,
        area_total_ha=10,
        area_free_ha=20,
    )
    with pytest.raises(ValidationError) as info:
        park.full_clean()
    assert "free area cannot exceed the total area" in str(info.value)
    site = Site(site_id="bad-site", park=world.own_park, kind="plot", hazard_class=7)
    with pytest.raises(ValidationError) as info:
        site.full_clean()
    assert "hazard_class" in info.value.message_dict
