"""What a worker checks under a connection's lock before a sync: runs a dead worker left are
failed, runs a waiting job will continue are kept, and a scheduled job that is no longer due
does nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from ironbridge.jobs import recovery
from ironbridge.jobs.queue import create_queue
from ironbridge.jobs.runner import ProcrastinateRunner
from ironbridge.models import SyncMode, SyncState, SyncTrigger
from ironbridge.store import connections as connection_store
from ironbridge.store.engine import create_engine, migrate
from ironbridge.sync import state
from tests.conftest import pg_database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

pytestmark = [pytest.mark.scaleout, pytest.mark.postgres]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def new_connection(engine: AsyncEngine) -> int:
    async with engine.begin() as conn:
        return await connection_store.create_connection(
            conn,
            system_key="sandbox",
            instance_url="sandbox://",
            display_name="recovery",
            sandbox=True,
            credits_used=0,
            now=NOW,
        )


async def open_run(engine: AsyncEngine, connection_id: int) -> int:
    async with state.writing(engine) as conn:
        return await state.open_run(
            conn,
            connection_id,
            mode=SyncMode.INCREMENTAL,
            trigger=SyncTrigger.MANUAL,
            entities=[],
            now=NOW,
        )


async def run_state(engine: AsyncEngine, run_id: int) -> str:
    async with engine.connect() as conn:
        row = await state.get_run(conn, run_id)
    assert row is not None
    return str(row.state)


async def test_runs_left_behind_are_failed_and_runs_still_awaited_are_kept() -> None:
    async for url in pg_database():
        engine = create_engine(url)
        await migrate(engine, jobs=True)
        queue = create_queue(url)
        try:
            cid, other = await new_connection(engine), await new_connection(engine)
            dead, awaited, own, elsewhere = (
                await open_run(engine, cid),
                await open_run(engine, cid),
                await open_run(engine, cid),
                await open_run(engine, other),
            )
            async with queue.open_async():
                runner = ProcrastinateRunner(queue, owns_app=False)
                runner.start()
                # no worker runs here: the job of ``awaited`` stays waiting
                assert await runner.enqueue(
                    cid, SyncMode.INCREMENTAL, SyncTrigger.MANUAL, run_id=awaited
                )
                failed = await recovery.fail_interrupted(engine, cid, keep=own, now=NOW)
            assert failed == [dead]
            assert await run_state(engine, dead) == SyncState.FAILED.value
            assert await run_state(engine, awaited) == SyncState.IN_PROGRESS.value
            assert await run_state(engine, own) == SyncState.IN_PROGRESS.value
            # another connection's run is not this lock's business
            assert await run_state(engine, elsewhere) == SyncState.IN_PROGRESS.value
        finally:
            await engine.dispose()


async def test_a_scheduled_job_runs_only_while_its_connection_is_due() -> None:
    async for url in pg_database():
        engine = create_engine(url)
        await migrate(engine, jobs=True)
        try:
            cid = await new_connection(engine)
            assert await recovery.still_due(engine, cid, NOW)
            async with state.writing(engine) as conn:
                await state.update_connection_sync(
                    conn, cid, next_scheduled_sync_at=NOW + timedelta(minutes=15)
                )
            assert not await recovery.still_due(engine, cid, NOW)
            assert await recovery.still_due(engine, cid, NOW + timedelta(minutes=16))
        finally:
            await engine.dispose()
