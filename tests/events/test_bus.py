"""The in-process bus: fan-out, predicates, a lagging subscriber, closing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from ironbridge.events.bus import BusClosed, Event, EventBus, Lagged, MemoryBus, Subscription

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def event(n: int, type: str = "record.created", connection_id: int | None = 1) -> Event:
    return Event(
        event_id=f"evt_{n}", type=type, created_at=T0, connection_id=connection_id, data={"n": n}
    )


async def drain(subscription: Subscription, count: int) -> list[Event | Lagged]:
    got: list[Event | Lagged] = []
    async for item in subscription:
        got.append(item)
        if len(got) == count:
            break
    return got


async def test_every_subscriber_gets_every_matching_event_in_order() -> None:
    bus: EventBus = MemoryBus()
    async with (
        bus.subscribe() as everything,
        bus.subscribe(lambda e: e.connection_id == 2) as second,
    ):
        for n in range(5):
            await bus.publish(event(n, connection_id=1 + n % 2))
        assert await drain(everything, 5) == [event(n, connection_id=1 + n % 2) for n in range(5)]
        assert await drain(second, 2) == [event(1, connection_id=2), event(3, connection_id=2)]
    await bus.aclose()


async def test_a_waiting_subscriber_wakes_on_publish() -> None:
    bus = MemoryBus()
    async with bus.subscribe() as subscription:
        waiting = asyncio.create_task(drain(subscription, 1))
        await asyncio.sleep(0)
        assert not waiting.done()
        await bus.publish(event(1))
        assert await asyncio.wait_for(waiting, 5) == [event(1)]
    await bus.aclose()


async def test_a_slow_subscriber_gets_a_lagged_marker_and_never_blocks_publishers() -> None:
    bus = MemoryBus()
    async with bus.subscribe(buffer=3) as slow, bus.subscribe() as fast:
        for n in range(10):
            await bus.publish(event(n))  # returns at once although nobody reads
        # what was buffered was stale anyway: one marker counts everything dropped
        assert await drain(slow, 1) == [Lagged(dropped=10)]
        await bus.publish(event(10))
        assert await drain(slow, 1) == [event(10)]
        assert await drain(fast, 11) == [event(n) for n in range(11)]
    await bus.aclose()


async def test_events_after_the_marker_arrive_in_order() -> None:
    bus = MemoryBus()
    async with bus.subscribe(buffer=3) as slow:
        for n in range(5):
            await bus.publish(event(n))
        assert await drain(slow, 2) == [Lagged(dropped=4), event(4)]
    await bus.aclose()


async def test_leaving_the_context_unsubscribes() -> None:
    bus = MemoryBus()
    async with bus.subscribe():
        assert bus.subscriber_count == 1
    assert bus.subscriber_count == 0
    await bus.aclose()


async def test_closing_the_bus_ends_every_subscription() -> None:
    bus = MemoryBus()
    subscription = bus.subscribe()
    await bus.publish(event(1))
    reader = asyncio.create_task(drain(subscription, 99))
    await asyncio.sleep(0)
    await bus.aclose()
    # what was buffered is still read, then iteration ends
    assert await asyncio.wait_for(reader, 5) == [event(1)]
    with pytest.raises(BusClosed):
        await bus.publish(event(2))
    with pytest.raises(BusClosed):
        bus.subscribe()


def test_a_buffer_must_hold_something() -> None:
    with pytest.raises(ValueError, match="buffer"):
        MemoryBus().subscribe(buffer=0)


def test_event_payload_is_the_webhook_body() -> None:
    assert event(3).payload() == {
        "id": "evt_3",
        "type": "record.created",
        "createdAt": "2026-11-30T12:00:00+00:00",
        "data": {"n": 3},
    }
