"""Maximo connector writes against the emulator over real HTTP: work orders created, patched
and cancelled, items created and updated, and the refusals in between."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.errors import Conflict, NotFoundUpstream, Rejected, Unsupported
from ironbridge.connectors.maximo import MaximoConnector
from ironbridge.models import (
    EntityType,
    InventoryItem,
    InventoryItemType,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)
from tests.connectors.maximo.conftest import fetch

if TYPE_CHECKING:
    from ironbridge.emulators.maximo import MaximoEmulator

WO = EntityType.WORK_ORDER
ITEM = EntityType.INVENTORY_ITEM
FIXTURES = Path(__file__).parent / "fixtures"


async def work_order(connector: MaximoConnector, status: WorkOrderStatus) -> WorkOrder:
    for batch in await fetch(connector, WO):
        for record in batch.records:
            if isinstance(record, WorkOrder) and record.status is status:
                return record
    raise AssertionError(f"no {status} work order")


def requests_to(emulator: MaximoEmulator, method: str) -> int:
    return sum(1 for r in emulator.faults.requests.recent if r.method == method)


# -- work orders ------------------------------------------------------------------------------


async def test_create_a_work_order_in_the_site_of_its_asset(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    due = datetime(2025, 7, 1, 16, 30, tzinfo=UTC)
    created = await connector.create(
        WO,
        {
            "title": "Replace coupling",
            "description": "Coupling worn, vibration high.",
            "asset_remote_id": "11002/TEXAS",
            "priority": "HIGH",
            "type": WorkOrderType.CORRECTIVE,
            "status": "APPROVED",
            "assignee": "SMITH",
            "due_at": due,
            "scheduled_start_at": "2025-06-20T08:00:00+02:00",
            "custom_fields": {"cust_costcenter": "CC-100"},
        },
    )
    assert isinstance(created, WorkOrder)
    assert created.remote_id == f"TEXAS/{created.number}"
    assert (created.status, created.remote_status) == (WorkOrderStatus.APPROVED, "APPR")
    assert (created.priority, created.type) == (WorkOrderPriority.HIGH, WorkOrderType.CORRECTIVE)
    assert (created.asset_remote_id, created.assignee, created.due_at) == (
        "11002/TEXAS",
        "SMITH",
        due,
    )
    assert created.scheduled_start_at == datetime(2025, 6, 20, 6, tzinfo=UTC)
    assert created.description == "Coupling worn, vibration high."
    assert created.custom_fields == {"cust_costcenter": "CC-100"}
    assert requests_to(emulator, "POST") == 1  # the record came back with the create
    assert (await connector.get(WO, [created.remote_id]))[0] == created


async def test_a_plain_create_lands_in_the_default_insert_site(connector: MaximoConnector) -> None:
    created = await connector.create(WO, {"title": "Walkdown"})
    assert isinstance(created, WorkOrder)
    assert created.remote_id.startswith("BEDFORD/")
    assert created.status is WorkOrderStatus.REQUESTED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"title": "x", "number": "1"}, "number"),
        ({"title": "x", "asset_remote_id": "11001"}, "asset_remote_id"),
        (
            {"title": "x", "asset_remote_id": "11001/BEDFORD", "location_remote_id": "T-101/TEXAS"},
            "location_remote_id",
        ),
        ({"title": "x", "status": "DONE"}, "status"),
        ({"title": "x", "type": "OTHER"}, "type"),
        ({"title": "x", "due_at": "tomorrow"}, "due_at"),
        ({"title": "x", "custom_fields": {"cust_nope": 1}}, "custom_fields.cust_nope"),
        (
            {"title": "x", "custom_fields": {"cust_costcenter": [1]}},
            "custom_fields.cust_costcenter",
        ),
    ],
)
async def test_bad_input_is_rejected_before_maximo_is_asked(
    connector: MaximoConnector, emulator: MaximoEmulator, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(Rejected, match=f"^maximo: {field}:"):
        await connector.create(WO, data)
    assert requests_to(emulator, "POST") == 0


async def test_maximo_refusals_of_a_create_keep_its_message(connector: MaximoConnector) -> None:
    with pytest.raises(Rejected, match="BMXAA4153E - Asset 99999 is not a valid asset"):
        await connector.create(WO, {"title": "x", "asset_remote_id": "99999/BEDFORD"})


async def test_update_changes_fields_and_status(connector: MaximoConnector) -> None:
    waiting = await work_order(connector, WorkOrderStatus.REQUESTED)
    updated = await connector.update(
        WO,
        waiting.remote_id,
        {"title": "Renamed", "status": "IN_PROGRESS", "priority": "NONE", "assignee": None},
    )
    assert isinstance(updated, WorkOrder)
    assert (updated.title, updated.status, updated.priority) == ("Renamed", "IN_PROGRESS", None)
    assert updated.assignee is None
    assert updated.started_at is not None
    assert updated.updated_at is not None
    assert waiting.updated_at is not None
    assert updated.updated_at > waiting.updated_at


async def test_asking_for_the_status_it_has_changes_nothing(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    on_hold = next(
        r
        for b in await fetch(connector, WO)
        for r in b.records
        if isinstance(r, WorkOrder) and r.remote_status == "WAITPARTS"
    )
    same = await connector.update(WO, on_hold.remote_id, {"status": "ON_HOLD"})
    assert same == on_hold
    assert requests_to(emulator, "POST") == 0
    renamed = await connector.update(WO, on_hold.remote_id, {"status": "ON_HOLD", "title": "New"})
    assert isinstance(renamed, WorkOrder)
    assert (renamed.title, renamed.remote_status) == ("New", "WAITPARTS")


async def test_a_stale_version_is_a_conflict(connector: MaximoConnector) -> None:
    record = await work_order(connector, WorkOrderStatus.APPROVED)
    assert record.remote_data is not None
    version = str(record.remote_data["_rowstamp"])
    await connector.update(WO, record.remote_id, {"title": "First"}, version=version)
    with pytest.raises(Conflict) as caught:
        await connector.update(WO, record.remote_id, {"title": "Second"}, version=version)
    assert caught.value.stale


async def test_a_status_maximo_does_not_allow_is_a_conflict(connector: MaximoConnector) -> None:
    done = await work_order(connector, WorkOrderStatus.COMPLETED)
    with pytest.raises(Conflict, match="BMXAA4590E - Could not change Work Order"):
        await connector.update(WO, done.remote_id, {"status": "IN_PROGRESS"})
    closed = await connector.update(WO, done.remote_id, {"status": "CLOSED"})
    assert closed.status is WorkOrderStatus.CLOSED  # type: ignore[attr-defined]


async def test_delete_cancels_and_is_idempotent(connector: MaximoConnector) -> None:
    approved = await work_order(connector, WorkOrderStatus.APPROVED)
    result = await connector.delete(WO, approved.remote_id)
    assert (result.remote_id, result.soft_deleted) == (approved.remote_id, True)
    assert isinstance(result.record, WorkOrder)
    assert result.record.status is WorkOrderStatus.CANCELLED
    again = await connector.delete(WO, approved.remote_id)
    assert again.record == result.record
    started = await work_order(connector, WorkOrderStatus.IN_PROGRESS)
    with pytest.raises(Conflict, match="BMXAA4638E"):
        await connector.delete(WO, started.remote_id)


async def test_unknown_records_and_entities(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    with pytest.raises(NotFoundUpstream):
        await connector.update(WO, "BEDFORD/9999999", {"title": "x"})
    with pytest.raises(NotFoundUpstream):
        await connector.delete(WO, "nonsense")
    task = emulator.dataset.scenario_id("workorder", "task")
    assert task is not None
    with pytest.raises(NotFoundUpstream):
        await connector.update(WO, task, {"title": "a task is not a work order"})
    with pytest.raises(Unsupported):
        await connector.create(EntityType.ASSET, {})
    with pytest.raises(Unsupported):
        await connector.update(EntityType.ASSET, "11001/BEDFORD", {})
    with pytest.raises(Unsupported):
        await connector.delete(EntityType.ASSET, "11001/BEDFORD")


# -- items ------------------------------------------------------------------------------------


async def test_create_and_update_an_item(connector: MaximoConnector) -> None:
    created = await connector.create(
        ITEM,
        {
            "number": "V-100",
            "name": "Gate valve DN50",
            "description": "PN16, cast iron",
            "type": "SPARE_PART",
            "unit_of_measure": "each",
        },
    )
    assert isinstance(created, InventoryItem)
    assert (created.remote_id, created.name, created.unit_of_measure) == (
        "V-100/SET1",
        "Gate valve DN50",
        "EACH",
    )
    assert (created.type, created.active, created.description) == (
        InventoryItemType.SPARE_PART,
        True,
        "PN16, cast iron",
    )
    retired = await connector.update(
        ITEM, created.remote_id, {"active": False, "name": "Gate valve DN50 (old)"}
    )
    assert isinstance(retired, InventoryItem)
    assert (retired.active, retired.name) == (False, "Gate valve DN50 (old)")
    same = await connector.update(ITEM, created.remote_id, {"active": False})
    assert same == retired
    service = await connector.create(
        ITEM, {"number": "S-1", "name": "Calibration", "type": "SERVICE"}
    )
    assert service.type is InventoryItemType.SERVICE  # type: ignore[attr-defined]


async def test_item_refusals(connector: MaximoConnector) -> None:
    with pytest.raises(Rejected, match="number: is required"):
        await connector.create(ITEM, {"name": "x"})
    with pytest.raises(Rejected, match="type: has no Maximo item type"):
        await connector.create(ITEM, {"number": "X", "name": "x", "type": "RAW_MATERIAL"})
    with pytest.raises(Rejected, match="unit_cost: unknown field"):
        await connector.create(ITEM, {"number": "X", "name": "x", "unit_cost": 1})
    with pytest.raises(Rejected, match="active: must be true or false"):
        await connector.update(ITEM, "0-1001/SET1", {"active": "no"})
    with pytest.raises(Conflict, match="BMXAA4129E"):
        await connector.create(ITEM, {"number": "0-1001", "name": "again"})


# -- a Maximo that ignores the properties header ----------------------------------------------


async def test_without_a_record_in_the_answer_the_connector_reads_it() -> None:
    record = json.loads((FIXTURES / "work_orders.json").read_text())["member"][0]
    seen: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        if request.method == "POST" and request.url.path.endswith("/mxwo"):
            return httpx.Response(201, headers={"location": record["href"]})
        if request.method == "POST":
            return httpx.Response(204)
        if "oslc.where" in request.url.params:
            return httpx.Response(200, json={"member": [record], "responseInfo": {}})
        return httpx.Response(200, json=record)

    config = ConnectionConfig(
        connection_id="mock",
        instance_url="https://maximo.example.com",
        credentials={"api_key": "k"},
    )
    connector = MaximoConnector(config, transport=httpx.MockTransport(answer))
    try:
        created = await connector.create(WO, {"title": "x"})
        updated = await connector.update(WO, "BEDFORD/1000001", {"title": "y"})
    finally:
        await connector.aclose()
    assert created.remote_id == updated.remote_id == "BEDFORD/1000001"
    href = "/maximo/api/os/mxwo/_QkVERk9SRC8xMDAwMDAx"
    assert seen == [
        ("POST", "/maximo/api/os/mxwo"),
        ("GET", href),
        ("GET", "/maximo/api/os/mxwo"),
        ("POST", href),
        ("GET", href),
    ]
