"""The outbox: events and deliveries commit, or roll back, with the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from ironbridge.events.outbox import (
    EVENT_TYPES,
    UnknownEventType,
    emit,
    is_valid_pattern,
    matches,
)
from ironbridge.store import connections as connection_store
from ironbridge.store.engine import alembic_config, migrate
from ironbridge.store.tables import connections, metadata
from ironbridge.store.webhook_tables import events, webhook_deliveries
from tests.events.helpers import add_endpoint, deliveries

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncEngine

    from ironbridge.security.secretbox import SecretBox

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
OURS = {"events", "webhook_endpoints", "webhook_deliveries", "webhook_attempts"}


class Boom(Exception):
    pass


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_emit_queues_one_delivery_per_subscribed_enabled_endpoint(
    engine: AsyncEngine, secretbox: SecretBox
) -> None:
    url = "http://127.0.0.1:9/hook"
    everything, _ = await add_endpoint(engine, secretbox, url, ["*"])
    records, _ = await add_endpoint(engine, secretbox, url, ["record.*"])
    syncs, _ = await add_endpoint(engine, secretbox, url, ["sync.completed", "sync.failed"])
    await add_endpoint(engine, secretbox, url, ["connection.created"])
    await add_endpoint(engine, secretbox, url, ["*"], enabled=False)

    async with engine.begin() as conn:
        created = await emit(conn, type="record.created", data={"entity": "VENDOR"}, now=T0)
        completed = await emit(conn, type="sync.completed", data={}, now=T0)

    rows = await deliveries(engine)
    by_event: dict[int, set[int]] = {}
    for row in rows:
        by_event.setdefault(row.event_id, set()).add(row.endpoint_id)
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0)
    async with engine.connect() as conn:
        pks = dict((await conn.execute(select(events.c.event_id, events.c.id))).all())
    assert by_event[pks[created.event_id]] == {everything, records}
    assert by_event[pks[completed.event_id]] == {everything, syncs}
    assert created.event_id.startswith("evt_")
    assert created.event_id != completed.event_id
    assert created.data == {"entity": "VENDOR"}
    assert created.created_at == T0


async def test_a_rolled_back_transaction_leaves_no_event_and_no_delivery(
    engine: AsyncEngine, secretbox: SecretBox
) -> None:
    await add_endpoint(engine, secretbox, "http://127.0.0.1:9/hook")

    async def change_that_fails() -> None:
        async with engine.begin() as conn:
            await emit(conn, type="sync.failed", data={"error": "x"}, now=T0)
            raise Boom

    with pytest.raises(Boom):
        await change_that_fails()
    assert await count(engine, events) == 0
    assert await count(engine, webhook_deliveries) == 0


async def test_emit_to_chosen_endpoints_ignores_their_filters(
    engine: AsyncEngine, secretbox: SecretBox
) -> None:
    url = "http://127.0.0.1:9/hook"
    chosen, _ = await add_endpoint(engine, secretbox, url, ["record.created"])
    await add_endpoint(engine, secretbox, url, ["*"])
    disabled, _ = await add_endpoint(engine, secretbox, url, ["*"], enabled=False)
    async with engine.begin() as conn:
        await emit(conn, type="webhook.test", data={}, now=T0, endpoint_ids=[chosen, disabled])
    assert [row.endpoint_id for row in await deliveries(engine)] == [chosen]


async def test_events_outlive_their_connection(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        cid = await connection_store.create_connection(
            conn,
            system_key="sandbox",
            instance_url="sandbox://x",
            display_name="x",
            sandbox=True,
            credits_used=0,
            now=T0,
        )
        await emit(conn, type="connection.created", data={}, connection_id=cid, now=T0)
    async with engine.begin() as conn:
        await conn.execute(connections.delete().where(connections.c.id == cid))
    async with engine.connect() as conn:
        row = (await conn.execute(select(events))).one()
    assert row.type == "connection.created"
    assert row.connection_id is None


async def test_unknown_event_types_are_refused(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        with pytest.raises(UnknownEventType) as caught:
            await emit(conn, type="record.exploded", data={}, now=T0)
    assert caught.value.type == "record.exploded"


@pytest.mark.parametrize(
    ("pattern", "type", "expected"),
    [
        ("*", "record.created", True),
        ("record.*", "record.deleted", True),
        ("record.*", "sync.completed", False),
        ("sync.completed", "sync.completed", True),
        ("sync.completed", "sync.failed", False),
        ("webhook.*", "webhook_endpoint.disabled", False),
        ("webhook_endpoint.*", "webhook_endpoint.disabled", True),
    ],
)
def test_matches(pattern: str, type: str, expected: bool) -> None:
    assert matches(pattern, type) is expected


@pytest.mark.parametrize("pattern", [*sorted(EVENT_TYPES), "*", "record.*", "connection.*"])
def test_valid_patterns(pattern: str) -> None:
    assert is_valid_pattern(pattern)


@pytest.mark.parametrize("pattern", ["", "record", "record.", "records.*", "*.created", "re*"])
def test_invalid_patterns(pattern: str) -> None:
    assert not is_valid_pattern(pattern)


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if OURS & _tables(d)]


def _tables(diff: Any) -> set[str]:
    """Every table name a diff entry mentions (entries hold names, tables, columns or indexes)."""
    names: set[str] = set()
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item:
            if isinstance(part, str):
                names.add(part)
            for owner in (part, getattr(part, "table", None)):
                name = getattr(owner, "name", None)
                if isinstance(name, str):
                    names.add(name)
    return names


async def test_migration_0002_matches_the_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


def _downgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0001")


async def test_migration_0002_downgrades_and_upgrades_again(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert not OURS & names
    await migrate(engine)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert names >= OURS
