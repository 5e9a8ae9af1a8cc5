"""The demo: an admin key and a sandbox connection filled with a plant's worth of sample data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ironbridge.models import EntityType, SyncMode, SyncTrigger
from ironbridge.schema.ids import to_global_id
from ironbridge.security.tokens import TokenKind
from ironbridge.store import connections as connection_store
from ironbridge.store import tokens as token_store
from ironbridge.store.tables import connections
from ironbridge.sync.engine import SyncEngine
from ironbridge.sync.runner import SyncRequest
from ironbridge.sync.state import live_count

if TYPE_CHECKING:
    from ironbridge.services import Services

DEMO_NAME = "Demo plant (sandbox)"
SANDBOX_URL = "sandbox://demo"


@dataclass(frozen=True, slots=True)
class DemoInfo:
    admin_key: str
    connection_id: str
    connection_token: str
    records: int


async def create_admin_key(services: Services, *, name: str | None = None) -> str:
    async with services.engine.begin() as conn:
        _, token = await token_store.issue_token(
            conn, TokenKind.ADMIN, now=datetime.now(UTC), name=name
        )
    return token


async def synced_records(services: Services, connection_id: int) -> int:
    """How many live records the connection holds."""
    async with services.engine.connect() as conn:
        counts = [await live_count(conn, connection_id, entity) for entity in EntityType]
    return sum(counts)


async def seed_demo(services: Services, *, records: int = 240) -> DemoInfo:
    """Make (or reuse) the demo's sandbox connection and issue fresh credentials for it."""
    now = datetime.now(UTC)
    connector_cls = services.registry.get("sandbox")
    if connector_cls is None:
        raise RuntimeError("the sandbox connector is not installed")
    async with services.engine.begin() as conn:
        existing = (
            await conn.execute(
                select(connections.c.id).where(
                    connections.c.system_key == "sandbox",
                    connections.c.display_name == DEMO_NAME,
                    connections.c.status != "DISCONNECTED",
                )
            )
        ).scalar_one_or_none()
        connection_id = existing or await connection_store.create_connection(
            conn,
            system_key="sandbox",
            instance_url=SANDBOX_URL,
            display_name=DEMO_NAME,
            sandbox=True,
            credits_used=connector_cls.system.credit_cost,
            now=now,
            options={"records": records},
            # the sample data spans years: the demo shows all of it
            sync_initial_lookback_days=3650,
        )
        _, admin_key = await token_store.issue_token(conn, TokenKind.ADMIN, now=now, name="demo")
        _, conn_token = await token_store.issue_token(
            conn, TokenKind.CONNECTION, now=now, connection_id=connection_id, name="demo"
        )
    # a real sync run, the same the scheduler starts when a system is connected
    await SyncEngine(services).run(
        SyncRequest(connection_id=connection_id, mode=SyncMode.INITIAL, trigger=SyncTrigger.CONNECT)
    )
    loaded = await synced_records(services, connection_id)
    return DemoInfo(
        admin_key=admin_key,
        connection_id=to_global_id("Connection", connection_id),
        connection_token=conn_token,
        records=loaded,
    )


__all__ = ["DEMO_NAME", "DemoInfo", "create_admin_key", "seed_demo", "synced_records"]
