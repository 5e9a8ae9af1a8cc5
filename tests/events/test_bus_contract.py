"""The event bus contract, run against the in-memory bus and the Redis bus alike."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from ironbridge.events.bus import BusClosed, Event, EventBus, Lagged, MemoryBus
from ironbridge.events.redis_bus import RedisBus
from tests.scaleout.redis_server import redis_server

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from ironbridge.events.bus import Subscription

REDIS_ENV = "IRONBRIDGE_TEST_REDIS_URL"
# bound of every wait for an event (seconds); never an assertion on how long it took
WAIT = 10.0


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.fail(f"{REDIS_ENV} is not set: these tests need a real Redis (see the README)")
    return url


def event(n: int, type: str = "record.created", connection_id: int | None = 1) -> Event:
    return Event(
        event_id=f"evt_{n}",
        type=type,
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        connection_id=connection_id,
        data={"n": n, "nested": {"ok": True}},
    )


async def started(bus: EventBus) -> EventBus:
    await bus.start()
    return bus


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    made: EventBus
    if request.param == "memory":
        made = MemoryBus()
    else:
        # a prefix of its own keeps parallel tests on the shared server apart
        made = RedisBus(redis_url(), prefix=f"ib-test:{uuid.uuid4().hex}")
    await made.start()
    yield made
    await made.aclose()


async def take(subscription: Subscription, n: int) -> list[Event | Lagged]:
    items: list[Event | Lagged] = []
    async with asyncio.timeout(WAIT):
        async for item in subscription:
            items.append(item)
            if len(items) == n:
                break
    return items


async def test_a_subscriber_receives_events_in_order(bus: EventBus) -> None:
    async with bus.subscribe() as subscription:
        for n in range(5):
            await bus.publish(event(n))
        assert await take(subscription, 5) == [event(n) for n in range(5)]


async def test_every_subscriber_gets_its_own_copy_and_predicates_filter(bus: EventBus) -> None:
    everything = bus.subscribe()
    only_two = bus.subscribe(lambda e: e.connection_id == 2)
    await bus.publish(event(1, connection_id=1))
    await bus.publish(event(2, "connection.status_changed", connection_id=2))
    await bus.publish(event(3, connection_id=None))
    assert await take(everything, 3) == [
        event(1, connection_id=1),
        event(2, "connection.status_changed", connection_id=2),
        event(3, connection_id=None),
    ]
    assert await take(only_two, 1) == [event(2, "connection.status_changed", connection_id=2)]
    await everything.aclose()
    await only_two.aclose()


async def test_a_slow_subscriber_is_told_it_lagged_and_never_blocks(bus: EventBus) -> None:
    slow = bus.subscribe(buffer=3)
    fast = bus.subscribe()
    for n in range(5):
        await bus.publish(event(n))
    # the fast one got everything, so the slow one's buffer has overflowed by now
    assert await take(fast, 5) == [event(n) for n in range(5)]
    # the fourth event overflowed the buffer: three dropped with it, the fifth kept
    assert await take(slow, 2) == [Lagged(dropped=4), event(4)]
    await bus.publish(event(9))
    assert await take(slow, 1) == [event(9)]
    await slow.aclose()
    await fast.aclose()


async def test_a_closed_subscription_ends_and_gets_nothing_more(bus: EventBus) -> None:
    first = bus.subscribe()
    second = bus.subscribe()
    await first.aclose()
    await bus.publish(event(1))
    assert await take(second, 1) == [event(1)]
    assert [item async for item in first] == []
    await second.aclose()


async def test_a_closed_bus_ends_subscriptions_and_refuses_more(bus: EventBus) -> None:
    subscription = bus.subscribe()
    await bus.aclose()
    assert [item async for item in subscription] == []
    with pytest.raises(BusClosed):
        await bus.publish(event(1))
    with pytest.raises(BusClosed):
        bus.subscribe()


@pytest.mark.redis
async def test_events_cross_processes_through_redis() -> None:
    prefix = f"ib-test:{uuid.uuid4().hex}"
    a = RedisBus(redis_url(), prefix=prefix)
    b = RedisBus(redis_url(), prefix=prefix)
    try:
        await a.start()
        await b.start()
        on_a, on_b = a.subscribe(), b.subscribe()
        await b.publish(event(1))
        await a.publish(event(2, "sync.completed"))
        assert await take(on_a, 2) == [event(1), event(2, "sync.completed")]
        assert await take(on_b, 2) == [event(1), event(2, "sync.completed")]
        assert a.channel("record.created") == f"{prefix}:record"
    finally:
        await a.aclose()
        await b.aclose()


@pytest.mark.redis
async def test_after_a_redis_restart_subscribers_resync_and_events_flow_again(
    tmp_path: Path,
) -> None:
    async with redis_server(tmp_path) as server:
        bus = RedisBus(server.url, reconnect_min=0.05, reconnect_max=0.5)
        try:
            await bus.start()
            assert bus.connected
            subscription = bus.subscribe()
            await bus.publish(event(1))
            assert await take(subscription, 1) == [event(1)]
            await server.stop()
            # an outage never fails a publisher: the event is lost and subscribers told so
            await bus.publish(event(2))
            await server.start()
            async with asyncio.timeout(WAIT):
                while bus.reconnects == 0:  # noqa: ASYNC110 - the listener reconnects on its own
                    await asyncio.sleep(0.05)
            assert bus.connected
            # one marker: the lost publish and the reconnect fold into it
            [marker] = await take(subscription, 1)
            assert isinstance(marker, Lagged)
            assert marker.dropped >= 1
            await bus.publish(event(3))
            assert await take(subscription, 1) == [event(3)]
        finally:
            await bus.aclose()
