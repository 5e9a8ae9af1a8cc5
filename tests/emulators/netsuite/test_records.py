"""The NetSuite emulator's record API over HTTP: collections, records, writes and their rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.emulators.netsuite import RECORD_ROOT
from tests.emulators.netsuite.conftest import RECORDS, error_code

if TYPE_CHECKING:
    import httpx

    from ironbridge.emulators.netsuite import NetSuiteEmulator

PO = RECORD_ROOT + "/purchaseOrder"
FIRST_PO = 10001


def scenario_id(emulator: NetSuiteEmulator, scenario: str) -> str:
    found = emulator.dataset.scenario_id(scenario)
    assert found is not None
    return found


async def test_a_collection_pages_with_links(client: httpx.AsyncClient) -> None:
    first = (await client.get(PO, params={"limit": 15})).json()
    assert first["count"] == 15
    assert first["hasMore"] is True
    assert first["offset"] == 0
    assert first["totalResults"] == RECORDS
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert rels["next"].endswith("/purchaseOrder?limit=15&offset=15")
    assert rels["last"].endswith("offset=30")
    assert first["items"][0] == {
        "links": [{"rel": "self", "href": rels["self"].split("?")[0] + f"/{FIRST_PO}"}],
        "id": str(FIRST_PO),
    }
    seen: list[str] = []
    url: str | None = rels["self"]
    while url:
        page = (await client.get(url)).json()
        seen += [item["id"] for item in page["items"]]
        url = next((lk["href"] for lk in page["links"] if lk["rel"] == "next"), None)
    assert seen == [str(FIRST_PO + i) for i in range(RECORDS)]
    last = (await client.get(PO, params={"limit": 15, "offset": 30})).json()
    assert last["hasMore"] is False
    assert [lk["rel"] for lk in last["links"]] == ["prev", "self"]


@pytest.mark.parametrize("params", [{"limit": "1001"}, {"limit": "0"}, {"offset": "-1"}])
async def test_paging_parameters_are_checked(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get(PO, params=params)
    assert response.status_code == 400
    assert error_code(response) == "INVALID_PARAMETER"


async def test_the_q_filter_on_last_modified_date(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    stamps = {r["id"]: r["lastModifiedDate"] for r in emulator.snapshot("purchaseOrder")}
    day = stamps["10021"][:10]
    us_date = f"{day[5:7]}/{day[8:10]}/{day[:4]}"
    response = await client.get(PO, params={"q": f'lastModifiedDate ON_OR_AFTER "{us_date}"'})
    expected = sorted(i for i, s in stamps.items() if s[:10] >= day)
    assert [item["id"] for item in response.json()["items"]] == expected
    bad = await client.get(PO, params={"q": 'tranId IS "PO1"'})
    assert bad.status_code == 400
    assert error_code(bad) == "INVALID_PARAMETER"


async def test_a_record_with_and_without_expanded_sublists(client: httpx.AsyncClient) -> None:
    url = f"{PO}/{FIRST_PO + 1}"
    plain = (await client.get(url)).json()
    assert set(plain["item"]) == {"links"}
    assert plain["entity"]["links"][0]["href"].endswith(f"/vendor/{plain['entity']['id']}")
    full = (await client.get(url, params={"expandSubResources": "true"})).json()
    lines = full["item"]["items"]
    assert full["item"]["totalResults"] == len(lines) >= 1
    assert lines[0]["item"]["links"][0]["href"].endswith(f"/inventoryItem/{lines[0]['item']['id']}")
    assert full["orderStatus"] == {"id": "B", "refName": "B"}
    assert full["status"] == {"id": "Pending Receipt", "refName": "Pending Receipt"}
    some = (await client.get(url, params={"fields": "tranId,total"})).json()
    assert set(some) == {"links", "id", "tranId", "total"}
    sublist = (await client.get(url + "/item")).json()
    assert sublist["items"] == lines


async def test_unknown_records_and_types_answer_404(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{PO}/999")
    assert missing.status_code == 404
    assert missing.json()["o:errorDetails"][0] == {
        "detail": "The record instance does not exist. Provide a valid record instance ID.",
        "o:errorCode": "NONEXISTENT_ID",
    }
    unknown = await client.get(RECORD_ROOT + "/salesOrder/1")
    assert unknown.status_code == 404


NEW_PO: dict[str, Any] = {
    "entity": {"id": "2002"},
    "memo": "Created over REST",
    "custbody_ib_project_code": "PRJ-7",
    "item": {
        "items": [
            {"item": {"id": "3001"}, "quantity": 10, "rate": 10},
            {"item": {"id": "3002"}, "quantity": 2, "custcol_ib_inspection_level": "TIGHT"},
        ]
    },
}


async def test_create_answers_204_with_the_location(client: httpx.AsyncClient) -> None:
    created = await client.post(PO, json=NEW_PO)
    assert created.status_code == 204
    assert created.content == b""
    location = created.headers["location"]
    assert location.startswith(str(client.base_url) + PO + "/")
    record = (await client.get(location, params={"expandSubResources": "true"})).json()
    assert record["tranId"] == f"PO{record['id']}"
    assert record["orderStatus"]["id"] == "B"
    assert record["entity"]["refName"]
    assert record["currency"]["id"] == "1"
    assert record["custbody_ib_project_code"] == "PRJ-7"
    lines = record["item"]["items"]
    assert [line["line"] for line in lines] == [1, 2]
    assert lines[0]["amount"] == 100
    assert lines[1]["rate"] > 0
    assert lines[1]["custcol_ib_inspection_level"] == "TIGHT"
    assert record["total"] == lines[0]["amount"] + lines[1]["amount"]


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({**NEW_PO, "entity": {"id": "9999"}}, "INVALID_CONTENT", "entity"),
        (
            {**NEW_PO, "item": {"items": [{"item": {"id": "9999"}, "quantity": 1}]}},
            "INVALID_CONTENT",
            "item.items[0].item",
        ),
        ({**NEW_PO, "entity": {"id": "2008"}}, "INVALID_CONTENT", "entity"),  # inactive vendor
        ({**NEW_PO, "status": {"id": "B"}}, "INVALID_CONTENT", "status"),
        ({**NEW_PO, "nonsense": 1}, "INVALID_CONTENT", "nonsense"),
        ({**NEW_PO, "tranDate": "01/02/2025"}, "INVALID_CONTENT", "tranDate"),
    ],
)
async def test_create_checks_fields_and_references(
    client: httpx.AsyncClient, body: dict[str, Any], code: str, path: str
) -> None:
    response = await client.post(PO, json=body)
    assert response.status_code == 400
    detail = response.json()["o:errorDetails"][0]
    assert detail["o:errorCode"] == code
    assert detail["o:errorPath"] == path
    assert detail["detail"].startswith("Error while accessing resource: ")


async def test_create_without_a_vendor_names_the_mandatory_field(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(PO, json={"item": NEW_PO["item"]})
    assert response.status_code == 400
    assert error_code(response) == "USER_ERROR"
    assert response.json()["o:errorDetails"][0]["detail"].endswith(
        "Please enter value(s) for: Vendor"
    )
    not_json = await client.post(PO, content=b"{", headers={"content-type": "application/json"})
    assert error_code(not_json) == "INVALID_CONTENT"


async def test_patch_merges_lines_and_replace_swaps_them(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    location = (await client.post(PO, json=NEW_PO)).headers["location"]
    before = emulator.record("purchaseOrder", location.rsplit("/", 1)[-1])
    assert before is not None
    merged = await client.patch(
        location,
        json={
            "memo": "Changed",
            "item": {"items": [{"line": 1, "quantity": 12}, NEW_PO["item"]["items"][0]]},
        },
    )
    assert merged.status_code == 204
    record = (await client.get(location, params={"expandSubResources": "true"})).json()
    assert record["memo"] == "Changed"
    assert [(line["line"], line["quantity"]) for line in record["item"]["items"]] == [
        (1, 12),
        (2, 2),
        (3, 10),
    ]
    assert record["lastModifiedDate"] > before["lastModifiedDate"]
    replaced = await client.patch(
        location, params={"replace": "item"}, json={"item": {"items": [{"item": {"id": "3004"}}]}}
    )
    assert replaced.status_code == 204
    lines = (await client.get(location + "/item")).json()["items"]
    # line numbers are line ids: new lines never reuse the numbers of replaced ones
    assert [(line["line"], line["item"]["id"], line["quantity"]) for line in lines] == [
        (4, "3004", 1)
    ]
    unknown_line = await client.patch(location, json={"item": {"items": [{"line": 9}]}})
    assert unknown_line.status_code == 400


@pytest.mark.parametrize("scenario", ["fully_billed", "closed", "cancelled"])
async def test_billed_and_closed_orders_cannot_be_modified(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator, scenario: str
) -> None:
    record_id = scenario_id(emulator, scenario)
    response = await client.patch(f"{PO}/{record_id}", json={"memo": "late change"})
    assert response.status_code == 400
    assert error_code(response) == "USER_ERROR"
    assert "cannot be modified" in response.json()["o:errorDetails"][0]["detail"]


async def test_received_lines_are_protected(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    record_id = scenario_id(emulator, "partially_received")
    url = f"{PO}/{record_id}"
    reduce = await client.patch(url, json={"item": {"items": [{"line": 1, "quantity": 0.5}]}})
    drop = await client.patch(
        url, params={"replace": "item"}, json={"item": {"items": [{"item": {"id": "3001"}}]}}
    )
    delete = await client.delete(url)
    for response in (reduce, drop, delete):
        assert response.status_code == 400
        assert error_code(response) == "USER_ERROR"
    assert delete.json()["o:errorDetails"][0]["detail"].endswith(
        "This record cannot be deleted because it has dependent records."
    )


async def test_closing_every_line_closes_the_order_and_approval_moves_status(
    client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    open_id = scenario_id(emulator, "pending_receipt")
    record = emulator.record("purchaseOrder", open_id)
    assert record is not None
    lines = [{"line": line["line"], "isClosed": True} for line in record["item"]["items"]]
    closed = await client.patch(f"{PO}/{open_id}", json={"item": {"items": lines}})
    assert closed.status_code == 204
    after = emulator.record("purchaseOrder", open_id)
    assert after is not None
    assert after["orderStatus"]["id"] == "H"
    pending = scenario_id(emulator, "pending_approval")
    approved = await client.patch(f"{PO}/{pending}", json={"approvalStatus": {"id": "2"}})
    assert approved.status_code == 204
    now = emulator.record("purchaseOrder", pending)
    assert now is not None
    assert (now["orderStatus"]["id"], now["approvalStatus"]["refName"]) == ("B", "Approved")
    again = await client.patch(f"{PO}/{pending}", json={"approvalStatus": {"id": "1"}})
    assert error_code(again) == "USER_ERROR"


async def test_delete_answers_204(client: httpx.AsyncClient, emulator: NetSuiteEmulator) -> None:
    record_id = scenario_id(emulator, "pending_approval")
    deleted = await client.delete(f"{PO}/{record_id}")
    assert deleted.status_code == 204
    assert (await client.get(f"{PO}/{record_id}")).status_code == 404
    assert (await client.delete(f"{PO}/{record_id}")).status_code == 404


async def test_inventory_items_are_created_and_updated(client: httpx.AsyncClient) -> None:
    url = RECORD_ROOT + "/inventoryItem"
    created = await client.post(url, json={"itemId": "TG-9001", "displayName": "Shim 0.1 mm"})
    assert created.status_code == 204
    location = created.headers["location"]
    duplicate = await client.post(url, json={"itemId": "TG-9001"})
    assert error_code(duplicate) == "USER_ERROR"
    patched = await client.patch(location, json={"cost": 1.25, "isInactive": True})
    assert patched.status_code == 204
    item = (await client.get(location)).json()
    assert (item["itemId"], item["cost"], item["isInactive"]) == ("TG-9001", 1.25, True)
    assert item["itemType"]["id"] == "InvtPart"
    read_only = await client.patch(RECORD_ROOT + "/currency/1", json={"name": "x"})
    assert read_only.status_code == 405


async def test_vendors_locations_and_work_orders_answer(client: httpx.AsyncClient) -> None:
    vendor = (
        await client.get(RECORD_ROOT + "/vendor/2001", params={"expandSubResources": "true"})
    ).json()
    address = vendor["addressBook"]["items"][0]["addressBookAddress"]
    assert address["country"]["id"] == "US"
    location = (
        await client.get(RECORD_ROOT + "/location/2", params={"expandSubResources": "true"})
    ).json()
    assert location["parent"]["id"] == "1"
    assert location["mainAddress"]["city"] == "Dayton"
    work_orders = (await client.get(RECORD_ROOT + "/workOrder", params={"limit": 2})).json()
    work_order = (await client.get(work_orders["items"][0]["links"][0]["href"])).json()
    assert work_order["tranId"].startswith("WO")
    assert work_order["assemblyItem"]["links"]
