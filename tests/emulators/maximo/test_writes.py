"""The Maximo emulator's writes over real HTTP: creates, PATCH and MERGE updates, status
changes with synonyms, business rules, revisions, deletes and duplicate transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.emulators.maximo import UNKNOWN_VENDOR
from tests.emulators.maximo.conftest import LEAN, PO, WO, error, members

if TYPE_CHECKING:
    import httpx

    from ironbridge.emulators.maximo import MaximoEmulator

PATCH = {"x-method-override": "PATCH"}
MERGE = {**PATCH, "patchtype": "MERGE"}
ITEM = "/maximo/api/os/mxitem"


async def href_of(client: httpx.AsyncClient, url: str, where: str) -> str:
    [found] = members(await client.get(url, params={**LEAN, "oslc.where": where}))
    return str(found["href"])


async def read(client: httpx.AsyncClient, href: str) -> dict[str, Any]:
    response = await client.get(href, params={**LEAN, "internalvalues": "1"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def patch(
    client: httpx.AsyncClient, href: str, body: Any, *, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(href, params=LEAN, json=body, headers={**PATCH, **(headers or {})})


# -- creates ----------------------------------------------------------------------------------


async def test_create_answers_201_with_location_and_the_record_asked_for(
    client: httpx.AsyncClient,
) -> None:
    body = {"description": "Check pump noise", "assetnum": "11001", "siteid": "BEDFORD"}
    created = await client.post(
        WO, params=LEAN, json=body, headers={"properties": "wonum,siteid,status,location"}
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["status"] == "WAPPR"
    assert record["siteid"] == "BEDFORD"
    assert record["wonum"].startswith("9")
    assert "location" not in record  # the asset's location is not copied by the emulator
    assert created.headers["location"] == record["href"]
    assert (await read(client, record["href"]))["description"] == "Check pump noise"


async def test_create_without_properties_has_no_body_and_uses_the_insert_site(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(WO, params=LEAN, json={"description": "x", "status": "APPR"})
    assert created.status_code == 201
    assert created.content == b""
    record = await read(client, created.headers["location"])
    assert (record["siteid"], record["status"], record["orgid"]) == ("BEDFORD", "APPR", "EAGLENA")


@pytest.mark.parametrize(
    ("body", "attribute"),
    [
        ({"siteid": "NOWHERE"}, "siteid"),
        ({"assetnum": "99999"}, "assetnum"),
        ({"assetnum": "11002", "siteid": "BEDFORD"}, "assetnum"),
        ({"location": "B-999"}, "location"),
        ({"wopriority": "high"}, "wopriority"),
    ],
)
async def test_create_validates_like_maximo(
    client: httpx.AsyncClient, body: dict[str, Any], attribute: str
) -> None:
    response = await client.post(WO, params=LEAN, json={"description": "x", **body})
    assert response.status_code == 400
    failure = error(response)
    assert failure["reasonCode"] == "BMXAA4153E"
    assert failure["errorattrname"] == attribute


async def test_purchase_order_create_checks_vendor_and_items(client: httpx.AsyncClient) -> None:
    line = {"itemnum": "0-1001", "orderqty": 2, "unitcost": 10.5}
    created = await client.post(
        PO, params=LEAN, json={"vendor": "ACME01", "poline": [line]}, headers={"properties": "*"}
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["status"], record["revisionnum"], record["totalcost"]) == ("WAPPR", 0, 21)
    assert record["poline"][0]["polinenum"] == 1
    for body in (
        {"vendor": UNKNOWN_VENDOR},
        {"vendor": "INITEC05"},  # disabled
        {"vendor": "ACME01", "poline": [{"itemnum": "NOPE", "orderqty": 1}]},
    ):
        refused = await client.post(PO, params=LEAN, json=body)
        assert error(refused)["reasonCode"] == "BMXAA4153E"


async def test_items_need_a_number_and_a_unique_one(client: httpx.AsyncClient) -> None:
    missing = await client.post(ITEM, params=LEAN, json={"description": "Valve"})
    assert error(missing)["reasonCode"] == "BMXAA4195E"
    made = await client.post(ITEM, params=LEAN, json={"itemnum": "V-1", "description": "Valve"})
    assert made.status_code == 201
    again = await client.post(ITEM, params=LEAN, json={"itemnum": "V-1", "description": "Valve"})
    assert error(again)["reasonCode"] == "BMXAA4129E"


async def test_bodies_must_be_json_objects(client: httpx.AsyncClient) -> None:
    broken = await client.post(
        WO, params=LEAN, content=b"{nope", headers={"content-type": "application/json"}
    )
    assert error(broken)["reasonCode"] == "BMXAA1882E"
    listed = await client.post(WO, params=LEAN, json=[{"description": "x"}])
    assert error(listed)["reasonCode"] == "BMXAA1882E"


# -- updates and status changes ---------------------------------------------------------------


async def test_patch_answers_204_or_the_record_with_properties(client: httpx.AsyncClient) -> None:
    href = await href_of(client, WO, 'wonum="1000002"')
    before = await read(client, href)
    quiet = await patch(client, href, {"description": "Renamed", "wonum": "1000002"})
    assert quiet.status_code == 204
    loud = await patch(client, href, {"wopriority": 1}, headers={"properties": "wonum,wopriority"})
    assert loud.status_code == 200
    assert loud.json()["wopriority"] == 1
    after = await read(client, href)
    assert after["description"] == "Renamed"
    assert after["changedate"] >= before["changedate"]
    assert int(after["_rowstamp"]) > int(before["_rowstamp"])


async def test_a_key_attribute_cannot_change(client: httpx.AsyncClient) -> None:
    href = await href_of(client, WO, 'wonum="1000002"')
    response = await patch(client, href, {"wonum": "123"})
    assert error(response)["reasonCode"] == "BMXAA0031E"


async def test_status_changes_follow_the_status_handler(client: httpx.AsyncClient) -> None:
    href = await href_of(client, WO, 'wonum="1000001"')  # WAPPR
    assert (await patch(client, href, {"status": "WAITPARTS"})).status_code == 204
    record = await read(client, href)
    assert (record["status"], record["status_maxvalue"]) == ("WAITPARTS", "WMATL")
    assert (await patch(client, href, {"status": "INPRG"})).status_code == 204
    assert "actstart" in await read(client, href)
    same = error(await patch(client, href, {"status": "INPRG"}))
    assert same["reasonCode"] == "BMXAA4590E"
    assert "BMXAA0032E" in same["message"]
    assert (await patch(client, href, {"status": "COMP"})).status_code == 204
    back = error(await patch(client, href, {"status": "INPRG"}))
    assert back["reasonCode"] == "BMXAA4590E"
    assert "BMXAA4638E" in back["message"]
    unknown = error(await patch(client, href, {"status": "DONE"}))
    assert "DONE is not a valid value" in unknown["message"]


async def test_change_status_web_method(client: httpx.AsyncClient) -> None:
    href = await href_of(client, WO, 'wonum="1000002"')  # APPR
    response = await client.post(
        href,
        params={**LEAN, "action": "wsmethod:changeStatus"},
        json={"status": "INPRG", "memo": "started"},
        headers=PATCH,
    )
    assert response.status_code == 204
    assert (await read(client, href))["status"] == "INPRG"
    unknown = await client.post(
        href, params={**LEAN, "action": "wsmethod:nope"}, json={}, headers=PATCH
    )
    assert error(unknown)["reasonCode"] == "BMXAA0024E"


@pytest.mark.parametrize("wonum", ["1000008", "1000009"])  # CLOSE, CAN
async def test_closed_and_cancelled_work_orders_are_read_only(
    client: httpx.AsyncClient, wonum: str
) -> None:
    href = await href_of(client, WO, f'wonum="{wonum}"')
    changed = error(await patch(client, href, {"description": "late edit"}))
    assert changed["reasonCode"] == "BMXAA0031E"
    assert "The WORKORDER object is read only" in changed["message"]
    reopened = error(await patch(client, href, {"status": "APPR"}))
    assert reopened["reasonCode"] == "BMXAA4590E"
    unchanged = await patch(
        client, href, {"description": (await read(client, href))["description"]}
    )
    assert unchanged.status_code == 204


async def test_work_orders_are_cancelled_not_deleted(client: httpx.AsyncClient) -> None:
    href = await href_of(client, WO, 'wonum="1000003"')
    for response in (
        await client.delete(href, params=LEAN),
        await client.post(href, params=LEAN, headers={"x-method-override": "DELETE"}),
        await patch(client, href, {"_action": "Delete"}),
    ):
        assert error(response)["reasonCode"] == "BMXAA0024E"
    assert (await patch(client, href, {"status": "CAN"})).status_code == 204
    assert (await read(client, href))["historyflag"] is True


# -- purchase orders --------------------------------------------------------------------------


async def test_an_approved_purchase_order_changes_only_through_a_revision(
    client: httpx.AsyncClient, emulator: MaximoEmulator
) -> None:
    href = await href_of(client, PO, 'ponum="2000002"')  # APPR
    refused = error(await patch(client, href, {"description": "more"}))
    assert refused["reasonCode"] == "BMXAA0031E"
    assert "revision" in refused["message"]
    revised = await client.post(
        href,
        params={**LEAN, "action": "wsmethod:revisePO"},
        json={},
        headers={**PATCH, "properties": "ponum,revisionnum,status"},
    )
    assert revised.status_code == 201, revised.text
    revision = revised.json()
    assert (revision["revisionnum"], revision["status"]) == (1, "PNDREV")
    assert (await patch(client, revision["href"], {"description": "more"})).status_code == 204
    assert (await patch(client, revision["href"], {"status": "APPR"})).status_code == 204
    assert (await read(client, href))["status"] == "REVISE"
    assert (await read(client, revision["href"]))["description"] == "more"
    again = await client.post(
        href, params={**LEAN, "action": "wsmethod:revisePO"}, json={}, headers=PATCH
    )
    assert error(again)["reasonCode"] == "BMXAA0024E"


async def test_a_status_change_of_an_approved_purchase_order(client: httpx.AsyncClient) -> None:
    href = await href_of(client, PO, 'ponum="2000002"')
    assert (await patch(client, href, {"status": "SENT"})).status_code == 204
    assert (await patch(client, href, {"status": "CLOSE"})).status_code == 204
    assert error(await patch(client, href, {"status": "APPR"}))["reasonCode"] == "BMXAA4590E"


async def test_lines_are_replaced_by_patch_and_merged_by_merge(client: httpx.AsyncClient) -> None:
    href = await href_of(client, PO, 'ponum="2000001"')  # WAPPR
    before = (await read(client, href))["poline"]
    merged = await client.post(
        href,
        params=LEAN,
        json={"poline": [{"polinenum": 1, "orderqty": 3}, {"itemnum": "0-1002", "orderqty": 1}]},
        headers={**MERGE, "properties": "poline{polinenum,orderqty,itemnum},totalcost"},
    )
    lines = merged.json()["poline"]
    assert [line["polinenum"] for line in lines] == [*range(1, len(before) + 1), len(before) + 1]
    assert lines[0]["orderqty"] == 3
    dropped = await client.post(
        href, params=LEAN, json={"poline": [{"polinenum": 1, "_action": "Delete"}]}, headers=MERGE
    )
    assert dropped.status_code == 204
    assert 1 not in [line["polinenum"] for line in (await read(client, href))["poline"]]
    replaced = await patch(
        client, href, {"poline": [{"polinenum": 7, "itemnum": "0-1003", "orderqty": 2}]}
    )
    assert replaced.status_code == 204
    assert [line["polinenum"] for line in (await read(client, href))["poline"]] == [7]


async def test_purchase_orders_are_deleted_only_while_waiting_on_approval(
    client: httpx.AsyncClient,
) -> None:
    approved = await href_of(client, PO, 'ponum="2000002"')
    assert error(await client.delete(approved, params=LEAN))["reasonCode"] == "BMXAA0024E"
    waiting = await href_of(client, PO, 'ponum="2000001"')
    assert (await client.delete(waiting, params=LEAN)).status_code == 200
    assert (await client.get(waiting, params=LEAN)).status_code == 404


async def test_items_are_deleted_only_without_stock(client: httpx.AsyncClient) -> None:
    stocked = await href_of(client, ITEM, 'itemnum="0-1001"')
    assert error(await client.delete(stocked, params=LEAN))["reasonCode"] == "BMXAA0024E"
    made = await client.post(ITEM, params=LEAN, json={"itemnum": "V-2", "description": "Valve"})
    assert (await client.delete(made.headers["location"], params=LEAN)).status_code == 200


async def test_a_repeated_transaction_id_is_409(client: httpx.AsyncClient) -> None:
    headers = {"transactionid": "tx-1"}
    first = await client.post(WO, params=LEAN, json={"description": "once"}, headers=headers)
    assert first.status_code == 201
    again = await client.post(WO, params=LEAN, json={"description": "once"}, headers=headers)
    assert again.status_code == 409
    assert error(again)["reasonCode"] == "BMXAA9524E"
