"""Writes through IBM Maximo, emulated over real HTTP: creates and ``x-method-override: PATCH``
updates answered with the record (``properties``), stored at once with their events; status
changes as Maximo allows them, cancellation (CAN) as a soft delete, ``If-Match`` versions."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.emulators.maximo import create_app
from ironbridge.emulators.maximo.samples import ITEMSET, ORG, item_number, vendor_code
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

    from ironbridge.emulators.maximo import MaximoEmulator
    from ironbridge.services import Services
    from tests.conftest import GQL

WO_FIELDS = "id remoteId number title status remoteStatus priority assetRemoteId deletedAt"
CREATE_WO = f"""mutation($input: WorkOrderCreateInput!, $k: String, $v: Boolean) {{
  createWorkOrder(input: $input, idempotencyKey: $k, validateOnly: $v) {{
    workOrder {{ {WO_FIELDS} }} validateOnly warnings }} }}"""
UPDATE_WO = f"""mutation($id: ID!, $input: WorkOrderUpdateInput!, $v: Boolean) {{
  updateWorkOrder(id: $id, input: $input, validateOnly: $v) {{
    workOrder {{ {WO_FIELDS} }} validateOnly warnings }} }}"""
DELETE_WO = """mutation($id: ID!) { deleteWorkOrder(id: $id) { id deleted softDeleted } }"""
READ_WO = (
    f"""query($id: ID!) {{ workOrder: node(id: $id) {{ ... on WorkOrder {{ {WO_FIELDS} }} }} }}"""
)
PO_FIELDS = (
    "id remoteId number status remoteStatus description expectedDeliveryDate deletedAt "
    "lines { itemRemoteId quantity unitPrice }"
)
CREATE_PO = f"""mutation($input: PurchaseOrderCreateInput!) {{
  createPurchaseOrder(input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} warnings }} }}"""
UPDATE_PO = f"""mutation($id: ID!, $input: PurchaseOrderUpdateInput!) {{
  updatePurchaseOrder(id: $id, input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} }} }}"""
DELETE_PO = """mutation($id: ID!) { deletePurchaseOrder(id: $id) { id deleted softDeleted } }"""
READ_PO = f"""query($id: ID!) {{ purchaseOrder: node(id: $id) {{
  ... on PurchaseOrder {{ {PO_FIELDS} }} }} }}"""
ITEM_FIELDS = "id remoteId number name type active"
CREATE_ITEM = f"""mutation($input: InventoryItemCreateInput!) {{
  createInventoryItem(input: $input) {{ inventoryItem {{ {ITEM_FIELDS} }} }} }}"""
UPDATE_ITEM = f"""mutation($id: ID!, $input: InventoryItemUpdateInput!) {{
  updateInventoryItem(id: $id, input: $input) {{ inventoryItem {{ {ITEM_FIELDS} }} }} }}"""
READ_ITEM = f"""query($id: ID!) {{ item: node(id: $id) {{
  ... on InventoryItem {{ {ITEM_FIELDS} }} }} }}"""
DELETE_ITEM = """mutation($id: ID!) { deleteInventoryItem(id: $id) { id } }"""

VENDOR = f"{vendor_code(0)}/{ORG}"
ITEM = f"{item_number(0)}/{ITEMSET}"
ORDER: dict[str, Any] = {
    "vendorRemoteId": VENDOR,
    "shipToRemoteId": "CENTRAL/BEDFORD",
    "currency": "USD",
    "description": "Bearings for pump P-100",
    "expectedDeliveryDate": "2025-07-15",
    "lines": [{"itemRemoteId": ITEM, "quantity": "4", "unitPrice": "12.5"}],
}
WORK: dict[str, Any] = {"title": "Replace coupling", "priority": "HIGH", "type": "CORRECTIVE"}
WO_PATH = "/maximo/api/os/mxwo"


@pytest.fixture
async def maximo_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_app(records=30)
    async with serve(app) as base_url:
        yield app, base_url


def _emulator(app: Starlette) -> MaximoEmulator:
    emulator: MaximoEmulator = app.state.emulator
    return emulator


async def _maximo(gql: GQL, admin: str, maximo_app: tuple[Starlette, str]) -> tuple[int, str]:
    return await connect_emulator(gql, admin, "maximo", maximo_app)


def _writes(app: Starlette) -> int:
    """Writes the emulator has answered: Maximo's updates are POSTs too."""
    requests = _emulator(app).faults.requests
    return sum(requests.count(method) for method in ("POST", "PATCH", "PUT", "DELETE"))


