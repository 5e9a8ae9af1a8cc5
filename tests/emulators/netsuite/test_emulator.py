"""The NetSuite emulator's dataset, control endpoint, faults and concurrency governance."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from ironbridge.emulators.netsuite import (
    OUT_OF_STOCK_ITEMS,
    RECORD_ROOT,
    SCENARIOS,
    STOCK,
    SUITEQL_PATH,
    TOKEN_PATH,
    UNKNOWN_VENDOR_ID,
    create_app,
)
from ironbridge.emulators.server import EMULATORS, announcement, create_emulator
from tests.emulators.netsuite.conftest import (
    ANCHOR,
    RECORDS,
    TRANSIENT,
    assertion,
    emulator_of,
    error_code,
    token_form,
)
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.emulators.netsuite import NetSuiteEmulator

PO = RECORD_ROOT + "/purchaseOrder"


def test_the_scenarios_come_first(emulator: NetSuiteEmulator) -> None:
    orders = {r["id"]: r for r in emulator.snapshot("purchaseOrder")}
    assert len(orders) == RECORDS
    by_scenario = {name: orders[str(10001 + i)] for i, (name, _) in enumerate(SCENARIOS)}
    for i, (name, letter) in enumerate(SCENARIOS):
        assert orders[str(10001 + i)]["orderStatus"]["id"] == letter, name
    custom = by_scenario["custom_fields"]
    assert custom["custbody_ib_project_code"].startswith("PRJ-")
    assert custom["custbody_ib_receiving_dock"]["refName"].startswith("Dock")
    assert all("custcol_ib_inspection_level" in line for line in custom["item"]["items"])
    assert by_scenario["unknown_vendor"]["entity"]["id"] == UNKNOWN_VENDOR_ID
    assert emulator.record("vendor", UNKNOWN_VENDOR_ID) is None
    out_of_stock = by_scenario["out_of_stock"]["item"]["items"][0]["item"]["id"]
    assert out_of_stock in OUT_OF_STOCK_ITEMS
    stock = [r for r in emulator.snapshot(STOCK) if r["item"] == out_of_stock]
    assert stock
    assert all(r["quantityonhand"] == 0 for r in stock)
    assert by_scenario["malformed"]["tranDate"] == "2025-02-30"
    received = [line["quantityReceived"] for line in by_scenario["closed"]["item"]["items"]]
    assert received[0] > 0
    assert not any(line["quantityReceived"] for line in by_scenario["cancelled"]["item"]["items"])


def test_the_dataset_is_deterministic_and_stamps_rise() -> None:
    first = emulator_of(create_app(records=30, anchor=ANCHOR)).snapshot("purchaseOrder")
    again = emulator_of(create_app(records=30, anchor=ANCHOR)).snapshot("purchaseOrder")
    other = emulator_of(create_app(records=30, anchor=ANCHOR, seed=2)).snapshot("purchaseOrder")
    assert first == again
    assert first != other
    stamps = [r["lastModifiedDate"] for r in first]
    assert stamps == sorted(stamps)
    assert stamps[0] == stamps[1]  # two orders share each second: ids break the tie
    assert stamps[-1] <= ANCHOR.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_hundred_thousand_purchase_orders_cost_nothing_until_read() -> None:
    emulator = emulator_of(create_app(records=100_000, anchor=ANCHOR))
    store = emulator.dataset.stores["purchaseOrder"]
    assert len(store) == 100_000
    last = emulator.record("purchaseOrder", "110000")
    assert last is not None
    assert last["tranId"] == "PO110000"
    assert emulator.record("purchaseOrder", "110001") is None
    emulator.touch("purchaseOrder", ["10001"], at=datetime(2030, 1, 1, tzinfo=UTC))
    assert next(iter(store.changed()))["id"] == "10001"


async def test_control_endpoint_touch_insert_delete_and_reset(
    base_url: str, client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    async with httpx.AsyncClient(base_url=base_url + "/_emulator") as control:
        info = (await control.get("/info")).json()
        assert info["system"] == "netsuite"
        assert set(info["credentials"]) == {
            "account_id",
            "client_id",
            "certificate_id",
            "private_key",
        }
        touched = await control.post(
            "/records/purchaseOrder/touch",
            json={"ids": ["10002"], "at": "2026-01-02T03:04:05Z", "changes": {"memo": "moved"}},
        )
        assert touched.json() == {"ids": ["10002"]}
        record = (await client.get(f"{PO}/10002")).json()
        assert (record["memo"], record["lastModifiedDate"]) == ("moved", "2026-01-02T03:04:05Z")
        inserted = await control.post(
            "/records/vendor", json={"companyName": "Late Vendor", "isInactive": False}
        )
        vendor_id = inserted.json()["id"]
        assert (await client.get(f"{RECORD_ROOT}/vendor/{vendor_id}")).status_code == 200
        soft = await control.post("/records/vendor/delete", json={"ids": [vendor_id]})
        assert soft.status_code == 200
        assert (emulator.record("vendor", vendor_id) or {})["isInactive"] is True
        await control.post("/records/purchaseOrder/delete", json={"ids": ["10003"], "hard": True})
        assert (await client.get(f"{PO}/10003")).status_code == 404
        stock = await control.post(
            f"/records/{STOCK}/touch", json={"ids": ["3001:2"], "changes": {"quantityonhand": 7}}
        )
        assert stock.status_code == 200
        unknown = await control.post("/records/salesOrder/touch", json={"ids": ["1"]})
        assert unknown.status_code == 404
        missing = await control.post("/records/purchaseOrder/touch", json={"ids": ["1"]})
        assert missing.status_code == 404
        assert (await control.post("/reset")).status_code == 200
    assert emulator.record("purchaseOrder", "10003") is not None
    assert emulator.record("vendor", vendor_id) is None
    assert (emulator.record(STOCK, "3001:2") or {})["quantityonhand"] != 7
    assert emulator.login_audit == []


async def test_faults_answer_like_netsuite(
    base_url: str, client: httpx.AsyncClient, emulator: NetSuiteEmulator
) -> None:
    emulator.faults.outage = "503"
    unavailable = await client.get(PO)
    emulator.faults.clear()
    emulator.faults.set_rate_limit(3, requests=1)
    limited = await client.get(PO)
    emulator.faults.revoked_credentials = True
    revoked = await client.get(PO)
    async with httpx.AsyncClient(base_url=base_url) as http:
        token = await http.post(TOKEN_PATH, data=token_form(assertion(base_url, emulator)))
    emulator.faults.clear()
    emulator.faults.error_rate = 1.0
    broken = await client.get(PO)
    emulator.faults.clear()
    assert (unavailable.status_code, error_code(unavailable)) == (503, "SERVICE_UNAVAILABLE")
    assert (limited.status_code, error_code(limited)) == (429, "CONCURRENCY_LIMIT_EXCEEDED")
    assert (revoked.status_code, error_code(revoked)) == (401, "INVALID_LOGIN")
    assert (token.status_code, token.json()) == (400, {"error": "invalid_grant"})
    assert (broken.status_code, error_code(broken)) == (500, "UNEXPECTED_ERROR")
    assert (await client.get(PO)).status_code == 200
    assert emulator.faults.requests.count("GET", PO) == 5


async def test_requests_beyond_the_concurrency_limit_get_429() -> None:
    app = create_app(records=5, anchor=ANCHOR, concurrency_limit=2)
    emulator = emulator_of(app)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
        token = (await http.post(TOKEN_PATH, data=token_form(assertion(url, emulator)))).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        emulator.hold_requests()
        held = [asyncio.create_task(http.get(PO)) for _ in range(2)]
        await emulator.held(2)
        query = {"q": "SELECT id FROM currency"}
        refused = await http.post(SUITEQL_PATH, json=query, headers=TRANSIENT)
        emulator.release_requests()
        answered = await asyncio.gather(*held)
        after = await http.get(PO)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers
    assert error_code(refused) == "CONCURRENCY_LIMIT_EXCEEDED"
    assert [r.status_code for r in answered] == [200, 200]
    assert after.status_code == 200
    assert emulator.in_flight == 0


def test_registry_and_announcement() -> None:
    assert "netsuite" in EMULATORS
    app = create_emulator("netsuite", records=3, anchor=ANCHOR)
    line = json.loads(announcement(app, port=8123))
    assert line["system"] == "netsuite"
    assert line["instanceUrl"] == "http://127.0.0.1:8123"
    assert line["credentials"]["account_id"] == "1234567"


@pytest.mark.parametrize("bad", [{"records": -1}, {"concurrency_limit": 0}])
def test_bad_options_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be"):
        create_app(**bad)  # type: ignore[arg-type]
