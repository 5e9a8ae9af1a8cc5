"""The cache port, on aiocache: in memory for the embedded mode, on Redis when configured.

Values are JSON on both backends, so what a test sees in memory is what Redis would give back.
Keys are never deleted one by one: callers put a per-connection data version in every key (see
``live_key``) and bump the version when the data changes. A cache that cannot be reached is a
miss, never a failed query.
"""

from __future__ import annotations

import abc
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import structlog
from aiocache import RedisCache, SimpleMemoryCache
from aiocache.serializers import JsonSerializer

log = structlog.get_logger(__name__)

NAMESPACE = "ironbridge:cache:"


class Cache(abc.ABC):
    """Get and set JSON values with a time to live."""

    @abc.abstractmethod
    async def get(self, key: str) -> Any | None:
        """The value, or None when absent, expired or the cache is unavailable."""

    @abc.abstractmethod
    async def set(self, key: str, value: Any, *, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds; silently nothing when the cache is unavailable."""

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the backend answers (for /readyz)."""

    async def aclose(self) -> None:  # noqa: B027 - optional for implementations
        """Release connections, if any."""


class AioCache(Cache):
    """Any aiocache backend, with errors turned into misses (and logged, at most every 30 s)."""

    def __init__(self, backend: Any, *, name: str) -> None:
        self._backend = backend
        self.name = name
        self._warned_at = float("-inf")
        self.errors = 0

    def _failed(self, operation: str, exc: Exception) -> None:
        self.errors += 1
        now = time.monotonic()
        if now - self._warned_at > 30:
            self._warned_at = now
            log.warning(
                "cache.unavailable", backend=self.name, operation=operation, error=repr(exc)
            )

    async def get(self, key: str) -> Any | None:
        try:
            return await self._backend.get(key)
        except Exception as exc:  # an unreachable cache is a miss
            self._failed("get", exc)
            return None

    async def set(self, key: str, value: Any, *, ttl: float) -> None:
        try:
            # aiocache takes whole seconds on Redis (EX); never 0, which would mean "forever"
            await self._backend.set(key, value, ttl=max(1, round(ttl)))
        except Exception as exc:  # an unreachable cache only costs the next read
            self._failed("set", exc)

    async def ping(self) -> bool:
        probe = "ping"
        try:
            await self._backend.set(probe, 1, ttl=5)
            return bool(await self._backend.get(probe) == 1)
        except Exception as exc:  # reported as not ready, never raised
            self._failed("ping", exc)
            return False

    async def aclose(self) -> None:
        try:
            await self._backend.close()
        except Exception as exc:  # closing a dead connection is not worth a failure
            self._failed("close", exc)


class _RedisCache(RedisCache):  # type: ignore[misc]
    """aiocache's Redis backend on the current redis-py: SET with EX/PX (setex and psetex are
    deprecated there) and ``aclose`` for the connection pool."""

    async def _set(
        self, key: Any, value: Any, ttl: Any = None, _cas_token: Any = None, _conn: Any = None
    ) -> Any:
        if _cas_token is not None or ttl is None:
            return await super()._set(key, value, ttl=ttl, _cas_token=_cas_token, _conn=_conn)
        if isinstance(ttl, float):
            return await self.client.set(key, value, px=int(ttl * 1000))
        return await self.client.set(key, value, ex=ttl)

    async def _close(self, *args: Any, _conn: Any = None, **kwargs: Any) -> None:
        await self.client.aclose()


def memory_cache() -> AioCache:
    return AioCache(
        SimpleMemoryCache(serializer=JsonSerializer(), namespace=NAMESPACE), name="memory"
    )


def redis_cache(url: str, *, timeout: float = 0.5) -> AioCache:
    """aiocache's Redis backend for ``redis://[:password@]host[:port][/db]``; every operation
    gives up after ``timeout`` seconds, so an outage costs a query at most that."""
    parts = urlsplit(url)
    db = parts.path.lstrip("/")
    backend = _RedisCache(
        serializer=JsonSerializer(),
        namespace=NAMESPACE,
        endpoint=parts.hostname or "127.0.0.1",
        port=parts.port or 6379,
        db=int(db) if db else 0,
        password=unquote(parts.password) if parts.password else None,
        ssl=parts.scheme == "rediss",
        timeout=timeout,
        create_connection_timeout=timeout,
        connection_pool_kwargs={"socket_timeout": timeout},
    )
    return AioCache(backend, name="redis")


def create_cache(redis_url: str | None) -> AioCache:
    return redis_cache(redis_url) if redis_url else memory_cache()


def live_key(connection_id: int, data_version: int, *parts: str) -> str:
    """A key scoped by connection and its data version: a sync page or a write that bumps the
    version makes every older key unreachable at once."""
    return ":".join(("live", str(connection_id), f"v{data_version}", *parts))


__all__ = ["AioCache", "Cache", "create_cache", "live_key", "memory_cache", "redis_cache"]
