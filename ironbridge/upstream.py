"""Every call to a connected system, whoever makes it (a sync, a live read, a write), goes
through one transport per connector that spends the connection's shared request budget and
counts the call in the metrics.

The budget is a ``Limiter`` bucket keyed by connection: in memory in the embedded mode, in
Redis in scale-out (so gateways and workers share it). A request waits for its turn up to
``IRONBRIDGE_UPSTREAM_MAX_WAIT`` seconds; beyond that it is not sent and the caller gets
``RateLimited`` with the time until a request frees up (a sync waits and resumes, an API
caller gets ``RATE_LIMITED`` with ``retryAfter``).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.connectors.errors import BudgetSpent
from ironbridge.connectors.factory import open_connector
from ironbridge.connectors.http import DEFAULT_LIMITS
from ironbridge.ratelimit import LimitExceeded
from ironbridge.store import connections as connection_store

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy import Row

    from ironbridge.connectors.base import Connector
    from ironbridge.observability import Metrics
    from ironbridge.ratelimit import Limiter
    from ironbridge.services import Services
    from ironbridge.settings import Settings


class UpstreamTransport(httpx.AsyncBaseTransport):
    """Spends one request of the connection's budget per exchange and counts it."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        system: str,
        connection_id: int | str,
        limiter: Limiter,
        settings: Settings,
        metrics: Metrics | None = None,
        system_limit: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._inner = inner
        self._system = system
        self._key = f"upstream:{connection_id}"
        self._limiter = limiter
        self._per_minute = settings.upstream_requests_per_minute
        self._burst = settings.upstream_burst
        if system_limit is not None and system_limit < self._per_minute:
            # the system's documented limit is tighter: ten seconds' worth at once, at most
            self._per_minute = system_limit
            self._burst = max(1, min(self._burst, int(system_limit / 6)))
        self._max_wait = settings.upstream_max_wait
        self._metrics = metrics
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            wait = await self._limiter.reserve(
                self._key, per_minute=self._per_minute, burst=self._burst, max_wait=self._max_wait
            )
        except LimitExceeded as exc:
            raise BudgetSpent(
                self._system,
                f"Ironbridge's request budget for this connection ({self._per_minute:g} "
                "requests per minute) is spent; the request was not sent",
                retry_after=exc.retry_after,
            ) from None
        if wait > 0:
            await self._sleep(wait)
        status: int | None = None
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
            status = response.status_code
            return response
        finally:
            if self._metrics is not None:
                label = str(status) if status is not None else "error"
                self._metrics.upstream_requests.labels(self._system, request.method, label).inc()
                self._metrics.upstream_duration.labels(self._system).observe(
                    time.perf_counter() - started
                )

    async def aclose(self) -> None:
        await self._inner.aclose()


async def stored_credentials(services: Services, connection_id: int) -> dict[str, str]:
    """The connection's credentials, decrypted (empty for sandboxes)."""
    async with services.engine.connect() as conn:
        ciphertext = await connection_store.load_credentials(conn, connection_id)
    secrets = services.secretbox.decrypt(str(connection_id), ciphertext) if ciphertext else {}
    return {str(k): str(v) for k, v in secrets.items()}


def connection_connector(
    services: Services,
    row: Row[Any],
    credentials: dict[str, str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Connector:
    """The connector of a stored connection, its calls on the connection's shared budget."""

    cls = services.registry.get(row.system_key)
    # a sandbox answers from an in-process emulator: only our own budget applies
    limit = None if cls is None or row.sandbox else cls.system.requests_per_minute

    def budgeted(inner: httpx.AsyncBaseTransport | None) -> httpx.AsyncBaseTransport:
        return UpstreamTransport(
            inner or httpx.AsyncHTTPTransport(limits=DEFAULT_LIMITS),
            system=row.system_key,
            connection_id=row.id,
            limiter=services.limiter,
            settings=services.settings,
            metrics=services.metrics,
            system_limit=limit,
        )

    return open_connector(
        services.registry,
        row.system_key,
        connection_id=str(row.id),
        instance_url=row.instance_url,
        credentials=credentials,
        options=row.options,
        sandbox=row.sandbox,
        transport=transport,
        wrap_transport=budgeted,
    )


async def open_connection_connector(services: Services, row: Row[Any]) -> Connector:
    """Decrypt the stored credentials of ``row`` and open its connector."""
    return connection_connector(services, row, await stored_credentials(services, row.id))


__all__ = [
    "UpstreamTransport",
    "connection_connector",
    "open_connection_connector",
    "stored_credentials",
]
