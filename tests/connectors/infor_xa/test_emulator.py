"""The Infor XA emulator over real HTTP: ``QueryList`` seeks (keys named with ``IN``, items in
their orders), continuation past ``moreResults``, and the entity-expansion control."""

from __future__ import annotations

from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET
import httpx
import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.errors import SystemUnreachable
from ironbridge.connectors.infor_xa import InforXaConnector
from ironbridge.emulators.infor_xa import DEFAULT_PASSWORD, DEFAULT_USER, SERVLET
from ironbridge.models import EntityType, PurchaseOrder
from tests.connectors.infor_xa.harness import make_app, xa
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from xml.etree.ElementTree import Element

    from ironbridge.emulators.control import EmulatorApp


@pytest.fixture
async def running() -> AsyncIterator[tuple[EmulatorApp, str]]:
    app = make_app()
    async with serve(app) as base_url:
        yield app, base_url


async def query(base_url: str, domain_class: str, pql: str, limit: int = -1) -> Element:
    """One ``QueryList`` in a session opened by the same document; its response element."""
    body = (
        f'<System-Link><Login userId="{DEFAULT_USER}" password="{DEFAULT_PASSWORD}"/>'
        f'<Request sessionHandle="*current"><QueryList name="q" domainClass="{domain_class}" '
        f'maxReturned="{limit}"><Pql><![CDATA[{pql}]]></Pql></QueryList></Request></System-Link>'
    )
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(SERVLET, content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    found = SafeET.fromstring(response.content).find("Response/QueryListResponse")
    assert found is not None, response.text
    return found


def values(result: Element, *paths: str) -> list[tuple[str, ...]]:
    rows = []
    for entity in result.findall("DomainEntity"):
        props = {p.get("path"): p.findtext("Value") or "" for p in entity.iter("Property")}
        rows.append(tuple(props[path] for path in paths))
    return rows


async def test_items_of_named_orders_come_in_order_then_line(
    running: tuple[EmulatorApp, str],
) -> None:
    _, url = running
    pql = (
        "SELECT order,line,item WHERE order IN ('P000020', 'P000003', 'P000999') "
        "ORDER BY order, line"
    )
    result = await query(url, "com.mapics.pm.PoItem", pql)
    rows = values(result, "order", "line")
    # P000003 has three items, P000020 (index 19) has 19 % 3 + 1 = 2; the unknown order none
    assert rows == [("P000003", "1"), ("P000003", "2"), ("P000003", "3"),
                    ("P000020", "1"), ("P000020", "2")]  # fmt: skip
    assert result.get("moreResults") == "false"


async def test_a_page_of_named_orders_says_more_results(running: tuple[EmulatorApp, str]) -> None:
    _, url = running
    named = ", ".join(f"'P{n:06d}'" for n in (2, 29, 7, 16))
    result = await query(
        url, "com.mapics.pm.PurchaseOrder", f"SELECT order WHERE order IN ({named}) "
        "ORDER BY order", limit=3,
    )  # fmt: skip
    assert values(result, "order") == [("P000002",), ("P000007",), ("P000016",)]
    assert result.get("moreResults") == "true"
    rest = await query(
        url, "com.mapics.pm.PurchaseOrder",
        f"SELECT order WHERE order IN ({named}) AND order > 'P000016' ORDER BY order",
    )  # fmt: skip
    assert values(rest, "order") == [("P000029",)]


async def test_an_order_other_than_by_key_sorts_every_match(
    running: tuple[EmulatorApp, str],
) -> None:
    _, url = running
    result = await query(
        url, "com.mapics.pm.PoItem",
        "SELECT order,line,item WHERE order IN ('P000003', 'P000004') ORDER BY item DESC, order",
    )  # fmt: skip
    items = [item for _order, _line, item in values(result, "order", "line", "item")]
    assert items == sorted(items, reverse=True)
    assert len(items) == 4


async def test_an_order_of_more_than_nine_items_reads_back_whole(
    running: tuple[EmulatorApp, str],
) -> None:
    app, url = running
    config = ConnectionConfig(
        connection_id="xa-emulator", instance_url=url, credentials=dict(xa(app).credentials),
        options={"page_size": 7},
    )  # fmt: skip
    connector = InforXaConnector(config)
    try:
        lines = [{"item_remote_id": f"ITEM-{n % 16 + 1:04d}", "quantity": n + 1} for n in range(12)]
        created = await connector.create(
            EntityType.PURCHASE_ORDER,
            {"vendor_remote_id": "V00002", "ship_to_remote_id": "W2", "currency": "USD",
             "lines": lines},
        )  # fmt: skip
        assert isinstance(created, PurchaseOrder)
        # items come in pages of 7, ordered by line as PQL compares it ('1', '10', '11', '12',
        # '2', ...), and each next page asks past the last one: no line may be skipped
        assert [line.line_number for line in created.lines] == [str(n) for n in range(1, 13)]
        assert [line.quantity for line in created.lines] == list(range(1, 13))
    finally:
        await connector.aclose()


async def test_the_entity_expansion_control_route(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.post("/_emulator/entity-expansion", json={"enabled": True})
        assert answer.json() == {"entityExpansion": True}
        hostile = await client.post(SERVLET, content="<System-Link/>")
        assert b"<!ENTITY lol9" in hostile.content
        refused = await client.post("/_emulator/entity-expansion", json={"enabled": "yes"})
        assert refused.status_code == 400
    config = ConnectionConfig(
        connection_id="xa-emulator", instance_url=url, credentials=dict(xa(app).credentials)
    )
    connector = InforXaConnector(config)
    try:
        with pytest.raises(SystemUnreachable, match="refused to expand"):
            await connector.check()
    finally:
        await connector.aclose()
    async with httpx.AsyncClient(base_url=url) as client:
        await client.post("/_emulator/entity-expansion", json={"enabled": False})
    assert xa(app).hostile_xml is False
