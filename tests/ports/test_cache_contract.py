"""The cache port: the same contract on aiocache in memory and on Redis, and an unreachable
Redis degrading to misses instead of errors."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import pytest

from ironbridge.cache import AioCache, live_key, memory_cache, redis_cache

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

REDIS_URL = os.environ.get("IRONBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[AioCache]:
    made = memory_cache() if request.param == "memory" else redis_cache(REDIS_URL)
    yield made
    await made.aclose()


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_values_come_back_as_json(cache: AioCache) -> None:
    key = _key()
    assert await cache.get(key) is None
    value = {"at": "2025-06-01T00:00:00+00:00", "ids": ["1", "2"], "n": 3, "ok": True}
    await cache.set(key, value, ttl=30)
    assert await cache.get(key) == value
    await cache.set(key, {"n": 4}, ttl=30)
    assert await cache.get(key) == {"n": 4}


async def test_entries_expire(cache: AioCache) -> None:
    key = _key()
    # a fractional TTL is rounded up to a whole second, never to "forever"
    await cache.set(key, 1, ttl=0.2)
    backend = cache._backend
    if cache.name == "redis":
        assert await backend.client.ttl(backend.build_key(key)) == 1
    else:
        assert backend.build_key(key) in backend._handlers


async def test_ping(cache: AioCache) -> None:
    assert await cache.ping() is True


def test_keys_are_scoped_by_connection_and_version() -> None:
    assert live_key(1, 7, "purchase_order", "one", "4500000001") == (
        "live:1:v7:purchase_order:one:4500000001"
    )
    assert live_key(1, 7, "x") != live_key(2, 7, "x")
    assert live_key(1, 7, "x") != live_key(1, 8, "x")


async def test_an_unreachable_redis_is_a_miss_not_an_error() -> None:
    cache = redis_cache("redis://127.0.0.1:1/0")
    try:
        await cache.set("k", {"v": 1}, ttl=5)
        assert await cache.get("k") is None
        assert await cache.ping() is False
        assert cache.errors >= 3
    finally:
        await cache.aclose()
