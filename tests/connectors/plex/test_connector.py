"""The Plex connector against its emulator over real HTTP: tenant headers, the full pull and
client-side diff, the per-minute budget, 429 without Retry-After, safe parsing and writes."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.base import Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.factory import open_connector
from ironbridge.connectors.http import RequestBudget
from ironbridge.connectors.plex import PlexConnector
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.emulators.plex import create_app
from ironbridge.models import EntityType, PurchaseOrder, PurchaseOrderStatus
from tests.connectors.plex.harness import ANCHOR
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.connectors.base import Batch
    from ironbridge.emulators.plex import PlexEmulator

PO = EntityType.PURCHASE_ORDER
LINES_PREFIX = "/purchasing/v1/purchase-orders/"


# connectors made by the current test, closed after it
_MADE: list[PlexConnector] = []


@pytest.fixture
async def plex() -> AsyncIterator[tuple[PlexEmulator, str]]:
    app = create_app(records=30, anchor=ANCHOR)
    async with serve(app) as url:
        try:
            yield app.state.emulator, url
        finally:
            while _MADE:
                await _MADE.pop().aclose()


def connector(
    url: str,
    emulator: PlexEmulator,
    *,
    budget: RequestBudget | None = None,
    credentials: dict[str, str] | None = None,
    **options: Any,
) -> PlexConnector:
    config = ConnectionConfig(
        connection_id="plex-test",
        instance_url=url,
        credentials=credentials if credentials is not None else dict(emulator.credentials),
        options=options,
    )
    made = PlexConnector(config, budget=budget)
    _MADE.append(made)
    return made


async def fetch(
    made: PlexConnector, entity: EntityType, since: Checkpoint | None = None
) -> list[Batch]:
    try:
        return [batch async for batch in made.fetch_changes(entity, since)]
    finally:
        await made.aclose()


def line_reads(emulator: PlexEmulator) -> int:
    return sum(
        n
        for (method, path), n in emulator.faults.requests.by_route.items()
        if method == "GET" and path.startswith(LINES_PREFIX) and path.endswith("/line-items")
    )


# -- connecting -------------------------------------------------------------------------------


async def test_the_tenant_is_chosen_by_pcn_or_tenant_id(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    await connector(url, emulator).check()
    tenant = {"api_key": emulator.api_key, "tenant_id": emulator.tenant_id}
    await connector(url, emulator, credentials=tenant).check()
    await connector(url, emulator, credentials={"api_key": emulator.api_key}).check()
    other = {**emulator.credentials, "customer_id": "11111"}
    with pytest.raises(AuthFailed, match="could not be authenticated"):
        await connector(url, emulator, credentials=other).check()


async def test_no_key_fails_before_any_request(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    with pytest.raises(AuthFailed, match="api_key"):
        await connector(url, emulator, credentials={"customer_id": "79123"}).check()
    assert emulator.faults.requests.total == 0


async def test_a_url_that_is_not_plex_connect_is_rejected(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    with pytest.raises(NotFoundUpstream, match="no Plex Connect API at"):
        await connector(f"{url}/not-connect", emulator).check()


@pytest.mark.parametrize("option", [{"rate_limit_wait": 0}, {"batch_size": "ten"}])
async def test_bad_options_are_rejected(
    plex: tuple[PlexEmulator, str], option: dict[str, Any]
) -> None:
    emulator, url = plex
    with pytest.raises(Rejected, match="option"):
        await connector(url, emulator, **option).check()


# -- full pull and diff -----------------------------------------------------------------------


async def test_an_incremental_read_is_one_list_call_and_lines_of_what_changed(
    plex: tuple[PlexEmulator, str],
) -> None:
    emulator, url = plex
    first = await fetch(connector(url, emulator, batch_size=7), PO)
    assert line_reads(emulator) == 30
    stamps = [b.checkpoint.updated_at for b in first if b.checkpoint and b.checkpoint.updated_at]
    assert stamps == sorted(stamps), "batches go oldest first, each with its checkpoint"
    checkpoint = first[-1].checkpoint
    assert checkpoint is not None
    assert checkpoint.updated_at is not None
    emulator.faults.requests.reset()
    touched = emulator.dataset.id_of("purchase-orders", 12)
    emulator.touch("purchase-orders", [touched], at=checkpoint.updated_at + timedelta(minutes=1))

    changes = await fetch(connector(url, emulator), PO, checkpoint)
    ids = [r.remote_id for b in changes for r in b.records]
    assert touched in ids
    assert len(ids) == 2  # the record at the checkpoint, and the one touched after it
    requests = emulator.faults.requests
    assert requests.count("GET", "/purchasing/v1/purchase-orders") == 1
    assert line_reads(emulator) == 2


async def test_a_run_resumes_from_any_batch_without_losing_records(
    plex: tuple[PlexEmulator, str],
) -> None:
    emulator, url = plex
    everything = await fetch(connector(url, emulator, batch_size=5), EntityType.VENDOR)
    all_ids = {r.remote_id for b in everything for r in b.records}
    for n, batch in enumerate(everything[:-1]):
        rest = await fetch(
            connector(url, emulator, batch_size=5), EntityType.VENDOR, batch.checkpoint
        )
        seen = {r.remote_id for b in everything[: n + 1] for r in b.records}
        assert seen | {r.remote_id for b in rest for r in b.records} == all_ids


async def test_nothing_new_is_one_empty_batch_keeping_the_checkpoint(
    plex: tuple[PlexEmulator, str],
) -> None:
    emulator, url = plex
    late = Checkpoint(updated_at=ANCHOR + timedelta(days=1), remote_id="x")
    (batch,) = await fetch(connector(url, emulator), EntityType.VENDOR, late)
    assert (batch.records, batch.checkpoint) == ([], late)


async def test_orders_without_lines_cost_one_call(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    batches = await fetch(connector(url, emulator, lines=False), PO)
    orders = [r for b in batches for r in b.records if isinstance(r, PurchaseOrder)]
    assert orders
    assert all(order.lines == () for order in orders)
    assert line_reads(emulator) == 0


async def test_get_selects_ids_with_repeated_parameters(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    ids = [emulator.dataset.id_of("suppliers", n) for n in (3, 5)]
    made = connector(url, emulator)
    try:
        found = await made.get(EntityType.VENDOR, [ids[1], "nope", ids[0]])
    finally:
        await made.aclose()
    assert [r.remote_id if r else None for r in found] == [ids[1], None, ids[0]]
    (last,) = [r for r in emulator.faults.requests.recent if r.path == "/mdm/v1/suppliers"]
    assert last.query.count("id=") == 3


# -- rate limits ------------------------------------------------------------------------------


async def test_a_budget_of_200_calls_a_minute_paces_a_sync(
    plex: tuple[PlexEmulator, str],
) -> None:
    emulator, url = plex
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    assert PlexConnector.system.requests_per_minute == 200
    budget = RequestBudget(200, burst=10, clock=lambda: now[0], sleep=sleep, max_wait=60)
    batches = await fetch(connector(url, emulator, budget=budget), PO)
    calls = emulator.faults.requests.total
    assert calls == 32  # statuses, the list, 30 line item lists
    assert len(waits) == calls - budget.burst
    # after the burst, one call every 0.3 s: never more than 200 in any minute
    assert sum(waits) == pytest.approx((calls - budget.burst) * 60 / 200)
    assert sum(len(b.records) + len(b.failures) for b in batches) == 30


async def test_a_429_without_retry_after_waits_a_minute(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    emulator.calls_per_minute = 1
    made = connector(url, emulator)
    try:
        await made.check()
        with pytest.raises(RateLimited) as caught:
            await made.check()
    finally:
        await made.aclose()
    assert caught.value.retry_after == 60
    assert "TOO_MANY_REQUESTS" in caught.value.detail
    shorter = connector(url, emulator, rate_limit_wait=5)
    with pytest.raises(RateLimited) as caught:
        await shorter.check()
    await shorter.aclose()
    assert caught.value.retry_after == 5


async def test_a_429_is_retried_once_the_minute_has_passed(
    plex: tuple[PlexEmulator, str],
) -> None:
    emulator, url = plex
    emulator.calls_per_minute = 1
    ticks = iter(range(25, 100_000, 25))
    emulator.monotonic = lambda: float(next(ticks))
    batches = await fetch(connector(url, emulator, lines=False), PO)
    assert sum(len(b.records) + len(b.failures) for b in batches) == 30
    statuses = [r.status for r in emulator.faults.requests.recent]
    assert 429 in statuses
    assert statuses[-1] == 200


# -- safe parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"items": []}', "did not answer a JSON array"),
        (b"<html>maintenance</html>", "did not answer JSON"),
    ],
)
async def test_answers_that_are_not_arrays_are_unreachable(body: bytes, message: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    config = ConnectionConfig(
        connection_id="plex-mock",
        instance_url="https://connect.plex.test",
        credentials={"api_key": "k"},
    )
    made = PlexConnector(config, transport=httpx.MockTransport(answer))
    try:
        with pytest.raises(SystemUnreachable, match=message):
            await made.check()
    finally:
        await made.aclose()


async def test_non_objects_in_a_list_are_failures_not_crashes() -> None:
    statuses = [{"name": "Open", "active": True, "receive": True, "onOrder": True}]

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("purchase-order-statuses"):
            return httpx.Response(200, json=statuses)
        if request.url.path.endswith("/line-items"):
            return httpx.Response(404, json={"code": "RESOURCE_NOT_FOUND", "message": "none"})
        return httpx.Response(200, content=json.dumps(["junk", {"id": "a", "status": "Open"}]))

    config = ConnectionConfig(
        connection_id="plex-mock",
        instance_url="https://connect.plex.test",
        credentials={"api_key": "k"},
    )
    batches = await fetch(PlexConnector(config, transport=httpx.MockTransport(answer)), PO)
    failures = [f for b in batches for f in b.failures]
    assert [f.detail for f in failures] == [
        "the record is not a JSON object",
        "poNumber is missing",
    ]


# -- writes -----------------------------------------------------------------------------------


async def test_create_update_and_void_an_order(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    made = connector(url, emulator)
    supplier = emulator.dataset.id_of("suppliers", 3)
    part = emulator.dataset.id_of("parts", 4)
    try:
        created = await made.create(
            PO,
            {
                "vendor_remote_id": supplier,
                "currency": "eur",
                "expected_delivery_date": "2025-07-15",
                "custom_fields": {"projectCode": "PRJ-9"},
                "lines": [{"item_remote_id": part, "quantity": Decimal(10), "unit_price": "2.5"}],
            },
        )
        assert isinstance(created, PurchaseOrder)
        assert (created.status, created.currency, created.vendor_remote_id) == (
            PurchaseOrderStatus.DRAFT,
            "EUR",
            supplier,
        )
        assert created.custom_fields == {"projectCode": "PRJ-9"}
        assert [(line.item_remote_id, line.quantity) for line in created.lines] == [
            (part, Decimal(10))
        ]
        updated = await made.update(
            PO, created.remote_id, {"lines": [{"line_number": "1", "quantity": 12}]}
        )
        assert isinstance(updated, PurchaseOrder)
        assert updated.lines[0].quantity == Decimal(12)
        assert updated.total_amount == Decimal(30)
        stale = "2000-01-01T00:00:00Z"
        with pytest.raises(Conflict, match="changed in Plex") as caught:
            await made.update(PO, created.remote_id, {"currency": "USD"}, version=stale)
        assert caught.value.stale
        deleted = await made.delete(PO, created.remote_id)
        assert deleted.soft_deleted
        assert deleted.record is not None
        assert isinstance(deleted.record, PurchaseOrder)
        assert deleted.record.status is PurchaseOrderStatus.CANCELLED
    finally:
        await made.aclose()
    assert emulator.faults.requests.count("DELETE") == 0


async def test_an_approved_order_takes_only_due_dates(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    approved = emulator.dataset.scenario_id("approved")
    assert approved is not None
    made = connector(url, emulator)
    try:
        moved = await made.update(
            PO,
            approved,
            {
                "expected_delivery_date": "2025-09-30",
                "lines": [{"line_number": "2", "expected_delivery_date": "2025-10-01"}],
            },
        )
        assert isinstance(moved, PurchaseOrder)
        assert moved.expected_delivery_date is not None
        assert moved.expected_delivery_date.isoformat() == "2025-09-30"
        with pytest.raises(Conflict) as caught:
            await made.update(PO, approved, {"currency": "CAD"})
        assert "is approved; only due dates can be changed" in caught.value.detail
        assert "RESOURCE_CONFLICT" in caught.value.detail
        received = emulator.dataset.scenario_id("received")
        assert received is not None
        with pytest.raises(Conflict, match="cannot be changed"):
            await made.update(PO, received, {"expected_delivery_date": "2025-09-30"})
    finally:
        await made.aclose()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"vendor_remote_id": "v", "lines": [{"quantity": 1}], "ship_to_remote_id": "x"},
            "ship_to",
        ),
        ({"vendor_remote_id": "v", "lines": [{"quantity": 0}]}, "positive"),
        ({"vendor_remote_id": "v", "lines": [{"quantity": 1}], "order_date": "soon"}, "not a date"),
        ({"vendor_remote_id": "v"}, "missing lines"),
    ],
)
async def test_inputs_plex_cannot_take_are_rejected_before_sending(
    plex: tuple[PlexEmulator, str], data: dict[str, Any], message: str
) -> None:
    emulator, url = plex
    made = connector(url, emulator)
    try:
        with pytest.raises(Rejected, match=message):
            await made.create(PO, data)
        with pytest.raises(Unsupported):
            await made.create(EntityType.VENDOR, {"name": "x"})
    finally:
        await made.aclose()
    assert emulator.faults.requests.total == 0


async def test_plex_refusals_keep_its_message(plex: tuple[PlexEmulator, str]) -> None:
    emulator, url = plex
    inactive = emulator.dataset.id_of("suppliers", 0)
    made = connector(url, emulator)
    try:
        with pytest.raises(Rejected, match=r"supplier SUP0001 is inactive\. \(ARGUMENT_INVALID\)"):
            await made.create(PO, {"vendor_remote_id": inactive, "lines": [{"quantity": 1}]})
    finally:
        await made.aclose()


# -- sandbox ----------------------------------------------------------------------------------


async def test_a_sandbox_connection_reads_the_in_process_emulator() -> None:
    made = open_connector(
        ConnectorRegistry.default(discover=False),
        "plex",
        connection_id="plex-sandbox",
        instance_url="",
        credentials={},
        sandbox=True,
    )
    try:
        await made.check()
        batches = [batch async for batch in made.fetch_changes(EntityType.VENDOR, None)]
    finally:
        await made.aclose()
    vendors = [r for b in batches for r in b.records]
    assert vendors
    assert {v.entity_type for v in vendors} == {EntityType.VENDOR}


async def test_a_failed_line_read_fails_the_fetch_with_plex_words() -> None:
    statuses = [{"name": "Open", "active": True, "receive": True, "onOrder": True}]
    orders = [{"id": f"o{n}", "poNumber": str(n), "status": "Open"} for n in range(12)]
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("purchase-order-statuses"):
            return httpx.Response(200, json=statuses)
        if path.endswith("/line-items"):
            seen.append(path)
            if path.endswith("/o2/line-items"):
                return httpx.Response(400, json={"code": "ARGUMENT_INVALID", "message": "bad"})
            return httpx.Response(200, json=[])
        return httpx.Response(200, json=orders)

    config = ConnectionConfig(
        connection_id="plex-mock",
        instance_url="https://connect.plex.test",
        credentials={"api_key": "k"},
        options={"concurrency": 2},
    )
    with pytest.raises(Rejected, match=r"bad \(ARGUMENT_INVALID\)"):
        await fetch(PlexConnector(config, transport=httpx.MockTransport(answer)), PO)
    assert "/purchasing/v1/purchase-orders/o2/line-items" in seen
