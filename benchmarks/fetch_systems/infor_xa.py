"""Infor XA: purchase orders and their items, System-Link ``QueryList`` in a login session."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeET

from benchmarks.fetch_systems import ANCHOR, SystemBenchmark
from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.infor_xa import InforXaConnector
from ironbridge.connectors.infor_xa.connector import (
    DEFAULT_PAGE_SIZE,
    ITEM_SELECT,
    PO_ITEM,
    RESOURCES,
    SERVLET,
    STAMP,
    after,
    quote,
)
from ironbridge.emulators.infor_xa import DEFAULT_PASSWORD, DEFAULT_USER
from ironbridge.emulators.server import create_emulator
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence
    from xml.etree.ElementTree import Element

    import httpx

    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp

_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'
_HEADERS = {"Content-Type": "text/xml; charset=UTF-8", "Accept": "text/xml"}


def _value(entity: Element, path: str) -> str:
    for prop in entity.iter("Property"):
        if prop.get("path") == path:
            return prop.findtext("Value") or ""
    raise KeyError(path)


class InforXaBenchmark(SystemBenchmark):
    """Purchase orders by change stamp, then each page's items, as a first full sync reads them:
    a ``Login``, then ``QueryList`` pages continued past ``moreResults`` by key range."""

    key = "infor-xa"
    entity = EntityType.PURCHASE_ORDER
    credentials: ClassVar[dict[str, str]] = {"user_id": DEFAULT_USER, "password": DEFAULT_PASSWORD}

    def emulator(self, *, records: int, page_size: int) -> EmulatorApp:
        return create_emulator(self.key, records=records, page_size=page_size, anchor=ANCHOR)

    def connector(self, base_url: str) -> Connector:
        config = ConnectionConfig(
            connection_id="benchmark", instance_url=base_url, credentials=self.credentials
        )
        return InforXaConnector(config)

    @staticmethod
    async def _post(client: httpx.AsyncClient, body: str) -> Element:
        response = await client.post(
            SERVLET, content=f"{_PROLOG}<System-Link>{body}</System-Link>", headers=_HEADERS
        )
        response.raise_for_status()
        root: Element = SafeET.fromstring(response.content)
        return root

    async def _login(self, client: httpx.AsyncClient) -> str:
        login = f"<Login userId={quoteattr(DEFAULT_USER)} password={quoteattr(DEFAULT_PASSWORD)}/>"
        root = await self._post(client, login)
        handle = root.find("LoginResponse/SessionHandle")
        if handle is None:
            raise RuntimeError("the login was refused")
        return handle.get("value") or ""

    async def _pages(
        self,
        client: httpx.AsyncClient,
        handle: str,
        domain_class: str,
        select: Sequence[str],
        where: str | None,
        order: Sequence[str],
    ) -> AsyncIterator[list[Element]]:
        """Every page of one query: ``moreResults`` answered, the next asks past the last key."""
        position: str | None = None
        while True:
            condition = " AND ".join(f"({c})" for c in (where, position) if c)
            pql = f"SELECT {','.join(select)}"
            pql += f" WHERE {condition}" if condition else ""
            pql += f" ORDER BY {', '.join(order)}"
            query = (
                f'<QueryList name="q" domainClass="{domain_class}" includeMetaData="false" '
                f'maxReturned="{DEFAULT_PAGE_SIZE}"><Pql><![CDATA[{pql}]]></Pql></QueryList>'
            )
            root = await self._post(
                client, f'<Request sessionHandle={quoteattr(handle)} workHandle="*new">'
                f"{query}</Request>"
            )  # fmt: skip
            result = root.find("Response/QueryListResponse")
            if result is None:
                raise RuntimeError("the answer has no QueryListResponse")
            rows = result.findall("DomainEntity")
            yield rows
            if result.get("moreResults") != "true" or not rows:
                return
            position = after(order, [_value(rows[-1], p) for p in order])

    async def plain(self, client: httpx.AsyncClient) -> tuple[int, int]:
        po = RESOURCES[self.entity]
        handle = await self._login(client)
        records = lines = 0
        order = (STAMP, *po.keys)
        async for page in self._pages(client, handle, po.domain_class, po.select, None, order):
            records += len(page)
            numbers = [_value(entity, "order") for entity in page]
            if not numbers:
                continue
            where = f"order IN ({', '.join(quote(n) for n in numbers)})"
            items = ITEM_SELECT.split(",")
            async for item_page in self._pages(
                client, handle, PO_ITEM, items, where, ("order", "line")
            ):
                lines += len(item_page)
        return records, lines


BENCHMARK = InforXaBenchmark
