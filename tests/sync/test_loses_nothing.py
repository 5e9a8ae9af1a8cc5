"""The sync loses nothing: for every connector, against its emulator over real HTTP, the store
holds exactly what the system holds after initial, incremental and full runs, while records
change (one stamped exactly at the checkpoint) and disappear."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.models import EntityType, SyncMode, SyncState
from ironbridge.store.rows import record_to_row
from ironbridge.store.tables import entity_sync, quarantined_records
from tests.connectors.contract.harness import ContractHarness, discover
from tests.support.servers import serve
from tests.sync.support import live_ids, make_engine, rows_by_remote_id, run_sync, store_connection

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.services import Services
    from ironbridge.sync.engine import SyncEngine

HARNESSES = discover()
# compared between the system's live record and the store's row
_IGNORED = {"synced_at", "changed_at", "remote_data"}
# deleted from: records nothing else refers to (systems refuse to delete referenced master data)
_LEAVES = {
    EntityType.PURCHASE_ORDER,
    EntityType.WORK_ORDER,
    EntityType.PRODUCTION_ORDER,
    EntityType.STOCK_LEVEL,
}


def _readable(harness: ContractHarness) -> list[EntityType]:
    return [e for e, s in harness.connector.entities.items() if s.read]


async def _checkpoint(services: Services, cid: int, entity: EntityType) -> Any:
    stmt = select(entity_sync.c.checkpoint_updated_at).where(
        entity_sync.c.connection_id == cid, entity_sync.c.entity == entity.value
    )
    async with services.engine.connect() as conn:
        return (await conn.execute(stmt)).scalar_one_or_none()


async def _assert_in_step(
    services: Services,
    harness: ContractHarness,
    app: EmulatorApp,
    cid: int,
    base_url: str,
    touched: dict[EntityType, list[str]],
) -> None:
    for entity in _readable(harness):
        assert await live_ids(services, cid, entity) == harness.expected_ids(app, entity), entity
    connector = harness.connector(
        ConnectionConfig(
            connection_id=str(cid),
            instance_url=harness.instance_url(base_url),
            credentials=harness.credentials(app),
            options=harness.options,
        )
    )
    try:
        for entity, ids in touched.items():
            live = [r for r in await connector.get(entity, ids) if r is not None]
            rows = await rows_by_remote_id(services, cid, entity, ids)
            assert live, entity
            for record in live:
                row = rows[record.remote_id]._mapping
                expected = record_to_row(record, synced_at=row["synced_at"])
                for column, value in expected.items():
                    if column not in _IGNORED:
                        assert row[column] == value, (entity, record.remote_id, column)
    finally:
        await connector.aclose()


async def _change(
    services: Services,
    harness: ContractHarness,
    app: EmulatorApp,
    cid: int,
    round_: int,
) -> dict[EntityType, list[str]]:
    """Touch two records per entity (one at the checkpoint instant) and delete one."""
    touched: dict[EntityType, list[str]] = {}
    for entity in _readable(harness):
        ids = sorted(harness.expected_ids(app, entity))
        if len(ids) < 4:
            continue
        at_checkpoint, later = ids[round_], ids[-1 - round_]
        checkpoint = await _checkpoint(services, cid, entity)
        if harness.connector.entities[entity].incremental and checkpoint is not None:
            harness.touch(app, entity, [at_checkpoint], checkpoint)
        else:
            harness.touch(app, entity, [at_checkpoint], None)
        harness.touch(app, entity, [later], None)
        if entity in _LEAVES:
            harness.delete(app, entity, [ids[len(ids) // 2 + round_]])
        touched[entity] = [at_checkpoint, later]
    return touched


async def _scenario(services: Services, harness: ContractHarness, engine_of: Any) -> None:
    app = harness.make_app()
    async with serve(app) as base_url:
        cid = await store_connection(
            services,
            harness.system_key,
            instance_url=harness.instance_url(base_url),
            credentials=harness.credentials(app),
            options=harness.options,
        )
        engine: SyncEngine = engine_of(services)
        first = await run_sync(engine, cid, SyncMode.INITIAL)
        malformed = {i for e in _readable(harness) for i in harness.malformed_ids(app, e)}
        expected_state = SyncState.COMPLETED_WITH_WARNINGS if malformed else SyncState.COMPLETED
        assert first.state == expected_state.value, first.errors
        assert first.upstream_requests > 0
        await _assert_in_step(services, harness, app, cid, base_url, {})
        if malformed:
            async with services.engine.connect() as conn:
                held = set(
                    (
                        await conn.execute(
                            select(quarantined_records.c.remote_id).where(
                                quarantined_records.c.connection_id == cid
                            )
                        )
                    ).scalars()
                )
            assert held == malformed
            assert first.records_failed == len(malformed)

        for round_ in range(2):
            touched = await _change(services, harness, app, cid, round_)
            run = await run_sync(engine, cid, SyncMode.INCREMENTAL)
            assert run.state in (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
            await _assert_in_step(services, harness, app, cid, base_url, touched)

        touched = await _change(services, harness, app, cid, 2)
        full = await run_sync(engine, cid, SyncMode.FULL)
        assert full.state in (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
        await _assert_in_step(services, harness, app, cid, base_url, touched)
        # nothing left to do: a further incremental run creates nothing
        again = await run_sync(engine, cid, SyncMode.INCREMENTAL)
        assert again.records_created == 0
        assert again.records_deleted == 0


@pytest.mark.parametrize("harness", [pytest.param(h, id=h.id) for h in HARNESSES])
async def test_every_connector_loses_nothing(services: Services, harness: ContractHarness) -> None:
    await _scenario(services, harness, make_engine)


async def test_sandbox_initial_and_full_hold_every_record(services: Services) -> None:
    cid = await store_connection(
        services,
        "sandbox",
        instance_url="sandbox://test",
        credentials={},
        options={"records": 30},
        sandbox=True,
    )
    engine = make_engine(services)
    first = await run_sync(engine, cid, SyncMode.INITIAL)
    cls = services.registry.get("sandbox")
    assert cls is not None
    connector = cls(
        ConnectionConfig(
            connection_id=str(cid), instance_url="", options={"records": 30}, sandbox=True
        )
    )
    expected = {
        entity: {
            r.remote_id async for b in connector.fetch_changes(entity, None) for r in b.records
        }
        for entity in cls.entities
    }
    for entity, ids in expected.items():
        assert await live_ids(services, cid, entity) == ids
    assert first.records_created == sum(len(ids) for ids in expected.values())
    full = await run_sync(engine, cid, SyncMode.FULL)
    assert full.records_created == 0
    assert full.records_deleted == 0
    for entity, ids in expected.items():
        assert await live_ids(services, cid, entity) == ids