async def test_create_read_update_and_cancel_a_work_order(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    emulator = _emulator(app)
    _, token = await _maximo(gql, admin, maximo_app)

    live = services.bus.subscribe(lambda event: event.type.startswith("record."))
    data = await gql.data(
        CREATE_WO, {"input": {**WORK, "assetRemoteId": "11002/TEXAS"}}, token=token
    )
    created = data["createWorkOrder"]["workOrder"]
    # what recordChanged subscribers get, published as the write committed
    event = await asyncio.wait_for(anext(live), timeout=5)
    await live.aclose()
    assert isinstance(event, Event)
    assert (event.type, event.data["id"], event.data["entity"], event.data["kind"]) == (
        "record.created",
        created["id"],
        "WORK_ORDER",
        "CREATED",
    )
    assert data["createWorkOrder"]["warnings"] == []
    assert created["remoteId"] == f"TEXAS/{created['number']}"
    assert (created["title"], created["status"], created["remoteStatus"]) == (
        "Replace coupling",
        "REQUESTED",
        "WAPPR",
    )
    assert created["assetRemoteId"] == "11002/TEXAS"
    read = await gql.data(READ_WO, {"id": created["id"]}, token=token)
    assert read["workOrder"] == created
    assert "record.created" in await event_types(services)

    # a real status change, through Maximo's status handler
    change = {"title": "Replace coupling and seal", "status": "APPROVED"}
    data = await gql.data(UPDATE_WO, {"id": created["id"], "input": change}, token=token)
    updated = data["updateWorkOrder"]["workOrder"]
    assert (updated["id"], updated["title"], updated["remoteStatus"]) == (
        created["id"],
        "Replace coupling and seal",
        "APPR",
    )
    row = emulator.record("mxwo", created["remoteId"])
    assert row is not None
    assert (row["description"], row["status"]) == ("Replace coupling and seal", "APPR")
    # sent as Maximo takes updates: a POST to the member with x-method-override, never a PATCH
    assert emulator.faults.requests.count("POST", prefix=f"{WO_PATH}/") == 1
    assert emulator.faults.requests.count("PATCH") == 0
    read = await gql.data(READ_WO, {"id": created["id"]}, token=token)
    assert read["workOrder"] == updated
    assert "record.updated" in await event_types(services)

    # Maximo keeps work orders: deleting cancels it (CAN), a soft delete
    deleted = await gql.data(DELETE_WO, {"id": created["id"]}, token=token)
    assert deleted["deleteWorkOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": True,
    }
    row = emulator.record("mxwo", created["remoteId"])
    assert row is not None
    assert row["status"] == "CAN"
    read = await gql.data(READ_WO, {"id": created["id"]}, token=token)
    assert (read["workOrder"]["status"], read["workOrder"]["remoteStatus"]) == ("CANCELLED", "CAN")
    assert read["workOrder"]["deletedAt"] is not None
    assert "record.deleted" in await event_types(services)

    # a cancelled work order takes no change: Maximo's refusal, in its words
    body = await gql(UPDATE_WO, {"id": created["id"], "input": {"title": "x"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"  # deleted in the store: no longer writable
    (again,) = await load_records(services, _, EntityType.WORK_ORDER, [created["remoteId"]])
    body = await gql(UPDATE_WO, {"id": again, "input": {"title": "x"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "BMXAA0031E" in body["errors"][0]["message"]


async def test_a_status_change_maximo_refuses_is_a_conflict(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    pk, token = await _maximo(gql, admin, maximo_app)
    completed = _emulator(app).dataset.scenario_id("workorder", "completed")
    assert completed is not None
    (order,) = await load_records(services, pk, EntityType.WORK_ORDER, [completed])
    body = await gql(UPDATE_WO, {"id": order, "input": {"status": "IN_PROGRESS"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "BMXAA4590E - Could not change Work Order" in body["errors"][0]["message"]
    data = await gql.data(UPDATE_WO, {"id": order, "input": {"status": "CLOSED"}}, token=token)
    assert data["updateWorkOrder"]["workOrder"]["remoteStatus"] == "CLOSE"


async def test_purchase_orders_approved_ones_change_through_a_revision(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    emulator = _emulator(app)
    _, token = await _maximo(gql, admin, maximo_app)

    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert created["remoteId"] == f"{created['number']}/0/BEDFORD"
    assert (created["status"], created["remoteStatus"]) == ("PENDING_APPROVAL", "WAPPR")
    assert created["lines"] == [{"itemRemoteId": ITEM, "quantity": "4", "unitPrice": "12.5"}]
    assert created["expectedDeliveryDate"] == "2025-07-15"
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created

    # waiting on approval: it changes, and it is approved
    change = {"expectedDeliveryDate": "2025-08-01", "description": "Bearings, expedited"}
    data = await gql.data(UPDATE_PO, {"id": created["id"], "input": change}, token=token)
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["expectedDeliveryDate"], updated["description"]) == (
        "2025-08-01",
        "Bearings, expedited",
    )
    data = await gql.data(
        UPDATE_PO, {"id": created["id"], "input": {"status": "APPROVED"}}, token=token
    )
    assert data["updatePurchaseOrder"]["purchaseOrder"]["remoteStatus"] == "APPR"

    # approved: Maximo takes no change but through a revision; a new delivery date makes one
    app_row = emulator.record("mxpo", created["remoteId"])
    assert app_row is not None
    body = await gql(
        UPDATE_PO, {"id": created["id"], "input": {"description": "Other"}}, token=token
    )
    assert error_code(body) == "CONFLICT"
    message = body["errors"][0]["message"]
    assert "BMXAA0031E" in message
    assert "changes through a revision" in message
    data = await gql.data(
        UPDATE_PO,
        {"id": created["id"], "input": {"expectedDeliveryDate": "2025-09-30"}},
        token=token,
    )
    revision = data["updatePurchaseOrder"]["purchaseOrder"]
    assert revision["id"] != created["id"]
    assert revision["remoteId"] == f"{created['number']}/1/BEDFORD"
    assert (revision["remoteStatus"], revision["expectedDeliveryDate"]) == ("PNDREV", "2025-09-30")
    assert revision["lines"] == created["lines"]
    # the approved revision stays in force until the new one is approved
    row = emulator.record("mxpo", created["remoteId"])
    assert row is not None
    assert (row["status"], row["requireddate"]) == ("APPR", app_row["requireddate"])
    read = await gql.data(READ_PO, {"id": revision["id"]}, token=token)
    assert read["purchaseOrder"] == revision
    data = await gql.data(
        UPDATE_PO, {"id": revision["id"], "input": {"status": "APPROVED"}}, token=token
    )
    assert data["updatePurchaseOrder"]["purchaseOrder"]["remoteStatus"] == "APPR"
    row = emulator.record("mxpo", created["remoteId"])
    assert row is not None
    assert row["status"] == "REVISE"

    # an approved order is cancelled, not deleted
    deleted = await gql.data(DELETE_PO, {"id": revision["id"]}, token=token)
    assert deleted["deletePurchaseOrder"]["softDeleted"] is True
    row = emulator.record("mxpo", revision["remoteId"])
    assert row is not None
    assert row["status"] == "CAN"
    read = await gql.data(READ_PO, {"id": revision["id"]}, token=token)
    assert read["purchaseOrder"]["status"] == "CANCELLED"
    assert read["purchaseOrder"]["deletedAt"] is not None

    # one still waiting on approval is deleted for real
    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    waiting = data["createPurchaseOrder"]["purchaseOrder"]
    deleted = await gql.data(DELETE_PO, {"id": waiting["id"]}, token=token)
    assert deleted["deletePurchaseOrder"] == {
        "id": waiting["id"],
        "deleted": True,
        "softDeleted": False,
    }
    assert emulator.record("mxpo", waiting["remoteId"]) is None
    read = await gql.data(READ_PO, {"id": waiting["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    kinds = await event_types(services)
    assert {"record.created", "record.updated", "record.deleted"} <= set(kinds)


async def test_create_and_update_an_item(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    _, token = await _maximo(gql, admin, maximo_app)
    new = {"number": "BRG-6204", "name": "Ball bearing 6204", "type": "SPARE_PART"}
    data = await gql.data(CREATE_ITEM, {"input": new}, token=token)
    item = data["createInventoryItem"]["inventoryItem"]
    assert (item["remoteId"], item["name"], item["active"]) == (
        f"BRG-6204/{ITEMSET}",
        "Ball bearing 6204",
        True,
    )
    change = {"name": "Ball bearing 6204-2RS", "active": False}
    data = await gql.data(UPDATE_ITEM, {"id": item["id"], "input": change}, token=token)
    updated = data["updateInventoryItem"]["inventoryItem"]
    assert (updated["name"], updated["active"]) == ("Ball bearing 6204-2RS", False)
    row = _emulator(app).record("mxitem", item["remoteId"])
    assert row is not None
    assert row["status"] == "OBSOLETE"
    read = await gql.data(READ_ITEM, {"id": item["id"]}, token=token)
    assert read["item"] == updated
    assert {"record.created", "record.updated"} <= set(await event_types(services))
    # the number is the key: Maximo's refusal of a duplicate, in its words
    body = await gql(CREATE_ITEM, {"input": new}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "BMXAA4129E" in body["errors"][0]["message"]


async def test_unsupported_operations_and_missing_fields_send_nothing(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    pk, token = await _maximo(gql, admin, maximo_app)
    (item,) = await load_records(services, pk, EntityType.INVENTORY_ITEM, [ITEM])
    sent = _emulator(app).faults.requests.count()
    body = await gql(DELETE_ITEM, {"id": item}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(CREATE_PO, {"input": {**ORDER, "vendorRemoteId": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"
    body = await gql(CREATE_ITEM, {"input": {"name": "Bolt"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "number"
    body = await gql(CREATE_WO, {"input": {"title": " "}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert _emulator(app).faults.requests.count() == sent


async def test_validate_only_writes_nothing(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    pk, token = await _maximo(gql, admin, maximo_app)
    approved = _emulator(app).dataset.scenario_id("workorder", "approved")
    assert approved is not None
    (order,) = await load_records(services, pk, EntityType.WORK_ORDER, [approved])
    stored, kinds, writes = (
        await stored_count(services, EntityType.WORK_ORDER, pk),
        await event_types(services),
        _writes(app),
    )
    data = await gql.data(CREATE_WO, {"input": WORK, "v": True}, token=token)
    assert data["createWorkOrder"]["validateOnly"] is True
    assert data["createWorkOrder"]["workOrder"] is None
    assert data["createWorkOrder"]["warnings"]
    data = await gql.data(
        UPDATE_WO, {"id": order, "input": {"title": "Dry run"}, "v": True}, token=token
    )
    assert data["updateWorkOrder"]["validateOnly"] is True
    assert data["updateWorkOrder"]["warnings"]
    row = _emulator(app).record("mxwo", approved)
    assert row is not None
    assert row["description"] != "Dry run"
    # the checks a write would make are made
    bad = {**WORK, "assetRemoteId": "11002"}
    body = await gql(CREATE_WO, {"input": bad, "v": True}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "asset_remote_id" in body["errors"][0]["message"]
    assert _writes(app) == writes
    assert await stored_count(services, EntityType.WORK_ORDER, pk) == stored
    assert await event_types(services) == kinds


async def test_an_idempotent_retry_writes_once(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    _, token = await _maximo(gql, admin, maximo_app)
    requests = _emulator(app).faults.requests
    before = requests.count("POST", WO_PATH)
    first, second, third = await asyncio.gather(
        *(gql.data(CREATE_WO, {"input": WORK, "k": "mx-wo-1"}, token=token) for _ in range(3))
    )
    assert first == second == third
    assert first["createWorkOrder"]["workOrder"]["id"]
    assert requests.count("POST", WO_PATH) == before + 1
    again = await gql.data(CREATE_WO, {"input": WORK, "k": "mx-wo-1"}, token=token)
    assert again == first
    body = await gql(CREATE_WO, {"input": {**WORK, "title": "Other"}, "k": "mx-wo-1"}, token=token)
    assert error_code(body) == "CONFLICT"
    assert requests.count("POST", WO_PATH) == before + 1


async def test_a_record_changed_in_maximo_since_it_was_read_is_a_conflict(
    gql: GQL, services: Services, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    emulator = _emulator(app)
    pk, token = await _maximo(gql, admin, maximo_app)
    approved = emulator.dataset.scenario_id("workorder", "approved")
    assert approved is not None
    (order,) = await load_records(services, pk, EntityType.WORK_ORDER, [approved])
    (item,) = await load_records(services, pk, EntityType.INVENTORY_ITEM, [ITEM])
    emulator.touch("mxwo", [approved], changes={"description": "Changed by a planner"})
    emulator.touch("mxitem", [ITEM])

    body = await gql(UPDATE_WO, {"id": order, "input": {"title": "Ours"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "BMXAA8229W" in body["errors"][0]["message"]
    body = await gql(UPDATE_ITEM, {"id": item, "input": {"name": "Ours"}}, token=token)
    assert error_code(body) == "CONFLICT"
    row = emulator.record("mxwo", approved)
    assert row is not None
    assert row["description"] == "Changed by a planner"

    # once read again, the update goes through
    await load_records(services, pk, EntityType.WORK_ORDER, [approved])
    data = await gql.data(UPDATE_WO, {"id": order, "input": {"title": "Ours"}}, token=token)
    assert data["updateWorkOrder"]["workOrder"]["title"] == "Ours"


LIVE_WO = f"""query($r: String!) {{ connection {{
  workOrder(remoteId: $r, live: true) {{ {WO_FIELDS} }} }} }}"""


def _data_requests(app: Starlette) -> int:
    """Requests to Maximo's object structures, not its login."""
    count: int = _emulator(app).faults.requests.count(prefix="/maximo/api/os/")
    return count


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, admin: str, maximo_app: tuple[Starlette, str]
) -> None:
    app, _ = maximo_app
    approved = _emulator(app).dataset.scenario_id("workorder", "approved")
    assert approved is not None
    _, token = await _maximo(gql, admin, maximo_app)
    await live_read_is_cached_until_a_write(
        gql,
        token,
        lambda: _data_requests(app),
        live_query=LIVE_WO,
        remote_id=approved,
        update_query=UPDATE_WO,
        change={"title": "Replace coupling, live"},
        record="workOrder",
    )
