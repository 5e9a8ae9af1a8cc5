"""Scale-out: the query benchmark ("50 purchase orders with their lines and vendor" through
/graphql) against one and two gateway processes on PostgreSQL, and 200 SAP connections making
their initial sync with one and two worker processes. Prints the rates and their ratios.

Every process runs as in production (``python -m ironbridge serve`` / ``worker``) with
``IRONBRIDGE_JOBS=procrastinate``, on a throw-away PostgreSQL database (from
``IRONBRIDGE_TEST_DATABASE_URL``) and a ``redis-server`` of its own. The load comes from this
process. On a machine with few cores the processes share them: the ratios say how much a second
process adds there, not what a second machine adds.

Usage: python benchmarks/scaleout.py [--connections 200] [--records 100] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.query_throughput import QUERY, load
from benchmarks.sync_throughput import (
    PG_DEFAULT,
    PG_ENV,
    add_connection,
    create_database,
    drop_database,
    free_port,
)
from ironbridge.app import create_services
from ironbridge.demo import seed_demo
from ironbridge.jobs.queue import create_queue
from ironbridge.jobs.runner import ProcrastinateRunner
from ironbridge.models import SyncMode, SyncTrigger
from ironbridge.security.secretbox import SecretBox
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate

if TYPE_CHECKING:
    from collections.abc import Iterator

START_BOUND = 120.0


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    proc = subprocess.Popen([*args, "no"], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Processes:
    """Gateways and workers started with one environment; all stopped on the way out."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []

    def gateway(self) -> str:
        port = free_port()
        args = [sys.executable, "-m", "ironbridge", "serve", "--port", str(port)]
        self.procs.append(subprocess.Popen(args, env=self.env))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_BOUND
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return url
            time.sleep(0.1)
        raise SystemExit("a gateway did not start")

    def worker(self, concurrency: int) -> None:
        args = [sys.executable, "-m", "ironbridge", "worker", "--concurrency", str(concurrency)]
        self.procs.append(subprocess.Popen(args, env=self.env))

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def environment(database_url: str, redis_url: str, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRONBRIDGE_")}
    env |= {
        "IRONBRIDGE_DATABASE_URL": database_url,
        "IRONBRIDGE_REDIS_URL": redis_url,
        "IRONBRIDGE_JOBS": "procrastinate",
        "IRONBRIDGE_ENCRYPTION_KEYS": key,
        "IRONBRIDGE_AUTO_MIGRATE": "false",
        "IRONBRIDGE_LOG_LEVEL": "warning",
        "IRONBRIDGE_RATE_LIMIT_PER_MINUTE": "0",
        "IRONBRIDGE_SCHEDULER_TICK_SECONDS": "60",
    }
    return env


def settings_for(database_url: str, key: str, tmp: Path) -> Settings:
    return Settings(
        database_url=database_url,
        encryption_keys=[key],
        jobs="procrastinate",
        data_dir=tmp,
    )


# -- queries ------------------------------------------------------------------------------------


async def seed(settings: Settings, records: int) -> str:
    services = create_services(settings)
    try:
        await migrate(services.engine, jobs=True)
        demo = await seed_demo(services, records=records)
    finally:
        await services.engine.dispose()
    return demo.connection_token


async def query_rate(urls: list[str], token: str, *, total: int, concurrency: int) -> float:
    """Requests/s with the load spread evenly over ``urls`` (a round-robin load balancer)."""
    headers = {"Authorization": f"Bearer {token}"}
    clients = [
        httpx.AsyncClient(base_url=u, timeout=60, limits=httpx.Limits(max_connections=concurrency))
        for u in urls
    ]
    try:
        requests = [
            c.build_request("POST", "/graphql", json={"query": QUERY}, headers=headers)
            for c in clients
        ]
        share = concurrency // len(urls)
        for client, request in zip(clients, requests, strict=True):  # warm up
            await load(client, request, total=20, concurrency=share)
        started = time.perf_counter()
        await asyncio.gather(
            *(
                load(client, request, total=total // len(urls), concurrency=share)
                for client, request in zip(clients, requests, strict=True)
            )
        )
        return (total // len(urls)) * len(urls) / (time.perf_counter() - started)
    finally:
        for client in clients:
            await client.aclose()


def queries(args: argparse.Namespace, base: str, redis_url: str, key: str) -> dict[int, float]:
    rates: dict[int, float] = {}
    database_url = asyncio.run(create_database(base))
    processes = Processes(environment(database_url, redis_url, key))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            token = asyncio.run(seed(settings_for(database_url, key, Path(tmp)), args.orders))
        urls: list[str] = []
        for gateways in (1, 2):
            urls.append(processes.gateway())
            runs = [
                asyncio.run(
                    query_rate(urls, token, total=args.requests, concurrency=args.concurrency)
                )
                for _ in range(args.rounds)
            ]
            rates[gateways] = statistics.median(runs)
            shown = ", ".join(f"{r:.0f}" for r in runs)
            print(f"queries, {gateways} gateway(s): {rates[gateways]:8.1f} req/s  ({shown})")
    finally:
        processes.stop()
        asyncio.run(drop_database(base, database_url))
    return rates


# -- syncs --------------------------------------------------------------------------------------


async def prepare_syncs(settings: Settings, instance_url: str, connections: int) -> list[int]:
    services = create_services(settings)
    try:
        await migrate(services.engine, jobs=True)
        return [await add_connection(services, instance_url) for _ in range(connections)]
    finally:
        await services.engine.dispose()


async def enqueue_and_wait(settings: Settings, ids: list[int], workers: int) -> float:
    """Once ``workers`` workers are up, queue one initial sync per connection; seconds until
    every run has completed."""
    from sqlalchemy.ext.asyncio import create_async_engine

    app = create_queue(settings.resolved_database_url)
    engine = create_async_engine(settings.resolved_database_url)
    live = text("SELECT count(*) FROM procrastinate_workers")
    deadline = time.monotonic() + START_BOUND
    while time.monotonic() < deadline:
        async with engine.connect() as conn:
            if (await conn.execute(live)).scalar_one() >= workers:
                break
        await asyncio.sleep(0.1)
    else:
        raise SystemExit("the workers did not start")
    done = text(
        "SELECT count(*) FROM sync_runs WHERE state IN ('COMPLETED', 'COMPLETED_WITH_WARNINGS')"
    )
    try:
        async with app.open_async():
            runner = ProcrastinateRunner(app, owns_app=False)
            runner.start()
            started = time.perf_counter()
            for cid in ids:
                await runner.enqueue(cid, SyncMode.INITIAL, SyncTrigger.CONNECT)
            while True:
                async with engine.connect() as conn:
                    if (await conn.execute(done)).scalar_one() >= len(ids):
                        return time.perf_counter() - started
                await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


def syncs(args: argparse.Namespace, base: str, redis_url: str, key: str) -> dict[int, float]:
    port = free_port()
    command = [sys.executable, "-m", "ironbridge", "emulator", "sap-s4hana"]
    command += ["--port", str(port), "--records", str(args.records)]
    emulator = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    instance_url = f"http://127.0.0.1:{port}"
    rates: dict[int, float] = {}
    try:
        deadline = time.monotonic() + START_BOUND
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{instance_url}/_emulator/info", timeout=2)
                break
            time.sleep(0.1)
        for workers in (1, 2):
            database_url = asyncio.run(create_database(base))
            processes = Processes(environment(database_url, redis_url, key))
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    settings = settings_for(database_url, key, Path(tmp))
                    ids = asyncio.run(prepare_syncs(settings, instance_url, args.connections))
                    for _ in range(workers):
                        processes.worker(args.worker_concurrency)
                    seconds = asyncio.run(enqueue_and_wait(settings, ids, workers))
                rates[workers] = args.connections / seconds
                print(
                    f"syncs, {workers} worker(s): {args.connections} connections x "
                    f"{args.records} orders in {seconds:.1f} s = {rates[workers]:.1f} syncs/s"
                )
            finally:
                processes.stop()
                asyncio.run(drop_database(base, database_url))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=500, help="purchase orders to query")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--records", type=int, default=100, help="purchase orders per system")
    parser.add_argument("--worker-concurrency", type=int, default=8)
    parser.add_argument("--skip", choices=["queries", "syncs"], default=None)
    args = parser.parse_args()
    base = os.environ.get(PG_ENV, PG_DEFAULT)
    key = SecretBox.generate_key()
    with redis_server() as redis_url:
        results: dict[str, Any] = {}
        if args.skip != "queries":
            results["queries"] = queries(args, base, redis_url, key)
        if args.skip != "syncs":
            results["syncs"] = syncs(args, base, redis_url, key)
    if "queries" in results:
        q = results["queries"]
        print(f"ratio queries 2 gateways / 1 gateway: {q[2] / q[1]:.2f}")
    if "syncs" in results:
        s = results["syncs"]
        print(f"ratio syncs 2 workers / 1 worker: {s[2] / s[1]:.2f}")


if __name__ == "__main__":
    main()
