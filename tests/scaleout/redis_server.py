"""A Redis server of a test's own, so restarting it disturbs nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.support.servers import free_port

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

# bounds of the polling loops (seconds); never assertions on how long anything takes
START_BOUND = 20.0
POLL = 0.05


class RedisServer:
    """``redis-server`` on a free loopback port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        args += ["--dir", str(self.workdir)]
        log = (self.workdir / "redis.log").open("ab")
        with log:
            self.process = subprocess.Popen(  # noqa: ASYNC220 - returns at once
                args, stdout=log, stderr=subprocess.STDOUT
            )
        client = Redis.from_url(self.url)
        try:
            for _ in range(int(START_BOUND / POLL)):
                assert self.process.poll() is None, "redis-server exited"
                with contextlib.suppress(RedisError, OSError):
                    if await client.ping():
                        return
                await asyncio.sleep(POLL)
            raise AssertionError("redis-server did not start")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        for _ in range(int(START_BOUND / POLL)):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(POLL)
        else:
            self.process.kill()
        self.process.wait()
        self.process = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@contextlib.asynccontextmanager
async def redis_server(workdir: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(workdir)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
