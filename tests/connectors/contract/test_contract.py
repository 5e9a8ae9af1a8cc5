"""The connector contract, run against every system's emulator over real HTTP on loopback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.connectors.base import Batch, Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import AuthFailed, RateLimited, SystemUnreachable
from ironbridge.emulators.control import emulator_of
from tests.connectors.contract.harness import ContractHarness, discover
from tests.support.servers import free_port, serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.models import EntityType

HARNESSES = discover()


def _readable(harness: ContractHarness) -> list[EntityType]:
    return [entity for entity, support in harness.connector.entities.items() if support.read]


by_harness = pytest.mark.parametrize("harness", [pytest.param(h, id=h.id) for h in HARNESSES])
by_entity = pytest.mark.parametrize(
    ("harness", "entity"),
    [pytest.param(h, e, id=f"{h.id}-{e.value}") for h in HARNESSES for e in _readable(h)],
)


@dataclass
class System:
    """One running emulator and the connectors a test made for it (closed afterwards)."""

    harness: ContractHarness
    app: EmulatorApp
    base_url: str
    connectors: list[Connector] = field(default_factory=list)

    def connector(
        self, *, credentials: dict[str, str] | None = None, base_url: str | None = None
    ) -> Connector:
        harness = self.harness
        config = ConnectionConfig(
            connection_id=f"contract-{harness.id}",
            instance_url=harness.instance_url(base_url or self.base_url),
            credentials=credentials
            if credentials is not None
            else harness.credentials_at(self.app, base_url or self.base_url),
            options=harness.options,
        )
        made = harness.connector(config)
        self.connectors.append(made)
        return made


@pytest.fixture
async def system(harness: ContractHarness) -> AsyncIterator[System]:
    app = harness.make_app()
    async with serve(app) as base_url:
        running = System(harness, app, base_url)
        try:
            yield running
        finally:
            for made in running.connectors:
                await made.aclose()


async def fetch(
    connector: Connector, entity: EntityType, since: Checkpoint | None = None
) -> list[Batch]:
    return [batch async for batch in connector.fetch_changes(entity, since)]


async def listed(connector: Connector, entity: EntityType) -> list[str]:
    return [remote_id async for page in connector.list_ids(entity) for remote_id in page]


def records_of(batches: list[Batch]) -> list[Any]:
    return [record for batch in batches for record in batch.records]


def last_checkpoint(batches: list[Batch]) -> Checkpoint | None:
    return next((b.checkpoint for b in reversed(batches) if b.checkpoint is not None), None)


def some_ids(system: System, entity: EntityType, count: int = 2) -> list[str]:
    ids = sorted(system.harness.expected_ids(system.app, entity))
    assert len(ids) >= count, f"the emulator needs at least {count} {entity.value} records"
    return ids[:count]


# -- connecting -------------------------------------------------------------------------------


@by_harness
async def test_check_passes_with_good_credentials(system: System) -> None:
    await system.connector().check()


@by_harness
async def test_bad_credentials_are_auth_failed(system: System) -> None:
    connector = system.connector(
        credentials=system.harness.bad_credentials_at(system.app, system.base_url)
    )
    with pytest.raises(AuthFailed):
        await connector.check()


@by_harness
async def test_a_closed_port_is_unreachable_refused(harness: ContractHarness) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    config = ConnectionConfig(
        connection_id="contract-closed",
        instance_url=harness.instance_url(closed),
        credentials=harness.credentials_at(harness.make_app(), closed),  # the app is never served
        options=harness.options,
    )
    connector = harness.connector(config)
    try:
        with pytest.raises(SystemUnreachable) as caught:
            await connector.check()
    finally:
        await connector.aclose()
    assert caught.value.reason == "refused"


# -- reading ----------------------------------------------------------------------------------


@by_entity
async def test_fetch_all_maps_every_record_and_reports_malformed_ones(
    system: System, entity: EntityType
) -> None:
    batches = await fetch(system.connector(), entity)
    ids = [r.remote_id for r in records_of(batches)]
    assert len(ids) == len(set(ids)), "a full fetch sends each record once"
    assert set(ids) == system.harness.expected_ids(system.app, entity)
    failed = {f.remote_id for b in batches for f in b.failures}
    assert failed == system.harness.malformed_ids(system.app, entity)
    assert all(r.entity_type is entity for r in records_of(batches))
    if not system.harness.connector.entities[entity].incremental:
        assert batches[-1].complete_snapshot
        assert not any(b.complete_snapshot for b in batches[:-1])


@by_entity
async def test_fetch_changes_since_a_checkpoint_includes_records_stamped_at_it(
    system: System, entity: EntityType
) -> None:
    connector = system.connector()
    first = await fetch(connector, entity)
    checkpoint = last_checkpoint(first)
    at_checkpoint, later = some_ids(system, entity)
    incremental = system.harness.connector.entities[entity].incremental
    if incremental:
        assert checkpoint is not None
        assert checkpoint.updated_at is not None
        system.harness.touch(system.app, entity, [at_checkpoint], checkpoint.updated_at)
    else:
        system.harness.touch(system.app, entity, [at_checkpoint], None)
    system.harness.touch(system.app, entity, [later], None)

    changes = await fetch(connector, entity, checkpoint)
    changed = records_of(changes)
    assert {at_checkpoint, later} <= {r.remote_id for r in changed}
    if incremental:
        assert checkpoint is not None
        assert checkpoint.updated_at is not None
        since = checkpoint.updated_at
        assert all(r.updated_at is None or r.updated_at >= since for r in changed)
        assert len(changed) < len(records_of(first)), "an incremental fetch is not a full one"
        after = last_checkpoint(changes)
        assert after is not None
        assert after.updated_at is not None
        assert after.updated_at >= since
    else:
        assert changes[-1].complete_snapshot


@by_entity
async def test_deleted_records_are_gone_or_reported(system: System, entity: EntityType) -> None:
    connector = system.connector()
    checkpoint = last_checkpoint(await fetch(connector, entity))
    gone = some_ids(system, entity)
    system.harness.delete(system.app, entity, gone)
    if system.harness.connector.entities[entity].delete_signal:
        reported = {
            i for b in await fetch(connector, entity, checkpoint) for i in b.deleted_remote_ids
        }
        assert set(gone) <= reported
    else:
        assert not set(gone) & set(await listed(connector, entity))


@by_entity
async def test_list_ids_lists_every_record_once(system: System, entity: EntityType) -> None:
    ids = await listed(system.connector(), entity)
    assert len(ids) == len(set(ids))
    harness = system.harness
    expected = harness.expected_ids(system.app, entity) | harness.malformed_ids(system.app, entity)
    assert set(ids) == expected


@by_entity
async def test_get_answers_in_order_with_none_for_unknown_ids(
    system: System, entity: EntityType
) -> None:
    first, second = some_ids(system, entity)
    unknown = system.harness.unknown_id(entity)
    found = await system.connector().get(entity, [second, unknown, first])
    assert [r.remote_id if r is not None else None for r in found] == [second, None, first]
    assert all(r is None or r.entity_type is entity for r in found)


# -- faults -----------------------------------------------------------------------------------

FAULTS = [
    pytest.param({"outage": "503"}, SystemUnreachable, id="outage-503"),
    pytest.param({"outage": "refused"}, SystemUnreachable, id="outage-refused"),
    pytest.param({"rate_limit": {"retry_after": 7}}, RateLimited, id="rate-limited"),
    pytest.param({"revoked_credentials": True}, AuthFailed, id="revoked-credentials"),
    pytest.param({"error_rate": 1.0}, SystemUnreachable, id="server-errors"),
]


@by_harness
@pytest.mark.parametrize(("fault", "error"), FAULTS)
async def test_faults_are_mapped(
    system: System, fault: dict[str, Any], error: type[Exception]
) -> None:
    connector = system.connector()
    await connector.check()
    emulator_of(system.app).faults.update(fault)
    with pytest.raises(error) as caught:
        await connector.check()
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7
    emulator_of(system.app).faults.clear()
    await connector.check()
