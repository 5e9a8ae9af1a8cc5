"""The Business Central emulator on its own: the token endpoint, query options, keyset paging,
concurrency tokens, write rules, the control endpoint and a large lazy dataset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.dynamics_bc import PO_SCENARIOS, create_app, guid
from ironbridge.emulators.dynamics_bc.emulator import SCOPE

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

    from ironbridge.emulators.dynamics_bc import DynamicsBcEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
COMPANY = "00000001-0000-4000-8000-000000000001"
DRAFT = guid(5, PO_SCENARIOS.index("draft"))
OPEN = guid(5, PO_SCENARIOS.index("open"))


class Api:
    """An authenticated client of one emulated environment."""

    def __init__(self, app: Starlette, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        emulator: DynamicsBcEmulator = app.state.emulator
        self.emulator = emulator
        self.root = f"/v2.0/{emulator.tenant}/{emulator.environment}/api/v2.0"
        self.headers: dict[str, str] = {}

    async def login(self) -> None:
        response = await self.token()
        assert response.status_code == 200
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def token(self, **changes: str) -> httpx.Response:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.emulator.client_id,
            "client_secret": self.emulator.client_secret,
            "scope": SCOPE,
            **changes,
        }
        return await self.client.post(f"/{self.emulator.tenant}/oauth2/v2.0/token", data=form)

    def path(self, rest: str) -> str:
        return f"{self.root}/companies({COMPANY})/{rest}"

    async def get(self, rest: str, **params: str) -> httpx.Response:
        return await self.client.get(self.path(rest), params=params, headers=self.headers)

    async def send(
        self, method: str, rest: str, body: Any = None, *, etag: str | None = None
    ) -> httpx.Response:
        headers = dict(self.headers)
        if etag is not None:
            headers["If-Match"] = etag
        return await self.client.request(method, self.path(rest), json=body, headers=headers)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    app = create_app(records=40, anchor=ANCHOR, page_size=10)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bc.test") as client:
        found = Api(app, client)
        await found.login()
        yield found


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "nope"}, 401, "invalid_client"),
        ({"scope": "https://api.businesscentral.dynamics.com"}, 400, "invalid_scope"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_id": "someone-else"}, 400, "unauthorized_client"),
    ],
)
async def test_the_token_endpoint_refuses_as_entra_does(
    api: Api, changes: dict[str, str], status: int, error: str
) -> None:
    response = await api.token(**changes)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"].startswith("AADSTS")


async def test_the_api_needs_a_valid_bearer_token(api: Api) -> None:
    api.headers = {}
    response = await api.get("vendors")
    assert response.status_code == 401
    assert code_of(response) == "Authentication_InvalidCredentials"
    assert "WWW-Authenticate" in response.headers
    api.headers = {"Authorization": "Bearer forged"}
    assert (await api.get("vendors")).status_code == 401


async def test_companies_and_errors_carry_a_correlation_id(api: Api) -> None:
    response = await api.client.get(f"{api.root}/companies", headers=api.headers)
    assert [c["name"] for c in response.json()["value"]] == ["CRONUS USA, Inc.", "My Company"]
    missing = await api.get(f"purchaseOrders({guid(5, 999)})")
    assert missing.status_code == 404
    assert code_of(missing) == "BadRequest_NotFound"
    assert "CorrelationId:" in missing.json()["error"]["message"]
    unknown = await api.get("salesOrders")
    assert (unknown.status_code, code_of(unknown)) == (404, "BadRequest_ResourceNotFound")


@pytest.mark.parametrize(
    "params",
    [
        {"$filter": "nosuchField eq 1"},
        {"$filter": "lastModifiedDateTime gt"},
        {"$filter": "number eq '1' xor number eq '2'"},
        {"$select": "id,nothing"},
        {"$orderby": "number sideways"},
        {"$top": "-1"},
        {"$apply": "groupby"},
        {"$skiptoken": "%%%"},
    ],
)
async def test_bad_query_options_are_bad_requests(api: Api, params: dict[str, str]) -> None:
    response = await api.get("purchaseOrders", **params)
    assert response.status_code == 400
    assert code_of(response).startswith("BadRequest")


async def test_filters_select_and_orderby(api: Api) -> None:
    body = (
        await api.get(
            "vendors",
            **{"$filter": "(blocked eq 'All' or blocked eq 'Payment') and not (number eq '30000')"},
        )
    ).json()
    assert [v["number"] for v in body["value"]] == ["40000"]
    body = (await api.get("items", **{"$select": "number,inventory", "$top": "2"})).json()
    assert [set(v) for v in body["value"]] == [{"@odata.etag", "id", "number", "inventory"}] * 2
    assert "@odata.nextLink" not in body
    body = (await api.get("locations", **{"$orderby": "code desc", "$count": "true"})).json()
    assert [v["code"] for v in body["value"]] == ["WEST", "RED", "MAIN", "EAST", "BLUE"]
    assert body["@odata.count"] == 5


async def test_next_links_are_keyset_pages(api: Api) -> None:
    params = {
        "$orderby": "lastModifiedDateTime,id",
        "$filter": "lastModifiedDateTime ge 2024-01-01T00:00:00Z",
    }
    first = (await api.get("purchaseOrders", **params)).json()
    assert len(first["value"]) == 10
    # a record of the first page changes: it moves to the end, nothing repeats or is lost
    api.emulator.touch("purchaseOrders", [first["value"][0]["id"]])
    seen = [v["id"] for v in first["value"]]
    link = first["@odata.nextLink"]
    while link:
        page = (await api.client.get(link, headers=api.headers)).json()
        seen += [v["id"] for v in page["value"]]
        link = page.get("@odata.nextLink")
    assert len(seen) == 41
    assert set(seen) == {guid(5, n) for n in range(40)}
    assert seen[-1] == seen[0]


async def test_prefer_maxpagesize_lowers_the_page(api: Api) -> None:
    response = await api.client.get(
        api.path("vendors"), headers={**api.headers, "Prefer": "odata.maxpagesize=3"}
    )
    assert len(response.json()["value"]) == 3
    assert "$skiptoken" in response.json()["@odata.nextLink"]


async def test_patch_needs_the_current_etag(api: Api) -> None:
    current = (await api.get(f"purchaseOrders({DRAFT})")).json()
    missing = await api.send("PATCH", f"purchaseOrders({DRAFT})", {"currencyCode": "EUR"})
    assert (missing.status_code, code_of(missing)) == (400, "BadRequest_InvalidToken")
    changed = await api.send(
        "PATCH", f"purchaseOrders({DRAFT})", {"currencyCode": "EUR"}, etag=current["@odata.etag"]
    )
    assert changed.status_code == 200
    assert changed.json()["currencyCode"] == "EUR"
    assert changed.json()["@odata.etag"] != current["@odata.etag"]
    stale = await api.send(
        "PATCH", f"purchaseOrders({DRAFT})", {"currencyCode": "CAD"}, etag=current["@odata.etag"]
    )
    assert (stale.status_code, code_of(stale)) == (412, "Request_EntityChanged")
    assert "Another user has already changed the record." in stale.json()["error"]["message"]


async def test_a_released_order_takes_only_receipt_dates(api: Api) -> None:
    order = (await api.get(f"purchaseOrders({OPEN})", **{"$expand": "purchaseOrderLines"})).json()
    refused = await api.send(
        "PATCH", f"purchaseOrders({OPEN})", {"purchaser": "JD"}, etag=order["@odata.etag"]
    )
    assert (refused.status_code, code_of(refused)) == (400, "Application_DialogException")
    assert "Current value is 'Released'" in refused.json()["error"]["message"]
    line = order["purchaseOrderLines"][0]
    lines = f"purchaseOrders({OPEN})/purchaseOrderLines"
    refused = await api.send(
        "PATCH", f"{lines}({line['id']})", {"quantity": 99}, etag=line["@odata.etag"]
    )
    assert code_of(refused) == "Application_DialogException"
    moved = await api.send(
        "PATCH",
        f"{lines}({line['id']})",
        {"expectedReceiptDate": "2025-12-01"},
        etag=line["@odata.etag"],
    )
    assert moved.status_code == 200
    assert (await api.send("POST", lines, {"itemId": guid(3, 0), "quantity": 1})).status_code == 400
    after = (await api.get(f"purchaseOrders({OPEN})")).json()
    assert after["lastModifiedDateTime"] > order["lastModifiedDateTime"]
    assert (await api.send("DELETE", f"purchaseOrders({OPEN})", etag="*")).status_code == 400


async def test_a_deep_insert_creates_a_draft_order(api: Api) -> None:
    body = {
        "vendorNumber": "20000",
        "requestedReceiptDate": "2025-07-01",
        "purchaseOrderLines": [{"lineObjectNumber": "1900-S", "quantity": 2, "directUnitCost": 5}],
    }
    response = await api.client.post(
        api.path("purchaseOrders"),
        params={"$expand": "purchaseOrderLines"},
        json=body,
        headers=api.headers,
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "Draft"
    assert created["number"] == "106041"
    assert created["totalAmountExcludingTax"] == 10.0
    assert response.headers["Location"].endswith(f"purchaseOrders({created['id']})")
    read_only = await api.send(
        "POST", "purchaseOrders", {"vendorNumber": "20000", "status": "Open"}
    )
    assert (read_only.status_code, code_of(read_only)) == (400, "BadRequest")
    gone = await api.send("DELETE", f"purchaseOrders({created['id']})", etag=created["@odata.etag"])
    assert gone.status_code == 204
    assert (await api.get(f"purchaseOrders({created['id']})")).status_code == 404


async def test_the_control_endpoint_touches_inserts_and_deletes(api: Api) -> None:
    at = "2025-06-02T00:00:00Z"
    touched = await api.client.post(
        "/_emulator/records/purchaseOrders/touch", json={"ids": [DRAFT], "at": at}
    )
    assert touched.json() == {"ids": [DRAFT]}
    assert (
        api.emulator.table("purchaseOrders").get(DRAFT)["lastModifiedDateTime"]
        == "2025-06-02T00:00:00.000Z"
    )  # type: ignore[index]
    inserted = await api.client.post(
        "/_emulator/records/vendors", json={"number": "V1", "displayName": "New"}
    )
    assert inserted.status_code == 201
    vendor = inserted.json()["id"]
    assert (await api.get(f"vendors({vendor})")).json()["displayName"] == "New"
    await api.client.post("/_emulator/records/vendors/delete", json={"ids": [vendor]})
    assert (await api.get(f"vendors({vendor})")).status_code == 404
    unknown = await api.client.post("/_emulator/records/vendors/delete", json={"ids": ["nope"]})
    assert unknown.status_code == 404


async def test_a_hundred_thousand_orders_are_derived_lazily() -> None:
    app = create_app(records=100_000, anchor=ANCHOR, page_size=1000)
    emulator: DynamicsBcEmulator = app.state.emulator
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bc.test") as client:
        api = Api(app, client)
        await api.login()
        params = {
            "$orderby": "lastModifiedDateTime",
            "$filter": "lastModifiedDateTime gt 2025-05-31T23:00:00Z",
            "$expand": "purchaseOrderLines",
        }
        body = (await api.get("purchaseOrders", **params)).json()
    numbers = [v["number"] for v in body["value"]]
    assert numbers[-1] == "206000"
    assert 0 < len(numbers) < 20
    assert not emulator.table("purchaseOrders").stored
