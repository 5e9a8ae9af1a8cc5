"""SAP S/4HANA: purchase orders with items and schedule lines, OData V4."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import httpx

from benchmarks.fetch_systems import ANCHOR, SystemBenchmark
from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.sap import SapS4HanaConnector
from ironbridge.connectors.sap.resources import resources
from ironbridge.emulators.sap import DEFAULT_CLIENT, DEFAULT_PASSWORD, DEFAULT_USERNAME
from ironbridge.emulators.server import create_emulator
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp


class SapBenchmark(SystemBenchmark):
    """Purchase orders with items and schedule lines, OData V4, as a first full sync reads them."""

    key = "sap-s4hana"
    entity = EntityType.PURCHASE_ORDER
    credentials: ClassVar[dict[str, str]] = {
        "username": DEFAULT_USERNAME,
        "password": DEFAULT_PASSWORD,
        "client": DEFAULT_CLIENT,
    }

    def emulator(self, *, records: int, page_size: int) -> EmulatorApp:
        return create_emulator(self.key, records=records, page_size=page_size, anchor=ANCHOR)

    def connector(self, base_url: str) -> Connector:
        config = ConnectionConfig(
            connection_id="benchmark", instance_url=base_url, credentials=self.credentials
        )
        return SapS4HanaConnector(config)

    def client(self, base_url: str) -> httpx.AsyncClient:
        auth = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
        return httpx.AsyncClient(base_url=base_url, auth=auth, timeout=120)

    async def plain(self, client: httpx.AsyncClient) -> tuple[int, int]:
        po = resources("v4")[self.entity]
        params = {"sap-client": DEFAULT_CLIENT, "$orderby": po.orderby() or ""}
        params["$expand"] = po.expand or ""
        url: str | None = str(client.base_url.join(po.path).copy_merge_params(params))
        records = lines = 0
        while url is not None:
            response = await client.get(url, headers=dict(po.protocol.read_headers))
            response.raise_for_status()
            body = response.json()
            records += len(body["value"])
            lines += sum(len(order["_PurchaseOrderItem"]) for order in body["value"])
            url = body.get("@odata.nextLink")
        return records, lines


BENCHMARK = SapBenchmark
