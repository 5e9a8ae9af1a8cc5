"""Helpers for the sync tests: a connection straight in the store, a sync engine on fake time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select

from ironbridge.connectors.factory import open_connector
from ironbridge.models import SyncMode, SyncTrigger
from ironbridge.store import connections as connection_store
from ironbridge.store.tables import ENTITY_TABLES, connections, sync_runs
from ironbridge.sync.engine import SyncEngine
from ironbridge.sync.runner import SyncRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import Row

    from ironbridge.connectors.base import Connector
    from ironbridge.models import EntityType
    from ironbridge.services import Services


class FakeSleep:
    """Records the waits asked for instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Tripwire(httpx.AsyncBaseTransport):
    """Real HTTP, and a callback just before the ``after``-th request goes out."""

    def __init__(self, after: int, trip: Callable[[], None]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.after = after
        self.trip = trip
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.sent == self.after:
            self.trip()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def store_connection(
    services: Services,
    system_key: str,
    *,
    instance_url: str,
    credentials: Mapping[str, str],
    options: Mapping[str, Any] | None = None,
    sandbox: bool = False,
) -> int:
    """A connection made directly in the store, with encrypted credentials and a long lookback."""
    now = datetime.now(UTC)
    async with services.engine.begin() as conn:
        cid = await connection_store.create_connection(
            conn,
            system_key=system_key,
            instance_url=instance_url,
            display_name=None,
            sandbox=sandbox,
            credits_used=0,
            now=now,
            options=options,
            sync_initial_lookback_days=3650,
        )
        ciphertext = services.secretbox.encrypt(str(cid), dict(credentials))
        await connection_store.save_credentials(conn, cid, ciphertext, now=now)
    return cid


def make_engine(
    services: Services,
    *,
    sleep: FakeSleep | None = None,
    transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
) -> SyncEngine:
    """An engine that reconciles ids on every incremental run and never really sleeps."""

    def factory(row: Row[Any], credentials: Mapping[str, str]) -> Connector:
        return open_connector(
            services.registry,
            row.system_key,
            connection_id=str(row.id),
            instance_url=row.instance_url,
            credentials=credentials,
            options=row.options,
            sandbox=row.sandbox,
            transport=transport() if transport is not None else None,
        )

    return SyncEngine(
        services,
        rng=random.Random(7),
        sleep=sleep or FakeSleep(),
        connector_factory=factory,
        reconcile_every=timedelta(0),
    )


async def run_sync(
    engine: SyncEngine, connection_id: int, mode: SyncMode = SyncMode.INCREMENTAL
) -> Row[Any]:
    run_id = await engine.run(
        SyncRequest(connection_id=connection_id, mode=mode, trigger=SyncTrigger.MANUAL)
    )
    assert run_id is not None
    async with engine.services.engine.connect() as conn:
        row = (await conn.execute(select(sync_runs).where(sync_runs.c.id == run_id))).first()
    assert row is not None
    return row


async def live_ids(services: Services, connection_id: int, entity: EntityType) -> set[str]:
    table = ENTITY_TABLES[entity]
    stmt = select(table.c.remote_id).where(
        table.c.connection_id == connection_id, table.c.deleted_at.is_(None)
    )
    async with services.engine.connect() as conn:
        return set((await conn.execute(stmt)).scalars())


async def rows_by_remote_id(
    services: Services, connection_id: int, entity: EntityType, remote_ids: list[str]
) -> dict[str, Row[Any]]:
    table = ENTITY_TABLES[entity]
    stmt = select(table).where(
        table.c.connection_id == connection_id, table.c.remote_id.in_(remote_ids)
    )
    async with services.engine.connect() as conn:
        return {row.remote_id: row for row in await conn.execute(stmt)}


async def connection_row(services: Services, connection_id: int) -> Row[Any]:
    async with services.engine.connect() as conn:
        row = (
            await conn.execute(select(connections).where(connections.c.id == connection_id))
        ).first()
    assert row is not None
    return row
