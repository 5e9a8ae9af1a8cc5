"""The Maximo connector against the emulator over real HTTP: paging and checkpoints, synonym
statuses, snapshots, live reads, options, sign-in, connection checks, a refused write."""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from ironbridge.connectors.base import Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import AuthFailed, Conflict, Rejected, Unsupported
from ironbridge.connectors.maximo import MaximoConnector
from ironbridge.connectors.maximo.auth import ApiKeyAuth, MaxAuth
from ironbridge.emulators.maximo import (
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    OUT_OF_STOCK_ITEMS,
    create_app,
)
from ironbridge.models import (
    EntityType,
    PurchaseOrder,
    PurchaseOrderStatus,
    StockLevel,
    WorkOrder,
    WorkOrderStatus,
)
from tests.connectors.maximo.conftest import ANCHOR, RECORDS, fetch
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import Callable

    from ironbridge.emulators.maximo import MaximoEmulator

WO = EntityType.WORK_ORDER
PO = EntityType.PURCHASE_ORDER


def queries(emulator: MaximoEmulator, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in emulator.faults.requests.recent if r.path == path]


def work_orders(batches: list[Any]) -> list[WorkOrder]:
    return [r for b in batches for r in b.records if isinstance(r, WorkOrder)]


# -- incremental reads ------------------------------------------------------------------------


