"""The job runner and the scheduler: due connections run once, never twice at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from ironbridge.models import SyncMode, SyncTrigger
from ironbridge.store import connections as connection_store
from ironbridge.sync.runner import InProcessRunner, RunnerClosed, SyncRequest
from ironbridge.sync.scheduler import Scheduler
from ironbridge.sync.state import update_connection_sync
from tests.sync.support import store_connection

if TYPE_CHECKING:
    from ironbridge.services import Services

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


class BlockingJob:
    def __init__(self) -> None:
        self.started: list[SyncRequest] = []
        self.release = asyncio.Event()
        self.running = 0
        self.most = 0

    async def __call__(self, request: SyncRequest) -> None:
        self.started.append(request)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1


async def test_runner_runs_one_keeps_one_waiting_and_refuses_more() -> None:
    job = BlockingJob()
    runner = InProcessRunner(job)
    with pytest.raises(RunnerClosed):
        runner.submit(1, SyncMode.INCREMENTAL, SyncTrigger.MANUAL)
    runner.start()
    assert runner.submit(1, SyncMode.INITIAL, SyncTrigger.CONNECT)
    assert runner.submit(1, SyncMode.INCREMENTAL, SyncTrigger.MANUAL)
    assert not runner.submit(1, SyncMode.INCREMENTAL, SyncTrigger.SCHEDULE)
    assert runner.submit(2, SyncMode.INCREMENTAL, SyncTrigger.SCHEDULE)
    await asyncio.sleep(0)
    assert job.running == 2  # one per connection
    job.release.set()
    await runner.join()
    assert [r.connection_id for r in job.started].count(1) == 2
    assert not runner.is_busy(1)
    await runner.aclose()


async def test_cancel_stops_the_running_job_and_drops_the_waiting_one() -> None:
    job = BlockingJob()
    runner = InProcessRunner(job)
    runner.start()
    runner.submit(1, SyncMode.INITIAL, SyncTrigger.CONNECT)
    runner.submit(1, SyncMode.INCREMENTAL, SyncTrigger.MANUAL)
    await asyncio.sleep(0)
    await runner.cancel(1)
    assert not runner.is_busy(1)
    assert len(job.started) == 1
    await runner.aclose()


async def test_scheduler_runs_a_due_connection_once(services: Services) -> None:
    due = await store_connection(services, "sandbox", instance_url="sandbox://a", credentials={})
    later = await store_connection(services, "sandbox", instance_url="sandbox://b", credentials={})
    paused = await store_connection(services, "sandbox", instance_url="sandbox://c", credentials={})
    backing_off = await store_connection(
        services, "sandbox", instance_url="sandbox://d", credentials={}
    )
    async with services.engine.begin() as conn:
        await update_connection_sync(conn, due, next_scheduled_sync_at=NOW - timedelta(minutes=1))
        await update_connection_sync(conn, later, next_scheduled_sync_at=NOW + timedelta(minutes=5))
        await connection_store.update_sync_settings(conn, paused, {"sync_paused": True})
        await update_connection_sync(
            conn, backing_off, consecutive_failures=2, backoff_until=NOW + timedelta(minutes=2)
        )
    job = BlockingJob()
    runner = InProcessRunner(job)
    runner.start()
    scheduler = Scheduler(services, runner, clock=lambda: NOW)
    assert await scheduler.tick() == [due]
    assert await scheduler.tick() == []  # running: never a second one
    await asyncio.sleep(0)
    assert job.most == 1
    assert job.started[0].trigger is SyncTrigger.SCHEDULE
    assert job.started[0].mode is SyncMode.INITIAL
    job.release.set()
    await runner.join()
    # once the backoff is over the retry is due, as a RETRY
    assert backing_off in await scheduler.tick(NOW + timedelta(minutes=3))
    await runner.join()
    assert job.started[-1].trigger is SyncTrigger.RETRY
    await runner.aclose()


async def test_connect_starts_the_initial_sync_and_disconnect_cancels_it(
    services: Services,
) -> None:
    cid = await store_connection(services, "sandbox", instance_url="sandbox://a", credentials={})
    job = BlockingJob()
    runner = InProcessRunner(job)
    runner.start()
    scheduler = Scheduler(services, runner, clock=lambda: NOW)
    await scheduler.on_connected(cid)
    await asyncio.sleep(0)
    assert job.started[0].trigger is SyncTrigger.CONNECT
    assert job.started[0].mode is SyncMode.INITIAL
    await scheduler.on_disconnected(cid)
    assert not runner.is_busy(cid)
    await runner.aclose()


def test_backoff_doubles_from_a_minute_to_six_hours_with_jitter() -> None:
    import random

    from ironbridge.sync.outcome import BACKOFF_CAP, backoff_delay

    rng = random.Random(1)
    for failures, base in ((1, 60), (2, 120), (3, 240), (6, 1920)):
        delay = backoff_delay(failures, rng).total_seconds()
        assert base * 0.8 <= delay <= base * 1.2
    assert backoff_delay(30, rng) <= BACKOFF_CAP
    assert backoff_delay(30, rng) >= BACKOFF_CAP * 0.8
