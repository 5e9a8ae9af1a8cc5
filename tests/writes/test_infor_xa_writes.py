"""Writes through Infor XA, emulated over real HTTP: System-Link ``Create``/``Update``/``Delete``
of purchase orders and their items in one unit of work, stored at once with their events; the
approved-order rule as a conflict carrying XA's message; real deletes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from ironbridge.emulators.infor_xa import create_app
from ironbridge.models import EntityType
from ironbridge.store.webhook_tables import events
from tests.api.conftest import error_code
from tests.support.servers import serve
from tests.writes.conftest import (
    connect_emulator,
    live_read_is_cached_until_a_write,
    load_records,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from ironbridge.emulators.infor_xa import XaEmulator
    from ironbridge.services import Services
    from tests.conftest import GQL

# the emulator's first orders: approved (standard), then not submitted (draft)
APPROVED = "P000001"
DRAFT = "P000003"
RECEIVED = "P000006"
PO_FIELDS = (
    "id remoteId number status remoteStatus currency description expectedDeliveryDate "
    "vendorRemoteId deletedAt lines { lineNumber itemRemoteId quantity unitPrice "
    "expectedDeliveryDate }"
)
CREATE_PO = f"""mutation($input: PurchaseOrderCreateInput!, $k: String, $v: Boolean) {{
  createPurchaseOrder(input: $input, idempotencyKey: $k, validateOnly: $v) {{
    purchaseOrder {{ {PO_FIELDS} }} validateOnly warnings }} }}"""
UPDATE_PO = f"""mutation($id: ID!, $input: PurchaseOrderUpdateInput!, $v: Boolean) {{
  updatePurchaseOrder(id: $id, input: $input, validateOnly: $v) {{
    purchaseOrder {{ {PO_FIELDS} }} validateOnly warnings }} }}"""
DELETE_PO = """mutation($id: ID!) { deletePurchaseOrder(id: $id) { id deleted softDeleted } }"""
READ_PO = f"""query($id: ID!) {{ purchaseOrder: node(id: $id) {{
  ... on PurchaseOrder {{ {PO_FIELDS} }} }} }}"""
LIVE_PO = f"""query($r: String!) {{ connection {{
  purchaseOrder(remoteId: $r, live: true) {{ {PO_FIELDS} }} }} }}"""
CREATE_ITEM = """mutation($input: InventoryItemCreateInput!) {
  createInventoryItem(input: $input) { inventoryItem { id } } }"""
CREATE_WO = """mutation($input: WorkOrderCreateInput!) {
  createWorkOrder(input: $input) { workOrder { id } } }"""

ORDER: dict[str, Any] = {
    "vendorRemoteId": "V00001",
    "shipToRemoteId": "W1",
    "currency": "USD",
    "description": "Bearings for line 3",
    "expectedDeliveryDate": "2025-07-15",
    "lines": [
        {"itemRemoteId": "ITEM-0001", "quantity": "10", "unitOfMeasure": "EA", "unitPrice": "12.5"},
        {"itemRemoteId": "ITEM-0002", "quantity": "4", "unitPrice": "3.25"},
    ],
}


@pytest.fixture
async def xa_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_app(records=30, anchor=datetime(2025, 6, 1, tzinfo=UTC))
    async with serve(app) as base_url:
        yield app, base_url


def emulator(app: Starlette) -> XaEmulator:
    found: XaEmulator = app.state.emulator
    return found


async def _xa(gql: GQL, admin: str, xa_app: tuple[Starlette, str]) -> tuple[int, str]:
    return await connect_emulator(gql, admin, "infor-xa", xa_app)


def _orders(app: Starlette) -> set[str]:
    return {row["order"] for row in emulator(app).snapshot("PurchaseOrder")}


def _order(app: Starlette, number: str) -> dict[str, Any]:
    return next(r for r in emulator(app).snapshot("PurchaseOrder") if r["order"] == number)


async def test_create_read_update_and_delete_a_purchase_order(
    gql: GQL, services: Services, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    _, token = await _xa(gql, admin, xa_app)
    before = _orders(app)

    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert data["createPurchaseOrder"]["warnings"] == []
    # XA numbers the order; it starts open and not submitted for approval
    (number,) = _orders(app) - before
    assert (created["remoteId"], created["number"]) == (number, number)
    assert (created["status"], created["remoteStatus"]) == ("DRAFT", "0/N")
    assert created["vendorRemoteId"] == "V00001"
    assert created["expectedDeliveryDate"] == "2025-07-15"
    assert created["lines"] == [
        {
            "lineNumber": "1",
            "itemRemoteId": "ITEM-0001",
            "quantity": "10",
            "unitPrice": "12.5",
            "expectedDeliveryDate": "2025-07-15",
        },
        {
            "lineNumber": "2",
            "itemRemoteId": "ITEM-0002",
            "quantity": "4",
            "unitPrice": "3.25",
            "expectedDeliveryDate": "2025-07-15",
        },
    ]
    stored = _order(app, number)
    assert (stored["description"], stored["requestedDeliveryDate"], stored["lines"]) == (
        "Bearings for line 3",
        "20250715",
        2,
    )
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert "record.created" in kinds

    # a draft takes any header change
    data = await gql.data(
        UPDATE_PO,
        {"id": created["id"], "input": {"description": "Bearings, urgent", "currency": "EUR"}},
        token=token,
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["description"], updated["currency"]) == (
        created["id"],
        "Bearings, urgent",
        "EUR",
    )
    assert _order(app, number)["currency"] == "EUR"
    live = await gql.data(LIVE_PO, {"r": number}, token=token)
    assert live["connection"]["purchaseOrder"] == updated

    deleted = await gql.data(DELETE_PO, {"id": created["id"]}, token=token)
    # XA deletes the order for good
    assert deleted["deletePurchaseOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": False,
    }
    assert number not in _orders(app)
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert "record.deleted" in kinds


async def test_an_approved_order_takes_only_a_new_delivery_date(
    gql: GQL, services: Services, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    pk, token = await _xa(gql, admin, xa_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [APPROVED])
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["status"], updated["expectedDeliveryDate"]) == (
        order,
        "APPROVED",
        "2025-09-30",
    )
    # the items' dock dates move with the header's date
    assert {line["expectedDeliveryDate"] for line in updated["lines"]} == {"2025-09-30"}

    body = await gql(UPDATE_PO, {"id": order, "input": {"currency": "EUR"}}, token=token)
    assert error_code(body) == "CONFLICT"
    message = body["errors"][0]["message"]
    assert f"Purchase order {APPROVED} is approved; only delivery dates can be changed" in message
    assert _order(app, APPROVED)["currency"] == "USD"

    # an approved order cannot be deleted either
    body = await gql(DELETE_PO, {"id": order}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "is approved or received; it cannot be deleted" in body["errors"][0]["message"]
    assert APPROVED in _orders(app)

    # a received order takes nothing, not even a date
    (received,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [RECEIVED])
    body = await gql(
        UPDATE_PO, {"id": received, "input": {"expectedDeliveryDate": "2025-10-01"}}, token=token
    )
    assert error_code(body) == "CONFLICT"
    assert f"Purchase order {RECEIVED} is closed; it cannot change" in body["errors"][0]["message"]


async def test_refusals_before_anything_is_sent(
    gql: GQL, services: Services, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    pk, token = await _xa(gql, admin, xa_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [DRAFT])
    sent = emulator(app).faults.requests.count()

    # entities XA has no writes (or no records) for through System-Link
    body = await gql(CREATE_ITEM, {"input": {"name": "Bolt"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(CREATE_WO, {"input": {"title": "Replace coupling"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    # missing and fixed fields name themselves
    body = await gql(CREATE_PO, {"input": {**ORDER, "currency": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "currency"
    body = await gql(CREATE_PO, {"input": {**ORDER, "shipToRemoteId": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    # named as the global-id field (shipToId), the API's name for a warehouse reference
    assert body["errors"][0]["extensions"]["field"] == "shipToId"
    body = await gql(CREATE_PO, {"input": {**ORDER, "lines": []}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "lines"
    body = await gql(UPDATE_PO, {"id": order, "input": {"status": "CLOSED"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "status"
    assert emulator(app).faults.requests.count() == sent


async def test_the_system_refuses_what_it_does_not_hold(
    gql: GQL, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    _, token = await _xa(gql, admin, xa_app)
    before = _orders(app)
    body = await gql(CREATE_PO, {"input": {**ORDER, "vendorRemoteId": "V99999"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "Vendor V99999 does not exist" in body["errors"][0]["message"]
    # the second item names an unknown item: the whole Request is undone, header included
    lines = [*ORDER["lines"], {"itemRemoteId": "ITEM-9999", "quantity": "1"}]
    body = await gql(CREATE_PO, {"input": {**ORDER, "lines": lines}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "Item ITEM-9999 does not exist" in body["errors"][0]["message"]
    assert _orders(app) == before


async def test_validate_only_writes_nothing(
    gql: GQL, services: Services, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    pk, token = await _xa(gql, admin, xa_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [DRAFT])
    before, writes = _orders(app), emulator(app).writes
    sent = emulator(app).faults.requests.count()
    data = await gql.data(CREATE_PO, {"input": ORDER, "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    assert data["createPurchaseOrder"]["purchaseOrder"] is None
    assert data["createPurchaseOrder"]["warnings"]
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"description": "dry run"}, "v": True}, token=token
    )
    assert data["updatePurchaseOrder"]["validateOnly"] is True
    assert _orders(app) == before
    assert emulator(app).writes == writes
    assert emulator(app).faults.requests.count() == sent
    assert _order(app, DRAFT)["description"] == f"Replenishment {DRAFT}"


async def test_an_idempotent_retry_fired_concurrently_writes_once(
    gql: GQL, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    _, token = await _xa(gql, admin, xa_app)
    before = _orders(app)
    first, second = await asyncio.gather(
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
    )
    assert first == second
    assert first["createPurchaseOrder"]["purchaseOrder"]["id"]
    # one order in XA, from one Create
    (number,) = _orders(app) - before
    assert first["createPurchaseOrder"]["purchaseOrder"]["remoteId"] == number
    writes = emulator(app).writes
    again = await gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token)
    assert again == first
    other = {**ORDER, "currency": "EUR"}
    body = await gql(CREATE_PO, {"input": other, "k": "order-1"}, token=token)
    assert error_code(body) == "CONFLICT"
    assert _orders(app) - before == {number}
    assert emulator(app).writes == writes


def _data_requests(app: Starlette) -> int:
    """System-Link requests, not token fetches."""
    count: int = emulator(app).faults.requests.count(prefix="/SystemLink/")
    return count


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, admin: str, xa_app: tuple[Starlette, str]
) -> None:
    app, _ = xa_app
    _, token = await _xa(gql, admin, xa_app)
    await live_read_is_cached_until_a_write(
        gql,
        token,
        lambda: _data_requests(app),
        live_query=LIVE_PO,
        remote_id=APPROVED,
        update_query=UPDATE_PO,
        change={"expectedDeliveryDate": "2025-10-01"},
    )
