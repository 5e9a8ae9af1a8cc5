"""The webhook dispatcher against a real receiver on loopback, with a clock that never sleeps."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from standardwebhooks import Webhook

from ironbridge.events.bus import MemoryBus
from ironbridge.events.retry import RETRY_SCHEDULE
from ironbridge.schema.ids import to_global_id
from ironbridge.store.webhook_tables import webhook_deliveries
from tests.events.helpers import (
    Receiver,
    add_endpoint,
    attempts,
    deliveries,
    emit_event,
    endpoint,
)
from tests.support.servers import free_port, serve

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncEngine

    from ironbridge.events.dispatcher import WebhookDispatcher
    from ironbridge.observability import Metrics
    from ironbridge.security.secretbox import SecretBox
    from tests.events.helpers import FakeClock, Received

    Make = Callable[..., WebhookDispatcher]


def signed_by(secret: str, received: Received) -> bool:
    """The signature check without the wall-clock tolerance, for a clock moved days ahead."""
    headers = received.headers
    timestamp = int(headers["webhook-timestamp"])
    expected = Webhook(secret).sign(
        headers["webhook-id"], datetime.fromtimestamp(timestamp, UTC), received.body.decode()
    )
    return expected in headers["webhook-signature"].split(" ")


async def test_delivers_a_signed_event_and_logs_the_attempt(
    engine: AsyncEngine,
    secretbox: SecretBox,
    metrics: Metrics,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    _, secret = await add_endpoint(engine, secretbox, receiver.hook("a"))
    event = await emit_event(engine, "sync.completed", clock.now, {"records": 3})
    dispatcher = make_dispatcher()

    assert await dispatcher.run_once() == 1

    [received] = receiver.to("a")
    assert received.headers["content-type"] == "application/json"
    assert received.headers["webhook-id"] == event.event_id
    assert received.headers["webhook-timestamp"] == str(int(clock.now.timestamp()))
    assert Webhook(secret).verify(received.body, received.headers) == event.payload()
    [delivery] = await deliveries(engine)
    assert delivery.status == "succeeded"
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    assert delivery.delivered_at == clock.now
    assert delivery.next_attempt_at is None
    [attempt] = await attempts(engine)
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (200, None, "ok")
    assert attempt.attempted_at == clock.now
    assert (
        metrics.registry.get_sample_value(
            "ironbridge_webhook_deliveries_total", {"outcome": "succeeded"}
        )
        == 1
    )
    assert await dispatcher.run_once() == 0


async def test_retries_on_the_schedule_then_gives_up(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    endpoint_id, secret = await add_endpoint(engine, secretbox, receiver.hook("a"))
    receiver.reply("a", 500)
    event = await emit_event(engine, "record.updated", clock.now)
    dispatcher = make_dispatcher()

    for attempt in range(1, len(RETRY_SCHEDULE) + 1):
        assert await dispatcher.run_once() == 1
        [delivery] = await deliveries(engine)
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        if attempt == len(RETRY_SCHEDULE):
            break
        assert delivery.status == "pending"
        wait = delivery.next_attempt_at - clock.now
        planned = RETRY_SCHEDULE[attempt]
        assert planned * 0.9 <= wait <= planned * 1.1
        clock.now = delivery.next_attempt_at - timedelta(milliseconds=1)
        assert await dispatcher.run_once() == 0  # not yet due
        clock.now = delivery.next_attempt_at

    assert delivery.status == "failed"
    assert delivery.next_attempt_at is None
    log = await attempts(engine)
    assert [a.status_code for a in log] == [500] * len(RETRY_SCHEDULE)
    assert all(a.response_excerpt and len(a.response_excerpt) == 500 for a in log)
    received = receiver.to("a")
    assert {r.headers["webhook-id"] for r in received} == {event.event_id}
    assert len({r.headers["webhook-timestamp"] for r in received}) == len(RETRY_SCHEDULE)
    assert all(signed_by(secret, r) for r in received)
    row = await endpoint(engine, endpoint_id)
    assert row.enabled  # about three days of retries is less than the five that disable
    assert row.failing_since is not None
    clock.advance(timedelta(days=30))
    assert await dispatcher.run_once() == 0


async def test_retry_after_is_honoured(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    await add_endpoint(engine, secretbox, receiver.hook("a"))
    receiver.reply("a", 429, {"Retry-After": "3600"})
    await emit_event(engine, "sync.completed", clock.now)
    dispatcher = make_dispatcher()
    start = clock.now

    assert await dispatcher.run_once() == 1
    [delivery] = await deliveries(engine)
    assert delivery.next_attempt_at >= start + timedelta(seconds=3600)
    clock.advance(timedelta(minutes=30))  # past the 5 s the schedule alone would wait
    assert await dispatcher.run_once() == 0
    receiver.reply("a", 200)
    clock.now = delivery.next_attempt_at
    assert await dispatcher.run_once() == 1
    [delivery] = await deliveries(engine)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


async def test_a_receiver_down_then_back_gets_every_event_once_across_a_restart(
    engine: AsyncEngine,
    secretbox: SecretBox,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    receiver = Receiver()
    port = free_port()
    receiver.url = f"http://127.0.0.1:{port}"
    all_id, all_secret = await add_endpoint(engine, secretbox, receiver.hook("all"), ["*"])
    await add_endpoint(engine, secretbox, receiver.hook("records"), ["record.*"])
    types = ["record.created", "sync.completed", "record.updated", "record.deleted", "sync.failed"]
    emitted = [await emit_event(engine, t, clock.now, {"n": n}) for n, t in enumerate(types)]

    # the receiver is down: connections are refused, nothing arrives
    first = make_dispatcher()
    assert await first.run_once() == 8
    clock.advance(timedelta(seconds=6))
    assert await first.run_once() == 8
    await first.aclose()  # the gateway restarts; the queue lives in the store

    second = make_dispatcher()
    async with serve(receiver.app, port=port):
        receiver.reply("all", 503)
        receiver.reply("records", 503)
        clock.advance(timedelta(minutes=6))
        assert await second.run_once() == 8
        receiver.reply("all", 200)
        receiver.reply("records", 200)
        clock.advance(timedelta(minutes=35))
        assert await second.run_once() == 8
        clock.advance(timedelta(hours=3))
        assert await second.run_once() == 0

    rows = await deliveries(engine)
    assert {row.status for row in rows} == {"succeeded"}
    assert {row.attempts for row in rows} == {4}
    log = await attempts(engine)
    assert len(log) == 32
    assert sum(1 for a in log if a.status_code is None and a.error) == 16  # refused
    for name, wanted in (("all", types), ("records", [t for t in types if "record" in t])):
        received = receiver.to(name)
        ids = Counter(r.headers["webhook-id"] for r in received)
        expected = {e.event_id for e in emitted if e.type in wanted}
        assert set(ids) == expected
        assert set(ids.values()) == {2}  # one 503, then exactly one success each
        for r in received:
            body = json.loads(r.body)
            assert body["id"] == r.headers["webhook-id"]
    assert all(signed_by(all_secret, r) for r in receiver.to("all"))
    assert (await endpoint(engine, all_id)).failing_since is None


async def test_a_lapsed_claim_of_a_crashed_dispatcher_is_retried(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    await add_endpoint(engine, secretbox, receiver.hook("a"))
    await emit_event(engine, "sync.completed", clock.now)
    async with engine.begin() as conn:  # claimed by a process that then died
        await conn.execute(
            update(webhook_deliveries).values(
                status="delivering", lease_expires_at=clock.now + timedelta(minutes=2)
            )
        )
    dispatcher = make_dispatcher()
    assert await dispatcher.run_once() == 0
    clock.advance(timedelta(minutes=2))
    assert await dispatcher.run_once() == 1
    assert len(receiver.to("a")) == 1
    [delivery] = await deliveries(engine)
    assert delivery.status == "succeeded"


async def test_dispatchers_running_together_deliver_each_event_once(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    await add_endpoint(engine, secretbox, receiver.hook("a"))
    emitted = [await emit_event(engine, "record.created", clock.now, {"n": n}) for n in range(30)]
    one, two = make_dispatcher(batch_size=5), make_dispatcher(batch_size=5)

    counts = await asyncio.gather(one.run_once(), two.run_once())

    assert sum(counts) == 30
    ids = Counter(r.headers["webhook-id"] for r in receiver.to("a"))
    assert set(ids) == {e.event_id for e in emitted}
    assert set(ids.values()) == {1}
    assert len(await attempts(engine)) == 30


async def test_410_gone_disables_the_endpoint_and_tells_the_others(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    gone, _ = await add_endpoint(engine, secretbox, receiver.hook("gone"), ["sync.*"])
    _, watcher_secret = await add_endpoint(
        engine, secretbox, receiver.hook("watcher"), ["webhook_endpoint.disabled"]
    )
    receiver.reply("gone", 410)
    await emit_event(engine, "sync.completed", clock.now)
    await emit_event(engine, "sync.failed", clock.now)
    bus = MemoryBus()
    subscription = bus.subscribe()
    dispatcher = make_dispatcher(batch_size=1, bus=bus)

    assert await dispatcher.run_once() == 2  # the 410, then the notice to the watcher

    row = await endpoint(engine, gone)
    assert not row.enabled
    assert row.disabled_at == clock.now
    assert "410" in row.disabled_reason
    first, second, notice = await deliveries(engine)
    assert (first.status, first.last_status_code) == ("failed", 410)
    assert second.status == "cancelled"
    assert notice.status == "succeeded"
    assert len(receiver.to("gone")) == 1
    [received] = receiver.to("watcher")
    body = json.loads(received.body)
    assert body["type"] == "webhook_endpoint.disabled"
    assert body["data"]["endpointId"] == to_global_id("WebhookEndpoint", gone)
    assert body["data"]["url"] == receiver.hook("gone")
    assert signed_by(watcher_secret, received)
    published = await anext(subscription)
    assert getattr(published, "type", None) == "webhook_endpoint.disabled"
    await bus.aclose()
    # a disabled endpoint is sent nothing new
    await emit_event(engine, "sync.completed", clock.now)
    assert len(await deliveries(engine)) == 3


async def test_five_days_of_failure_disable_the_endpoint(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    failing, _ = await add_endpoint(engine, secretbox, receiver.hook("down"), ["sync.*"])
    await add_endpoint(engine, secretbox, receiver.hook("watcher"), ["webhook_endpoint.*"])
    receiver.reply("down", 500)
    dispatcher = make_dispatcher()
    start = clock.now

    for step in range(11):  # an event every 12 hours, retries as they fall due
        clock.now = start + timedelta(hours=12 * step)
        await emit_event(engine, "sync.completed", clock.now, {"step": step})
        await dispatcher.run_once()
        row = await endpoint(engine, failing)
        assert row.failing_since == start
        assert row.enabled is (step < 10)

    assert "5 days" in row.disabled_reason
    assert not [d for d in await deliveries(engine) if d.status in ("pending", "delivering")]
    [notice] = receiver.to("watcher")
    assert json.loads(notice.body)["data"]["reason"] == row.disabled_reason


async def test_redirects_are_not_followed(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    await add_endpoint(engine, secretbox, receiver.hook("moved"))
    receiver.reply("moved", 302, {"Location": receiver.hook("elsewhere")})
    await emit_event(engine, "sync.completed", clock.now)
    assert await make_dispatcher().run_once() == 1
    [delivery] = await deliveries(engine)
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert receiver.to("elsewhere") == []


async def test_link_local_destinations_are_refused_at_delivery(
    engine: AsyncEngine, secretbox: SecretBox, clock: FakeClock, make_dispatcher: Make
) -> None:
    await add_endpoint(engine, secretbox, "http://169.254.169.254/latest/meta-data/")
    await emit_event(engine, "sync.completed", clock.now)
    assert await make_dispatcher().run_once() == 1
    [attempt] = await attempts(engine)
    assert attempt.status_code is None
    assert attempt.error.startswith("refused: ")
    assert "link-local" in attempt.error


async def test_the_background_loop_delivers_when_woken(
    engine: AsyncEngine,
    secretbox: SecretBox,
    receiver: Receiver,
    clock: FakeClock,
    make_dispatcher: Make,
) -> None:
    await add_endpoint(engine, secretbox, receiver.hook("a"))
    dispatcher = make_dispatcher(poll_interval=3600)
    dispatcher.start()
    await emit_event(engine, "connection.created", clock.now)
    dispatcher.wake()
    await asyncio.wait_for(receiver.arrived.wait(), 10)
    await dispatcher.aclose()
    assert len(receiver.to("a")) == 1
