"""Writes through SAP S/4HANA, emulated over real HTTP: stored at once, refusals as conflicts."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.models import EntityType
from ironbridge.store.tables import connections
from ironbridge.store.webhook_tables import events
from tests.api.conftest import error_code
from tests.writes.conftest import ORGANIZATION, connect, load_records, set_options

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ironbridge.services import Services
    from tests.conftest import GQL

APPROVED = "4500000001"
PO_FIELDS = "id number status expectedDeliveryDate deletedAt lines { itemRemoteId quantity }"
CREATE_PO = f"""mutation($input: PurchaseOrderCreateInput!, $k: String, $v: Boolean) {{
  createPurchaseOrder(input: $input, idempotencyKey: $k, validateOnly: $v) {{
    purchaseOrder {{ {PO_FIELDS} }} validateOnly warnings }} }}"""
UPDATE_PO = f"""mutation($id: ID!, $input: PurchaseOrderUpdateInput!) {{
  updatePurchaseOrder(id: $id, input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} warnings }} }}"""
DELETE_PO = """mutation($id: ID!) { deletePurchaseOrder(id: $id) { id deleted softDeleted } }"""
READ_PO = f"""query($id: ID!) {{ purchaseOrder: node(id: $id) {{ ... on PurchaseOrder {{ {PO_FIELDS} }} }} }}"""
CREATE_ITEM = """mutation($input: InventoryItemCreateInput!) {
  createInventoryItem(input: $input) { inventoryItem { id } } }"""

ORDER: dict[str, Any] = {
    "vendorRemoteId": "17300001",
    "shipToRemoteId": "1710",
    "currency": "USD",
    "expectedDeliveryDate": "2025-07-15",
    "lines": [
        {"itemRemoteId": "TG11", "quantity": "10", "unitOfMeasure": "PC", "unitPrice": "12.50"}
    ],
}


async def _sap(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> tuple[int, str]:
    app, url = sap_app
    creds = dict(app.state.emulator.credentials)
    pk, token = await connect(
        gql, admin, {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds}
    )
    await set_options(services, pk, ORGANIZATION)
    return pk, token


async def _posts(app: Starlette) -> int:
    count: int = app.state.emulator.faults.requests.count(method="POST")
    return count


async def test_create_read_update_and_delete_a_purchase_order(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> None:
    pk, token = await _sap(gql, services, admin, sap_app)
    async with services.engine.connect() as conn:
        version = (
            await conn.execute(select(connections.c.data_version).where(connections.c.id == pk))
        ).scalar_one()

    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert data["createPurchaseOrder"]["warnings"] == []
    assert created["lines"] == [{"itemRemoteId": "TG11", "quantity": "10"}]
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created
    async with services.engine.connect() as conn:
        after = (
            await conn.execute(select(connections.c.data_version).where(connections.c.id == pk))
        ).scalar_one()
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert after > version
    assert "record.created" in kinds

    deleted = await gql.data(DELETE_PO, {"id": created["id"]}, token=token)
    assert deleted["deletePurchaseOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": True,
    }
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert "record.deleted" in kinds


async def test_an_approved_order_takes_only_a_new_delivery_date(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> None:
    pk, token = await _sap(gql, services, admin, sap_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [APPROVED])
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["expectedDeliveryDate"]) == (order, "2025-09-30")
    body = await gql(UPDATE_PO, {"id": order, "input": {"currency": "EUR"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "is released; only delivery dates can be changed" in body["errors"][0]["message"]
    # not a field SAP lets change: refused before anything is sent
    app, _ = sap_app
    sent = app.state.emulator.faults.requests.count()
    body = await gql(UPDATE_PO, {"id": order, "input": {"status": "CLOSED"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "status"
    body = await gql(CREATE_ITEM, {"input": {"name": "Bolt"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    body = await gql(CREATE_PO, {"input": {**ORDER, "currency": None}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "currency"
    data = await gql.data(CREATE_PO, {"input": ORDER, "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    assert data["createPurchaseOrder"]["warnings"]
    assert app.state.emulator.faults.requests.count() == sent


async def test_an_idempotent_retry_writes_once(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> None:
    app, _ = sap_app
    _, token = await _sap(gql, services, admin, sap_app)
    before = await _posts(app)
    first, second = await asyncio.gather(
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
    )
    assert first == second
    assert first["createPurchaseOrder"]["purchaseOrder"]["id"]
    assert await _posts(app) == before + 1
    again = await gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token)
    assert again == first
    other = {**ORDER, "currency": "EUR"}
    body = await gql(CREATE_PO, {"input": other, "k": "order-1"}, token=token)
    assert error_code(body) == "CONFLICT"
    assert await _posts(app) == before + 1


async def test_a_record_changed_in_sap_since_it_was_read_is_a_stale_conflict(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> None:
    app, _ = sap_app
    pk, token = await _sap(gql, services, admin, sap_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, ["4500000002"])
    # someone edits the order in SAP after our copy was read: its ETag moves on
    app.state.emulator.touch("PurchaseOrder", ["4500000002"])
    patches = app.state.emulator.faults.requests.count(method="PATCH")
    body = await gql(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-11-30"}}, token=token
    )
    assert error_code(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["requestId"]
    # nothing was changed: the PATCH was refused by SAP (412), not applied
    assert app.state.emulator.faults.requests.count(method="PATCH") == patches + 1
    # read again (as a sync or a live read would), the same update goes through
    read = await gql.data(
        """query($r: String!) { connection { purchaseOrder(remoteId: $r, live: true) { id } } }""",
        {"r": "4500000002"},
        token=token,
    )
    assert read["connection"]["purchaseOrder"]["id"] == order
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-11-30"}}, token=token
    )
    assert data["updatePurchaseOrder"]["purchaseOrder"]["id"] == order


async def test_refused_credentials_on_a_write_need_reauthorization(
    gql: GQL, services: Services, admin: str, sap_app: tuple[Starlette, str]
) -> None:
    app, _ = sap_app
    _, token = await _sap(gql, services, admin, sap_app)
    app.state.emulator.faults.revoked_credentials = True
    body = await gql(CREATE_PO, {"input": ORDER}, token=token)
    assert error_code(body) == "REAUTH_REQUIRED"
    status = await gql.data("{ connection { status statusReason } }", token=token)
    assert status["connection"]["status"] == "REAUTH_REQUIRED"
    assert status["connection"]["statusReason"]
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert "connection.reauthorization_required" in kinds
