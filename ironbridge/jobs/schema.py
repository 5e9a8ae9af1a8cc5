"""The job queue's tables, made once in the store's PostgreSQL database by ``migrate``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procrastinate.schema import SchemaManager
from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection


async def ensure_schema(conn: AsyncConnection) -> bool:
    """Create procrastinate's schema unless it is there; True when it was created.

    Runs inside the migration's transaction, which holds the migration lock, so processes
    starting at once do not race. Upgrading procrastinate itself goes through its own
    migration files (see the operations guide).
    """
    if conn.dialect.name != "postgresql":
        raise RuntimeError("the job queue needs PostgreSQL")
    present = (await conn.execute(text("SELECT to_regclass('procrastinate_jobs')"))).scalar()
    if present is not None:
        return False
    raw = await conn.get_raw_connection()
    # several statements in one go: the driver's simple query protocol, in this transaction
    await raw.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]
    return True


__all__ = ["ensure_schema"]
