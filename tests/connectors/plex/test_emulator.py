"""The Plex emulator as a client sees it over real HTTP: bare arrays, ignored parameters,
Plex's errors, the per-minute limit, the control endpoint, writes and a cheap large dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.plex import PO_SCENARIOS, create_app
from tests.connectors.plex.harness import ANCHOR
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.emulators.plex import PlexEmulator

POS = "/purchasing/v1/purchase-orders"


@pytest.fixture
async def plex() -> AsyncIterator[tuple[PlexEmulator, httpx.AsyncClient]]:
    app = create_app(records=30, anchor=ANCHOR)
    emulator: PlexEmulator = app.state.emulator
    async with serve(app) as url:
        headers = {
            "X-Plex-Connect-Api-Key": emulator.api_key,
            "X-Plex-Connect-Customer-Id": emulator.customer_id,
        }
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            yield emulator, client


async def test_lists_are_bare_arrays_and_unknown_parameters_are_ignored(
    plex: tuple[PlexEmulator, httpx.AsyncClient],
) -> None:
    _emulator, client = plex
    everything = (await client.get(POS)).json()
    assert isinstance(everything, list)
    assert len(everything) == 30
    params = {"limit": "1", "updatedAfter": "2025-05-01T00:00:00Z", "offset": "5"}
    assert (await client.get(POS, params=params)).json() == everything
    assert all("lineItems" not in order and "_lineItems" not in order for order in everything)


async def test_list_parameters_repeat(plex: tuple[PlexEmulator, httpx.AsyncClient]) -> None:
    emulator, client = plex
    ids = [emulator.dataset.id_of("purchase-orders", n) for n in (4, 7)]
    found = (await client.get(POS, params=[("Id", ids[0]), ("id", ids[1])])).json()
    assert sorted(order["id"] for order in found) == ids


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({"X-Plex-Connect-Api-Key": "wrong"}, POS),
        ({"X-Plex-Connect-Customer-Id": "11111"}, POS),
        ({"X-Plex-Connect-Tenant-Id": "00000000-0000-0000-0000-000000000000"}, POS),
        ({"X-Plex-Connect-Api-Key": "wrong"}, "/no/such/route"),
    ],
)
async def test_bad_keys_and_tenants_are_not_authenticated(
    plex: tuple[PlexEmulator, httpx.AsyncClient], headers: dict[str, str], path: str
) -> None:
    _emulator, client = plex
    response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "code": "REQUEST_NOT_AUTHENTICATED",
        "message": "The request could not be authenticated.",
    }


async def test_unknown_routes_and_no_data_are_404(
    plex: tuple[PlexEmulator, httpx.AsyncClient],
) -> None:
    _emulator, client = plex
    for path, params in (("/purchasing/v9/nothing", {}), (POS, {"poNumber": "none"})):
        response = await client.get(path, params=params)
        assert response.status_code == 404
        assert response.json()["code"] == "RESOURCE_NOT_FOUND"


async def test_the_minute_limit_answers_429_without_retry_after(
    plex: tuple[PlexEmulator, httpx.AsyncClient],
) -> None:
    emulator, client = plex
    emulator.calls_per_minute = 2
    answers = [await client.get("/mdm/v1/suppliers") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "retry-after" not in answers[2].headers
    assert answers[2].json()["code"] == "TOO_MANY_REQUESTS"


async def test_faults_answer_in_plex_shape(plex: tuple[PlexEmulator, httpx.AsyncClient]) -> None:
    emulator, client = plex
    await client.post("/_emulator/faults", json={"outage": "503"})
    response = await client.get(POS)
    assert (response.status_code, response.json()["code"]) == (503, "SERVICE_UNAVAILABLE")
    await client.delete("/_emulator/faults")
    assert (await client.get(POS)).status_code == 200
    assert emulator.faults.requests.count("GET", POS) == 2


async def test_control_touch_insert_and_delete(
    plex: tuple[PlexEmulator, httpx.AsyncClient],
) -> None:
    emulator, client = plex
    order = emulator.dataset.id_of("purchase-orders", 12)
    at = "2025-05-31T10:00:00Z"
    await client.post("/_emulator/records/purchase-orders/touch", json={"ids": [order], "at": at})
    assert (await client.get(f"{POS}/{order}")).json()["modifiedDate"] == at
    made = await client.post(
        "/_emulator/records/suppliers", json={"name": "New", "status": "Approved", "_at": at}
    )
    new_id = made.json()["id"]
    assert (await client.get(f"/mdm/v1/suppliers/{new_id}")).json()["modifiedDate"] == at
    await client.post("/_emulator/records/purchase-orders/delete", json={"ids": [order]})
    assert (await client.get(f"{POS}/{order}")).json()["status"] == "Void"
    serial = emulator.dataset.id_of("containers", 3)
    await client.post("/_emulator/records/containers/delete", json={"ids": [serial]})
    response = await client.get(f"/inventory-tracking/v1/containers/{serial}")
    assert response.status_code == 404


async def test_the_scenarios_are_all_there(plex: tuple[PlexEmulator, httpx.AsyncClient]) -> None:
    emulator, client = plex
    orders = (await client.get(POS)).json()
    statuses = {
        s["name"] for s in (await client.get("/purchasing/v1/purchase-order-statuses")).json()
    }
    assert {o["status"] for o in orders} == statuses
    assert [emulator.dataset.scenario_id(name) for name, _s, _a in PO_SCENARIOS] == [
        o["id"] for o in orders[: len(PO_SCENARIOS)]
    ]
    suppliers = {s["id"] for s in (await client.get("/mdm/v1/suppliers")).json()}
    assert emulator.dataset.unknown_supplier_id not in suppliers
    containers = (await client.get("/inventory/v1/inventory-tracking/containers")).json()
    assert any(c["quantity"] == 0 for c in containers)
    assert orders[7]["costCenter"] == "CC-4100"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"dueDate": "2025-09-30"}, 400, "not a valid date"),
        ({"currencyCode": "CAD"}, 409, "is approved; only due dates can be changed"),
        ({"lineItems": [{"lineItemNumber": 1, "quantity": 99}]}, 409, "is approved"),
        ({"lineItems": [{"lineItemNumber": 1, "dueDate": "2025-09-30T00:00:00Z"}]}, 200, ""),
        ({"status": "Void"}, 200, ""),
        ("not an object", 400, "JSON object"),
    ],
)
async def test_writes_to_an_approved_order(
    plex: tuple[PlexEmulator, httpx.AsyncClient], body: Any, status: int, message: str
) -> None:
    emulator, client = plex
    approved = emulator.dataset.scenario_id("approved")
    response = await client.put(f"{POS}/{approved}", json=body)
    assert response.status_code == status
    if message:
        assert message in response.json()["message"]


async def test_orders_are_created_not_deleted(plex: tuple[PlexEmulator, httpx.AsyncClient]) -> None:
    emulator, client = plex
    supplier = emulator.dataset.id_of("suppliers", 4)
    response = await client.post(POS, json={"supplierId": supplier, "lineItems": [{"quantity": 2}]})
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"].endswith(created["id"])
    assert (created["status"], created["approvedDate"], created["lineItemCount"]) == (
        "Quote",
        None,
        1,
    )
    lines = (await client.get(f"{POS}/{created['id']}/line-items")).json()
    assert lines[0]["releases"][0]["quantity"] == 2
    deleted = await client.delete(f"{POS}/{created['id']}")
    assert (deleted.status_code, deleted.json()["code"]) == (405, "METHOD_NOT_ALLOWED")
    missing = await client.post(POS, json={"lineItems": []})
    assert missing.json()["message"] == "Required field(s) missing: supplierId, lineItems."


def test_a_hundred_thousand_orders_cost_nothing_until_read() -> None:
    app = create_app(records=100_000, anchor=ANCHOR)
    emulator: PlexEmulator = app.state.emulator
    table = emulator.table("purchase-orders")
    assert len(table) == 100_000
    last = table.get(99_999)
    assert last is not None
    assert last["poNumber"] == "159999"
    assert table.get(99_999) == last, "records are the same each time they are computed"
    assert table.find(last["id"]) == last
