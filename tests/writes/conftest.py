"""Connections to write to: the sandbox, and SAP emulated over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select, update

from ironbridge.demo import create_admin_key
from ironbridge.emulators.sap import create_app as create_sap
from ironbridge.schema.ids import expect_global_id, to_global_id
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.store.tables import ENTITY_TABLES, connections
from ironbridge.store.webhook_tables import events
from ironbridge.upstream import open_connection_connector
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Sequence

    from starlette.applications import Starlette

    from ironbridge.models import EntityType
    from ironbridge.services import Services
    from tests.conftest import GQL

CONNECT = """mutation($input: ConnectInput!) { connect(input: $input) {
  token connection { id sandbox } } }"""

ORGANIZATION = {
    "company_code": "1710",
    "purchasing_organization": "1710",
    "purchasing_group": "001",
}


@pytest.fixture
async def admin(services: Services) -> str:
    return await create_admin_key(services)


@pytest.fixture
async def sap_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_sap(records=30)
    async with serve(app) as base_url:
        yield app, base_url


async def connect(gql: GQL, admin: str, payload: dict[str, Any]) -> tuple[int, str]:
    """The new connection's key and token."""
    data = await gql.data(CONNECT, {"input": payload}, token=admin)
    gid = data["connect"]["connection"]["id"]
    return expect_global_id(gid, "Connection"), data["connect"]["token"]


async def set_options(services: Services, connection_id: int, options: dict[str, Any]) -> None:
    async with services.engine.begin() as conn:
        await conn.execute(
            update(connections).where(connections.c.id == connection_id).values(options=options)
        )


async def load_records(
    services: Services, connection_id: int, entity: EntityType, remote_ids: Sequence[str]
) -> list[str]:
    """Read records from the connection's system into the store, as a sync would; their ids."""
    async with services.engine.connect() as conn:
        row = await connection_store.get_connection(conn, connection_id)
    assert row is not None
    connector = await open_connection_connector(services, row)
    try:
        found = await connector.get(entity, remote_ids)
    finally:
        await connector.aclose()
    records = [r for r in found if r is not None]
    assert len(records) == len(remote_ids)
    async with services.engine.begin() as conn:
        await record_store.upsert_records(conn, connection_id, records, synced_at=datetime.now(UTC))
        stored = await record_store.get_by_remote_ids(
            conn, entity, [(connection_id, r) for r in remote_ids]
        )
    type_name = "".join(part.capitalize() for part in entity.value.split("_"))
    return [to_global_id(type_name, stored[(connection_id, r)].id) for r in remote_ids]


async def live_read_is_cached_until_a_write(
    gql: GQL,
    token: str,
    data_requests: Callable[[], int],
    *,
    live_query: str,
    remote_id: str,
    update_query: str,
    change: dict[str, Any],
    record: str = "purchaseOrder",
) -> None:
    """A live read of ``remote_id`` reaches the system; the same read again is answered from
    the cache (``data_requests``, counted at the emulator, does not move); a write through the
    API moves the data version on, so the next live read asks the system again and shows the
    write. ``live_query`` takes ``$r`` and selects ``connection { <record>(remoteId: $r,
    live: true) { id ... } }``; ``update_query`` takes ``$id`` and ``$input`` and answers
    ``update<Record> { <record> { ... } }`` with the same selection."""
    before = data_requests()
    first = await gql.data(live_query, {"r": remote_id}, token=token)
    found = first["connection"][record]
    assert found["id"]
    assert found.get("remoteId", remote_id) == remote_id
    assert data_requests() > before
    asked = data_requests()
    again = await gql.data(live_query, {"r": remote_id}, token=token)
    assert again == first
    assert data_requests() == asked

    mutation = f"update{record[0].upper()}{record[1:]}"
    data = await gql.data(update_query, {"id": found["id"], "input": change}, token=token)
    updated = data[mutation][record]
    assert all(updated[k] == v for k, v in change.items())
    assert any(found[k] != v for k, v in change.items())
    written = data_requests()
    fresh = await gql.data(live_query, {"r": remote_id}, token=token)
    assert data_requests() > written
    assert fresh["connection"][record] == updated


async def event_types(services: Services) -> list[str]:
    """The types of every event in the outbox, oldest first."""
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type).order_by(events.c.id))).scalars().all()
    return list(kinds)


async def stored_count(services: Services, entity: EntityType, connection_id: int) -> int:
    """How many records of ``entity`` the store holds for the connection (deleted ones too)."""
    table = ENTITY_TABLES[entity]
    async with services.engine.connect() as conn:
        count = (
            await conn.execute(
                select(func.count())
                .select_from(table)
                .where(table.c.connection_id == connection_id)
            )
        ).scalar_one()
    return int(count)


async def connect_emulator(
    gql: GQL,
    admin: str,
    system_key: str,
    served: tuple[Starlette, str],
    *,
    instance_url: str | None = None,
) -> tuple[int, str]:
    """Connect ``system_key`` to its emulator served at ``served`` with the credentials the
    emulator accepts; the new connection's key and token."""
    app, url = served
    credentials = dict(app.state.emulator.credentials)
    payload = {"systemKey": system_key, "instanceUrl": instance_url or url}
    return await connect(gql, admin, {**payload, "credentials": credentials})
