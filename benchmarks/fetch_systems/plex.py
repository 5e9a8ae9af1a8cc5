"""Plex: purchase orders with their line items, as a first full sync reads them (one list of
orders, then one line item list per order, four in flight)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

import httpx

from benchmarks.fetch_systems import ANCHOR, SystemBenchmark
from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.plex import PlexConnector
from ironbridge.connectors.plex.resources import PURCHASE_ORDERS, STATUSES, line_items_path
from ironbridge.emulators.plex import DEFAULT_API_KEY, DEFAULT_CUSTOMER_ID
from ironbridge.emulators.server import create_emulator
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp

# the connector alone carries no budget (the gateway's per-connection budget applies Plex's
# 200 calls/minute), so the run measures the client's own cost; at 200/min, 100,000 orders
# would take 500 minutes of line reads
OPTIONS = {"concurrency": 4}


class PlexBenchmark(SystemBenchmark):
    """Purchase orders and their line items, one list call plus one call per order."""

    key = "plex"
    entity = EntityType.PURCHASE_ORDER
    credentials: ClassVar[dict[str, str]] = {
        "api_key": DEFAULT_API_KEY,
        "customer_id": DEFAULT_CUSTOMER_ID,
    }

    def emulator(self, *, records: int, page_size: int) -> EmulatorApp:
        # Plex does not page: page_size has no effect
        return create_emulator(self.key, records=records, anchor=ANCHOR)

    def connector(self, base_url: str) -> Connector:
        config = ConnectionConfig(
            connection_id="benchmark",
            instance_url=base_url,
            credentials=self.credentials,
            options=OPTIONS,
        )
        return PlexConnector(config)

    def client(self, base_url: str) -> httpx.AsyncClient:
        headers = {
            "X-Plex-Connect-Api-Key": DEFAULT_API_KEY,
            "X-Plex-Connect-Customer-Id": DEFAULT_CUSTOMER_ID,
        }
        return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120)

    async def plain(self, client: httpx.AsyncClient) -> tuple[int, int]:
        (await client.get(f"/{STATUSES}")).raise_for_status()
        response = await client.get(f"/{PURCHASE_ORDERS}")
        response.raise_for_status()
        orders = response.json()
        gate = asyncio.Semaphore(int(OPTIONS["concurrency"]))

        async def lines(order_id: str) -> int:
            async with gate:
                answer = await client.get(f"/{line_items_path(order_id)}")
            if answer.status_code == 404:
                return 0
            answer.raise_for_status()
            return len(answer.json())

        counts = await asyncio.gather(*(lines(order["id"]) for order in orders))
        return len(orders), sum(counts)


BENCHMARK = PlexBenchmark
