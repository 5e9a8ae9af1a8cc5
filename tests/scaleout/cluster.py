"""Ironbridge in scale-out mode as real processes: gateways (``python -m ironbridge serve``)
and workers (``python -m ironbridge worker``) on a throw-away PostgreSQL database and a Redis
server of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import text

from ironbridge.app import close_services, create_services
from ironbridge.demo import create_admin_key
from ironbridge.security.secretbox import SecretBox
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from tests.conftest import pg_database
from tests.scaleout.redis_server import RedisServer
from tests.support.servers import free_port

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine

# bounds of the polling loops (seconds); never assertions on how long anything takes
START_BOUND = 60.0
POLL = 0.05


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster:
    """The shared services, the processes started on them, and a store connection to read."""

    tmp: Path
    database_url: str
    redis: RedisServer
    engine: AsyncEngine
    admin_key: str
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str]) -> Process:
        log = self.tmp / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "ironbridge", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    async def gateway(self, name: str) -> Process:
        """A gateway on a free port, once ``/readyz`` says it is ready."""
        port = free_port()
        process = self._spawn(name, ["serve", "--host", "127.0.0.1", "--port", str(port)])
        process.url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=process.url, timeout=5) as client:
            for _ in range(int(START_BOUND / POLL)):
                assert process.popen.poll() is None, process.output()
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        return process
                await asyncio.sleep(POLL)
        raise AssertionError(f"{name} did not become ready:\n{process.output()}")

    async def worker(self, name: str, *, among: int = 1) -> Process:
        """A worker, once ``among`` workers (it and those starting with it) have registered."""
        before = await self.live_workers()
        process = self._spawn(name, ["worker", "--concurrency", "4"])
        for _ in range(int(START_BOUND / POLL)):
            assert process.popen.poll() is None, process.output()
            if await self.live_workers() >= before + among:
                return process
            await asyncio.sleep(POLL)
        raise AssertionError(f"{name} did not start:\n{process.output()}")

    async def start(self, gateways: int, workers: int) -> tuple[list[Process], list[Process]]:
        """Gateways and workers started side by side; returns them once all are up."""
        made = await asyncio.gather(
            *(self.gateway(f"gateway-{n}") for n in range(gateways)),
            *(self.worker(f"worker-{n}", among=workers) for n in range(workers)),
        )
        return list(made[:gateways]), list(made[gateways:])

    async def live_workers(self) -> int:
        return int(await self.scalar("SELECT count(*) FROM procrastinate_workers"))

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(text(sql), params)

    async def graphql(
        self, process: Process, query: str, variables: dict[str, Any] | None = None, *, token: str
    ) -> dict[str, Any]:
        assert process.url is not None
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as client:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {token}"},
            )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)

    async def stop(self) -> None:
        for process in self.processes:
            if process.popen.poll() is None:
                process.popen.terminate()
        for process in self.processes:
            for _ in range(int(START_BOUND / POLL)):
                if process.popen.poll() is not None:
                    break
                await asyncio.sleep(POLL)
            else:
                process.popen.kill()
            process.popen.wait()


@contextlib.asynccontextmanager
async def cluster(tmp: Path, **env: str) -> AsyncIterator[Cluster]:
    """A migrated store, a Redis server, an admin key and the environment processes share."""
    async for url in pg_database():
        redis = RedisServer(tmp)
        await redis.start()
        key = SecretBox.generate_key()
        settings = Settings(
            database_url=url,
            data_dir=tmp / "data",
            encryption_keys=[key],
            jobs="procrastinate",
        )
        services = create_services(settings)
        made: Cluster | None = None
        try:
            await migrate(services.engine, jobs=True)
            admin_key = await create_admin_key(services)
            shared = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
            shared |= {
                "IRONBRIDGE_DATABASE_URL": url,
                "IRONBRIDGE_REDIS_URL": redis.url,
                "IRONBRIDGE_JOBS": "procrastinate",
                "IRONBRIDGE_ENCRYPTION_KEYS": key,
                "IRONBRIDGE_DATA_DIR": str(tmp / "data"),
                "IRONBRIDGE_LOG_LEVEL": "warning",
                "IRONBRIDGE_SCHEDULER_TICK_SECONDS": "1",
                "IRONBRIDGE_WORKER_HEARTBEAT_SECONDS": "1",
                **env,
            }
            made = Cluster(tmp, url, redis, services.engine, admin_key, shared)
            yield made
        finally:
            if made is not None:
                await made.stop()
            await redis.stop()
            await close_services(services)
