"""The database engine and migrations, the same for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def json_dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for ``url`` with the settings each dialect needs."""
    kwargs: dict[str, Any] = {"echo": echo, "json_serializer": json_dumps}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    return create_async_engine(url, **kwargs)


def alembic_config(url: str | None = None) -> Config:
    """Alembic's config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("ironbridge.store") / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


# any constant: PostgreSQL serialises the migrations of processes starting at once on it
MIGRATION_LOCK = 0x1B_0001


async def migrate(engine: AsyncEngine, revision: str = "head", *, jobs: bool = False) -> None:
    """Apply migrations up to ``revision`` on the engine's database; with ``jobs``, also the
    job queue's schema (PostgreSQL only)."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await conn.run_sync(_upgrade, revision)
        if jobs:
            from ironbridge.jobs.schema import ensure_schema

            await ensure_schema(conn)


__all__ = ["alembic_config", "create_engine", "json_dumps", "migrate"]
