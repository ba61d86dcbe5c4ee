"""RecentReads: each process keeps the cache entries it read in the last few seconds, so a
cached read against Redis makes no round trip; an edit is still seen by the next read."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from technopark.parks.api import RecentReads, recent_reads
from tests.conftest import require_redis

API = "/api/v1"


def _body(size: int) -> tuple[bytes, str, str]:
    return (b"x" * size, "application/json", '"etag"')


def test_a_copy_is_kept_for_its_seconds_only() -> None:
    recent = RecentReads(seconds=0.05)
    recent.put("k", _body(10))
    recent.put("count", 41)
    assert recent.get("k") == _body(10)
    assert recent.get("count") == 41
    assert recent.get("other") is None
    time.sleep(0.1)
    assert recent.get("k") is None
    assert recent.get("count") is None


def test_the_oldest_copies_go_first_beyond_the_byte_limit() -> None:
    recent = RecentReads(max_bytes=1000)  # bodies of 100 bytes: ten fit
    for i in range(12):
        recent.put(f"k{i}", _body(100))
    assert [recent.get(f"k{i}") is not None for i in range(12)] == [False] * 2 + [True] * 10
    recent.put("k5", _body(100))  # a key written again counts once
    assert sum(recent.get(f"k{i}") is not None for i in range(12)) == 10
    recent.put("large", _body(200))  # over an eighth of the limit: not kept
    assert recent.get("large") is None
    recent.clear()
    assert recent.get("k11") is None


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[Any]:
    """The default cache on the Redis server this machine runs (as in production)."""
    require_redis()
    prefix = f"technopark-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "technopark.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    recent_reads.clear()
    client = caches["default"]._cache.get_client(write=True)

    def forget_shared() -> None:
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)

    yield forget_shared
    forget_shared()
    recent_reads.clear()


def _names(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.content
    return {row["park_id"]: row["name"] for row in response.json()["results"]}


def test_a_read_is_answered_from_the_process_copy(
    world: Any, redis_cache: Any, routed: list[str]
) -> None:
    anonymous = Client()
    detail = f"{API}/parks/{world.own_park.park_id}"
    first = {path: anonymous.get(path) for path in [f"{API}/parks", detail]}
    redis_cache()  # the shared entries are gone: only this process's copies are left
    routed.clear()
    for path, answer in first.items():
        again = anonymous.get(path)
        assert (again.status_code, again.content) == (200, answer.content)
        assert again["ETag"] == answer["ETag"]
    assert routed == []  # answered from the copies, not built again


def test_an_edit_is_seen_by_the_next_read(world: Any, redis_cache: Any) -> None:
    from technopark.core import services

    anonymous = Client()
    park = world.own_park
    assert _names(anonymous.get(f"{API}/parks"))[park.park_id] != "Renamed park"
    before = anonymous.get(f"{API}/parks/{park.park_id}")
    services.object_update(obj=park, user=world.users["admin"], data={"name": "Renamed park"})
    assert _names(anonymous.get(f"{API}/parks"))[park.park_id] == "Renamed park"
    after = anonymous.get(f"{API}/parks/{park.park_id}")
    assert after.json()["name"] == "Renamed park"
    assert after["ETag"] != before["ETag"]


@pytest.mark.django_db(transaction=True)
def test_a_commit_by_another_connection_is_seen_by_the_next_read(
    world: Any, redis_cache: Any
) -> None:
    """As another worker's edit: committed on its own database connection, while this process
    holds copies of the answers from before it."""
    from technopark.core import services
    from technopark.parks.models import Park

    anonymous = Client()
    park = world.own_park
    path = f"{API}/parks/{park.park_id}"
    assert anonymous.get(path).json()["name"] != "Edited elsewhere"
    anonymous.get(f"{API}/parks")
    failures: list[BaseException] = []

    def edit() -> None:
        try:
            other = Park.objects.get(pk=park.pk)
            services.object_update(
                obj=other, user=world.users["admin"], data={"name": "Edited elsewhere"}
            )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=edit)
    worker.start()
    worker.join()
    assert failures == []
    assert anonymous.get(path).json()["name"] == "Edited elsewhere"
    assert _names(anonymous.get(f"{API}/parks"))[park.park_id] == "Edited elsewhere"
