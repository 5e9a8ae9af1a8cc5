"""The SAP S/4HANA emulator over real HTTP: auth, paging, filters, errors, CSRF, writes, faults."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.sap import (
    DEFAULT_BEARER_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    OUT_OF_STOCK_MATERIALS,
    UNKNOWN_SUPPLIER,
    SapEmulator,
    create_app,
)
from ironbridge.emulators.server import EMULATORS, announcement, create_emulator
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

V2 = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"
V4 = "/sap/opu/odata4/sap/api_purchaseorder_2/srvd_a2x/sap/purchaseorder/0001"
PLANTS = "/sap/opu/odata/sap/API_PLANT_SRV/A_Plant"
JSON = {"$format": "json"}
ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
RECORDS = 45


@pytest.fixture
async def app() -> Starlette:
    return create_app(records=RECORDS, page_size=10, anchor=ANCHOR)


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=base_url, auth=(DEFAULT_USERNAME, DEFAULT_PASSWORD)
    ) as http:
        yield http


def emulator_of(app: Starlette) -> SapEmulator:
    emulator: SapEmulator = app.state.emulator
    return emulator


def v2_results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["d"]["results"]
    return results


async def follow_v2(client: httpx.AsyncClient, url: str, params: dict[str, str]) -> list[str]:
    response = await client.get(url, params=params)
    seen: list[str] = []
    while True:
        body = response.json()["d"]
        seen += [r["PurchaseOrder"] for r in body["results"]]
        if "__next" not in body:
            return seen
        response = await client.get(body["__next"])
        assert response.status_code == 200, response.text


async def follow_v4(client: httpx.AsyncClient, url: str, params: dict[str, str]) -> list[str]:
    response = await client.get(url, params=params)
    seen: list[str] = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [r["PurchaseOrder"] for r in body["value"]]
        if "@odata.nextLink" not in body:
            return seen
        response = await client.get(body["@odata.nextLink"])


async def csrf(client: httpx.AsyncClient, service: str = V2) -> dict[str, str]:
    fetched = await client.head(service + "/", headers={"X-CSRF-Token": "Fetch"})
    assert fetched.status_code == 200
    return {"X-CSRF-Token": fetched.headers["x-csrf-token"]}


def all_po_numbers() -> list[str]:
    return [str(4500000001 + i) for i in range(RECORDS)]


# -- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "params"),
    [
        (None, {}),
        ((DEFAULT_USERNAME, "wrong"), {}),
        (("SOMEONE", DEFAULT_PASSWORD), {}),
        ((DEFAULT_USERNAME, DEFAULT_PASSWORD), {"sap-client": "200"}),
    ],
)
async def test_bad_logon_is_401_with_a_basic_challenge(
    base_url: str, auth: tuple[str, str] | None, params: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=base_url, auth=auth) as http:
        response = await http.get(V2 + "/A_PurchaseOrder", params={**JSON, **params})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Basic realm="SAP NetWeaver')
    assert response.headers["content-type"].startswith("text/html")


async def test_bearer_and_case_insensitive_user_and_client_are_accepted(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        bearer = await http.get(
            PLANTS,
            params={**JSON, "sap-client": "100"},
            headers={"Authorization": f"Bearer {DEFAULT_BEARER_TOKEN}"},
        )
        wrong = await http.get(PLANTS, params=JSON, headers={"Authorization": "Bearer nope"})
        lower = await http.get(
            PLANTS, params=JSON, auth=(DEFAULT_USERNAME.lower(), DEFAULT_PASSWORD)
        )
    assert bearer.status_code == 200
    assert wrong.status_code == 401
    assert lower.status_code == 200


# -- reads and paging -------------------------------------------------------------------------


async def test_v4_paging_follows_next_link_until_exhausted(client: httpx.AsyncClient) -> None:
    first = await client.get(V4 + "/PurchaseOrder", params={"$count": "true"})
    assert first.json()["@odata.count"] == RECORDS
    assert len(first.json()["value"]) == 10
    assert "$skiptoken=10" in first.json()["@odata.nextLink"]
    seen = await follow_v4(client, V4 + "/PurchaseOrder", {"$count": "true"})
    assert seen == all_po_numbers()


async def test_v2_paging_follows_next_until_exhausted(client: httpx.AsyncClient) -> None:
    first = await client.get(V2 + "/A_PurchaseOrder", params={**JSON, "$inlinecount": "allpages"})
    assert first.json()["d"]["__count"] == str(RECORDS)
    assert first.json()["d"]["__next"].startswith("http://127.0.0.1:")
    seen = await follow_v2(client, V2 + "/A_PurchaseOrder", {**JSON, "$inlinecount": "allpages"})
    assert seen == all_po_numbers()


async def test_top_and_skip_combine_with_server_paging(client: httpx.AsyncClient) -> None:
    seen = await follow_v2(client, V2 + "/A_PurchaseOrder", {**JSON, "$top": "25", "$skip": "3"})
    assert seen == all_po_numbers()[3:28]
    small = await client.get(V4 + "/PurchaseOrder", params={"$top": "4"})
    assert len(small.json()["value"]) == 4
    assert "@odata.nextLink" not in small.json()


async def test_filter_on_an_instant_gt_excludes_and_ge_includes(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    emulator = emulator_of(app)
    stamps = {
        r["PurchaseOrder"]: r["LastChangeDateTime"] for r in emulator.snapshot("PurchaseOrder")
    }
    instant = stamps["4500000021"]
    at = datetime.fromisoformat(instant)
    iso = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    equal = sorted(po for po, stamp in stamps.items() if stamp == instant)
    later = sorted(po for po, stamp in stamps.items() if stamp > instant)
    assert len(equal) == 2
    queries = {
        "v4": (V4 + "/PurchaseOrder", f"LastChangeDateTime {{op}} {iso}", follow_v4, {}),
        "v2": (
            V2 + "/A_PurchaseOrder",
            f"LastChangeDateTime {{op}} datetimeoffset'{iso}'",
            follow_v2,
            JSON,
        ),
    }
    for url, template, follow, extra in queries.values():
        params = {**extra, "$orderby": "LastChangeDateTime asc,PurchaseOrder asc"}
        gt = await follow(client, url, {**params, "$filter": template.format(op="gt")})
        ge = await follow(client, url, {**params, "$filter": template.format(op="ge")})
        assert gt == later
        assert ge == equal + later
    tie_break = (
        f"LastChangeDateTime gt {iso} or "
        f"(LastChangeDateTime eq {iso} and PurchaseOrder gt '{equal[0]}')"
    )
    seen = await follow_v4(client, V4 + "/PurchaseOrder", {"$filter": tie_break})
    assert seen == [equal[1], *later]


async def test_filter_literal_must_match_the_protocol(client: httpx.AsyncClient) -> None:
    v4_in_v2 = await client.get(
        V2 + "/A_PurchaseOrder",
        params={**JSON, "$filter": "LastChangeDateTime gt 2024-05-01T00:00:00Z"},
    )
    v2_in_v4 = await client.get(
        V4 + "/PurchaseOrder",
        params={"$filter": "LastChangeDateTime gt datetimeoffset'2024-05-01T00:00:00Z'"},
    )
    unknown = await client.get(V4 + "/PurchaseOrder", params={"$filter": "Colour eq 'red'"})
    for response in (v4_in_v2, v2_in_v4, unknown):
        assert response.status_code == 400
    assert v4_in_v2.json()["error"]["message"]["lang"] == "en"
    assert isinstance(v2_in_v4.json()["error"]["message"], str)
    assert "Colour" in unknown.json()["error"]["message"]


async def test_orderby_desc_and_string_functions(client: httpx.AsyncClient) -> None:
    newest = await client.get(
        V4 + "/PurchaseOrder", params={"$orderby": "LastChangeDateTime desc", "$top": "3"}
    )
    stamps = [r["LastChangeDateTime"] for r in newest.json()["value"]]
    assert stamps == sorted(stamps, reverse=True)
    custom = await client.get(
        V2 + "/A_PurchaseOrder",
        params={**JSON, "$filter": "startswith(YY1_ProjectCode_PDH,'PRJ-')"},
    )
    assert all(r["YY1_ProjectCode_PDH"].startswith("PRJ-") for r in v2_results(custom))
    assert "4500000011" in [r["PurchaseOrder"] for r in v2_results(custom)]


async def test_v4_select_expand_and_decimal_forms(client: httpx.AsyncClient) -> None:
    params = {
        "$select": "PurchaseOrder,Supplier",
        "$expand": "_PurchaseOrderItem($select=OrderQuantity,NetPriceAmount;"
        "$expand=_PurchaseOrderScheduleLine)",
        "$top": "1",
    }
    numbers = (await client.get(V4 + "/PurchaseOrder", params=params)).json()
    assert numbers["@odata.context"] == "$metadata#PurchaseOrder(PurchaseOrder,Supplier)"
    order = numbers["value"][0]
    assert set(order) == {"@odata.etag", "PurchaseOrder", "Supplier", "_PurchaseOrderItem"}
    item = order["_PurchaseOrderItem"][0]
    assert isinstance(item["NetPriceAmount"], int | float)
    assert item["_PurchaseOrderScheduleLine"][0]["ScheduleLine"] == "1"
    strings = await client.get(
        V4 + "/PurchaseOrder",
        params=params,
        headers={"Accept": "application/json;IEEE754Compatible=true"},
    )
    item = strings.json()["value"][0]["_PurchaseOrderItem"][0]
    assert isinstance(item["NetPriceAmount"], str)
    Decimal(item["NetPriceAmount"])


async def test_v2_entity_shape(client: httpx.AsyncClient) -> None:
    response = await client.get(
        V2 + "/A_PurchaseOrder('4500000001')",
        params={**JSON, "$expand": "to_PurchaseOrderItem"},
    )
    order = response.json()["d"]
    assert order["__metadata"]["etag"] == response.headers["etag"]
    assert order["__metadata"]["type"] == "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"
    assert order["LastChangeDateTime"].startswith("/Date(")
    assert order["LastChangeDateTime"].endswith("+0000)/")
    assert order["CreationDate"].startswith("/Date(")
    item = order["to_PurchaseOrderItem"]["results"][0]
    assert isinstance(item["OrderQuantity"], str)
    assert item["to_ScheduleLine"]["__deferred"]["uri"].endswith("/to_ScheduleLine")
    items = await client.get(
        V2 + "/A_PurchaseOrder('4500000001')/to_PurchaseOrderItem", params=JSON
    )
    assert [i["PurchaseOrderItem"] for i in v2_results(items)] == [
        i["PurchaseOrderItem"] for i in order["to_PurchaseOrderItem"]["results"]
    ]
    count = await client.get(V2 + "/A_PurchaseOrder/$count")
    assert count.text == str(RECORDS)


async def test_errors_have_the_sap_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get(V2 + "/A_PurchaseOrder('4599999999')", params=JSON)
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "/IWBEP/CM_MGW_RT/020"
    assert error["message"]["lang"] == "en"
    assert error["innererror"]["errordetails"][0]["severity"] == "error"
    assert error["innererror"]["application"]["service_id"] == "API_PURCHASEORDER_PROCESS_SRV"
    missing_v4 = await client.get(V4 + "/PurchaseOrder('4599999999')")
    assert missing_v4.status_code == 404
    assert isinstance(missing_v4.json()["error"]["message"], str)
    no_service = await client.get("/sap/opu/odata/sap/API_NOPE_SRV/Things", params=JSON)
    assert no_service.status_code == 404
    assert no_service.json()["error"]["code"] == "/IWFND/MED/170"
    xml_wanted = await client.get(V2 + "/A_PurchaseOrder")
    assert xml_wanted.status_code == 406
    metadata = await client.get(V2 + "/$metadata")
    assert 'EntityType Name="A_PurchaseOrderType"' in metadata.text


# -- scenarios and other entity sets ----------------------------------------------------------


async def test_dataset_scenarios(client: httpx.AsyncClient, app: Starlette) -> None:
    dataset = emulator_of(app).dataset
    statuses = {r["PurchasingProcessingStatus"] for r in emulator_of(app).snapshot("PurchaseOrder")}
    assert {"01", "02", "03", "05", "08"} <= statuses
    suppliers = v2_results(
        await client.get("/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier", params=JSON)
    )
    assert UNKNOWN_SUPPLIER not in {s["Supplier"] for s in suppliers}
    unknown_po = dataset.scenario_po("unknown_supplier")
    order = (await client.get(f"{V4}/PurchaseOrder('{unknown_po}')")).json()
    assert order["Supplier"] == UNKNOWN_SUPPLIER
    malformed_po = dataset.scenario_po("malformed")
    bad = (await client.get(f"{V4}/PurchaseOrder('{malformed_po}')")).json()
    with pytest.raises(ValueError, match="out of range"):
        date.fromisoformat(bad["PurchaseOrderDate"])
    stock = v2_results(
        await client.get(
            "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod",
            params={**JSON, "$filter": f"Material eq '{OUT_OF_STOCK_MATERIALS[0]}'"},
        )
    )
    assert stock
    assert {s["MatlWrhsStkQtyInMatlBaseUnit"] for s in stock} == {"0"}
    stocked = await follow_items(client, dataset.scenario_po("out_of_stock") or "")
    assert OUT_OF_STOCK_MATERIALS[0] in stocked


async def follow_items(client: httpx.AsyncClient, po: str) -> list[str]:
    items = await client.get(f"{V2}/A_PurchaseOrder('{po}')/to_PurchaseOrderItem", params=JSON)
    return [i["Material"] for i in v2_results(items)]


@pytest.mark.parametrize(
    "path",
    [
        "/sap/opu/odata/sap/API_PLANT_SRV/A_Plant",
        "/sap/opu/odata/sap/API_PRODUCT_SRV/A_Product",
        "/sap/opu/odata/sap/API_EQUIPMENT/Equipment",
        "/sap/opu/odata/sap/API_MAINTENANCEORDER/MaintenanceOrder",
        "/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2",
    ],
)
async def test_master_data_and_order_sets_answer(client: httpx.AsyncClient, path: str) -> None:
    assert v2_results(await client.get(path, params={**JSON, "$top": "5"}))


async def test_production_orders_filter_on_packed_timestamps(client: httpx.AsyncClient) -> None:
    url = "/sap/opu/odata/sap/API_PRODUCTION_ORDER_2_SRV/A_ProductionOrder_2"
    everything = v2_results(await client.get(url, params={**JSON, "$top": "100"}))
    middle = sorted(o["LastChangeDateTime"] for o in everything)[len(everything) // 2]
    assert len(middle) == 14
    assert {o["OrderIsReleased"] for o in everything} == {"X", ""}
    newer = v2_results(
        await client.get(url, params={**JSON, "$filter": f"LastChangeDateTime gt {middle}M"})
    )
    assert newer
    assert all(int(o["LastChangeDateTime"]) > int(middle) for o in newer)


# -- writes -------------------------------------------------------------------------------------


NEW_ORDER = {
    "CompanyCode": "1710",
    "PurchaseOrderType": "NB",
    "Supplier": "17300001",
    "PurchasingOrganization": "1710",
    "PurchasingGroup": "001",
    "DocumentCurrency": "USD",
    "YY1_ProjectCode_PDH": "PRJ-4242",
    "to_PurchaseOrderItem": {
        "results": [
            {
                "PurchaseOrderItem": "10",
                "Material": "TG11",
                "Plant": "1710",
                "OrderQuantity": "10",
                "PurchaseOrderQuantityUnit": "PC",
                "NetPriceAmount": "12.50",
            }
        ]
    },
}


async def test_writes_need_a_csrf_token_and_its_cookie(base_url: str) -> None:
    auth = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
    async with httpx.AsyncClient(base_url=base_url, auth=auth) as http:
        refused = await http.post(V2 + "/A_PurchaseOrder", json=NEW_ORDER)
        assert refused.status_code == 403
        assert refused.headers["x-csrf-token"] == "Required"
        assert refused.text == "CSRF token validation failed"
        token = await csrf(http)
        http.cookies.clear()
        without_cookie = await http.post(V2 + "/A_PurchaseOrder", json=NEW_ORDER, headers=token)
        assert without_cookie.status_code == 403
    async with httpx.AsyncClient(base_url=base_url, auth=auth) as http:
        fetched = await http.get(
            V2 + "/A_PurchaseOrder", params={**JSON, "$top": "1"}, headers={"X-CSRF-Token": "Fetch"}
        )
        assert fetched.headers["x-csrf-token"]
        assert any(name.startswith("SAP_SESSIONID_") for name in http.cookies)


async def test_v2_deep_insert_creates_a_purchase_order(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    created = await client.post(V2 + "/A_PurchaseOrder", json=NEW_ORDER, headers=await csrf(client))
    assert created.status_code == 201, created.text
    order = created.json()["d"]
    assert order["PurchaseOrder"] == str(4500000001 + RECORDS)
    assert order["PurchasingProcessingStatus"] == "02"
    assert order["YY1_ProjectCode_PDH"] == "PRJ-4242"
    assert created.headers["location"].endswith(f"A_PurchaseOrder('{order['PurchaseOrder']}')")
    assert created.headers["etag"] == order["__metadata"]["etag"]
    item = order["to_PurchaseOrderItem"]["results"][0]
    assert item["NetPriceAmount"] == "12.50"
    assert item["to_ScheduleLine"]["results"][0]["ScheduleLine"] == "1"
    seen = await follow_v4(client, V4 + "/PurchaseOrder", {})
    assert seen[-1] == order["PurchaseOrder"]
    assert emulator_of(app).record("A_PurchaseOrder", order["PurchaseOrder"]) is not None


async def test_create_checks_master_data(client: httpx.AsyncClient) -> None:
    headers = await csrf(client)
    unknown = await client.post(
        V2 + "/A_PurchaseOrder", json={**NEW_ORDER, "Supplier": UNKNOWN_SUPPLIER}, headers=headers
    )
    assert unknown.status_code == 400
    assert UNKNOWN_SUPPLIER in unknown.json()["error"]["message"]["value"]
    missing = {k: v for k, v in NEW_ORDER.items() if k != "CompanyCode"}
    assert (
        await client.post(V2 + "/A_PurchaseOrder", json=missing, headers=headers)
    ).status_code == 400


async def test_v4_create_answers_201(client: httpx.AsyncClient) -> None:
    body = {k: v for k, v in NEW_ORDER.items() if k != "to_PurchaseOrderItem"}
    body["_PurchaseOrderItem"] = NEW_ORDER["to_PurchaseOrderItem"]["results"]  # type: ignore[index]
    created = await client.post(V4 + "/PurchaseOrder", json=body, headers=await csrf(client, V4))
    assert created.status_code == 201, created.text
    assert created.json()["@odata.context"] == "$metadata#PurchaseOrder/$entity"
    assert created.json()["_PurchaseOrderItem"][0]["Material"] == "TG11"


async def test_update_needs_the_current_etag(client: httpx.AsyncClient, app: Starlette) -> None:
    po = emulator_of(app).dataset.scenario_po("active")
    url = f"{V4}/PurchaseOrder('{po}')"
    headers = await csrf(client, V4)
    before = await client.get(url)
    etag = before.headers["etag"]
    missing = await client.patch(url, json={"PaymentTerms": "NT30"}, headers=headers)
    assert missing.status_code == 428
    stale = await client.patch(
        url, json={"PaymentTerms": "NT30"}, headers={**headers, "If-Match": 'W/"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"]
    ok = await client.patch(
        url, json={"PaymentTerms": "NT30"}, headers={**headers, "If-Match": etag}
    )
    assert ok.status_code == 204
    assert ok.headers["etag"] != etag
    after = (await client.get(url)).json()
    assert after["PaymentTerms"] == "NT30"
    assert after["LastChangeDateTime"] > before.json()["LastChangeDateTime"]
    again = await client.patch(
        url, json={"PaymentTerms": "0001"}, headers={**headers, "If-Match": etag}
    )
    assert again.status_code == 412


async def test_v2_merge_with_star_and_method_tunnelling(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    po = emulator_of(app).dataset.scenario_po("active")
    url = f"{V2}/A_PurchaseOrder('{po}')"
    headers = {**await csrf(client), "If-Match": "*"}
    merged = await client.request(
        "MERGE", url, json={"IncotermsClassification": "DAP"}, headers=headers
    )
    assert merged.status_code == 204
    tunnelled = await client.post(
        url, json={"PaymentTerms": "0002"}, headers={**headers, "X-HTTP-Method": "PATCH"}
    )
    assert tunnelled.status_code == 204
    record = emulator_of(app).record("A_PurchaseOrder", po or "")
    assert record is not None
    assert (record["IncotermsClassification"], record["PaymentTerms"]) == ("DAP", "0002")


async def test_released_order_only_takes_new_delivery_dates(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    po = emulator_of(app).dataset.scenario_po("approved")
    headers = {**await csrf(client), "If-Match": "*"}
    header = await client.patch(
        f"{V2}/A_PurchaseOrder('{po}')", json={"Supplier": "17300002"}, headers=headers
    )
    assert header.status_code == 400
    assert header.json()["error"]["code"] == "06/023"
    quantity = await client.patch(
        f"{V2}/A_PurchaseOrderItem(PurchaseOrder='{po}',PurchaseOrderItem='10')",
        json={"OrderQuantity": "99"},
        headers=headers,
    )
    assert quantity.status_code == 400
    line = (
        f"{V2}/A_PurchaseOrderScheduleLine(PurchasingDocument='{po}',"
        "PurchasingDocumentItem='10',ScheduleLine='1')"
    )
    moved = await client.patch(
        line, json={"ScheduleLineDeliveryDate": "/Date(1767225600000)/"}, headers=headers
    )
    assert moved.status_code == 204
    after = (await client.get(line, params=JSON)).json()["d"]
    assert after["ScheduleLineDeliveryDate"] == "/Date(1767225600000)/"


async def test_purchase_orders_are_deleted_by_deletion_code(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    po = emulator_of(app).dataset.scenario_po("active")
    url = f"{V2}/A_PurchaseOrder('{po}')"
    headers = {**await csrf(client), "If-Match": "*"}
    delete = await client.delete(url, headers=headers)
    assert delete.status_code == 501
    flagged = await client.patch(url, json={"PurchasingDocumentDeletionCode": "L"}, headers=headers)
    assert flagged.status_code == 204
    changed = await client.patch(url, json={"PaymentTerms": "0002"}, headers=headers)
    assert changed.status_code == 400


async def test_maintenance_orders_can_be_created_and_updated(client: httpx.AsyncClient) -> None:
    url = "/sap/opu/odata/sap/API_MAINTENANCEORDER/MaintenanceOrder"
    headers = await csrf(client, "/sap/opu/odata/sap/API_MAINTENANCEORDER")
    created = await client.post(
        url,
        json={
            "MaintenanceOrderType": "PM01",
            "MaintenanceOrderDesc": "Replace pump seal",
            "MaintenancePlanningPlant": "1710",
            "Equipment": "10000002",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    order = created.json()["d"]
    assert order["MaintenanceProcessingPhase"] == "0"
    key = f"{url}('{order['MaintenanceOrder']}')"
    updated = await client.patch(
        key,
        json={"MaintPriority": "1"},
        headers={**headers, "If-Match": created.headers["etag"]},
    )
    assert updated.status_code == 204
    assert (await client.get(key, params=JSON)).json()["d"]["MaintPriority"] == "1"


# -- faults, control endpoint, Python API ------------------------------------------------------


async def test_faults_answer_like_sap(client: httpx.AsyncClient, app: Starlette) -> None:
    faults = emulator_of(app).faults
    url = V2 + "/A_PurchaseOrder"
    faults.outage = "503"
    unavailable = await client.get(url, params=JSON)
    assert unavailable.status_code == 503
    assert unavailable.json()["error"]["message"]["lang"] == "en"
    faults.outage = "refused"
    with pytest.raises(httpx.TransportError):
        await client.get(url, params=JSON)
    faults.clear()
    faults.set_rate_limit(3, requests=1)
    limited = await client.get(url, params=JSON)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "3"
    assert "fault" in limited.json()
    faults.revoked_credentials = True
    revoked = await client.get(url, params=JSON)
    assert revoked.status_code == 401
    assert "www-authenticate" in revoked.headers
    faults.clear()
    faults.error_rate = 1.0
    failed = await client.get(V4 + "/PurchaseOrder")
    assert failed.status_code == 500
    assert isinstance(failed.json()["error"]["message"], str)
    faults.clear()
    assert (await client.get(url, params=JSON)).status_code == 200
    assert faults.requests.count("GET", url) == 5
    assert faults.requests.count(prefix=V4) == 1


async def test_control_touch_and_delete(client: httpx.AsyncClient, base_url: str) -> None:
    instant = "2025-07-01T08:30:00Z"
    async with httpx.AsyncClient(base_url=base_url) as control:
        touched = await control.post(
            "/_emulator/records/A_PurchaseOrder/touch",
            json={"ids": ["4500000002", "4500000003"], "at": instant},
        )
        assert touched.status_code == 200
        deleted = await control.post(
            "/_emulator/records/A_PurchaseOrder/delete", json={"ids": ["4500000004"]}
        )
        assert deleted.status_code == 200
        removed = await control.post(
            "/_emulator/records/A_Supplier/delete", json={"ids": ["17300005"], "hard": True}
        )
        assert removed.status_code == 200
        snapshot = (await control.get("/_emulator/records/PurchaseOrder")).json()
    assert len(snapshot) == RECORDS
    seen = await follow_v4(
        client, V4 + "/PurchaseOrder", {"$filter": "LastChangeDateTime ge 2025-07-01T08:30:00Z"}
    )
    assert seen == ["4500000002", "4500000003", "4500000004"]
    flagged = (await client.get(f"{V4}/PurchaseOrder('4500000004')")).json()
    assert flagged["PurchasingDocumentDeletionCode"] == "L"
    gone = await client.get(
        "/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_Supplier('17300005')", params=JSON
    )
    assert gone.status_code == 404


async def test_python_api(app: Starlette) -> None:
    emulator = emulator_of(app)
    at = datetime(2025, 8, 1, 12, tzinfo=UTC)
    emulator.touch("A_Supplier", ["17300001"], changes={"SupplierName": "Renamed"})
    emulator.touch("A_PurchaseOrderItem", ["4500000001/10"], at=at)
    new_id = emulator.insert(
        "A_PurchaseOrder",
        {
            "Supplier": "17300002",
            "to_PurchaseOrderItem": [{"Material": "TG12", "OrderQuantity": 3}],
        },
    )
    header = emulator.record("A_PurchaseOrder", "4500000001")
    assert header is not None
    assert header["LastChangeDateTime"] == at
    items = [i for i in emulator.snapshot("A_PurchaseOrderItem") if i["PurchaseOrder"] == new_id]
    assert items[0]["OrderQuantity"] == "3"
    suppliers = emulator.snapshot("A_Supplier")
    assert suppliers[0]["SupplierName"] == "Renamed"
    emulator.reset()
    assert emulator.record("A_PurchaseOrder", new_id) is None
    assert emulator.snapshot("A_Supplier")[0]["SupplierName"] != "Renamed"


async def test_registry_and_announcement() -> None:
    assert "sap-s4hana" in EMULATORS
    app = create_emulator("sap-s4hana", records=3)
    line = announcement(app, port=8123)
    assert json.loads(line) == {
        "system": "sap-s4hana",
        "instanceUrl": "http://127.0.0.1:8123",
        "credentials": {
            "username": DEFAULT_USERNAME,
            "password": DEFAULT_PASSWORD,
            "client": "100",
        },
    }
    with pytest.raises(KeyError):
        create_emulator("nope")


# -- 100k purchase orders ---------------------------------------------------------------------


async def test_hundred_thousand_purchase_orders() -> None:
    app = create_app(records=100_000, anchor=ANCHOR)
    auth = (DEFAULT_USERNAME, DEFAULT_PASSWORD)
    since = (ANCHOR - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    async with serve(app) as url, httpx.AsyncClient(base_url=url, auth=auth) as http:
        first = await http.get(V2 + "/A_PurchaseOrder", params={**JSON, "$inlinecount": "allpages"})
        assert first.json()["d"]["__count"] == "100000"
        assert len(first.json()["d"]["results"]) == 100
        deep = await http.get(
            V2 + "/A_PurchaseOrder", params={**JSON, "$skiptoken": "99900", "$top": "100000"}
        )
        results = deep.json()["d"]["results"]
        assert results[-1]["PurchaseOrder"] == "4500100000"
        assert "__next" not in deep.json()["d"]
        recent = await http.get(
            V4 + "/PurchaseOrder",
            params={
                "$filter": f"LastChangeDateTime gt {since}",
                "$orderby": "LastChangeDateTime,PurchaseOrder",
                "$count": "true",
                "$expand": "_PurchaseOrderItem",
            },
        )
        body = recent.json()
        assert 20_000 < body["@odata.count"] < 30_000
        assert len(body["value"]) == 100
        deep_recent = await http.get(
            body["@odata.nextLink"].replace("skiptoken=100", "skiptoken=20000")
        )
        assert deep_recent.status_code == 200
        assert deep_recent.json()["value"]
