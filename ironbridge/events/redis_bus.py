"""The event bus over Redis pub/sub: every gateway process sees every process's events.

Each process holds one listener (a pattern subscription to the bus's channels, one channel per
event family) and fans what arrives out to its local subscribers through a :class:`MemoryBus`,
so buffering, predicates and :class:`Lagged` work exactly as in the embedded mode. Publishing
goes through Redis only, so local and remote subscribers see one order.

Redis is a live channel, not a store: when the listener loses Redis it reconnects with backoff
and, once subscribed again, gives every local subscriber a :class:`Lagged` marker so it resyncs
from the store. A publish that Redis refuses is logged and this process's subscribers are told
to resync; nothing the store or the webhook outbox holds is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from ironbridge.events.bus import DEFAULT_BUFFER, BusClosed, Event, EventBus, MemoryBus
from ironbridge.store.engine import json_dumps

if TYPE_CHECKING:
    from collections.abc import Callable

    from ironbridge.events.bus import MemorySubscription

log = structlog.get_logger(__name__)

DEFAULT_PREFIX = "ironbridge:events"
# seconds: a publish or a connect never holds a sync or a request up for longer
OPERATION_TIMEOUT = 2.0
# seconds: the listener's first wait before reconnecting, doubled up to the cap
RECONNECT_MIN = 0.1
RECONNECT_MAX = 5.0
# seconds ``start`` waits for the first subscription before serving without it
START_WAIT = 5.0


def encode(event: Event) -> str:
    """The webhook body of the event, plus the connection it concerns."""
    return json_dumps({**event.payload(), "connectionId": event.connection_id})


def decode(raw: bytes | str) -> Event:
    body: dict[str, Any] = json.loads(raw)
    connection_id = body.get("connectionId")
    return Event(
        event_id=str(body["id"]),
        type=str(body["type"]),
        created_at=datetime.fromisoformat(body["createdAt"]),
        connection_id=int(connection_id) if connection_id is not None else None,
        data=dict(body["data"]),
    )


class RedisBus(EventBus):
    """Fan-out across processes over Redis pub/sub, one listener per process."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        reconnect_min: float = RECONNECT_MIN,
        reconnect_max: float = RECONNECT_MAX,
    ) -> None:
        self._url = url
        self._prefix = prefix
        self._reconnect_min = reconnect_min
        self._reconnect_max = reconnect_max
        self._local = MemoryBus()
        # the listener retries nothing itself: it must see an outage to tell subscribers;
        # a publish tries once more, on a fresh connection after a Redis restart
        self._publisher = Redis.from_url(
            url,
            socket_connect_timeout=OPERATION_TIMEOUT,
            socket_timeout=OPERATION_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        self._subscriber = Redis.from_url(
            url,
            socket_connect_timeout=OPERATION_TIMEOUT,
            health_check_interval=5,
            retry=Retry(NoBackoff(), 0),
        )
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._closed = False
        self.reconnects = 0

    def channel(self, event_type: str) -> str:
        """The channel of an event's family: ``<prefix>:record`` for ``record.created``."""
        return f"{self._prefix}:{event_type.split('.', 1)[0]}"

    @property
    def connected(self) -> bool:
        """Whether the listener is subscribed right now."""
        return self._subscribed.is_set()

    @property
    def subscriber_count(self) -> int:
        return self._local.subscriber_count

    async def start(self) -> None:
        """Start the listener and wait (a little) for its subscription; Redis may be down."""
        self._ensure_listener()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(START_WAIT):
                await self._subscribed.wait()

    async def publish(self, event: Event) -> None:
        if self._closed:
            raise BusClosed("the event bus is closed")
        try:
            await self._publisher.publish(self.channel(event.type), encode(event))
        except (RedisError, OSError) as exc:
            log.warning("events.publish_failed", type=event.type, error=str(exc))
            # this process's subscribers missed it: they resync; others learn on reconnect
            self._local.lag_all(1)

    def subscribe(
        self, predicate: Callable[[Event], bool] | None = None, *, buffer: int = DEFAULT_BUFFER
    ) -> MemorySubscription:
        if self._closed:
            raise BusClosed("the event bus is closed")
        self._ensure_listener()
        return self._local.subscribe(predicate, buffer=buffer)

    def _ensure_listener(self) -> None:
        if self._listener is None and not self._closed:
            self._listener = asyncio.create_task(self._listen(), name="event-bus-listener")

    async def _listen(self) -> None:
        delay = self._reconnect_min
        lost = False
        while not self._closed:
            pubsub = self._subscriber.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(f"{self._prefix}:*")
                # read the confirmation so the subscription is in place before we say so
                first = await pubsub.get_message(timeout=OPERATION_TIMEOUT)
                if lost:
                    # whatever was published meanwhile is gone: every subscriber resyncs
                    self.reconnects += 1
                    log.info("events.bus_reconnected", reconnects=self.reconnects)
                    self._local.lag_all()
                self._subscribed.set()
                if first is not None and first.get("type") == "pmessage":
                    await self._deliver(first["data"])
                lost = False
                delay = self._reconnect_min
                while not self._closed:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message.get("type") == "pmessage":
                        await self._deliver(message["data"])
            except (RedisError, OSError) as exc:
                if not lost:
                    log.warning("events.bus_disconnected", error=str(exc))
                lost = True
                self._subscribed.clear()
            except Exception:  # a bug must not end the listener: log, then start over
                log.exception("events.bus_listener_failed")
                lost = True
                self._subscribed.clear()
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            if not self._closed:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._reconnect_max)

    async def _deliver(self, raw: bytes | str) -> None:
        try:
            event = decode(raw)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("events.bad_message", error=str(exc))
            return
        # the local bus offers without waiting; it is closed only after the listener stops
        await self._local.publish(event)

    async def aclose(self) -> None:
        self._closed = True
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        self._subscribed.clear()
        await self._local.aclose()
        for client in (self._publisher, self._subscriber):
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()


__all__ = ["DEFAULT_PREFIX", "RedisBus", "decode", "encode"]
