"""What an incremental sync costs once the store is full: N purchase orders synced initially from
the SAP emulator, then 10 changed in the emulator, then one incremental run; upstream requests
and seconds of each run, the initial one as the baseline.

The first incremental run after an initial sync also reconciles remote ids (deletion detection
for systems without a delete signal, due every 6 hours by default and never done yet), so it
lists every id; a second round of 10 changes is then synced with no reconciliation due, which is
what a scheduled run costs between reconciliations.

Usage: python benchmarks/incremental_cost.py [--records 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sync_throughput import add_connection, start_emulator, stop, sync_run
from ironbridge.app import create_services
from ironbridge.models import SyncMode
from ironbridge.observability import configure_logging
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from ironbridge.store.tables import purchase_orders
from ironbridge.sync.engine import SyncEngine

CHANGED = 10


async def change(base_url: str, remote_ids: list[str]) -> None:
    """Change records in the emulator as a user in SAP would (a new change stamp)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        response = await client.post(
            "/_emulator/records/PurchaseOrder/touch", json={"ids": remote_ids}
        )
        response.raise_for_status()


async def timed(engine: SyncEngine, cid: int, mode: SyncMode) -> dict[str, Any]:
    started = time.perf_counter()
    figures = await sync_run(engine, cid, mode)
    figures["seconds"] = time.perf_counter() - started
    return figures


async def scenario(base_url: str, data_dir: Path) -> dict[str, dict[str, Any]]:
    services = create_services(Settings(data_dir=data_dir))
    try:
        await migrate(services.engine)
        cid = await add_connection(services, base_url)
        engine = SyncEngine(services)
        results = {"initial": await timed(engine, cid, SyncMode.INITIAL)}
        async with services.engine.connect() as conn:
            held = sorted(
                (
                    await conn.execute(
                        select(purchase_orders.c.remote_id).where(
                            purchase_orders.c.connection_id == cid
                        )
                    )
                ).scalars()
            )
        step = max(len(held) // (2 * CHANGED), 1)
        spread = held[::step]
        await change(base_url, spread[:CHANGED])
        results["incremental (reconciles)"] = await timed(engine, cid, SyncMode.INCREMENTAL)
        await change(base_url, spread[CHANGED : 2 * CHANGED])
        results["incremental"] = await timed(engine, cid, SyncMode.INCREMENTAL)
        return results
    finally:
        await services.engine.dispose()


def report(records: int, page_size: int, results: dict[str, dict[str, Any]]) -> None:
    print(
        f"sap-s4hana purchase orders: {records} records, server pages of {page_size}, "
        "emulator in its own uvicorn process on 127.0.0.1, store: SQLite"
    )
    print(
        f"{'run':44}{'fetched':>9}{'created':>9}{'updated':>9}{'requests':>10}{'seconds':>9}  state"
    )
    labels = {
        "initial": "initial (baseline)",
        "incremental (reconciles)": f"incremental, {CHANGED} changed, ids reconciled",
        "incremental": f"incremental, {CHANGED} changed",
    }
    for name, r in results.items():
        print(
            f"{labels[name]:44}{r['records']:>9}{r['created']:>9}{r['updated']:>9}"
            f"{r['requests']:>10}{r['seconds']:>9.2f}  {r['state']}"
        )
    base = results["initial"]
    for name in ("incremental (reconciles)", "incremental"):
        r = results[name]
        print(
            f"{labels[name]} / initial: requests {r['requests'] / base['requests']:.3f}, "
            f"seconds {r['seconds'] / base['seconds']:.3f}"
        )
    print(
        "fetched includes the records changed within the 5-minute overlap window before the "
        "checkpoint (the second run sees the first 10 again: they were changed moments before)"
    )
    print("requests: upstream calls of the run (sync_runs.upstream_requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--page-size", type=int, default=1000, help="the emulator's server page size"
    )
    args = parser.parse_args()
    configure_logging(level="warning")
    script = str(Path(__file__).resolve().parent / "sync_throughput.py")
    server, base_url = start_emulator(script, args.records, args.page_size)
    try:
        with tempfile.TemporaryDirectory(prefix="ib-incremental-bench-") as tmp:
            results = asyncio.run(scenario(base_url, Path(tmp)))
    finally:
        stop(server)
    report(args.records, args.page_size, results)


if __name__ == "__main__":
    main()
