"""Fetch throughput of a connector from its emulator over real HTTP, against plain httpx
following the same pages: records/s, ratio, client CPU and peak memory of each."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fetch_systems import SystemBenchmark, systems
from ironbridge.models import PurchaseOrder
from ironbridge.observability import configure_logging

# every system with a module under benchmarks/fetch_systems/
SYSTEMS: dict[str, type[SystemBenchmark]] = systems()
# The emulator runs under uvicorn in a process of its own on loopback; each measured phase runs in
# a fresh process too, so that its ru_maxrss is its own: the connector (every page, each record
# mapped), then plain httpx (the same requests, JSON parsed, nothing mapped).
USAGE = "python benchmarks/connector_fetch.py [--records 100000] [--system sap-s4hana|all]"


async def run_connector(bench: SystemBenchmark, base_url: str) -> tuple[int, int]:
    connector = bench.connector(base_url)
    records = lines = 0
    try:
        async for batch in connector.fetch_changes(bench.entity, None):
            records += len(batch.records) + len(batch.failures)
            lines += sum(len(r.lines) for r in batch.records if isinstance(r, PurchaseOrder))
    finally:
        await connector.aclose()
    return records, lines


async def run_plain(bench: SystemBenchmark, base_url: str) -> tuple[int, int]:
    async with bench.client(base_url) as client:
        return await bench.plain(client)


def phase(system: str, name: str, base_url: str) -> None:
    """One measured phase, in this process; prints its figures as JSON."""
    configure_logging(level="warning")
    bench = SYSTEMS[system]()
    run = run_connector if name == "connector" else run_plain
    cpu = time.process_time()
    started = time.perf_counter()
    records, lines = asyncio.run(run(bench, base_url))
    seconds = time.perf_counter() - started
    figures = {
        "records": records,
        "lines": lines,
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the emulator process stopped")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the emulator did not start within 60 s")


def measure(args: argparse.Namespace) -> None:
    port = free_port()
    script = str(Path(__file__).resolve())
    common = ["--system", args.system, "--records", str(args.records)]
    server = subprocess.Popen(
        [sys.executable, script, *common, "--page-size", str(args.page_size), "--serve", str(port)]
    )
    try:
        wait_for(port, server)
        base_url = f"http://127.0.0.1:{port}"
        results: dict[str, dict[str, Any]] = {}
        for name in ("connector", "plain"):
            out = subprocess.run(
                [sys.executable, script, *common, "--phase", name, "--url", base_url],
                check=True,
                capture_output=True,
                text=True,
            )
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(args, results)


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    connector, plain = results["connector"], results["plain"]
    rate = {name: r["records"] / r["seconds"] for name, r in results.items()}
    print(
        f"{args.system}: {args.records} records, server pages of {args.page_size}, "
        "emulator in its own uvicorn process on 127.0.0.1"
    )
    print(
        f"{'':34}{'records':>9}{'lines':>9}{'seconds':>9}{'rec/s':>9}{'CPU s':>8}{'peak RSS':>11}"
    )
    rows = (
        ("connector (fetch_changes, mapped)", connector, rate["connector"]),
        ("plain httpx (same pages, no map)", plain, rate["plain"]),
    )
    for label, r, per_second in rows:
        print(
            f"{label:34}{r['records']:>9}{r['lines']:>9}{r['seconds']:>9.1f}{per_second:>9.0f}"
            f"{r['cpu']:>8.1f}{r['maxrss_mib']:>8.0f} MiB"
        )
    print(f"ratio connector/plain (records/s): {rate['connector'] / rate['plain']:.2f}")
    extra = (connector["cpu"] - plain["cpu"]) / max(connector["records"], 1) * 1e6
    print(f"client CPU added by the connector: {extra:.0f} µs per record")
    print("records include mapping failures; lines are those of the mapped records")
    print("peak RSS: resource.getrusage(RUSAGE_SELF).ru_maxrss of each phase's own process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, usage=USAGE)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--system", choices=[*sorted(SYSTEMS), "all"], default="sap-s4hana")
    parser.add_argument(
        "--page-size", type=int, default=1000, help="the emulator's server page size"
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=("connector", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        app = SYSTEMS[args.system]().emulator(records=args.records, page_size=args.page_size)
        uvicorn.run(app, host="127.0.0.1", port=args.serve, log_level="warning")
    elif args.phase:
        phase(args.system, args.phase, args.url)
    elif args.system == "all":
        for system in sorted(SYSTEMS):
            measure(argparse.Namespace(**{**vars(args), "system": system}))
            print()
    else:
        measure(args)


if __name__ == "__main__":
    main()
