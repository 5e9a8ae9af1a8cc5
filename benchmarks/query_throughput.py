"""Throughput of "50 purchase orders with their lines and vendor" through /graphql, against a
plain Starlette endpoint that reads the same rows from the same store and returns the same JSON.

Both endpoints live in one uvicorn process, served the same way; the load comes from this process.
Prints requests/s of each and their ratio. Usage: python benchmarks/query_throughput.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from sqlalchemy import select
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ironbridge.app import create_app, create_services
from ironbridge.demo import seed_demo
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from ironbridge.store.tables import purchase_order_lines, purchase_orders, vendors

if TYPE_CHECKING:
    from starlette.requests import Request

QUERY = """{ connection { purchaseOrders(first: 50) { nodes {
  number status orderDate totalAmount currency
  vendor { name }
  lines { lineNumber quantity unitPrice amount }
} } } }"""


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def build_app(settings: Settings, connection_id: int) -> Any:
    services = create_services(settings)
    app = create_app(settings, services=services)
    engine = services.engine

    async def plain(_: Request) -> Response:
        async with engine.connect() as conn:
            orders = (
                await conn.execute(
                    select(purchase_orders)
                    .where(
                        purchase_orders.c.connection_id == connection_id,
                        purchase_orders.c.deleted_at.is_(None),
                    )
                    .order_by(purchase_orders.c.changed_at.desc(), purchase_orders.c.id.desc())
                    .limit(50)
                )
            ).all()
            ids = [o.id for o in orders]
            line_rows = (
                await conn.execute(
                    select(purchase_order_lines)
                    .where(purchase_order_lines.c.purchase_order_id.in_(ids))
                    .order_by(
                        purchase_order_lines.c.purchase_order_id, purchase_order_lines.c.position
                    )
                )
            ).all()
            vendor_ids = sorted({o.vendor_remote_id for o in orders if o.vendor_remote_id})
            vendor_rows = (
                await conn.execute(
                    select(vendors).where(
                        vendors.c.connection_id == connection_id,
                        vendors.c.remote_id.in_(vendor_ids),
                    )
                )
            ).all()
        lines: dict[int, list[dict[str, Any]]] = {}
        for line in line_rows:
            lines.setdefault(line.purchase_order_id, []).append(
                {
                    "lineNumber": line.line_number,
                    "quantity": _text(line.quantity),
                    "unitPrice": _text(line.unit_price),
                    "amount": _text(line.amount),
                }
            )
        names = {v.remote_id: v.name for v in vendor_rows}
        nodes = [
            {
                "number": o.number,
                "status": o.status,
                "orderDate": o.order_date.isoformat() if o.order_date else None,
                "totalAmount": _text(o.total_amount),
                "currency": o.currency,
                "vendor": {"name": names[o.vendor_remote_id]}
                if o.vendor_remote_id in names
                else None,
                "lines": lines.get(o.id, []),
            }
            for o in orders
        ]
        return JSONResponse({"data": {"connection": {"purchaseOrders": {"nodes": nodes}}}})

    app.router.routes.insert(0, Route("/plain/purchase-orders", plain))
    return app


async def prepare(data_dir: Path, records: int) -> tuple[str, int]:
    settings = Settings(data_dir=data_dir)
    services = create_services(settings)
    await migrate(services.engine)
    demo = await seed_demo(services, records=records)
    await services.engine.dispose()
    from ironbridge.schema.ids import from_global_id

    return demo.connection_token, from_global_id(demo.connection_id)[1]


async def load(
    client: httpx.AsyncClient, request: httpx.Request, *, total: int, concurrency: int
) -> float:
    """Requests per second for ``total`` requests at ``concurrency``."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            response = await client.send(request)
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started)


async def measure(base_url: str, token: str, *, total: int, concurrency: int, rounds: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=concurrency)
    ) as client:
        graphql = client.build_request("POST", "/graphql", json={"query": QUERY}, headers=headers)
        plain = client.build_request("GET", "/plain/purchase-orders")
        a = (await client.send(graphql)).json()
        b = (await client.send(plain)).json()
        if a != b:
            raise SystemExit("the two endpoints do not return the same JSON")
        count = len(a["data"]["connection"]["purchaseOrders"]["nodes"])
        print(f"both endpoints return the same JSON: {count} orders")
        await load(client, graphql, total=50, concurrency=concurrency)  # warm up
        await load(client, plain, total=50, concurrency=concurrency)
        g_rates, p_rates = [], []
        for _ in range(rounds):
            g_rates.append(await load(client, graphql, total=total, concurrency=concurrency))
            p_rates.append(await load(client, plain, total=total, concurrency=concurrency))
    g, p = statistics.median(g_rates), statistics.median(p_rates)
    print(f"requests: {total} per round, {rounds} rounds, concurrency {concurrency}")

    def rounds_of(rates: list[float]) -> str:
        return ", ".join(f"{r:.0f}" for r in rates)

    print(f"/graphql (50 POs + lines + vendor): {g:8.1f} req/s  (rounds: {rounds_of(g_rates)})")
    print(f"plain Starlette, same rows + JSON:  {p:8.1f} req/s  (rounds: {rounds_of(p_rates)})")
    print(f"ratio graphql/plain: {g / p:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--connection", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    if args.serve:
        settings = Settings(data_dir=args.data_dir, auto_migrate=False, log_level="warning")
        uvicorn.run(
            build_app(settings, args.connection),
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        token, connection_id = asyncio.run(prepare(data_dir, args.records))
        server = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--data-dir",
                str(data_dir),
                "--connection",
                str(connection_id),
                "--port",
                str(args.port),
            ],
            env=os.environ.copy(),
        )
        try:
            base_url = f"http://127.0.0.1:{args.port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base_url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            asyncio.run(
                measure(
                    base_url,
                    token,
                    total=args.requests,
                    concurrency=args.concurrency,
                    rounds=args.rounds,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
