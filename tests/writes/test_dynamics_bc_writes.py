"""Writes through Business Central, emulated over real HTTP: deep inserts, If-Match updates,
hard deletes, and a released order's refusals as conflicts with Business Central's message."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.emulators.dynamics_bc import PO_SCENARIOS, create_app, guid
from ironbridge.models import EntityType
from tests.api.conftest import error_code
from tests.connectors.dynamics_bc.harness import touch as harness_touch
from tests.support.servers import serve
from tests.writes.conftest import (
    connect_emulator,
    live_read_is_cached_until_a_write,
    load_records,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from ironbridge.emulators.dynamics_bc import DynamicsBcEmulator
    from ironbridge.services import Services
    from tests.conftest import GQL

RELEASED = guid(5, PO_SCENARIOS.index("open"))
VENDOR = guid(2, 0)
ITEM = guid(3, 0)
PO_FIELDS = (
    "id number status expectedDeliveryDate currency deletedAt lines { itemRemoteId quantity }"
)
CREATE_PO = f"""mutation($input: PurchaseOrderCreateInput!, $k: String, $v: Boolean) {{
  createPurchaseOrder(input: $input, idempotencyKey: $k, validateOnly: $v) {{
    purchaseOrder {{ {PO_FIELDS} }} validateOnly warnings }} }}"""
UPDATE_PO = f"""mutation($id: ID!, $input: PurchaseOrderUpdateInput!) {{
  updatePurchaseOrder(id: $id, input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} warnings }} }}"""
DELETE_PO = """mutation($id: ID!) { deletePurchaseOrder(id: $id) { id deleted softDeleted } }"""
READ_PO = f"""query($id: ID!) {{ purchaseOrder: node(id: $id) {{ ... on PurchaseOrder {{ {PO_FIELDS} }} }} }}"""
CREATE_WO = """mutation($input: WorkOrderCreateInput!) {
  createWorkOrder(input: $input) { workOrder { id } } }"""

ORDER: dict[str, Any] = {
    "vendorRemoteId": VENDOR,
    "currency": "USD",
    "expectedDeliveryDate": "2025-07-15",
    "lines": [
        {"itemRemoteId": ITEM, "quantity": "10", "unitOfMeasure": "PCS", "unitPrice": "12.5"}
    ],
}


@pytest.fixture
async def bc_app() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_app(records=30)
    async with serve(app) as base_url:
        yield app, base_url


def _bc(app: Starlette) -> DynamicsBcEmulator:
    emulator: DynamicsBcEmulator = app.state.emulator
    return emulator


async def _connect(gql: GQL, admin: str, bc_app: tuple[Starlette, str]) -> tuple[int, str]:
    app, url = bc_app
    emulator = _bc(app)
    instance = f"{url}/v2.0/{emulator.tenant}/{emulator.environment}"
    return await connect_emulator(gql, admin, "dynamics-bc", bc_app, instance_url=instance)


def _posts(app: Starlette) -> int:
    return _bc(app).faults.requests.count(method="POST", prefix="/v2.0/")


async def test_create_read_update_and_delete_a_purchase_order(
    gql: GQL, services: Services, admin: str, bc_app: tuple[Starlette, str]
) -> None:
    app, _ = bc_app
    _, token = await _connect(gql, admin, bc_app)
    data = await gql.data(CREATE_PO, {"input": ORDER}, token=token)
    created = data["createPurchaseOrder"]["purchaseOrder"]
    assert data["createPurchaseOrder"]["warnings"] == []
    assert created["status"] == "DRAFT"
    assert created["lines"] == [{"itemRemoteId": ITEM, "quantity": "10"}]
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"] == created
    stored = _bc(app).table("purchaseOrders")
    assert any(r["number"] == created["number"] for _p, r in stored.natural())

    changes = {"expectedDeliveryDate": "2025-08-01", "currency": "EUR"}
    data = await gql.data(UPDATE_PO, {"id": created["id"], "input": changes}, token=token)
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["expectedDeliveryDate"], updated["currency"]) == ("2025-08-01", "EUR")

    deleted = await gql.data(DELETE_PO, {"id": created["id"]}, token=token)
    assert deleted["deletePurchaseOrder"] == {
        "id": created["id"],
        "deleted": True,
        "softDeleted": False,
    }
    read = await gql.data(READ_PO, {"id": created["id"]}, token=token)
    assert read["purchaseOrder"]["deletedAt"] is not None
    assert not any(r["number"] == created["number"] for _p, r in stored.natural())


async def test_a_released_order_takes_only_a_new_delivery_date(
    gql: GQL, services: Services, admin: str, bc_app: tuple[Starlette, str]
) -> None:
    app, _ = bc_app
    pk, token = await _connect(gql, admin, bc_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [RELEASED])
    data = await gql.data(
        UPDATE_PO, {"id": order, "input": {"expectedDeliveryDate": "2025-09-30"}}, token=token
    )
    updated = data["updatePurchaseOrder"]["purchaseOrder"]
    assert (updated["id"], updated["expectedDeliveryDate"]) == (order, "2025-09-30")
    body = await gql(UPDATE_PO, {"id": order, "input": {"currency": "EUR"}}, token=token)
    assert error_code(body) == "CONFLICT"
    assert "Status must be equal to 'Open'" in body["errors"][0]["message"]
    assert "Current value is 'Released'" in body["errors"][0]["message"]
    assert _bc(app).table("purchaseOrders").get(RELEASED)["currencyCode"] == "USD"  # type: ignore[index]

    # refused before anything is sent: a field BC does not let change, an entity it lacks,
    # a missing required field, and a dry run
    sent = _bc(app).faults.requests.count()
    body = await gql(UPDATE_PO, {"id": order, "input": {"status": "CLOSED"}}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "status"
    body = await gql(CREATE_WO, {"input": {"title": "Fix the press"}}, token=token)
    assert error_code(body) == "UNSUPPORTED_OPERATION"
    missing = {k: v for k, v in ORDER.items() if k != "vendorRemoteId"}
    body = await gql(CREATE_PO, {"input": missing}, token=token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "vendorId"
    assert "vendorId" in body["errors"][0]["message"]
    data = await gql.data(CREATE_PO, {"input": ORDER, "v": True}, token=token)
    assert data["createPurchaseOrder"]["validateOnly"] is True
    assert data["createPurchaseOrder"]["purchaseOrder"] is None
    assert data["createPurchaseOrder"]["warnings"]
    assert _bc(app).faults.requests.count() == sent


async def test_an_idempotent_retry_writes_once(
    gql: GQL, services: Services, admin: str, bc_app: tuple[Starlette, str]
) -> None:
    app, _ = bc_app
    _, token = await _connect(gql, admin, bc_app)
    before = _posts(app)
    first, second = await asyncio.gather(
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
        gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token),
    )
    assert first == second
    assert first["createPurchaseOrder"]["purchaseOrder"]["id"]
    assert _posts(app) == before + 1
    again = await gql.data(CREATE_PO, {"input": ORDER, "k": "order-1"}, token=token)
    assert again == first
    body = await gql(
        CREATE_PO, {"input": {**ORDER, "currency": "EUR"}, "k": "order-1"}, token=token
    )
    assert error_code(body) == "CONFLICT"
    assert _posts(app) == before + 1


LIVE_PO = f"""query($r: String!) {{ connection {{
  purchaseOrder(remoteId: $r, live: true) {{ {PO_FIELDS} }} }} }}"""


def _data_requests(app: Starlette) -> int:
    """Requests to the company's API, not for tokens."""
    return _bc(app).faults.requests.count(prefix="/v2.0/")


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, admin: str, bc_app: tuple[Starlette, str]
) -> None:
    app, _ = bc_app
    _, token = await _connect(gql, admin, bc_app)
    await live_read_is_cached_until_a_write(
        gql,
        token,
        lambda: _data_requests(app),
        live_query=LIVE_PO,
        remote_id=RELEASED,
        update_query=UPDATE_PO,
        change={"expectedDeliveryDate": "2025-10-01"},
    )


async def test_an_order_changed_in_business_central_since_it_was_read_is_a_stale_conflict(
    gql: GQL, services: Services, admin: str, bc_app: tuple[Starlette, str]
) -> None:
    app, _ = bc_app
    pk, token = await _connect(gql, admin, bc_app)
    (order,) = await load_records(services, pk, EntityType.PURCHASE_ORDER, [RELEASED])
    # someone edits the order in Business Central after our copy was read: its ETag moves on
    harness_touch(app, EntityType.PURCHASE_ORDER, [RELEASED], None)
    change = {"expectedDeliveryDate": "2025-11-30"}
    body = await gql(UPDATE_PO, {"id": order, "input": change}, token=token)
    assert error_code(body) == "CONFLICT"
