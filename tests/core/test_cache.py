"""The Redis cache backend (core/cache.py): Django's, with one redis-py client per server."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from technopark.core.cache import RedisCache
from tests.conftest import require_redis

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache() -> Iterator[Any]:
    require_redis()
    prefix = f"technopark-test-{uuid.uuid4().hex}"
    cache = RedisCache(REDIS, {"KEY_PREFIX": prefix})
    yield cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_reads_and_writes_behave_as_djangos_backend(redis_cache: Any) -> None:
    body = (b'{"count": 1}', "application/json", '"etag"')
    redis_cache.set("body", body, 30)
    assert redis_cache.get("body") == body
    assert redis_cache.get("missing") is None
    assert redis_cache.get("missing", "default") == "default"
    redis_cache.set("count", 41, 30)
    assert redis_cache.incr("count") == 42
    redis_cache.set_many({"a": 1, "b": [2]}, 30)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [2]}
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get_many(["a", "b"]) == {}
    assert redis_cache.add("body", "other", 30) is False  # already there
    redis_cache.delete("body")
    assert redis_cache.get("body") is None


def test_one_client_serves_every_call(redis_cache: Any) -> None:
    # Django 5.2 builds a client per call; the point of this backend is that it does not.
    backend = redis_cache._cache
    assert backend.get_client() is backend.get_client(write=True) is backend.get_client()


def test_threads_share_the_client_safely(redis_cache: Any) -> None:
    """Sixteen threads write and read their own keys at once through the one client: every
    value read back is the one that thread wrote (redis-py takes a pooled connection per
    command)."""
    wrong: list[tuple[int, int, Any]] = []

    def work(thread: int) -> None:
        for i in range(200):
            redis_cache.set(f"t{thread}-{i}", (thread, i), 30)
            got = redis_cache.get(f"t{thread}-{i}")
            if got != (thread, i):
                wrong.append((thread, i, got))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert redis_cache.get("t15-199") == (15, 199)
