"""Django's Redis cache with one redis-py client per server, not one per call."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    """Keeps the `redis.Redis` client of each connection pool instead of building one per call.

    Django builds a new client for every get and set (Django 5.2); its constructor fills a
    table of ~170 response callbacks, about a third of the CPU time of a cached API read
    (bench/api.py). redis-py's client is safe to share between threads: it takes a connection
    from the pool for each command and returns it afterwards.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own helpers (not in django-stubs): the pool of the server to use.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            # Two threads may both build one; either is a correct client of the same pool.
            client = self._clients.setdefault(
                pool,
                self._client(connection_pool=pool),  # type: ignore[attr-defined]
            )
        return client


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache with RedisCacheClient above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
