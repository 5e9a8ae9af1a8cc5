"""Delivers queued webhooks: claims due deliveries, signs and POSTs them, logs every attempt.

Claims are safe with several dispatchers on one store: PostgreSQL skips rows another worker has
locked, and a claim only takes rows still due, so a crashed process's lapsed leases are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ironbridge.events.bus import BusClosed, Event
from ironbridge.events.endpoints import disable_endpoint, signing_keys
from ironbridge.events.outbox import emit
from ironbridge.events.retry import (
    RETRY_SCHEDULE,
    THROTTLE_STATUSES,
    RetryPolicy,
    parse_retry_after,
)
from ironbridge.events.signing import webhook_headers
from ironbridge.schema.ids import to_global_id
from ironbridge.security.secretbox import SecretBoxError
from ironbridge.security.ssrf import UnsafeUrlError, check_url_async
from ironbridge.store.engine import json_dumps
from ironbridge.store.webhook_tables import (
    events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from ironbridge.events.bus import EventBus
    from ironbridge.events.signing import SigningKeys
    from ironbridge.observability import Metrics
    from ironbridge.security.secretbox import SecretBox

log = structlog.get_logger("ironbridge.webhooks")

USER_AGENT = "Ironbridge-Webhooks/1"
TIMEOUT_SECONDS = 15.0
EXCERPT_CHARS = 500
DISABLE_AFTER = timedelta(days=5)
LEASE = timedelta(minutes=2)
GONE = 410


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Claim:
    delivery_id: int
    attempts: int
    endpoint_id: int
    url: str
    keys: SigningKeys | None  # None: the secret cannot be decrypted
    event: Event


@dataclass(frozen=True, slots=True)
class _Outcome:
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    retry_after: timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookDispatcher:
    """Polls the outbox for due deliveries; ``wake()`` right after an emit skips the wait."""

    def __init__(
        self,
        engine: AsyncEngine,
        secretbox: SecretBox,
        metrics: Metrics,
        *,
        http_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        poll_interval: float = 1.0,
        schedule: Sequence[timedelta] = RETRY_SCHEDULE,
        jitter: float = 0.1,
        rng: random.Random | None = None,
        disable_after: timedelta = DISABLE_AFTER,
        timeout: float = TIMEOUT_SECONDS,
        lease: timedelta = LEASE,
        batch_size: int = 50,
        bus: EventBus | None = None,
        allow_private: bool = True,
        resolver: Callable[[str], Awaitable[Iterable[str]]] | None = None,
    ) -> None:
        self._engine = engine
        self._secretbox = secretbox
        self._metrics = metrics
        self._clock = clock
        self._poll_interval = poll_interval
        self._policy = RetryPolicy(schedule=schedule, jitter=jitter, rng=rng or random.Random())
        self._disable_after = disable_after
        self._lease = lease
        self._batch_size = batch_size
        self._bus = bus
        self._allow_private = allow_private
        self._resolver = resolver
        self._client = httpx.AsyncClient(
            transport=http_transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # deliveries this dispatcher has claimed and not yet settled
        self._held: set[int] = set()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Run the polling loop as a task until :meth:`aclose`."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="webhook-dispatcher")

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        self._wake.set()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._release_held()
        await self._client.aclose()

    async def _release_held(self) -> None:
        """Hand unfinished claims back at shutdown, so a restarted gateway retries them at once
        instead of waiting for their lease to lapse."""
        if not self._held:
            return
        d = webhook_deliveries.c
        with contextlib.suppress(SQLAlchemyError, OSError):
            async with self._engine.begin() as conn:
                await conn.execute(
                    webhook_deliveries.update()
                    .where(d.id.in_(sorted(self._held)), d.status == "delivering")
                    .values(status="pending", lease_expires_at=None)
                )
        self._held.clear()

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except* (SQLAlchemyError, OSError) as group:
                # the store is away: keep polling, it will come back
                errors = [f"{type(exc).__name__}: {exc}" for exc in group.exceptions]
                log.warning("webhook_dispatch_failed", errors=errors)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)

    # --- delivering ----------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Attempt every delivery due now; returns the number of attempts made."""
        async with self._lock:
            attempted: set[int] = set()
            while True:
                claims = await self._claim(self._clock(), exclude=attempted)
                if not claims:
                    return len(attempted)
                async with asyncio.TaskGroup() as group:
                    for claim in claims:
                        group.create_task(self._deliver(claim))
                attempted.update(claim.delivery_id for claim in claims)
                self._held.difference_update(claim.delivery_id for claim in claims)

    async def deliver_now(self, delivery_id: int) -> bool:
        """Attempt one pending delivery at once, whatever its schedule; False if not pending."""
        async with self._lock:
            claims = await self._claim(self._clock(), only=delivery_id)
            for claim in claims:
                await self._deliver(claim)
                self._held.discard(claim.delivery_id)
            return bool(claims)

    def _due(self, now: datetime, *, only: int | None) -> ColumnElement[bool]:
        d = webhook_deliveries.c
        lapsed = and_(d.status == "delivering", d.lease_expires_at <= now)
        if only is not None:
            return and_(d.id == only, or_(d.status == "pending", lapsed))
        return or_(and_(d.status == "pending", d.next_attempt_at <= now), lapsed)

    async def _claim(
        self, now: datetime, *, exclude: Collection[int] = (), only: int | None = None
    ) -> list[_Claim]:
        d = webhook_deliveries.c
        due = self._due(now, only=only)
        async with self._engine.begin() as conn:
            query = (
                select(d.id)
                .join(webhook_endpoints, webhook_endpoints.c.id == d.endpoint_id)
                .where(due, webhook_endpoints.c.enabled.is_(True))
                .order_by(d.next_attempt_at, d.id)
                .limit(self._batch_size)
            )
            if exclude:
                query = query.where(d.id.not_in(list(exclude)))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=webhook_deliveries, skip_locked=True)
            ids = list((await conn.execute(query)).scalars())
            if not ids:
                return []
            # the same condition again: on SQLite another dispatcher may have claimed them first
            result = await conn.execute(
                webhook_deliveries.update()
                .where(d.id.in_(ids), due)
                .values(status="delivering", lease_expires_at=now + self._lease)
                .returning(d.id)
            )
            claimed = sorted(int(i) for i in result.scalars())
            self._held.update(claimed)
            return await self._load(conn, claimed)

    async def _load(self, conn: AsyncConnection, ids: Sequence[int]) -> list[_Claim]:
        if not ids:
            return []
        d, e, w = webhook_deliveries.c, events.c, webhook_endpoints.c
        query = (
            select(
                d.id,
                d.attempts,
                d.endpoint_id,
                w.url,
                w.secret_ciphertext,
                w.previous_secret_expires_at,
                e.event_id,
                e.type,
                e.created_at,
                e.connection_id,
                e.data,
            )
            .join(events, e.id == d.event_id)
            .join(webhook_endpoints, w.id == d.endpoint_id)
            .where(d.id.in_(ids))
            .order_by(d.id)
        )
        claims = []
        for row in (await conn.execute(query)).all():
            try:
                keys: SigningKeys | None = signing_keys(
                    self._secretbox,
                    row.endpoint_id,
                    row.secret_ciphertext,
                    row.previous_secret_expires_at,
                )
            except SecretBoxError:
                keys = None
            event = Event(
                event_id=row.event_id,
                type=row.type,
                created_at=row.created_at,
                connection_id=row.connection_id,
                data=dict(row.data or {}),
            )
            claims.append(_Claim(row.id, row.attempts, row.endpoint_id, row.url, keys, event))
        return claims

    async def _deliver(self, claim: _Claim) -> None:
        now = self._clock()
        started = time.perf_counter()
        if claim.keys is None:
            outcome = _Outcome(error="the signing secret cannot be decrypted with the current keys")
        else:
            outcome = await self._post(claim, claim.keys, now)
        duration_ms = round((time.perf_counter() - started) * 1000)
        try:
            disabled = await self._record(claim, outcome, now=now, duration_ms=duration_ms)
        except IntegrityError:
            # the endpoint was deleted while the request was in flight
            log.info("webhook_delivery_vanished", delivery_id=claim.delivery_id)
            return
        if disabled is not None:
            self.wake()
            if self._bus is not None:
                with contextlib.suppress(BusClosed):  # shutting down
                    await self._bus.publish(disabled)

    async def _post(self, claim: _Claim, keys: SigningKeys, now: datetime) -> _Outcome:
        body = json_dumps(claim.event.payload())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **webhook_headers(
                keys.active(now), msg_id=claim.event.event_id, timestamp=now, body=body
            ),
        }
        try:
            await check_url_async(
                claim.url, allow_private=self._allow_private, resolver=self._resolver
            )
            async with self._client.stream(
                "POST", claim.url, content=body.encode(), headers=headers
            ) as response:
                excerpt = await _read_excerpt(response)
        except UnsafeUrlError as exc:
            return _Outcome(error=f"refused: {exc.detail}")
        except httpx.TimeoutException:
            return _Outcome(error="timed out")
        except httpx.HTTPError as exc:
            return _Outcome(error=f"{type(exc).__name__}: {exc}".strip(": "))
        retry_after = None
        if response.status_code in THROTTLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"), now=now)
        return _Outcome(status_code=response.status_code, excerpt=excerpt, retry_after=retry_after)

    async def _record(
        self, claim: _Claim, outcome: _Outcome, *, now: datetime, duration_ms: int
    ) -> Event | None:
        """Log the attempt and move the delivery on; returns a disabled event if one was made."""
        w = webhook_endpoints.c
        async with self._engine.begin() as conn:
            # the endpoint row first, always: one lock order for everything that touches it
            locked = await conn.execute(
                select(w.failing_since).where(w.id == claim.endpoint_id).with_for_update()
            )
            endpoint = locked.first()
            if endpoint is None:  # deleted meanwhile, with its deliveries
                return None
            await conn.execute(
                webhook_attempts.insert().values(
                    delivery_id=claim.delivery_id,
                    attempted_at=now,
                    duration_ms=duration_ms,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    response_excerpt=outcome.excerpt,
                )
            )
            if outcome.succeeded:
                await self._succeed(conn, claim, outcome, now, endpoint.failing_since)
                return None
            return await self._fail(conn, claim, outcome, now, endpoint.failing_since)

    def _move(self, claim: _Claim, outcome: _Outcome, **values: Any) -> Any:
        d = webhook_deliveries.c
        return (
            webhook_deliveries.update()
            .where(d.id == claim.delivery_id, d.status == "delivering")
            .values(
                attempts=claim.attempts + 1,
                lease_expires_at=None,
                last_status_code=outcome.status_code,
                **values,
            )
        )

    async def _succeed(
        self,
        conn: AsyncConnection,
        claim: _Claim,
        outcome: _Outcome,
        now: datetime,
        failing_since: datetime | None,
    ) -> None:
        await conn.execute(
            self._move(
                claim,
                outcome,
                status="succeeded",
                next_attempt_at=None,
                delivered_at=now,
                last_error=None,
            )
        )
        if failing_since is not None:
            await conn.execute(
                webhook_endpoints.update()
                .where(webhook_endpoints.c.id == claim.endpoint_id)
                .values(failing_since=None)
            )
        self._metrics.webhook_deliveries.labels("succeeded").inc()

    async def _fail(
        self,
        conn: AsyncConnection,
        claim: _Claim,
        outcome: _Outcome,
        now: datetime,
        failing_since: datetime | None,
    ) -> Event | None:
        if failing_since is None:
            failing_since = now
            await conn.execute(
                webhook_endpoints.update()
                .where(webhook_endpoints.c.id == claim.endpoint_id)
                .values(failing_since=now)
            )
        reason = None
        if outcome.status_code == GONE:
            reason = "The receiver answered 410 Gone."
        elif now - failing_since >= self._disable_after:
            reason = f"Every delivery failed for {_describe(self._disable_after)}."
        delay = None
        if reason is None:
            delay = self._policy.next_delay(claim.attempts + 1, retry_after=outcome.retry_after)
        await conn.execute(
            self._move(
                claim,
                outcome,
                status="failed" if delay is None else "pending",
                next_attempt_at=None if delay is None else now + delay,
                last_error=outcome.error or f"HTTP {outcome.status_code}",
            )
        )
        self._metrics.webhook_deliveries.labels("failed" if delay is None else "retrying").inc()
        if reason is None or not await disable_endpoint(
            conn, claim.endpoint_id, reason=reason, now=now
        ):
            return None
        log.warning("webhook_endpoint_disabled", endpoint_id=claim.endpoint_id, reason=reason)
        return await emit(
            conn,
            type="webhook_endpoint.disabled",
            data={
                "endpointId": to_global_id("WebhookEndpoint", claim.endpoint_id),
                "url": claim.url,
                "reason": reason,
                "disabledAt": now.astimezone(UTC).isoformat(),
            },
            now=now,
        )


def _describe(span: timedelta) -> str:
    if span.days and not span.seconds:
        return f"{span.days} day" + ("s" if span.days != 1 else "")
    return f"{span.total_seconds() / 3600:g} hours"


async def _read_excerpt(response: httpx.Response) -> str:
    """The start of the response body, enough for the attempt log."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_CHARS * 4:
            break
    return b"".join(chunks).decode("utf-8", errors="replace")[:EXCERPT_CHARS]


__all__ = ["DISABLE_AFTER", "LEASE", "USER_AGENT", "WebhookDispatcher"]
