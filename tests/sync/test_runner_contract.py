"""The job runner contract, run against the in-process runner and the procrastinate runner
(with a real worker on a throw-away PostgreSQL database)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from typing import TYPE_CHECKING

import pytest

from ironbridge.jobs.queue import QUEUE, Handlers, create_queue
from ironbridge.jobs.runner import ProcrastinateRunner
from ironbridge.models import EntityType, SyncMode, SyncTrigger
from ironbridge.store.engine import create_engine, migrate
from ironbridge.sync.runner import InProcessRunner, JobRunner, RunnerClosed, SyncRequest
from tests.conftest import pg_database

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# bound of every wait (seconds); never an assertion on how long anything took
WAIT = 20.0
POLL = 0.02


class Jobs:
    """The job both runners run: records what started, holds each run until released."""

    def __init__(self) -> None:
        self.started: list[SyncRequest] = []
        self.finished: list[SyncRequest] = []
        self.cancelled: list[SyncRequest] = []
        self.running: collections.Counter[int] = collections.Counter()
        self.most_at_once: collections.Counter[int] = collections.Counter()
        self._gates: dict[int, asyncio.Event] = collections.defaultdict(asyncio.Event)

    async def __call__(self, request: SyncRequest) -> None:
        cid = request.connection_id
        self.running[cid] += 1
        self.most_at_once[cid] = max(self.most_at_once[cid], self.running[cid])
        self.started.append(request)
        try:
            await self._gates[cid].wait()
            self._gates[cid].clear()
            self.finished.append(request)
        except asyncio.CancelledError:
            self.cancelled.append(request)
            raise
        finally:
            self.running[cid] -= 1

    def release(self, connection_id: int) -> None:
        self._gates[connection_id].set()

    async def until(self, what: str, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while len(getattr(self, what)) < count:  # noqa: ASYNC110 - jobs run elsewhere
                await asyncio.sleep(POLL)


@contextlib.asynccontextmanager
async def procrastinate_runner(jobs: Jobs) -> AsyncIterator[JobRunner]:
    async for url in pg_database():
        engine = create_engine(url)
        await migrate(engine, jobs=True)
        await engine.dispose()

        async def run(request: SyncRequest, _scheduled: bool) -> None:
            await jobs(request)

        app = create_queue(url, handlers=Handlers(sync=run), tick_seconds=60)
        async with app.open_async():
            runner = ProcrastinateRunner(app, owns_app=False)
            runner.start()
            worker = asyncio.create_task(
                app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=4,
                    install_signal_handlers=False,
                    fetch_job_polling_interval=0.1,
                    abort_job_polling_interval=0.1,
                )
            )
            try:
                yield runner
            finally:
                await runner.aclose()
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker


@pytest.fixture(params=["inprocess", pytest.param("procrastinate", marks=pytest.mark.postgres)])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[tuple[JobRunner, Jobs]]:
    jobs = Jobs()
    if request.param == "inprocess":
        runner = InProcessRunner(jobs)
        runner.start()
        yield runner, jobs
        await runner.aclose()
        return
    async with procrastinate_runner(jobs) as made:
        yield made, jobs


async def idle(runner: JobRunner, connection_id: int) -> None:
    async with asyncio.timeout(WAIT):
        while await runner.busy(connection_id):  # noqa: ASYNC110 - the queue is elsewhere
            await asyncio.sleep(POLL)


async def test_a_submitted_job_runs_with_its_request(harness: tuple[JobRunner, Jobs]) -> None:
    runner, jobs = harness
    entities = [EntityType.PURCHASE_ORDER, EntityType.VENDOR]
    assert await runner.enqueue(7, SyncMode.FULL, SyncTrigger.MANUAL, entities, run_id=41)
    await jobs.until("started", 1)
    assert await runner.busy(7)
    jobs.release(7)
    await jobs.until("finished", 1)
    await idle(runner, 7)
    assert jobs.finished == [
        SyncRequest(
            connection_id=7,
            mode=SyncMode.FULL,
            trigger=SyncTrigger.MANUAL,
            entities=(EntityType.PURCHASE_ORDER, EntityType.VENDOR),
            run_id=41,
        )
    ]


async def test_one_running_and_one_waiting_per_connection(
    harness: tuple[JobRunner, Jobs],
) -> None:
    runner, jobs = harness
    assert await runner.enqueue(1, SyncMode.INITIAL, SyncTrigger.CONNECT)
    await jobs.until("started", 1)
    # the second waits behind the first; a third is refused while one waits
    assert await runner.enqueue(1, SyncMode.INCREMENTAL, SyncTrigger.SCHEDULE)
    assert not await runner.enqueue(1, SyncMode.INCREMENTAL, SyncTrigger.SCHEDULE)
    # another connection runs meanwhile
    assert await runner.enqueue(2, SyncMode.INITIAL, SyncTrigger.CONNECT)
    await jobs.until("started", 2)
    assert {r.connection_id for r in jobs.started} == {1, 2}
    jobs.release(1)
    await jobs.until("started", 3)
    jobs.release(1)
    jobs.release(2)
    await jobs.until("finished", 3)
    await idle(runner, 1)
    await idle(runner, 2)
    assert [r.trigger for r in jobs.finished if r.connection_id == 1] == [
        SyncTrigger.CONNECT,
        SyncTrigger.SCHEDULE,
    ]
    assert jobs.most_at_once == {1: 1, 2: 1}


async def test_cancel_drops_the_waiting_job_and_stops_the_running_one(
    harness: tuple[JobRunner, Jobs],
) -> None:
    runner, jobs = harness
    assert await runner.enqueue(3, SyncMode.INITIAL, SyncTrigger.CONNECT)
    await jobs.until("started", 1)
    assert await runner.enqueue(3, SyncMode.INCREMENTAL, SyncTrigger.SCHEDULE)
    await runner.cancel(3)
    await jobs.until("cancelled", 1)
    await idle(runner, 3)
    assert jobs.started == [
        SyncRequest(connection_id=3, mode=SyncMode.INITIAL, trigger=SyncTrigger.CONNECT)
    ]
    assert jobs.finished == []
    # the connection takes jobs again afterwards
    assert await runner.enqueue(3, SyncMode.INCREMENTAL, SyncTrigger.MANUAL)
    await jobs.until("started", 2)
    jobs.release(3)
    await jobs.until("finished", 1)


async def test_a_closed_runner_takes_no_jobs(harness: tuple[JobRunner, Jobs]) -> None:
    runner, _ = harness
    await runner.aclose()
    with pytest.raises(RunnerClosed):
        await runner.enqueue(4, SyncMode.INITIAL, SyncTrigger.CONNECT)
    with pytest.raises(RunnerClosed):
        runner.submit(4, SyncMode.INITIAL, SyncTrigger.CONNECT)
