"""The Maximo emulator as a whole: its dataset scenarios, faults, control endpoint, Python
API, registration, 100k records, and the row store against a brute-force model."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.maximo import (
    DEFAULT_API_KEY,
    OUT_OF_STOCK_ITEMS,
    PO_SCENARIOS,
    UNKNOWN_VENDOR,
    WO_SCENARIOS,
    MaximoDataset,
    create_app,
)
from ironbridge.emulators.maximo.domains import DOMAINS
from ironbridge.emulators.maximo.store import Table
from ironbridge.emulators.server import EMULATORS, announcement, create_emulator
from tests.emulators.maximo.conftest import ANCHOR, LEAN, PO, RECORDS, WO, error, follow, members
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.emulators.maximo import MaximoEmulator

ALL = {**LEAN, "oslc.select": "*", "oslc.pageSize": "1000", "internalvalues": "1"}


# -- scenarios --------------------------------------------------------------------------------


async def test_work_orders_in_every_status_with_a_synonym_a_task_and_custom_fields(
    client: httpx.AsyncClient,
) -> None:
    found = members(await client.get(WO, params=ALL))
    assert len(found) == RECORDS
    statuses = {m["status"] for m in found}
    assert set(DOMAINS["WOSTATUS"].values) <= statuses
    assert [m["status"] for m in found[: len(WO_SCENARIOS)]] == [s for _n, s in WO_SCENARIOS]
    assert {m["status_maxvalue"] for m in found if m["status"] == "WAITPARTS"} == {"WMATL"}
    assert any(m["istask"] and m["parent"] == "1000001" for m in found)
    assert any("cust_costcenter" in m for m in found)
    malformed = [m for m in found if m.get("targcompdate", "").startswith("2024-02-30")]
    assert [m["wonum"] for m in malformed] == ["1000013"]
    stamps = [m["changedate"] for m in found]
    assert stamps == sorted(stamps)
    assert max(stamps) < ANCHOR.isoformat()


async def test_purchase_orders_in_every_status_with_a_revision_and_odd_vendors(
    client: httpx.AsyncClient,
) -> None:
    found = members(await client.get(PO, params=ALL))
    assert set(DOMAINS["POSTATUS"].values) - {"PNDREV"} <= {m["status"] for m in found}
    revised = [m for m in found if m["ponum"] == "2000010"]
    assert [(m["revisionnum"], m["status"]) for m in revised] == [(0, "REVISE"), (1, "APPR")]
    assert any(m["vendor"] == UNKNOWN_VENDOR for m in found)
    assert any("cust_projectcode" in m for m in found)
    scenario = dict((n, i) for i, (n, _s) in enumerate(PO_SCENARIOS))
    out_of_stock = found[scenario["out_of_stock"]]
    assert out_of_stock["poline"][0]["itemnum"] in OUT_OF_STOCK_ITEMS
    received = found[scenario["partially_received"]]
    assert received["receipts"] == "PARTIAL"
    assert received["poline"][0]["receivedqty"] == received["poline"][0]["orderqty"]
    assert found[scenario["malformed"]]["orderdate"] == "0000-00-00T00:00:00"
    for po in found:
        assert po["totalcost"] == pytest.approx(sum(line["linecost"] for line in po["poline"]))


async def test_master_data(client: httpx.AsyncClient) -> None:
    stock = members(await client.get("/maximo/api/os/mxinventory", params=ALL))
    empty = {s["itemnum"] for s in stock if s["curbaltotal"] == 0}
    assert empty == set(OUT_OF_STOCK_ITEMS)
    assert all(s["avblbalance"] <= s["curbaltotal"] for s in stock)
    assets = members(await client.get("/maximo/api/os/mxasset", params=ALL))
    assert {a["status"] for a in assets} == {"OPERATING", "NOT READY", "DECOMMISSIONED", "STANDBY"}
    assert any("parent" in a for a in assets)
    vendors = members(await client.get("/maximo/api/os/mxvendor", params=ALL))
    assert any(v["disabled"] for v in vendors)
    assert UNKNOWN_VENDOR not in {v["company"] for v in vendors}
    locations = members(await client.get("/maximo/api/os/mxoperloc", params=ALL))
    assert {loc["type"] for loc in locations} == {"OPERATING", "STOREROOM"}
    items = members(await client.get("/maximo/api/os/mxitem", params=ALL))
    assert {i["status"] for i in items} == set(DOMAINS["ITEMSTATUS"].values)


def test_the_dataset_is_deterministic_and_seeded() -> None:
    one = MaximoDataset(records=20, anchor=ANCHOR).tables["workorder"].get(5)
    two = MaximoDataset(records=20, anchor=ANCHOR).tables["workorder"].get(5)
    other = MaximoDataset(records=20, anchor=ANCHOR, seed=2).tables["workorder"].get(5)
    assert one == two
    assert one != other
    sized = MaximoDataset(records=5, work_orders=3, purchase_orders=0, anchor=ANCHOR)
    assert (len(sized.tables["workorder"]), len(sized.tables["po"])) == (3, 0)
    assert sized.scenario_id("po", "malformed") is None
    with pytest.raises(ValueError, match="record counts"):
        MaximoDataset(records=-1)


# -- faults -----------------------------------------------------------------------------------


async def test_faults_answer_like_maximo_and_its_ingress(
    client: httpx.AsyncClient, emulator: MaximoEmulator
) -> None:
    faults = emulator.faults
    faults.outage = "503"
    unavailable = await client.get(WO, params=LEAN)
    assert unavailable.status_code == 503
    assert "text/html" in unavailable.headers["content-type"]
    faults.outage = "refused"
    with pytest.raises(httpx.TransportError):
        await client.get(WO, params=LEAN)
    faults.clear()
    faults.set_rate_limit(4, requests=1)
    limited = await client.get(WO, params=LEAN)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "4")
    faults.revoked_credentials = True
    revoked = await client.get(WO, params=LEAN)
    assert (revoked.status_code, error(revoked)["reasonCode"]) == (400, "BMXAA9549E")
    faults.clear()
    faults.error_rate = 1.0
    failed = await client.get(WO, params=LEAN)
    assert (failed.status_code, error(failed)["reasonCode"]) == (500, "BMXAA6713E")
    faults.clear()
    assert (await client.get(WO, params=LEAN)).status_code == 200
    assert faults.requests.count("GET", WO) == 6


# -- control endpoint and Python API ----------------------------------------------------------


async def test_control_endpoint_touch_delete_insert(
    client: httpx.AsyncClient, base_url: str
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as control:
        info = (await control.get("/_emulator/info")).json()
        assert info == {"system": "maximo", "credentials": {"api_key": DEFAULT_API_KEY}}
        ids = [
            r["siteid"] + "/" + r["wonum"]
            for r in (await control.get("/_emulator/records/mxwo")).json()
        ]
        touched = await control.post(
            "/_emulator/records/mxwo/touch",
            json={"ids": ids[1:3], "at": "2025-07-01T08:30:00Z", "changes": {"wopriority": 5}},
        )
        assert touched.status_code == 200
        assert (
            await control.post("/_emulator/records/MXWO/delete", json={"ids": ids[3:4]})
        ).status_code == 200
        gone = await control.post(
            "/_emulator/records/mxvendor/delete", json={"ids": ["ACME01/EAGLENA"], "hard": True}
        )
        assert gone.status_code == 200
        made = await control.post(
            "/_emulator/records/mxwo", json={"description": "new", "_at": "2025-07-02T00:00:00Z"}
        )
        assert made.status_code == 201
        assert (await control.get("/_emulator/records/nothing")).status_code == 404
    since = {
        **LEAN,
        "oslc.select": "wonum,status,wopriority",
        "oslc.where": 'changedate>="2025-07-01T08:30:00+00:00"',
    }
    changed = await follow(client, WO, {**since, "oslc.orderBy": "+changedate,+wonum"})
    assert [m["wonum"] for m in changed][:2] == [i.split("/")[1] for i in ids[1:3]]
    assert {m["wopriority"] for m in changed[:2]} == {5}
    by_number = {m["wonum"]: m for m in changed}
    assert by_number[ids[3].split("/")[1]]["status"] == "CAN"
    assert made.json()["id"].split("/")[1] in by_number
    vendors = members(
        await client.get(
            "/maximo/api/os/mxvendor",
            params={**LEAN, "oslc.select": "company", "oslc.pageSize": "100"},
        )
    )
    assert "ACME01" not in {v["company"] for v in vendors}


def test_python_api(emulator: MaximoEmulator) -> None:
    at = datetime(2025, 8, 1, 12, tzinfo=UTC)
    emulator.touch("mxinventory", ["0-1001/SET1/CENTRAL/BEDFORD"])
    emulator.touch("mxasset", ["11001/BEDFORD"], at=at, changes={"description": "Renamed"})
    stock = emulator.record("mxinventory", "0-1001/SET1/CENTRAL/BEDFORD")
    assert stock is not None
    assert stock["invbalances"][0]["curbal"] == stock["curbaltotal"]
    asset = emulator.record("mxasset", "11001/BEDFORD")
    assert asset is not None
    assert (asset["changedate"], asset["description"]) == (at, "Renamed")
    new_id = emulator.insert(
        "mxpo", {"vendor": "ACME01", "poline": [{"itemnum": "0-1001", "orderqty": 1}]}
    )
    assert new_id.endswith("/0/BEDFORD")
    emulator.delete("mxpo", [new_id])
    cancelled = emulator.record("mxpo", new_id)
    assert cancelled is not None
    assert cancelled["status"] == "CAN"
    with pytest.raises(UnknownRecord):
        emulator.touch("mxwo", ["BEDFORD/0"])
    with pytest.raises(UnknownEntity):
        emulator.snapshot("mxnothing")
    with pytest.raises(InvalidRecord):
        emulator.insert("mxwo", {"nosuch": 1})
    with pytest.raises(InvalidRecord):
        emulator.insert("mxitem", {"description": "no number"})
    with pytest.raises(InvalidRecord):
        emulator.touch(
            "mxwo",
            [emulator.snapshot("mxwo")[0]["siteid"] + "/1000001"],
            changes={"wopriority": "x"},
        )
    emulator.reset()
    assert emulator.record("mxpo", new_id) is None
    restored = emulator.record("mxasset", "11001/BEDFORD")
    assert restored is not None
    assert restored["description"] != "Renamed"


def test_registry_and_announcement() -> None:
    assert "maximo" in EMULATORS
    app = create_emulator("maximo", records=3)
    assert json.loads(announcement(app, port=8130)) == {
        "system": "maximo",
        "instanceUrl": "http://127.0.0.1:8130",
        "credentials": {"api_key": DEFAULT_API_KEY},
    }


# -- 100k records -----------------------------------------------------------------------------


async def test_a_hundred_thousand_work_orders_and_purchase_orders() -> None:
    app = create_app(records=100_000, anchor=ANCHOR)
    since = (ANCHOR - timedelta(days=90)).isoformat()
    headers = {"apikey": DEFAULT_API_KEY}
    async with serve(app) as url, httpx.AsyncClient(base_url=url, headers=headers) as http:
        counted = await http.get(WO, params={**LEAN, "count": "1"})
        assert counted.json() == {"totalCount": 100_000}
        params = {
            **LEAN,
            "oslc.select": "wonum,changedate",
            "oslc.where": f'changedate>="{since}"',
            "oslc.orderBy": "+changedate,+wonum",
            "oslc.pageSize": "100",
            "collectioncount": "1",
        }
        recent = await http.get(WO, params=params)
        total = recent.json()["responseInfo"]["totalCount"]
        assert 20_000 < total < 30_000
        deep = await http.get(WO, params={**params, "pageno": str(total // 100 + 1)})
        assert members(deep)[-1]["wonum"] == "1100000"
        assert "nextPage" not in deep.json()["responseInfo"]
        last_po = await http.get(
            PO,
            params={
                **LEAN,
                "oslc.where": 'ponum="2100000"',
                "oslc.select": "ponum,poline{itemnum}",
            },
        )
        assert members(last_po)[0]["poline"]


# -- the row store ----------------------------------------------------------------------------

_STEP = timedelta(minutes=1)
_START = datetime(2025, 1, 1, tzinfo=UTC)


def _table(count: int) -> Table:
    def build(i: int) -> dict[str, Any]:
        return {"n": f"{i:05d}", "s": "X", "t": _START + (i // 2) * _STEP}

    return Table(
        keys=("s", "n"),
        number_attr="n",
        stamp_attr="t",
        count=count,
        build=build,
        stamp=lambda i: _START + (i // 2) * _STEP,
        number=lambda i: f"{i:05d}",
        key=lambda i: ("X", f"{i:05d}"),
        index_of=lambda n: [int(n)] if n.isdigit() and int(n) < count else [],
    )


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 40),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["touch", "remove", "add"]), st.integers(0, 60), st.integers(0, 50)
        ),
        max_size=12,
    ),
    low=st.integers(0, 30),
    strict=st.booleans(),
    high=st.none() | st.integers(0, 60),
    skip=st.integers(0, 45),
)
def test_stamp_ranges_match_a_brute_force_sort(
    count: int,
    edits: list[tuple[str, int, int]],
    low: int,
    strict: bool,
    high: int | None,
    skip: int,
) -> None:
    table = _table(count)
    for action, target, minutes in edits:
        stamp = _START + minutes * _STEP
        if action == "add":
            table.put({"n": f"9{target:04d}", "s": "X", "t": stamp})
        elif table.get(target) is not None:
            if action == "touch":
                table.put({**(table.get(target) or {}), "t": stamp}, uid=target)
            else:
                table.remove(target)
    bound = _START + low * _STEP
    top = None if high is None else _START + high * _STEP
    rows = [(u, r) for u in table.natural() if (r := table.get(u)) is not None]
    inside = [(u, r) for u, r in rows if (r["t"] > bound if strict else r["t"] >= bound)]
    inside = [
        (u, r) for u, r in inside if top is None or (r["t"] <= top if strict else r["t"] < top)
    ]
    expected = [u for u, r in sorted(inside, key=lambda p: (p[1]["t"], p[1]["n"], p[0]))]
    ranged = table.by_stamp(low=bound, low_strict=strict, high=top, high_strict=not strict)
    assert len(ranged) == len(expected)
    assert list(ranged.iterate(skip)) == expected[skip:]
