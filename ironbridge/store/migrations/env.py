"""Alembic environment: runs on a connection handed in, or opens the configured URL."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from alembic import context

from ironbridge.store.engine import create_engine
from ironbridge.store.tables import metadata

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async(config.get_main_option("sqlalchemy.url") or ""))
