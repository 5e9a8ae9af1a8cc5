"""Writes to a sandbox connection: checked like real ones, answered, and never stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ironbridge.models import EntityType
from ironbridge.schema.ids import to_global_id
from ironbridge.store.tables import connections, purchase_orders
from ironbridge.store.webhook_tables import events
from tests.api.conftest import error_code
from tests.writes.conftest import connect, load_records

if TYPE_CHECKING:
    from ironbridge.services import Services
    from tests.conftest import GQL

CREATE_PO = """mutation($c: ID, $input: PurchaseOrderCreateInput!, $v: Boolean, $k: String) {
  createPurchaseOrder(connectionId: $c, input: $input, validateOnly: $v, idempotencyKey: $k) {
    purchaseOrder { id number } validateOnly warnings } }"""
DELETE_ITEM = """mutation($id: ID!) { deleteInventoryItem(id: $id) { id } }"""
UPDATE_ITEM = """mutation($id: ID!, $input: InventoryItemUpdateInput!) {
  updateInventoryItem(id: $id, input: $input) { inventoryItem { id } warnings } }"""
CREATE_WO = """mutation($input: WorkOrderCreateInput!) {
  createWorkOrder(input: $input) { workOrder { id } validateOnly warnings } }"""

ORDER: dict[str, Any] = {
    "vendorRemoteId": "V-10001",
    "currency": "USD",
    "lines": [{"itemRemoteId": "ITM-10059", "quantity": "3", "unitPrice": "9.50"}],
}


async def _sandbox(gql: GQL, admin: str) -> tuple[int, str]:
    return await connect(gql, admin, {"systemKey": "sandbox", "sandbox": True})


async def _stored(services: Services, connection_id: int) -> tuple[int, int, int]:
    async with services.engine.connect() as conn:
        orders = (
            await conn.execute(
                select(func.count())
                .select_from(purchase_orders)
                .where(purchase_orders.c.connection_id == connection_id)
            )
        ).scalar_one()
        made = (
            await conn.execute(
                select(func.count()).select_from(events).where(events.c.type.like("record.%"))
            )
        ).scalar_one()
        version = (
            await conn.execute(
                select(connections.c.data_version).where(connections.c.id == connection_id)
            )
        ).scalar_one()
    return int(orders), int(made), int(version)


async def test_a_sandbox_write_is_answered_and_changes_nothing(
    gql: GQL, services: Services, admin: str
) -> None:
    pk, token = await _sandbox(gql, admin)
    before = await _stored(services, pk)
    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    payload = data["createPurchaseOrder"]
    assert payload["validateOnly"] is False
    assert payload["purchaseOrder"] is None
    assert any("Sandbox connection" in w and "nothing was stored" in w for w in payload["warnings"])
    assert await _stored(services, pk) == before


async def test_the_sandbox_checks_what_it_is_sent(gql: GQL, admin: str) -> None:
    _, token = await _sandbox(gql, admin)
    body = await gql(CREATE_PO, {"input": {**ORDER, "vendorRemoteId": "V-404"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "vendor_remote_id" in body["errors"][0]["message"]
    bad_line = {**ORDER, "lines": [{"itemRemoteId": "ITM-10059", "quantity": "0"}]}
    body = await gql(CREATE_PO, {"input": bad_line}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "quantity" in body["errors"][0]["message"]


async def test_missing_required_fields_are_named(gql: GQL, admin: str) -> None:
    _, token = await _sandbox(gql, admin)
    body = await gql(CREATE_PO, {"input": {"lines": ORDER["lines"]}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"
    assert "vendorId" in body["errors"][0]["message"]
    body = await gql(CREATE_PO, {"input": {**ORDER, "lines": []}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "lines"


async def test_validate_only_checks_everything_and_writes_nothing(
    gql: GQL, services: Services, admin: str
) -> None:
    pk, token = await _sandbox(gql, admin)
    before = await _stored(services, pk)
    data = await gql.data(CREATE_PO, {"input": ORDER, "v": True}, token=token)
    payload = data["createPurchaseOrder"]
    assert payload["validateOnly"] is True
    assert payload["purchaseOrder"] is None
    assert any("validateOnly: nothing was written" in w for w in payload["warnings"])
    # a dry run does not spend its idempotency key
    dry = await gql.data(CREATE_PO, {"input": ORDER, "v": True, "k": "once"}, token=token)
    assert dry["createPurchaseOrder"]["validateOnly"] is True
    real = await gql.data(CREATE_PO, {"input": ORDER, "k": "once"}, token=token)
    assert real["createPurchaseOrder"]["validateOnly"] is False
    assert await gql.data(CREATE_PO, {"input": ORDER, "k": "once"}, token=token) == real
    body = await gql(CREATE_PO, {"input": {**ORDER, "currency": "usd"}, "v": True}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert await _stored(services, pk) == before


async def test_global_ids_resolve_within_the_connection(
    gql: GQL, services: Services, admin: str
) -> None:
    pk, token = await _sandbox(gql, admin)
    (vendor,) = await load_records(services, pk, EntityType.VENDOR, ["V-10001"])
    order = {**ORDER, "vendorId": vendor}
    del order["vendorRemoteId"]
    data = await gql.data(CREATE_PO, {"input": order, "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    nowhere = {**order, "vendorId": to_global_id("Vendor", 999999)}
    body = await gql(CREATE_PO, {"input": nowhere}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "input.vendorId"
    both = {**order, "vendorRemoteId": "V-10001"}
    body = await gql(CREATE_PO, {"input": both}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    # another connection's vendor names nothing here
    _, other = await _sandbox(gql, admin)
    body = await gql(CREATE_PO, {"input": order}, token=other)
    assert error_code(body) == "BAD_USER_INPUT"


async def test_what_the_system_cannot_do_is_unsupported(
    gql: GQL, services: Services, admin: str
) -> None:
    pk, token = await _sandbox(gql, admin)
    (item,) = await load_records(services, pk, EntityType.INVENTORY_ITEM, ["ITM-10059"])
    body = await gql(DELETE_ITEM, {"id": item}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    data = await gql.data(UPDATE_ITEM, {"id": item, "input": {"name": "Bolt"}}, token=token)
    assert data["updateInventoryItem"]["warnings"]
    data = await gql.data(CREATE_WO, {"input": {"title": "Fix pump"}}, token=token)
    assert data["createWorkOrder"]["workOrder"] is None
