"""Microsoft Dynamics 365 Business Central: purchase orders with their lines, API v2.0."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from benchmarks.fetch_systems import ANCHOR, SystemBenchmark
from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.dynamics_bc import DynamicsBcConnector
from ironbridge.connectors.dynamics_bc.settings import SCOPE
from ironbridge.emulators.dynamics_bc import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ENVIRONMENT,
    DEFAULT_TENANT,
)
from ironbridge.emulators.server import create_emulator
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp

ROOT = f"/v2.0/{DEFAULT_TENANT}/{DEFAULT_ENVIRONMENT}"


class _Token(httpx.Auth):
    """The client-credentials token, fetched once, as a hand-written client would."""

    def __init__(self) -> None:
        self.token: str | None = None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self.token is None:
            form = {
                "grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
                "scope": SCOPE,
            }
            url = request.url.join(f"/{DEFAULT_TENANT}/oauth2/v2.0/token")
            response = yield httpx.Request("POST", url, data=form)
            await response.aread()
            self.token = str(response.json()["access_token"])
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class DynamicsBcBenchmark(SystemBenchmark):
    """Purchase orders with lines, ordered by change stamp, as a first full sync reads them."""

    key = "dynamics-bc"
    entity = EntityType.PURCHASE_ORDER
    credentials: ClassVar[dict[str, str]] = {
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
    }

    def emulator(self, *, records: int, page_size: int) -> EmulatorApp:
        return create_emulator(self.key, records=records, page_size=page_size, anchor=ANCHOR)

    def connector(self, base_url: str) -> Connector:
        config = ConnectionConfig(
            connection_id="benchmark", instance_url=base_url + ROOT, credentials=self.credentials
        )
        return DynamicsBcConnector(config)

    def client(self, base_url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base_url, auth=_Token(), timeout=120)

    async def plain(self, client: httpx.AsyncClient) -> tuple[int, int]:
        companies = (await client.get(f"{ROOT}/api/v2.0/companies")).json()["value"]
        path = f"{ROOT}/api/v2.0/companies({companies[0]['id']})/purchaseOrders"
        params: dict[str, Any] = {
            "$expand": "purchaseOrderLines",
            "$orderby": "lastModifiedDateTime asc,id asc",
        }
        url: str | None = str(client.base_url.join(path).copy_merge_params(params))
        records = lines = 0
        while url is not None:
            response = await client.get(url)
            response.raise_for_status()
            body = response.json()
            records += len(body["value"])
            lines += sum(len(order["purchaseOrderLines"]) for order in body["value"])
            url = body.get("@odata.nextLink")
        return records, lines


BENCHMARK = DynamicsBcBenchmark
