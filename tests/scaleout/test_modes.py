"""Settings alone choose the mode; the job queue's schema comes with ``migrate``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from typer.testing import CliRunner

from ironbridge.cli import app
from ironbridge.events.bus import MemoryBus
from ironbridge.events.redis_bus import RedisBus
from ironbridge.jobs.factory import create_bus, open_runner
from ironbridge.jobs.queue import conninfo, tick_cron
from ironbridge.jobs.runner import ProcrastinateRunner
from ironbridge.settings import Settings
from ironbridge.store.engine import create_engine, migrate
from tests.conftest import pg_database

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.scaleout


def test_the_job_queue_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="postgresql"):
        Settings(data_dir=tmp_path, jobs="procrastinate")


def test_the_worker_command_refuses_the_embedded_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRONBRIDGE_JOBS", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "IRONBRIDGE_JOBS=procrastinate" in result.output


def test_urls_and_ticks() -> None:
    assert conninfo("postgresql+asyncpg://u:p@db:5433/ib") == "postgresql://u:p@db:5433/ib"
    with pytest.raises(ValueError, match="PostgreSQL"):
        conninfo("sqlite+aiosqlite:///x.db")
    assert tick_cron(5) == "* * * * * */5"
    assert tick_cron(60) == "* * * * *"
    with pytest.raises(ValueError, match="1 to 60"):
        tick_cron(0)


@pytest.mark.redis
async def test_settings_pick_the_bus(tmp_path: Path) -> None:
    memory = create_bus(Settings(data_dir=tmp_path))
    redis = create_bus(Settings(data_dir=tmp_path, redis_url="redis://127.0.0.1:1/0"))
    assert isinstance(memory, MemoryBus)
    assert isinstance(redis, RedisBus)
    await memory.aclose()
    await redis.aclose()


@pytest.mark.postgres
async def test_migrate_makes_the_queue_once_even_from_processes_starting_together(
    tmp_path: Path,
) -> None:
    async for url in pg_database():
        engines = [create_engine(url) for _ in range(3)]
        try:
            await asyncio.gather(*(migrate(e, jobs=True) for e in engines))
            await migrate(engines[0], jobs=True)
            async with engines[0].connect() as conn:
                tables = set(
                    (
                        await conn.execute(
                            text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'procr%'")
                        )
                    ).scalars()
                )
            assert {"procrastinate_jobs", "procrastinate_workers"} <= tables
            settings = Settings(data_dir=tmp_path, database_url=url, jobs="procrastinate")
            # the gateway's runner only enqueues: it needs no sync engine
            runner = await open_runner(settings, sync_engine=None)  # type: ignore[arg-type]
            assert isinstance(runner, ProcrastinateRunner)
            assert not await runner.busy(1)
            await runner.aclose()
        finally:
            for engine in engines:
                await engine.dispose()
