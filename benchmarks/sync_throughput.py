"""Initial sync throughput: purchase orders with their lines from the SAP emulator through the
real sync engine into SQLite and into PostgreSQL, against plain httpx following the same pages
(no mapping, no store): records/s, ratios and peak memory of each, at one or more sizes.

Usage: python benchmarks/sync_throughput.py [--records 100000] [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ironbridge.app import create_services
from ironbridge.connectors.sap.resources import resources
from ironbridge.emulators.sap import (
    DEFAULT_CLIENT,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    create_app,
)
from ironbridge.models import EntityType, SyncMode, SyncTrigger
from ironbridge.observability import configure_logging
from ironbridge.settings import Settings
from ironbridge.store import connections as connection_store
from ironbridge.store.engine import migrate
from ironbridge.store.tables import sync_runs
from ironbridge.sync.engine import SyncEngine
from ironbridge.sync.runner import SyncRequest

if TYPE_CHECKING:
    from ironbridge.services import Services

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
PG_ENV = "IRONBRIDGE_TEST_DATABASE_URL"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CREDENTIALS = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "client": DEFAULT_CLIENT}
PHASES = ("plain", "sqlite", "postgresql")
# The emulator runs under uvicorn in a process of its own on loopback; each measured phase runs in
# a fresh process too, so that its ru_maxrss is its own.


# -- phases (each in its own process) -------------------------------------------------------------


async def plain(base_url: str) -> dict[str, Any]:
    """The pages the connector asks for, with httpx alone: JSON parsed, nothing mapped or stored."""
    po = resources("v4")[EntityType.PURCHASE_ORDER]
    params = {"sap-client": DEFAULT_CLIENT, "$orderby": po.orderby() or ""}
    params["$expand"] = po.expand or ""
    auth = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
    records = lines = requests = 0
    async with httpx.AsyncClient(base_url=base_url, auth=auth, timeout=120) as client:
        url: str | None = str(client.base_url.join(po.path).copy_merge_params(params))
        while url is not None:
            response = await client.get(url, headers=dict(po.protocol.read_headers))
            response.raise_for_status()
            requests += 1
            body = response.json()
            records += len(body["value"])
            lines += sum(len(order["_PurchaseOrderItem"]) for order in body["value"])
            url = body.get("@odata.nextLink")
    return {"records": records, "lines": lines, "requests": requests, "state": "-"}


async def add_connection(services: Services, base_url: str) -> int:
    """A SAP connection that syncs purchase orders only, with a lookback covering the dataset."""
    now = datetime.now(UTC)
    async with services.engine.begin() as conn:
        cid = await connection_store.create_connection(
            conn,
            system_key="sap-s4hana",
            instance_url=base_url,
            display_name="benchmark",
            sandbox=False,
            credits_used=0,
            now=now,
            sync_initial_lookback_days=3650,
            sync_entities=[EntityType.PURCHASE_ORDER],
        )
        ciphertext = services.secretbox.encrypt(str(cid), CREDENTIALS)
        await connection_store.save_credentials(conn, cid, ciphertext, now=now)
    return cid


async def sync_run(engine: SyncEngine, cid: int, mode: SyncMode) -> dict[str, Any]:
    """One run through the engine; its figures from the run row."""
    run_id = await engine.run(SyncRequest(connection_id=cid, mode=mode, trigger=SyncTrigger.MANUAL))
    async with engine.services.engine.connect() as conn:
        row = (await conn.execute(select(sync_runs).where(sync_runs.c.id == run_id))).one()
    return {
        "records": row.records_fetched,
        "created": row.records_created,
        "updated": row.records_updated,
        "requests": row.upstream_requests,
        "state": row.state,
    }


async def synced(base_url: str, data_dir: Path, database_url: str | None) -> dict[str, Any]:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    services = create_services(settings)
    try:
        await migrate(services.engine)
        cid = await add_connection(services, base_url)
        return await sync_run(SyncEngine(services), cid, SyncMode.INITIAL)
    finally:
        await services.engine.dispose()


def phase(name: str, base_url: str, database_url: str | None) -> None:
    """One measured phase, in this process; prints its figures as JSON."""
    configure_logging(level="warning")
    with tempfile.TemporaryDirectory(prefix="ib-sync-bench-") as tmp:
        cpu = time.process_time()
        started = time.perf_counter()
        if name == "plain":
            figures = asyncio.run(plain(base_url))
        else:
            figures = asyncio.run(synced(base_url, Path(tmp), database_url))
        figures["seconds"] = time.perf_counter() - started
        figures["cpu"] = time.process_time() - cpu
    figures["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


# -- orchestration --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_emulator(
    script: str, records: int, page_size: int
) -> tuple[subprocess.Popen[bytes], str]:
    """The SAP emulator under uvicorn in its own process; waits until it answers."""
    port = free_port()
    args = ["--records", str(records), "--page-size", str(page_size), "--serve", str(port)]
    server = subprocess.Popen([sys.executable, script, *args])
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the emulator process stopped")
        try:
            httpx.get(f"{base_url}/_emulator/info", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return server, base_url
    server.terminate()
    raise SystemExit("the emulator did not start within 120 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


async def create_database(base: str) -> str:
    name = f"ib_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return str(make_url(base).set(database=name).render_as_string(hide_password=False))


async def drop_database(base: str, url: str) -> None:
    name = make_url(url).database
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def run_phase(script: str, name: str, base_url: str, database_url: str | None) -> dict[str, Any]:
    args = [sys.executable, script, "--phase", name, "--url", base_url]
    if database_url is not None:
        args += ["--db-url", database_url]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def measure_size(args: argparse.Namespace, records: int) -> dict[str, dict[str, Any]]:
    script = str(Path(__file__).resolve())
    pg_base = os.environ.get(PG_ENV, PG_DEFAULT)
    results: dict[str, dict[str, Any]] = {}
    # one emulator for the three phases: syncs only read, so each sees the same dataset
    server, base_url = start_emulator(script, records, args.page_size)
    try:
        for name in PHASES:
            if name == "postgresql":
                database_url = asyncio.run(create_database(pg_base))
                try:
                    results[name] = run_phase(script, name, base_url, database_url)
                finally:
                    asyncio.run(drop_database(pg_base, database_url))
            else:
                results[name] = run_phase(script, name, base_url, None)
    finally:
        stop(server)
    return results


def report(records: int, page_size: int, results: dict[str, dict[str, Any]]) -> None:
    rate = {name: r["records"] / r["seconds"] for name, r in results.items()}
    print(
        f"sap-s4hana purchase orders: {records} records, server pages of {page_size}, "
        "emulator in its own uvicorn process on 127.0.0.1"
    )
    print(
        f"{'':38}{'records':>9}{'requests':>9}{'seconds':>9}{'rec/s':>9}{'CPU s':>8}"
        f"{'peak RSS':>11}  state"
    )
    labels = {
        "plain": "plain httpx (same pages, no map/store)",
        "sqlite": "sync engine -> SQLite (initial)",
        "postgresql": "sync engine -> PostgreSQL (initial)",
    }
    for name, r in results.items():
        print(
            f"{labels[name]:38}{r['records']:>9}{r['requests']:>9}{r['seconds']:>9.1f}"
            f"{rate[name]:>9.0f}{r['cpu']:>8.1f}{r['maxrss_mib']:>8.0f} MiB  {r['state']}"
        )
    for name in ("sqlite", "postgresql"):
        print(f"ratio {name}/plain (records/s): {rate[name] / rate['plain']:.2f}")


def measure(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.records]
    all_results: dict[int, dict[str, dict[str, Any]]] = {}
    for records in sizes:
        all_results[records] = measure_size(args, records)
        report(records, args.page_size, all_results[records])
        print()
    if len(sizes) > 1:
        print("peak RSS by size (MiB):")
        print(f"{'records':>9}" + "".join(f"{name:>12}" for name in PHASES))
        for records, results in all_results.items():
            print(f"{records:>9}" + "".join(f"{results[n]['maxrss_mib']:>12.0f}" for n in PHASES))
    print("peak RSS: resource.getrusage(RUSAGE_SELF).ru_maxrss of each phase's own process")
    print("records: those the run fetched (sync_runs.records_fetched); requests: upstream calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sizes", help="comma-separated record counts, e.g. 10000,100000")
    parser.add_argument(
        "--page-size", type=int, default=1000, help="the emulator's server page size"
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        app = create_app(records=args.records, page_size=args.page_size, anchor=ANCHOR)
        uvicorn.run(app, host="127.0.0.1", port=args.serve, log_level="warning")
    elif args.phase:
        phase(args.phase, args.url, args.db_url)
    else:
        measure(args)


if __name__ == "__main__":
    main()
