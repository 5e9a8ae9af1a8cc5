"""Writes through Plex, emulated over real HTTP: stored at once, refusals as conflicts with
Plex's message, deletes as voided orders."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from ironbridge.emulators.plex import create_app as create_plex
from ironbridge.models import EntityType
from ironbridge.store.webhook_tables import events
from tests.api.conftest import error_code
from tests.connectors.plex.harness import touch as harness_touch
from tests.support.servers import serve
from tests.writes.conftest import (
    connect_emulator,
    live_read_is_cached_until_a_write,
    load_records,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from ironbridge.services import Services
    from tests.conftest import GQL

PO_FIELDS = (
    "id remoteId number status remoteStatus currency expectedDeliveryDate deletedAt "
    "lines { lineNumber itemRemoteId quantity }"
)
CREATE_PO = f"""mutation($input: PurchaseOrderCreateInput!, $k: String, $v: Boolean) {{
  createPurchaseOrder(input: $input, idempotencyKey: $k, validateOnly: $v) {{
    purchaseOrder {{ {PO_FIELDS} }} validateOnly warnings }} }}"""
UPDATE_PO = f"""mutation($id: ID!, $input: PurchaseOrderUpdateInput!) {{
  updatePurchaseOrder(id: $id, input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} warnings }} }}"""
DELETE_PO = """mutation($id: ID!) { deletePurchaseOrder(id: $id) { id deleted softDeleted } }"""
READ_PO = f"""query($id: ID!) {{ purchaseOrder: node(id: $id) {{ ... on PurchaseOrder {{ {PO_FIELDS} }} }} }}"""
CREATE_ITEM = """mutation($input: InventoryItemCreateInput!) {
  createInventoryItem(input: $input) { inventoryItem { id } } }"""


@pytest.fixture
async def plex_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_plex(records=30)
    async with serve(app) as base_url:
        yield app, base_url


def _order(app: Starlette) -> dict[str, Any]:
    dataset = app.state.emulator.dataset
    return {
        "vendorRemoteId": dataset.id_of("suppliers", 3),
        "currency": "USD",
        "expectedDeliveryDate": "2025-07-15",
        "lines": [
            {
                "itemRemoteId": dataset.id_of("parts", 5),
                "quantity": "10",
                "unitOfMeasure": "ea",
                "unitPrice": "12.50",
            }
        ],
    }


async def _plex(gql: GQL, admin: str, plex_app: tuple[Starlette, str]) -> tuple[int, str]:
    return await connect_emulator(gql, admin, "plex", plex_app)


def _writes(app: Starlette) -> int:
    requests = app.state.emulator.faults.requests
    count: int = requests.count(method="POST") + requests.count(method="PUT")
    return count


async def test_create_read_update_and_delete_a_purchase_order(
    gql: GQL, services: Services, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    _, token = await _plex(gql, admin, plex_app)
    order = _order(app)

    data = await gql.data(CREATE_PO, {"input": order}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert data["createPurchaseOrder"]["warnings"] == []
    assert (created["status"], created["remoteStatus"]) == ("DRAFT", "Quote")
    assert created["lines"] == [
        {"lineNumber": "1", "itemRemoteId": order["lines"][0]["itemRemoteId"], "quantity": "10"}
    ]
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created

    changes = {"currency": "EUR", "lines": [{"lineNumber": "1", "quantity": "12"}]}
    data = await gql.data(UPDATE_PO, {"id": created["id"], "input": changes}, token=token)
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["currency"], updated["lines"][0]["quantity"]) == (
        created["id"],
        "EUR",
        "12",
    )

    deleted = await gql.data(DELETE_PO, {"id": created["id"]}, token=token)
    assert deleted["deletePurchaseOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": True,
    }
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    assert read["purchaseOrder"]["status"] == "CANCELLED"
    voided = app.state.emulator.record("purchase-orders", created["remoteId"])
    assert voided["status"] == "Void", "Plex keeps the order, voided"
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert {"record.created", "record.updated", "record.deleted"} <= set(kinds)


async def test_an_approved_order_takes_only_a_new_due_date(
    gql: GQL, services: Services, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    pk, token = await _plex(gql, admin, plex_app)
    approved = app.state.emulator.dataset.scenario_id("approved")
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [approved])
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["expectedDeliveryDate"]) == (order, "2025-09-30")
    body = await gql(UPDATE_PO, {"id": order, "input": {"currency": "EUR"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "is approved; only due dates can be changed" in body["errors"][0]["message"]


async def test_refusals_before_anything_is_sent(
    gql: GQL, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    _, token = await _plex(gql, admin, plex_app)
    sent = app.state.emulator.faults.requests.total
    body = await gql(CREATE_ITEM, {"input": {"name": "Bolt"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(CREATE_PO, {"input": {**_order(app), "vendorRemoteId": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"
    data = await gql.data(CREATE_PO, {"input": _order(app), "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    assert data["createPurchaseOrder"]["purchaseOrder"] is None
    assert data["createPurchaseOrder"]["warnings"]
    assert app.state.emulator.faults.requests.total == sent
    assert len(app.state.emulator.table("purchase-orders")) == 30


async def test_an_idempotent_retry_writes_once(
    gql: GQL, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    _, token = await _plex(gql, admin, plex_app)
    order = _order(app)
    before = _writes(app)
    first, second = await asyncio.gather(
        gql.data(CREATE_PO, {"input": order, "k": "order-1"}, token=token),
        gql.data(CREATE_PO, {"input": order, "k": "order-1"}, token=token),
    )
    assert first == second
    assert first["createPurchaseOrder"]["purchaseOrder"]["id"]
    assert _writes(app) == before + 1
    again = await gql.data(CREATE_PO, {"input": order, "k": "order-1"}, token=token)
    assert again == first
    other = {**order, "currency": "EUR"}
    body = await gql(CREATE_PO, {"input": other, "k": "order-1"}, token=token)
    assert error_code(body) == "CONFLICT"
    assert _writes(app) == before + 1
    assert len(app.state.emulator.table("purchase-orders")) == 31


LIVE_PO = f"""query($r: String!) {{ connection {{
  purchaseOrder(remoteId: $r, live: true) {{ {PO_FIELDS} }} }} }}"""


def _order_requests(app: Starlette) -> int:
    """Requests for purchase orders and their lines."""
    count: int = app.state.emulator.faults.requests.count(prefix="/purchasing/v1/purchase-orders")
    return count


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    approved = app.state.emulator.dataset.scenario_id("approved")
    _, token = await _plex(gql, admin, plex_app)
    await live_read_is_cached_until_a_write(
        gql,
        token,
        lambda: _order_requests(app),
        live_query=LIVE_PO,
        remote_id=approved,
        update_query=UPDATE_PO,
        change={"expectedDeliveryDate": "2025-10-01"},
    )


async def test_an_order_changed_in_plex_since_it_was_read_is_a_stale_conflict(
    gql: GQL, services: Services, admin: str, plex_app: tuple[Starlette, str]
) -> None:
    app, _ = plex_app
    approved = app.state.emulator.dataset.scenario_id("approved")
    pk, token = await _plex(gql, admin, plex_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [approved])
    # someone edits the order in Plex after our copy was read: its modifiedDate moves on
    harness_touch(app, EntityType.PURCHASE_ORDER, [approved], None)
    puts = app.state.emulator.faults.requests.count(method="PUT")
    change = {"expectedDeliveryDate": "2025-11-30"}
    body = await gql(UPDATE_PO, {"id": order, "input": change}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "changed in Plex since it was read" in body["errors"][0]["message"]
    assert app.state.emulator.faults.requests.count(method="PUT") == puts
