"""Rate limits: one algorithm (GCRA, a token bucket kept as one timestamp per key), in memory for
the embedded mode and in Redis when several processes must share a budget.

``reserve`` answers how long the caller must wait before going ahead, and raises
``LimitExceeded`` when that wait would be longer than the caller accepts. The same limiter gives
Ironbridge's own per-credential API limit (``max_wait=0``: refuse at once) and the per-connection
upstream request budget shared by syncs, live reads and writes (callers queue up to a bound).
"""

from __future__ import annotations

import abc
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable

log = structlog.get_logger(__name__)


class LimitExceeded(Exception):
    """Going ahead would mean waiting longer than accepted; try again after ``retry_after``."""

    def __init__(self, key: str, retry_after: float) -> None:
        super().__init__(f"rate limit of {key!r} exceeded; retry after {retry_after:.2f} s")
        self.key = key
        self.retry_after = retry_after


def _check(per_minute: float, burst: int) -> float:
    if per_minute <= 0:
        raise ValueError("per_minute must be positive")
    if burst < 1:
        raise ValueError("burst must be at least 1")
    return 60.0 / per_minute


class Limiter(abc.ABC):
    """Key → a bucket of ``burst`` requests refilled at ``per_minute``."""

    @abc.abstractmethod
    async def reserve(
        self, key: str, *, per_minute: float, burst: int, max_wait: float = 0.0
    ) -> float:
        """Take one request from ``key``'s bucket: the seconds to wait before sending it (0 when
        at once). When the wait would exceed ``max_wait`` nothing is taken and ``LimitExceeded``
        says how long until a request is free."""

    async def aclose(self) -> None:  # noqa: B027 - optional for implementations
        """Release connections, if any."""


class MemoryLimiter(Limiter):
    """Buckets in this process; the oldest idle keys are forgotten beyond ``max_keys``."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self._clock = clock
        self._max_keys = max_keys
        # key -> theoretical arrival time of the next request
        self._tat: OrderedDict[str, float] = OrderedDict()

    async def reserve(
        self, key: str, *, per_minute: float, burst: int, max_wait: float = 0.0
    ) -> float:
        interval = _check(per_minute, burst)
        now = self._clock()
        new_tat = max(self._tat.get(key, now), now) + interval
        wait = new_tat - now - burst * interval
        if wait > max_wait:
            raise LimitExceeded(key, wait)
        self._tat[key] = new_tat
        self._tat.move_to_end(key)
        while len(self._tat) > self._max_keys:
            self._tat.popitem(last=False)
        return max(wait, 0.0)


# the same arithmetic as MemoryLimiter, atomically in Redis, on Redis's own clock so that every
# process agrees whatever their clocks say
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - burst * interval
if wait > max_wait then return {0, tostring(wait)} end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
if wait < 0 then wait = 0 end
return {1, tostring(wait)}
"""


class RedisLimiter(Limiter):
    """Buckets shared by every process through Redis. While Redis cannot be reached the limits
    hold per process (a local ``MemoryLimiter``), so an outage never turns into failed calls."""

    def __init__(self, url: str, *, prefix: str = "ironbridge:rl:", timeout: float = 0.5) -> None:
        import redis.asyncio as aioredis

        self._redis: Any = aioredis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self._redis.register_script(_GCRA)
        self._prefix = prefix
        self._fallback = MemoryLimiter()
        self._warned_at = float("-inf")

    async def reserve(
        self, key: str, *, per_minute: float, burst: int, max_wait: float = 0.0
    ) -> float:
        interval = _check(per_minute, burst)
        try:
            allowed, wait = await self._script(
                keys=[self._prefix + key], args=[interval, burst, max_wait]
            )
        except Exception as exc:  # any Redis failure: keep limiting, in this process
            self._degraded(exc)
            return await self._fallback.reserve(
                key, per_minute=per_minute, burst=burst, max_wait=max_wait
            )
        seconds = float(wait)
        if not int(allowed):
            raise LimitExceeded(key, seconds)
        return seconds

    def _degraded(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 30:
            self._warned_at = now
            log.warning("ratelimit.redis_unavailable", error=type(exc).__name__)

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_limiter(redis_url: str | None) -> Limiter:
    return RedisLimiter(redis_url) if redis_url else MemoryLimiter()


__all__ = [
    "LimitExceeded",
    "Limiter",
    "MemoryLimiter",
    "RedisLimiter",
    "create_limiter",
]
