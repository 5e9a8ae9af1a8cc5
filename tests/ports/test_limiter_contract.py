"""The limiter port (GCRA): the same arithmetic in memory and in Redis, and a Redis outage
falling back to a per-process limit rather than failing calls."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import pytest

from ironbridge.ratelimit import Limiter, LimitExceeded, MemoryLimiter, RedisLimiter

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

REDIS_URL = os.environ.get("IRONBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis", "redis-down"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    made: Limiter = {
        "memory": lambda: MemoryLimiter(),
        "redis": lambda: RedisLimiter(REDIS_URL),
        "redis-down": lambda: RedisLimiter("redis://127.0.0.1:1/0"),
    }[request.param]()
    yield made
    await made.aclose()


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_a_burst_goes_at_once_then_requests_wait_their_turn(limiter: Limiter) -> None:
    key = _key()
    # one request per minute, bursts of three: three at once, the fourth would wait ~60 s
    waits = [await limiter.reserve(key, per_minute=1, burst=3, max_wait=0) for _ in range(3)]
    assert waits == [0.0, 0.0, 0.0]
    with pytest.raises(LimitExceeded) as caught:
        await limiter.reserve(key, per_minute=1, burst=3, max_wait=0)
    assert 55 < caught.value.retry_after <= 60
    # a caller willing to queue gets its place and the time to wait for it
    wait = await limiter.reserve(key, per_minute=1, burst=3, max_wait=120)
    assert 55 < wait <= 60
    # and the next one queues behind it
    with pytest.raises(LimitExceeded) as caught:
        await limiter.reserve(key, per_minute=1, burst=3, max_wait=60)
    assert 115 < caught.value.retry_after <= 120


async def test_keys_are_independent(limiter: Limiter) -> None:
    first, second = _key(), _key()
    await limiter.reserve(first, per_minute=1, burst=1)
    with pytest.raises(LimitExceeded):
        await limiter.reserve(first, per_minute=1, burst=1)
    assert await limiter.reserve(second, per_minute=1, burst=1) == 0.0


async def test_a_refused_request_takes_nothing(limiter: Limiter) -> None:
    key = _key()
    await limiter.reserve(key, per_minute=1, burst=1)
    for _ in range(5):
        with pytest.raises(LimitExceeded) as caught:
            await limiter.reserve(key, per_minute=1, burst=1)
        # refusals do not push the next free slot further away
        assert caught.value.retry_after <= 60


async def test_bad_budgets_are_refused(limiter: Limiter) -> None:
    with pytest.raises(ValueError, match="per_minute"):
        await limiter.reserve(_key(), per_minute=0, burst=1)
    with pytest.raises(ValueError, match="burst"):
        await limiter.reserve(_key(), per_minute=10, burst=0)


async def test_the_bucket_refills_with_time() -> None:
    clock = FrozenClock()
    limiter = MemoryLimiter(clock=clock)
    for _ in range(2):
        await limiter.reserve("k", per_minute=60, burst=2)
    with pytest.raises(LimitExceeded):
        await limiter.reserve("k", per_minute=60, burst=2)
    clock.now += 1.0  # one request per second refills one token
    assert await limiter.reserve("k", per_minute=60, burst=2) == 0.0
    with pytest.raises(LimitExceeded):
        await limiter.reserve("k", per_minute=60, burst=2)
    clock.now += 10.0  # never more than the burst
    assert [await limiter.reserve("k", per_minute=60, burst=2) for _ in range(2)] == [0.0, 0.0]
    with pytest.raises(LimitExceeded):
        await limiter.reserve("k", per_minute=60, burst=2)


async def test_processes_share_a_redis_bucket() -> None:
    key = _key()
    first, second = RedisLimiter(REDIS_URL), RedisLimiter(REDIS_URL)
    try:
        await first.reserve(key, per_minute=1, burst=2)
        await second.reserve(key, per_minute=1, burst=2)
        with pytest.raises(LimitExceeded):
            await first.reserve(key, per_minute=1, burst=2)
    finally:
        await first.aclose()
        await second.aclose()
