"""Outages, rate limits, bad credentials: runs fail cleanly, statuses move, and the next run
resumes from the checkpoints with nothing lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from ironbridge.emulators.control import emulator_of
from ironbridge.models import ConnectionStatus, EntityType, SyncMode, SyncState
from ironbridge.store.tables import connection_sync
from ironbridge.store.webhook_tables import events
from ironbridge.sync.runner import InProcessRunner
from ironbridge.sync.scheduler import Scheduler
from tests.connectors.contract.harness import discover
from tests.support.servers import serve
from tests.sync.support import (
    FakeSleep,
    Tripwire,
    connection_row,
    live_ids,
    make_engine,
    run_sync,
    store_connection,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.services import Services
    from tests.connectors.contract.harness import ContractHarness

HARNESS = next(h for h in discover() if h.id == "sap-s4hana-v4")


@pytest.fixture
async def system() -> AsyncIterator[tuple[EmulatorApp, str]]:
    app = HARNESS.make_app()
    async with serve(app) as base_url:
        yield app, base_url


async def _connect(services: Services, harness: ContractHarness, app: EmulatorApp, url: str) -> int:
    return await store_connection(
        services,
        harness.system_key,
        instance_url=harness.instance_url(url),
        credentials=harness.credentials(app),
        options=harness.options,
    )


async def _all_in_step(services: Services, app: EmulatorApp, cid: int) -> None:
    for entity, support in HARNESS.connector.entities.items():
        if support.read:
            assert await live_ids(services, cid, entity) == HARNESS.expected_ids(app, entity)


async def _sync_row(services: Services, cid: int) -> Any:
    async with services.engine.connect() as conn:
        return (
            await conn.execute(
                select(connection_sync).where(connection_sync.c.connection_id == cid)
            )
        ).first()


async def test_an_outage_mid_sync_then_resume_loses_nothing(
    services: Services, system: tuple[EmulatorApp, str]
) -> None:
    app, url = system
    cid = await _connect(services, HARNESS, app, url)
    faults = emulator_of(app).faults

    def outage() -> None:
        faults.outage = "503"

    engine = make_engine(services, transport=lambda: Tripwire(6, outage))
    failed = await run_sync(engine, cid, SyncMode.INITIAL)
    assert failed.state == SyncState.FAILED.value
    assert failed.errors[-1]["code"] == "SYSTEM_UNREACHABLE"
    assert failed.records_created > 0  # the pages before the outage are kept
    sync = await _sync_row(services, cid)
    assert sync.consecutive_failures == 1
    assert sync.backoff_until is not None
    assert sync.current_run_id is None

    faults.clear()
    resumed = await run_sync(make_engine(services), cid, SyncMode.INITIAL)
    assert resumed.state in (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
    # resumed, not restarted: no record is created twice
    total = sum(
        len(HARNESS.expected_ids(app, e)) for e, s in HARNESS.connector.entities.items() if s.read
    )
    assert failed.records_created + resumed.records_created == total
    await _all_in_step(services, app, cid)
    assert (await _sync_row(services, cid)).consecutive_failures == 0


async def test_a_429_storm_is_waited_out(
    services: Services, system: tuple[EmulatorApp, str]
) -> None:
    app, url = system
    cid = await _connect(services, HARNESS, app, url)
    emulator_of(app).faults.set_rate_limit(retry_after=2, requests=12)
    sleep = FakeSleep()
    run = await run_sync(make_engine(services, sleep=sleep), cid, SyncMode.INITIAL)
    assert run.state in (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
    assert sleep.waits
    assert all(wait == 2 for wait in sleep.waits)
    await _all_in_step(services, app, cid)


async def test_three_failures_make_it_unreachable_and_a_success_recovers_it(
    services: Services, system: tuple[EmulatorApp, str]
) -> None:
    app, url = system
    cid = await _connect(services, HARNESS, app, url)
    engine = make_engine(services)
    faults = emulator_of(app).faults
    faults.outage = "503"
    for attempt in range(1, 4):
        run = await run_sync(engine, cid)
        assert run.state == SyncState.FAILED.value
        status = (await connection_row(services, cid)).status
        expected = ConnectionStatus.UNREACHABLE if attempt == 3 else ConnectionStatus.ACTIVE
        assert status == expected.value
    assert (await _sync_row(services, cid)).consecutive_failures == 3

    faults.clear()
    run = await run_sync(engine, cid)
    assert run.state != SyncState.FAILED.value
    assert (await connection_row(services, cid)).status == ConnectionStatus.ACTIVE.value
    async with services.engine.connect() as conn:
        types = list(
            (
                await conn.execute(
                    select(events.c.type).where(events.c.connection_id == cid).order_by(events.c.id)
                )
            ).scalars()
        )
    assert types.count("sync.failed") == 3
    assert "connection.recovered" in types
    assert types[-1] == "sync.completed"


async def test_revoked_credentials_need_reauthorization_and_pause_the_schedule(
    services: Services, system: tuple[EmulatorApp, str]
) -> None:
    app, url = system
    cid = await _connect(services, HARNESS, app, url)
    engine = make_engine(services)
    emulator_of(app).faults.revoked_credentials = True
    run = await run_sync(engine, cid, SyncMode.INITIAL)
    assert run.state == SyncState.FAILED.value
    assert run.errors[-1]["code"] == "REAUTH_REQUIRED"
    assert (await connection_row(services, cid)).status == ConnectionStatus.REAUTH_REQUIRED.value
    assert (await _sync_row(services, cid)).next_scheduled_sync_at is None
    runner = InProcessRunner(engine.run)
    scheduler = Scheduler(services, runner, clock=engine.clock)
    assert cid not in await scheduler.due(engine.clock())


async def test_one_entity_only_when_asked(
    services: Services, system: tuple[EmulatorApp, str]
) -> None:
    app, url = system
    cid = await _connect(services, HARNESS, app, url)
    engine = make_engine(services)
    from ironbridge.sync.runner import SyncRequest

    run_id = await engine.run(
        SyncRequest(connection_id=cid, mode=SyncMode.INITIAL, entities=(EntityType.VENDOR,))
    )
    assert run_id is not None
    assert await live_ids(services, cid, EntityType.VENDOR)
    assert not await live_ids(services, cid, EntityType.PURCHASE_ORDER)
