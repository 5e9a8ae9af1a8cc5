"""The event bus port and its in-process twin.

Publishers never wait on subscribers: each subscription has a bounded buffer, and a subscriber
that falls behind gets a :class:`Lagged` marker telling it to resync instead of blocking anyone.
"""

from __future__ import annotations

import abc
import asyncio
import collections
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from types import TracebackType

DEFAULT_BUFFER = 1000


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, as subscriptions and webhooks see it."""

    event_id: str
    type: str
    created_at: datetime
    connection_id: int | None
    data: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The webhook body: ``{"id", "type", "createdAt", "data"}``."""
        return {
            "id": self.event_id,
            "type": self.type,
            "createdAt": self.created_at.astimezone(UTC).isoformat(),
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class Lagged:
    """The subscriber fell behind and ``dropped`` events were discarded: resync from the store."""

    dropped: int


class Subscription(abc.ABC):
    """What ``subscribe`` returns: an async context manager and an async iterator."""

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> Subscription:
        return self

    @abc.abstractmethod
    async def __anext__(self) -> Event | Lagged:
        """The next matching event, or a :class:`Lagged` marker; ends when closed."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Stop receiving; iteration ends once what is buffered has been read."""


class EventBus(abc.ABC):
    """Fan-out of events to the subscribers of every gateway process."""

    @abc.abstractmethod
    async def publish(self, event: Event) -> None:
        """Hand ``event`` to every matching subscriber; never waits on a slow one."""

    @abc.abstractmethod
    def subscribe(
        self, predicate: Callable[[Event], bool] | None = None, *, buffer: int = DEFAULT_BUFFER
    ) -> Subscription:
        """A subscription to the events ``predicate`` accepts (all when ``None``)."""

    async def start(self) -> None:  # noqa: B027 - optional hook, most buses need none
        """Connect what the bus needs before the process serves (a no-op for most buses)."""

    @property
    def connected(self) -> bool:
        """Whether events published elsewhere reach this process right now."""
        return True

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close every subscription and refuse further publishing."""


class BusClosed(RuntimeError):
    """The bus has been closed."""


class MemorySubscription(Subscription):
    def __init__(
        self,
        bus: MemoryBus,
        predicate: Callable[[Event], bool] | None,
        buffer: int,
    ) -> None:
        if buffer < 1:
            raise ValueError("buffer must be at least 1")
        self._bus = bus
        self._predicate = predicate
        self._limit = buffer
        self._items: collections.deque[Event | Lagged] = collections.deque()
        self._ready = asyncio.Event()
        self._closed = False

    def _offer(self, event: Event) -> None:
        if self._closed or (self._predicate is not None and not self._predicate(event)):
            return
        if len(self._items) >= self._limit:
            # what is buffered is stale once the subscriber must resync: drop it, keep one marker
            self._lag(1)
            return
        self._items.append(event)
        self._ready.set()

    async def __anext__(self) -> Event | Lagged:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def _lag(self, dropped: int) -> None:
        """Tell the subscriber to resync: what is buffered is dropped, one marker stays."""
        if self._closed:
            return
        dropped += sum(i.dropped if isinstance(i, Lagged) else 1 for i in self._items)
        self._items.clear()
        self._items.append(Lagged(dropped=dropped))
        self._ready.set()

    async def aclose(self) -> None:
        self._closed = True
        self._bus._discard(self)
        self._ready.set()


class MemoryBus(EventBus):
    """In-process fan-out: the embedded mode's bus, and the twin the Redis bus is tested against."""

    def __init__(self) -> None:
        self._subscriptions: set[MemorySubscription] = set()
        self._closed = False

    async def publish(self, event: Event) -> None:
        if self._closed:
            raise BusClosed("the event bus is closed")
        for subscription in list(self._subscriptions):
            subscription._offer(event)

    def subscribe(
        self, predicate: Callable[[Event], bool] | None = None, *, buffer: int = DEFAULT_BUFFER
    ) -> MemorySubscription:
        if self._closed:
            raise BusClosed("the event bus is closed")
        subscription = MemorySubscription(self, predicate, buffer)
        self._subscriptions.add(subscription)
        return subscription

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def lag_all(self, dropped: int = 0) -> None:
        """Tell every subscriber it may have missed events (``dropped`` of them, if known)."""
        for subscription in list(self._subscriptions):
            subscription._lag(dropped)

    def _discard(self, subscription: MemorySubscription) -> None:
        self._subscriptions.discard(subscription)

    async def aclose(self) -> None:
        self._closed = True
        for subscription in list(self._subscriptions):
            await subscription.aclose()


__all__ = [
    "DEFAULT_BUFFER",
    "BusClosed",
    "Event",
    "EventBus",
    "Lagged",
    "MemoryBus",
    "MemorySubscription",
    "Subscription",
]
