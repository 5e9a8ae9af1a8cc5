"""Writes through Oracle NetSuite, emulated over real HTTP: 204 with ``Location`` then a read
back, stored at once with their events; refusals as conflicts; real deletes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.emulators.netsuite import RECORD_ROOT, create_app
from ironbridge.events.bus import Event
from ironbridge.models import EntityType
from tests.api.conftest import error_code
from tests.support.servers import serve
from tests.writes.conftest import (
    connect_emulator,
    event_types,
    live_read_is_cached_until_a_write,
    load_records,
    stored_count,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from ironbridge.emulators.netsuite import NetSuiteEmulator
    from ironbridge.services import Services
    from tests.conftest import GQL

PO_FIELDS = (
    "id remoteId number status description expectedDeliveryDate deletedAt "
    "lines { itemRemoteId quantity unitPrice }"
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
LIST_PO = """query($ids: [String!]) { connection { purchaseOrders(
  filter: { remoteIds: $ids, includeDeleted: true }) { nodes { id deletedAt } } } }"""
ITEM_FIELDS = "id remoteId number name unitCost active"
CREATE_ITEM = f"""mutation($input: InventoryItemCreateInput!) {{
  createInventoryItem(input: $input) {{ inventoryItem {{ {ITEM_FIELDS} }} warnings }} }}"""
UPDATE_ITEM = f"""mutation($id: ID!, $input: InventoryItemUpdateInput!) {{
  updateInventoryItem(id: $id, input: $input) {{ inventoryItem {{ {ITEM_FIELDS} }} }} }}"""
READ_ITEM = f"""query($id: ID!) {{ item: node(id: $id) {{
  ... on InventoryItem {{ {ITEM_FIELDS} }} }} }}"""
DELETE_ITEM = """mutation($id: ID!) { deleteInventoryItem(id: $id) { id } }"""
CREATE_WO = """mutation($input: WorkOrderCreateInput!) {
  createWorkOrder(input: $input) { workOrder { id } } }"""

ORDER: dict[str, Any] = {
    "vendorRemoteId": "2001",
    "shipToRemoteId": "2",
    "currency": "USD",
    "description": "Bearings for line 2",
    "expectedDeliveryDate": "2025-07-15",
    "lines": [{"itemRemoteId": "3001", "quantity": "10", "unitPrice": "12.5"}],
}
PO_PATH = f"{RECORD_ROOT}/purchaseOrder"


@pytest.fixture
async def netsuite_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_app(records=20, work_orders=4)
    async with serve(app) as base_url:
        yield app, base_url


def _emulator(app: Starlette) -> NetSuiteEmulator:
    emulator: NetSuiteEmulator = app.state.emulator
    return emulator


async def _netsuite(gql: GQL, admin: str, netsuite_app: tuple[Starlette, str]) -> tuple[int, str]:
    return await connect_emulator(gql, admin, "netsuite", netsuite_app)


def _writes(app: Starlette, record_type: str = "purchaseOrder") -> int:
    """Record writes (creates, updates, deletes) the emulator has answered."""
    requests = _emulator(app).faults.requests
    path = f"{RECORD_ROOT}/{record_type}"
    return sum(requests.count(method, prefix=path) for method in ("POST", "PATCH", "PUT", "DELETE"))


async def test_create_read_update_and_delete_a_purchase_order(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    emulator = _emulator(app)
    _, token = await _netsuite(gql, admin, netsuite_app)

    live = services.bus.subscribe(lambda event: event.type.startswith("record."))
    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert data["createPurchaseOrder"]["warnings"] == []
    # what recordChanged subscribers get, published as the write committed
    event = await asyncio.wait_for(anext(live), timeout=5)
    await live.aclose()
    assert isinstance(event, Event)
    assert (event.type, event.data["id"], event.data["entity"], event.data["kind"]) == (
        "record.created",
        created["id"],
        "PURCHASE_ORDER",
        "CREATED",
    )
    remote_id = created["remoteId"]
    # NetSuite answered 204 with Location; what is stored is what it reads back
    raw = emulator.record("purchaseOrder", remote_id)
    assert raw is not None
    assert created["number"] == raw["tranId"] == f"PO{remote_id}"
    assert created["status"] == "APPROVED"
    assert created["lines"] == [{"itemRemoteId": "3001", "quantity": "10", "unitPrice": "12.5"}]
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created
    assert "record.created" in await event_types(services)

    change = {"expectedDeliveryDate": "2025-08-01", "description": "Bearings, expedited"}
    data = await gql.data(UPDATE_PO, {"id": created["id"], "input": change}, token=token)
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["expectedDeliveryDate"], updated["description"]) == (
        created["id"],
        "2025-08-01",
        "Bearings, expedited",
    )
    raw = emulator.record("purchaseOrder", remote_id)
    assert raw is not None
    assert (raw["dueDate"], raw["memo"]) == ("2025-08-01", "Bearings, expedited")
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == updated
    assert "record.updated" in await event_types(services)

    deleted = await gql.data(DELETE_PO, {"id": created["id"]}, token=token)
    assert deleted["deletePurchaseOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": False,
    }
    # a real delete: NetSuite no longer has it; the store keeps it, marked deleted
    assert emulator.record("purchaseOrder", remote_id) is None
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    listed = await gql.data(LIST_PO, {"ids": [remote_id]}, token=token)
    assert [n["id"] for n in listed["connection"]["purchaseOrders"]["nodes"]] == [created["id"]]
    assert "record.deleted" in await event_types(services)


async def test_create_and_update_an_inventory_item(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    _, token = await _netsuite(gql, admin, netsuite_app)
    new = {"number": "BRG-6204", "name": "Ball bearing 6204", "unitCost": "3.75"}
    data = await gql.data(CREATE_ITEM, {"input": new}, token=token)
    item = data["createInventoryItem"]["inventoryItem"]
    assert (item["number"], item["name"], item["unitCost"], item["active"]) == (
        "BRG-6204",
        "Ball bearing 6204",
        "3.75",
        True,
    )
    raw = _emulator(app).record("inventoryItem", item["remoteId"])
    assert raw is not None
    assert raw["itemId"] == "BRG-6204"

    change = {"name": "Ball bearing 6204-2RS", "unitCost": "4.10", "active": False}
    data = await gql.data(UPDATE_ITEM, {"id": item["id"], "input": change}, token=token)
    updated = data["updateInventoryItem"]["inventoryItem"]
    assert (updated["name"], updated["unitCost"], updated["active"]) == (
        "Ball bearing 6204-2RS",
        "4.1",
        False,
    )
    read = await gql.data(READ_ITEM, {"id": item["id"]}, token=token)
    assert read["item"] == updated
    kinds = await event_types(services)
    assert {"record.created", "record.updated"} <= set(kinds)

    # the item number is unique in NetSuite: its refusal, in its words
    body = await gql(CREATE_ITEM, {"input": new}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "already used" in body["errors"][0]["message"]


async def test_approved_orders_change_closed_ones_do_not(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    dataset = _emulator(app).dataset
    pk, token = await _netsuite(gql, admin, netsuite_app)
    names = ("pending_receipt", "fully_billed", "partially_received")
    remote = [dataset.scenario_id(name) for name in names]
    assert all(remote)
    approved, billed, received = await load_records(
        services, pk, EntityType.PURCHASE_ORDER, [r for r in remote if r]
    )
    # NetSuite lets an approved (pending receipt) order change
    data = await gql.data(
        UPDATE_PO, {"id": approved, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["expectedDeliveryDate"]) == (approved, "2025-09-30")
    # a fully billed one takes nothing: NetSuite's refusal, in its words
    writes = _writes(app)
    body = await gql(
        UPDATE_PO, {"id": billed, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    assert error_code(body) == "CONFLICT"
    assert "Fully Billed; it cannot be modified" in body["errors"][0]["message"]
    # an order with receipts cannot be deleted
    body = await gql(DELETE_PO, {"id": received}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "dependent records" in body["errors"][0]["message"]
    assert _writes(app) == writes + 2
    read = await gql.data(READ_PO, {"id": received}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is None
    # a status NetSuite derives itself is refused before anything is sent
    body = await gql(UPDATE_PO, {"id": approved, "input": {"status": "RECEIVED"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert _writes(app) == writes + 2


async def test_unsupported_operations_and_missing_fields_send_nothing(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    pk, token = await _netsuite(gql, admin, netsuite_app)
    (item,) = await load_records(services, pk, EntityType.INVENTORY_ITEM, ["3001"])
    sent = _emulator(app).faults.requests.count()
    # maintenance work orders are not NetSuite's; its items are retired, not deleted here
    body = await gql(CREATE_WO, {"input": {"title": "Fix pump"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(DELETE_ITEM, {"id": item}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(CREATE_PO, {"input": {**ORDER, "vendorRemoteId": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"
    assert "vendorId" in body["errors"][0]["message"]
    body = await gql(CREATE_ITEM, {"input": {"name": "Bolt"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "number"
    assert _emulator(app).faults.requests.count() == sent


async def test_validate_only_writes_nothing(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    pk, token = await _netsuite(gql, admin, netsuite_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, ["10002"])
    stored, kinds = (
        await stored_count(services, EntityType.PURCHASE_ORDER, pk),
        await event_types(services),
    )
    writes = _writes(app)
    data = await gql.data(CREATE_PO, {"input": ORDER, "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    assert data["createPurchaseOrder"]["purchaseOrder"] is None
    assert data["createPurchaseOrder"]["warnings"]
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"description": "Dry run"}, "v": True}, token=token
    )
    assert data["updatePurchaseOrder"]["validateOnly"] is True
    assert data["updatePurchaseOrder"]["warnings"]
    raw = _emulator(app).record("purchaseOrder", "10002")
    assert raw is not None
    assert raw.get("memo") != "Dry run"
    # the checks a write would make are made: a bad line, a currency the account lacks
    bad = {**ORDER, "lines": [{"itemRemoteId": "BRG-1", "quantity": "1"}]}
    body = await gql(CREATE_PO, {"input": bad, "v": True}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "lines[0].item_remote_id" in body["errors"][0]["message"]
    body = await gql(CREATE_PO, {"input": {**ORDER, "currency": "JPY"}, "v": True}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "not a currency of this account" in body["errors"][0]["message"]
    assert _writes(app) == writes
    assert await stored_count(services, EntityType.PURCHASE_ORDER, pk) == stored
    assert await event_types(services) == kinds


async def test_an_idempotent_retry_writes_once(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    _, token = await _netsuite(gql, admin, netsuite_app)
    before = _emulator(app).faults.requests.count("POST", PO_PATH)
    first, second, third = await asyncio.gather(
        *(gql.data(CREATE_PO, {"input": ORDER, "k": "ns-order-1"}, token=token) for _ in range(3))
    )
    assert first == second == third
    assert first["createPurchaseOrder"]["purchaseOrder"]["id"]
    assert _emulator(app).faults.requests.count("POST", PO_PATH) == before + 1
    again = await gql.data(CREATE_PO, {"input": ORDER, "k": "ns-order-1"}, token=token)
    assert again == first
    other = {**ORDER, "currency": "EUR"}
    body = await gql(CREATE_PO, {"input": other, "k": "ns-order-1"}, token=token)
    assert error_code(body) == "CONFLICT"
    assert _emulator(app).faults.requests.count("POST", PO_PATH) == before + 1


async def test_a_record_changed_in_netsuite_since_it_was_read_is_a_conflict(
    gql: GQL, services: Services, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    emulator = _emulator(app)
    pk, token = await _netsuite(gql, admin, netsuite_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, ["10002"])
    (item,) = await load_records(services, pk, EntityType.INVENTORY_ITEM, ["3001"])
    emulator.touch("purchaseOrder", ["10002"], changes={"memo": "Changed by a buyer"})
    emulator.touch("inventoryItem", ["3001"])
    writes = _writes(app) + _writes(app, "inventoryItem")

    body = await gql(UPDATE_PO, {"id": order, "input": {"description": "Ours"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "changed in NetSuite since it was read" in body["errors"][0]["message"]
    body = await gql(UPDATE_ITEM, {"id": item, "input": {"name": "Ours"}}, token=token)
    assert error_code(body) == "CONFLICT"
    # nothing was sent, the buyer's change stands
    assert _writes(app) + _writes(app, "inventoryItem") == writes
    raw = emulator.record("purchaseOrder", "10002")
    assert raw is not None
    assert raw["memo"] == "Changed by a buyer"

    # once read again, the update goes through
    await load_records(services, pk, EntityType.PURCHASE_ORDER, ["10002"])
    data = await gql.data(UPDATE_PO, {"id": order, "input": {"description": "Ours"}}, token=token)
    assert data["updatePurchaseOrder"]["purchaseOrder"]["description"] == "Ours"


LIVE_PO = f"""query($r: String!) {{ connection {{
  purchaseOrder(remoteId: $r, live: true) {{ {PO_FIELDS} }} }} }}"""


def _data_requests(app: Starlette) -> int:
    """Requests for records and SuiteQL, not for tokens."""
    requests = _emulator(app).faults.requests
    return requests.count(prefix=RECORD_ROOT) + requests.count(prefix="/services/rest/query/")


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, admin: str, netsuite_app: tuple[Starlette, str]
) -> None:
    app, _ = netsuite_app
    remote_id = _emulator(app).dataset.scenario_id("pending_receipt")
    assert remote_id is not None
    _, token = await _netsuite(gql, admin, netsuite_app)
    await live_read_is_cached_until_a_write(
        gql,
        token,
        lambda: _data_requests(app),
        live_query=LIVE_PO,
        remote_id=remote_id,
        update_query=UPDATE_PO,
        change={"expectedDeliveryDate": "2025-10-01"},
    )