async def test_a_full_read_pages_oldest_first_with_a_checkpoint_per_page(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    batches = await fetch(connector, WO)
    assert len(batches) == math.ceil(RECORDS / 7)
    records = work_orders(batches)
    # the task work order is not a work order of its own; the malformed one is reported
    assert len(records) == RECORDS - 2
    assert [f.remote_id for b in batches for f in b.failures] == [
        emulator.dataset.scenario_id("workorder", "malformed")
    ]
    stamps = [r.updated_at for r in records]
    assert stamps == sorted(stamps)  # type: ignore[type-var]
    checkpoints = [b.checkpoint for b in batches]
    assert all(c is not None for c in checkpoints)
    assert [c.updated_at for c in checkpoints if c] == sorted(
        c.updated_at for c in checkpoints if c
    )  # type: ignore[type-var]
    assert checkpoints[-1] == Checkpoint(
        updated_at=records[-1].updated_at, remote_id=records[-1].remote_id
    )
    first = queries(emulator, "/maximo/api/os/mxwo")[0]
    assert first["oslc.orderBy"] == ["+changedate,+wonum"]
    assert first["stablepaging"] == ["1"]
    assert first["lean"] == first["internalvalues"] == ["1"]
    assert "oslc.where" not in first


async def test_statuses_map_through_their_internal_values(connector: MaximoConnector) -> None:
    records = {r.number: r for r in work_orders(await fetch(connector, WO))}
    waiting = records["1000010"]
    assert (waiting.status, waiting.remote_status) == (WorkOrderStatus.ON_HOLD, "WAITPARTS")
    assert records["1000003"].status is WorkOrderStatus.SCHEDULED
    assert records["1000009"].status is WorkOrderStatus.CANCELLED
    assert records["1000011"].custom_fields == {
        "cust_costcenter": "CC-591",
        "cust_permitrequired": False,
    }
    pos = [r for b in await fetch(connector, PO) for r in b.records if isinstance(r, PurchaseOrder)]
    sent = next(p for p in pos if p.remote_status == "SENT")
    assert sent.status is PurchaseOrderStatus.APPROVED
    assert {p.remote_id for p in pos if p.number == "2000010"} == {
        "2000010/0/BEDFORD",
        "2000010/1/BEDFORD",
    }


async def test_changes_since_a_checkpoint_include_records_stamped_at_it(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    checkpoint = (await fetch(connector, WO))[-1].checkpoint
    assert checkpoint is not None
    assert checkpoint.updated_at is not None
    emulator.touch(
        "mxwo",
        [r.remote_id for r in work_orders(await fetch(connector, WO))[:1]],
        at=checkpoint.updated_at,
    )
    changes = work_orders(await fetch(connector, WO, checkpoint))
    assert all(r.updated_at is not None and r.updated_at >= checkpoint.updated_at for r in changes)
    assert checkpoint.remote_id in {r.remote_id for r in changes}
    assert len(changes) == 3  # the two work orders of the last instant and the touched one
    where = queries(emulator, "/maximo/api/os/mxwo")[-1]["oslc.where"]
    assert where == [f'changedate>="{checkpoint.updated_at.isoformat()}"']


async def test_a_first_sync_starts_at_not_before(
    connector: MaximoConnector, emulator: MaximoEmulator
) -> None:
    everything = work_orders(await fetch(connector, WO))
    start = everything[20].updated_at
    recent = work_orders(await fetch(connector, WO, not_before=start))
    assert recent == [r for r in everything if r.updated_at and start and r.updated_at >= start]


async def test_server_offsets_do_not_move_instants(
    connect: Callable[..., MaximoConnector],
) -> None:
    app = create_app(records=6, anchor=ANCHOR, utc_offset="-05:00")
    async with serve(app) as url:
        connector = connect(url=url)
        records = work_orders(await fetch(connector, WO))
        assert records[0].updated_at == ANCHOR - timedelta(days=365)
        since = Checkpoint(updated_at=records[-1].updated_at)
        assert len(work_orders(await fetch(connector, WO, since))) == 2


async def test_stock_is_a_complete_snapshot(connector: MaximoConnector) -> None:
    batches = await fetch(connector, EntityType.STOCK_LEVEL)
    assert [b.complete_snapshot for b in batches] == [False] * (len(batches) - 1) + [True]
    stock = [r for b in batches for r in b.records if isinstance(r, StockLevel)]
    empty = {r.item_remote_id for r in stock if r.quantity_on_hand == Decimal(0)}
    assert empty == {f"{item}/SET1" for item in OUT_OF_STOCK_ITEMS}


async def test_list_ids_leaves_tasks_out(connector: MaximoConnector) -> None:
    async with contextlib.aclosing(connector.list_ids(WO)) as pages:
        ids = [i async for page in pages for i in page]
    assert len(ids) == len(set(ids)) == RECORDS - 1
    assert not any(i.endswith("/1000012") for i in ids)


async def test_get_in_order_with_none_for_what_is_not_there(connector: MaximoConnector) -> None:
    records = work_orders(await fetch(connector, WO))
    first, second = records[0].remote_id, records[5].remote_id
    site = first.split("/")[0]
    odd = ["nonsense", f"{site}/1000012", f'{site}/"x', f"{site}/9999999", "A/B/C"]
    found = await connector.get(WO, [second, *odd, first, second])
    assert [r.remote_id if r else None for r in found] == [
        second,
        *[None] * len(odd),
        first,
        second,
    ]
    assert await connector.get(WO, []) == []
    malformed = await connector.get(WO, [f"{site}/1000013", "BEDFORD/1000013", "TEXAS/1000013"])
    assert malformed == [None, None, None]


async def test_every_entity_reads(connector: MaximoConnector) -> None:
    for entity in MaximoConnector.entities:
        records = [r for b in await fetch(connector, entity) for r in b.records]
        assert records
        assert all(r.entity_type is entity for r in records)
    with pytest.raises(Unsupported):
        await fetch(connector, EntityType.PRODUCTION_ORDER)


# -- options ----------------------------------------------------------------------------------


async def test_object_structures_and_context_are_options(
    connect: Callable[..., MaximoConnector], emulator: MaximoEmulator
) -> None:
    options = {"context": "oslc", "object_structures": {"work_order": "MXAPIWODETAIL"}}
    connector = connect(options=options)
    await connector.check()
    assert work_orders(await fetch(connector, WO))
    assert queries(emulator, "/maximo/oslc/os/mxapiwodetail")


@pytest.mark.parametrize(
    "options",
    [
        {"context": "rest"},
        {"page_size": 0},
        {"page_size": "many"},
        {"object_structures": ["mxwo"]},
        {"object_structures": {"TICKET": "mxsr"}},
        {"custom_fields": {"WORK_ORDER": [1]}},
        {"priorities": {"1": "SOON"}},
    ],
)
async def test_bad_options_are_rejected(
    connect: Callable[..., MaximoConnector], options: dict[str, Any]
) -> None:
    with pytest.raises(Rejected, match="option"):
        await connect(options=options).check()


async def test_a_priority_scale_of_the_connection(connect: Callable[..., MaximoConnector]) -> None:
    connector = connect(options={"priorities": {str(n): "LOW" for n in range(1, 6)}})
    assert {r.priority for r in work_orders(await fetch(connector, WO)) if r.priority} == {"LOW"}


# -- signing in and checking the connection ---------------------------------------------------


async def test_native_authentication_survives_an_expired_session(
    connect: Callable[..., MaximoConnector], emulator: MaximoEmulator
) -> None:
    connector = connect(
        credentials={"username": DEFAULT_USERNAME.lower(), "password": DEFAULT_PASSWORD}
    )
    await connector.check()
    assert len(emulator.sessions) == 1
    emulator.sessions.clear()
    await connector.check()
    assert len(emulator.sessions) == 1
    refused = connect(credentials={"username": DEFAULT_USERNAME, "password": "wrong"})
    with pytest.raises(AuthFailed, match="BMXAA7901E"):
        await refused.check()


async def test_the_api_key_wins_and_cookies_are_never_sent() -> None:
    request = httpx.Request(
        "GET", "https://mx.example/maximo/api/os/mxwo", headers={"cookie": "JSESSIONID=OLD"}
    )
    flow = ApiKeyAuth("k").auth_flow(request)
    sent = next(flow)
    assert (sent.headers["apikey"], "cookie" in sent.headers) == ("k", False)
    native = MaxAuth("WILSON", "pw").auth_flow(request)
    first = next(native)
    assert first.headers["maxauth"] == "V0lMU09OOnB3"
    with contextlib.suppress(StopIteration):
        native.send(httpx.Response(200))


@pytest.mark.parametrize(
    ("credentials", "error"),
    [
        ({}, AuthFailed),
        ({"username": "x"}, AuthFailed),
        ({"api_key": "wrong"}, AuthFailed),
    ],
)
async def test_credentials_are_checked(
    connect: Callable[..., MaximoConnector], credentials: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await connect(credentials=credentials).check()


async def test_a_pasted_api_url_is_cut_to_the_host_root(
    connect: Callable[..., MaximoConnector], base_url: str
) -> None:
    await connect(url=f"{base_url}/maximo/oslc/os/mxwo?lean=1").check()
    with pytest.raises(Rejected, match="host root"):
        await connect(url="ftp://maximo.example.com").check()


@pytest.mark.parametrize(
    "endpoint",
    [
        lambda _r: PlainTextResponse("no such thing", status_code=404),
        lambda _r: HTMLResponse("<html><title>Sign in</title></html>"),
    ],
)
async def test_something_else_than_maximo_is_rejected(endpoint: Any) -> None:
    async def answer(request: Any) -> Any:
        return endpoint(request)

    other = Starlette(routes=[Route("/{path:path}", answer)])
    async with serve(other) as url:
        config = ConnectionConfig(
            connection_id="x", instance_url=url, credentials={"api_key": DEFAULT_API_KEY}
        )
        connector = MaximoConnector(config)
        try:
            with pytest.raises(Rejected, match="Maximo"):
                await connector.check()
        finally:
            await connector.aclose()


async def test_hrefs_to_an_internal_host_are_followed_on_the_configured_one(
    app: Starlette, connect: Callable[..., MaximoConnector]
) -> None:
    async def behind_a_proxy(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = [*scope["headers"], (b"x-public-uri", b"http://maximo-internal:9080")]
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    async with serve(behind_a_proxy) as url:
        connector = connect(url=url)
        records = work_orders(await fetch(connector, WO))
        assert len(records) == RECORDS - 2
        updated = await connector.update(WO, records[1].remote_id, {"title": "Via the proxy"})
        assert updated.title == "Via the proxy"


# -- a refused write --------------------------------------------------------------------------


async def test_a_closed_work_order_cannot_change(connector: MaximoConnector) -> None:
    closed = next(
        r for r in work_orders(await fetch(connector, WO)) if r.status is WorkOrderStatus.CLOSED
    )
    with pytest.raises(Conflict) as caught:
        await connector.update(WO, closed.remote_id, {"title": "Late edit"})
    assert "BMXAA0031E - The WORKORDER object is read only" in caught.value.detail
    assert caught.value.status_code == 400
    with pytest.raises(Conflict, match="BMXAA4590E"):
        await connector.update(WO, closed.remote_id, {"status": "IN_PROGRESS"})
    with pytest.raises(Conflict, match="BMXAA4590E"):
        await connector.delete(WO, closed.remote_id)


async def test_checkpoints_are_timezone_aware(connector: MaximoConnector) -> None:
    checkpoint = (await fetch(connector, WO))[-1].checkpoint
    assert checkpoint is not None
    assert checkpoint.updated_at is not None
    assert checkpoint.updated_at.tzinfo is not None
    assert checkpoint.updated_at < datetime.now(UTC)
