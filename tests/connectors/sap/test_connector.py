"""The SAP S/4HANA connector: configuration, writes over real HTTP against the emulator (CSRF,
ETags, SAP's business rules), paging 100k records, and a generic OData service."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import httpx
import pytest

from ironbridge.connectors.base import Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.connectors.sap import SapS4HanaConnector, etag_of
from ironbridge.connectors.sap.resources import RESOURCES, resources
from ironbridge.emulators.sap import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    UNKNOWN_SUPPLIER,
    create_app,
)
from ironbridge.models import (
    AuthMethod,
    EntityType,
    PurchaseOrder,
    PurchaseOrderStatus,
    SystemCategory,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Callable

    from starlette.applications import Starlette

    from ironbridge.connectors.base import Batch
    from ironbridge.emulators.sap import SapEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
CREDENTIALS = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "client": "100"}
ORGANIZATION = {
    "company_code": "1710",
    "purchasing_organization": "1710",
    "purchasing_group": "001",
}
VERSIONS = pytest.mark.parametrize("version", ["v4", "v2"])
APPROVED, ACTIVE, RELEASED_CUSTOM = "4500000001", "4500000004", "4500000011"

NEW_ORDER: dict[str, Any] = {
    "vendor_remote_id": "17300001",
    "ship_to_remote_id": "1710",
    "currency": "USD",
    "expected_delivery_date": "2025-07-15",
    "custom_fields": {"YY1_ProjectCode_PDH": "PRJ-4242"},
    "lines": [
        {
            "item_remote_id": "TG11",
            "description": "Hex bolts for line 3",
            "quantity": "10",
            "unit_of_measure": "PC",
            "unit_price": "12.50",
        },
        {
            "item_remote_id": "TG12",
            "quantity": 4,
            "unit_of_measure": "PC",
            "unit_price": Decimal("3.75"),
            "expected_delivery_date": date(2025, 7, 1),
        },
    ],
}


def sap(app: Starlette) -> SapEmulator:
    emulator: SapEmulator = app.state.emulator
    return emulator


@pytest.fixture
def app() -> Starlette:
    return create_app(records=40, page_size=10, anchor=ANCHOR)


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., SapS4HanaConnector]]:
    made: list[SapS4HanaConnector] = []

    def build(
        instance_url: str,
        *,
        credentials: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> SapS4HanaConnector:
        config = ConnectionConfig(
            connection_id="sap-test",
            instance_url=instance_url,
            credentials=CREDENTIALS if credentials is None else credentials,
            options=options,
        )
        connector = SapS4HanaConnector(config, transport=transport)
        made.append(connector)
        return connector

    yield build
    for connector in made:
        await connector.aclose()


async def batches(
    connector: SapS4HanaConnector,
    entity: EntityType,
    since: Checkpoint | None = None,
    *,
    limit: int | None = None,
    not_before: datetime | None = None,
) -> list[Batch]:
    out: list[Batch] = []
    pages = cast(
        "AsyncGenerator[Batch, None]", connector.fetch_changes(entity, since, not_before=not_before)
    )
    async with contextlib.aclosing(pages):
        async for page in pages:
            out.append(page)
            if limit is not None and len(out) == limit:
                break
    return out


async def order(connector: SapS4HanaConnector, number: str) -> PurchaseOrder:
    found = (await connector.get(EntityType.PURCHASE_ORDER, [number]))[0]
    assert isinstance(found, PurchaseOrder)
    return found


# -- declaration and configuration ------------------------------------------------------------


def test_registered_and_declared() -> None:
    assert ConnectorRegistry.default(discover=False).get("sap-s4hana") is SapS4HanaConnector
    info = SapS4HanaConnector.system
    assert (info.name, info.vendor, info.categories, info.auth_method, info.credit_cost) == (
        "SAP S/4HANA",
        "SAP",
        (SystemCategory.ERP,),
        AuthMethod.BASIC,
        2,
    )
    assert [(f.name, f.secret, f.required) for f in info.auth_fields] == [
        ("username", False, True),
        ("password", True, True),
        ("client", False, False),
    ]
    assert info.auth_fields[2].help == "the sap-client number, e.g. 100"
    assert info.docs_url == "docs/connectors/sap-s4hana.md"
    assert set(SapS4HanaConnector.entities) == set(EntityType)


def test_capabilities_match_the_resources() -> None:
    for version in ("v4", "v2"):
        for entity, resource in resources(version).items():
            support = SapS4HanaConnector.entities[entity]
            assert support.incremental is (resource.stamp is not None), entity
    po = SapS4HanaConnector.entities[EntityType.PURCHASE_ORDER]
    assert (po.create, po.update, po.delete, po.soft_delete) == (True, True, True, True)
    assert "delivery date" in (po.notes or "")
    work = SapS4HanaConnector.entities[EntityType.WORK_ORDER]
    assert (work.create, work.update, work.delete) == (True, True, False)
    read_only = [e for e, s in SapS4HanaConnector.entities.items() if not (s.create or s.update)]
    assert set(read_only) == set(RESOURCES) - {EntityType.PURCHASE_ORDER, EntityType.WORK_ORDER}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://my401785.s4hana.cloud.sap", "https://my401785.s4hana.cloud.sap"),
        ("https://my401785.s4hana.cloud.sap/", "https://my401785.s4hana.cloud.sap"),
        (
            "https://my401785.s4hana.cloud.sap/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/?x=1",
            "https://my401785.s4hana.cloud.sap",
        ),
        ("http://10.0.0.5:8000/proxy/s4/", "http://10.0.0.5:8000/proxy/s4"),
    ],
)
def test_the_instance_url_is_the_host_root(
    make: Callable[..., SapS4HanaConnector], url: str, expected: str
) -> None:
    assert make(url).settings.base_url == expected


@pytest.mark.parametrize(
    ("url", "credentials", "options", "error"),
    [
        ("ftp://host", CREDENTIALS, {}, Rejected),
        ("not a url", CREDENTIALS, {}, Rejected),
        ("https://host", {**CREDENTIALS, "password": ""}, {}, AuthFailed),
        ("https://host", {**CREDENTIALS, "client": "1"}, {}, Rejected),
        ("https://host", CREDENTIALS, {"odata_version": "v3"}, Rejected),
    ],
)
async def test_bad_configuration_is_refused_before_any_request(
    make: Callable[..., SapS4HanaConnector],
    url: str,
    credentials: dict[str, str],
    options: dict[str, Any],
    error: type[Exception],
) -> None:
    connector = make(url, credentials=credentials, **options)
    with pytest.raises(error):
        await connector.check()
    assert connector.upstream_requests == 0


async def test_the_client_travels_on_every_request(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url, **ORGANIZATION)
    await batches(connector, EntityType.VENDOR)
    await connector.create(EntityType.PURCHASE_ORDER, NEW_ORDER)
    recent = list(sap(app).faults.requests.recent)
    assert len(recent) == connector.upstream_requests == 7  # 4 pages, token, POST, read back
    assert all("sap-client=100" in r.query for r in recent)
    wrong = make(base_url, credentials={**CREDENTIALS, "client": "200"})
    with pytest.raises(AuthFailed):
        await wrong.check()


# -- writes -----------------------------------------------------------------------------------


@VERSIONS
async def test_create_a_purchase_order_by_deep_insert(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version, **ORGANIZATION)
    created = await connector.create(EntityType.PURCHASE_ORDER, NEW_ORDER)
    assert isinstance(created, PurchaseOrder)
    assert created.number == "4500000041"
    assert (created.status, created.remote_status) == (PurchaseOrderStatus.APPROVED, "02")
    assert (created.vendor_remote_id, created.currency, created.ship_to_remote_id) == (
        "17300001",
        "USD",
        "1710",
    )
    assert created.custom_fields == {"YY1_ProjectCode_PDH": "PRJ-4242"}
    assert [
        (line.line_number, line.item_remote_id, line.quantity, line.unit_price, line.amount)
        for line in created.lines
    ] == [
        ("10", "TG11", Decimal("10"), Decimal("12.50"), Decimal("125.00")),
        ("20", "TG12", Decimal("4"), Decimal("3.75"), Decimal("15.00")),
    ]
    assert [line.expected_delivery_date for line in created.lines] == [
        date(2025, 7, 15),
        date(2025, 7, 1),
    ]
    assert created.lines[0].description == "Hex bolts for line 3"
    assert created.total_amount == Decimal("140.00")
    assert etag_of(created)
    assert await order(connector, created.number) == created
    stored = sap(app).record("A_PurchaseOrder", created.number)
    assert stored is not None
    assert stored["Supplier"] == "17300001"


async def test_create_needs_the_organisation_options(
    base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    with pytest.raises(Rejected, match="company_code, purchasing_organization, purchasing_group"):
        await connector.create(EntityType.PURCHASE_ORDER, NEW_ORDER)
    with pytest.raises(Rejected, match="lines: is required"):
        await make(base_url, **ORGANIZATION).create(
            EntityType.PURCHASE_ORDER, {**NEW_ORDER, "lines": []}
        )
    with pytest.raises(Rejected, match=r"lines\[0\].colour: unknown field"):
        await make(base_url, **ORGANIZATION).create(
            EntityType.PURCHASE_ORDER, {**NEW_ORDER, "lines": [{"colour": "red"}]}
        )
    assert connector.upstream_requests == 0


@VERSIONS
async def test_sap_business_refusals_are_conflicts_with_its_message(
    base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version, **ORGANIZATION)
    with pytest.raises(Conflict) as caught:
        await connector.create(
            EntityType.PURCHASE_ORDER, {**NEW_ORDER, "vendor_remote_id": UNKNOWN_SUPPLIER}
        )
    assert f"Supplier {UNKNOWN_SUPPLIER} does not exist (06/042)" in caught.value.detail
    assert (caught.value.status_code, caught.value.stale) == (400, False)


@VERSIONS
async def test_a_released_order_takes_a_new_delivery_date(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version)
    before = await order(connector, APPROVED)
    assert before.status is PurchaseOrderStatus.APPROVED
    assert before.remote_status == "05"
    updated = await connector.update(
        EntityType.PURCHASE_ORDER, APPROVED, {"expected_delivery_date": "2025-09-30"}
    )
    assert isinstance(updated, PurchaseOrder)
    assert {line.expected_delivery_date for line in updated.lines} == {date(2025, 9, 30)}
    assert updated.expected_delivery_date == date(2025, 9, 30)
    assert updated.updated_at is not None
    assert before.updated_at is not None
    assert updated.updated_at > before.updated_at
    assert etag_of(updated) != etag_of(before)
    line = sap(app).record("A_PurchaseOrderScheduleLine", f"{APPROVED}/10/1")
    assert line is not None
    assert line["ScheduleLineDeliveryDate"] == date(2025, 9, 30)


@VERSIONS
async def test_other_changes_to_a_released_order_are_refused_by_sap(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version)
    before = await order(connector, APPROVED)
    with pytest.raises(Conflict) as caught:
        await connector.update(
            EntityType.PURCHASE_ORDER,
            APPROVED,
            {"vendor_remote_id": "17300002", "expected_delivery_date": "2025-09-30"},
        )
    assert caught.value.detail.startswith(
        f"Purchase order {APPROVED} is released; only delivery dates can be changed"
    )
    assert caught.value.detail.endswith("(06/023)")
    assert not caught.value.stale
    # the header change came first: the delivery dates were not touched
    assert await order(connector, APPROVED) == before


@VERSIONS
async def test_a_stale_version_is_a_stale_conflict(
    base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version)
    read = await order(connector, ACTIVE)
    version_read = etag_of(read)
    assert version_read is not None
    changed = await connector.update(
        EntityType.PURCHASE_ORDER, ACTIVE, {"vendor_remote_id": "17300002"}, version=version_read
    )
    assert isinstance(changed, PurchaseOrder)
    assert changed.vendor_remote_id == "17300002"
    with pytest.raises(Conflict) as caught:
        await connector.update(
            EntityType.PURCHASE_ORDER,
            ACTIVE,
            {"vendor_remote_id": "17300003"},
            version=version_read,
        )
    assert (caught.value.stale, caught.value.status_code) == (True, 412)
    assert (await order(connector, ACTIVE)).vendor_remote_id == "17300002"


@VERSIONS
async def test_an_update_across_header_item_and_schedule_line(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version)
    read = await order(connector, ACTIVE)
    changes = {
        "custom_fields": {"YY1_ProjectCode_PDH": "PRJ-0001"},
        "lines": [{"line_number": "10", "quantity": "42", "expected_delivery_date": "2025-08-01"}],
    }
    updated = await connector.update(
        EntityType.PURCHASE_ORDER, ACTIVE, changes, version=etag_of(read)
    )
    assert isinstance(updated, PurchaseOrder)
    assert updated.custom_fields["YY1_ProjectCode_PDH"] == "PRJ-0001"
    first = updated.lines[0]
    assert (first.quantity, first.expected_delivery_date) == (Decimal("42"), date(2025, 8, 1))
    # three PATCHes, each with the ETag the previous one returned; no extra read between them
    patches = [r for r in sap(app).faults.requests.recent if r.method == "PATCH"]
    assert [r.status for r in patches] == [204, 204, 204]


async def test_an_update_that_changes_nothing_sends_no_patch(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    read = await order(connector, APPROVED)
    same = await connector.update(
        EntityType.PURCHASE_ORDER,
        APPROVED,
        {
            "vendor_remote_id": read.vendor_remote_id,
            "lines": [{"line_number": "10", "quantity": "50"}],
        },
    )
    assert same == read
    assert sap(app).faults.requests.count("PATCH") == 0
    with pytest.raises(Rejected, match="has no item 99"):
        await connector.update(
            EntityType.PURCHASE_ORDER, APPROVED, {"lines": [{"line_number": "99", "quantity": 1}]}
        )
    with pytest.raises(NotFoundUpstream):
        await connector.update(EntityType.PURCHASE_ORDER, "4599999999", {"currency": "EUR"})


async def test_the_csrf_token_is_fetched_once_and_again_when_sap_requires_it(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    requests = sap(app).faults.requests
    await connector.update(
        EntityType.PURCHASE_ORDER, APPROVED, {"expected_delivery_date": "2025-09-01"}
    )
    await connector.update(
        EntityType.PURCHASE_ORDER, APPROVED, {"expected_delivery_date": "2025-09-02"}
    )
    assert requests.count("HEAD") == 1
    sap(app).expire_csrf_tokens()
    updated = await connector.update(
        EntityType.PURCHASE_ORDER, APPROVED, {"expected_delivery_date": "2025-09-03"}
    )
    assert isinstance(updated, PurchaseOrder)
    assert updated.expected_delivery_date == date(2025, 9, 3)
    assert requests.count("HEAD") == 2
    refused = [r for r in requests.recent if r.status == 403]
    assert len(refused) == 1
    assert refused[0].method == "PATCH"


@VERSIONS
async def test_delete_sets_the_deletion_code(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector], version: str
) -> None:
    connector = make(base_url, odata_version=version)
    result = await connector.delete(EntityType.PURCHASE_ORDER, ACTIVE)
    assert (result.remote_id, result.soft_deleted) == (ACTIVE, True)
    assert isinstance(result.record, PurchaseOrder)
    assert (result.record.status, result.record.remote_status) == (
        PurchaseOrderStatus.CANCELLED,
        "02 L",
    )
    ids = [i async for page in connector.list_ids(EntityType.PURCHASE_ORDER) for i in page]
    assert ACTIVE in ids  # SAP keeps deleted orders; they are CANCELLED
    patches = sap(app).faults.requests.count("PATCH")
    again = await connector.delete(EntityType.PURCHASE_ORDER, ACTIVE)
    assert again.soft_deleted
    assert sap(app).faults.requests.count("PATCH") == patches
    with pytest.raises(Conflict, match="is deleted"):
        await connector.update(EntityType.PURCHASE_ORDER, ACTIVE, {"currency": "EUR"})


async def test_maintenance_orders_are_created_and_updated(
    base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    created = await connector.create(
        EntityType.WORK_ORDER,
        {
            "title": "Replace pump seal",
            "type": "PREVENTIVE",
            "priority": "HIGH",
            "asset_remote_id": "10000002",
            "location_remote_id": "1710",
            "scheduled_start_at": "2025-07-01T08:00:00Z",
        },
    )
    assert isinstance(created, WorkOrder)
    assert (created.title, created.type, created.priority, created.status) == (
        "Replace pump seal",
        WorkOrderType.PREVENTIVE,
        WorkOrderPriority.HIGH,
        WorkOrderStatus.REQUESTED,
    )
    assert created.scheduled_start_at == datetime(2025, 7, 1, tzinfo=UTC)
    updated = await connector.update(
        EntityType.WORK_ORDER,
        created.remote_id,
        {"priority": "URGENT", "due_at": "2025-07-03"},
        version=etag_of(created),
    )
    assert isinstance(updated, WorkOrder)
    assert (updated.priority, updated.due_at) == (
        WorkOrderPriority.URGENT,
        datetime(2025, 7, 3, tzinfo=UTC),
    )
    with pytest.raises(Rejected, match="type: SAP order types"):
        await connector.create(
            EntityType.WORK_ORDER,
            {"title": "x", "location_remote_id": "1710", "type": "INSPECTION"},
        )


async def test_a_completed_maintenance_order_refuses_changes(
    base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    completed = "4000003"  # phase 2, technically completed
    with pytest.raises(Conflict, match=f"Order {completed} is completed"):
        await connector.update(EntityType.WORK_ORDER, completed, {"title": "Again"})


async def test_writes_not_offered_are_unsupported(
    base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    with pytest.raises(Unsupported):
        await connector.create(EntityType.VENDOR, {"name": "x"})
    with pytest.raises(Unsupported):
        await connector.update(EntityType.STOCK_LEVEL, "x", {})
    with pytest.raises(Unsupported):
        await connector.delete(EntityType.WORK_ORDER, "4000001")
    assert connector.upstream_requests == 0


# -- reads --------------------------------------------------------------------------------------


async def test_initial_sync_honours_the_lookback(
    base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    everything = [r for b in await batches(connector, EntityType.PURCHASE_ORDER) for r in b.records]
    lookback = ANCHOR - timedelta(days=90)
    recent = [
        r
        for b in await batches(connector, EntityType.PURCHASE_ORDER, not_before=lookback)
        for r in b.records
    ]
    assert recent
    assert len(recent) < len(everything)
    assert {r.remote_id for r in recent} == {
        r.remote_id for r in everything if r.updated_at is not None and r.updated_at >= lookback
    }
    keys = [(r.updated_at, r.remote_id) for r in recent]
    assert keys == sorted(keys, key=lambda k: (k[0] or ANCHOR, k[1]))


async def test_get_many_ids_in_few_requests(
    app: Starlette, base_url: str, make: Callable[..., SapS4HanaConnector]
) -> None:
    connector = make(base_url)
    numbers = [str(4500000001 + i) for i in range(40)]
    found = await connector.get(EntityType.PURCHASE_ORDER, [*numbers, "bogus", numbers[0]])
    assert [r.remote_id if r else None for r in found[:13]] == numbers[:13]
    assert found[13] is None  # 4500000014 cannot be mapped: not returned by a live read
    assert [r is None for r in found[-2:]] == [True, False]
    assert connector.upstream_requests <= 8  # 40 ids per request, pages of 10
    stock = "TG11/1010/101A////00000000/000000//01"
    levels = await connector.get(EntityType.STOCK_LEVEL, [stock, "TG11/1010"])
    assert levels[0] is not None
    assert levels[0].remote_id == stock
    assert levels[1] is None


async def test_a_hundred_thousand_orders_page_after_page() -> None:
    app = create_app(records=100_000, anchor=ANCHOR)
    async with serve(app) as url:
        config = ConnectionConfig(connection_id="big", instance_url=url, credentials=CREDENTIALS)
        connector = SapS4HanaConnector(config)
        try:
            pages = await batches(connector, EntityType.PURCHASE_ORDER, limit=3)
            assert [len(p.records) + len(p.failures) for p in pages] == [100, 100, 100]
            records = [r for p in pages for r in p.records if isinstance(r, PurchaseOrder)]
            assert len({r.remote_id for r in records}) == len(records)
            keys = [(r.updated_at, r.remote_id) for r in records]
            assert keys == sorted(keys, key=lambda k: (k[0] or ANCHOR, k[1]))
            last = pages[-1].checkpoint
            assert last is not None
            assert (last.updated_at, last.remote_id) == keys[-1]
            following = await batches(connector, EntityType.PURCHASE_ORDER, last, limit=1)
            assert following[0].records[0].updated_at == last.updated_at
            assert all(r.lines for r in records)
            ids = await anext(aiter(connector.list_ids(EntityType.PURCHASE_ORDER)))
            assert ids[0] == "4500000001"
            assert len(ids) == 100
        finally:
            await connector.aclose()


# -- any standards-compliant OData service ------------------------------------------------------

SERVICE = (
    "https://s4.example.com/sap/opu/odata4/sap/api_purchaseorder_2/srvd_a2x/sap/purchaseorder/0001"
)
V2_SERVICE = "https://s4.example.com/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"


def _v4_order(number: str, stamp: str, quantity: Any, price: Any) -> dict[str, Any]:
    return {
        "@odata.etag": f'W/"{number}"',
        "PurchaseOrder": number,
        "PurchasingProcessingStatus": "02",
        "LastChangeDateTime": stamp,
        "Supplier": "100",
        "DocumentCurrency": "EUR",
        "PurchaseOrderDate": "2024-05-01",
        "_PurchaseOrderItem": [
            {
                "PurchaseOrderItem": "10",
                "OrderQuantity": quantity,
                "NetPriceAmount": price,
                "Plant": "1010",
                "IsCompletelyDelivered": False,
            }
        ],
    }


async def test_relative_next_links_and_decimals_as_numbers(
    make: Callable[..., SapS4HanaConnector],
) -> None:
    pages = {
        None: {
            "@odata.context": "$metadata#PurchaseOrder",
            "value": [
                _v4_order("1", "2024-05-01T10:00:00Z", 3, 12.5),
                _v4_order("2", "2024-05-01T10:00:00.5Z", 1.25, 0.1),
            ],
            "@odata.nextLink": "PurchaseOrder?$skiptoken=2",
        },
        "2": {
            # a context URL of its own: the next link is relative to it, not to the request
            "@odata.context": f"{SERVICE}/$metadata#PurchaseOrder",
            "value": [_v4_order("3", "2024-05-02T00:00:00.123456789Z", 7, 1000000.01)],
            "@odata.nextLink": "PurchaseOrder?$skiptoken=3",
        },
        "3": {"value": [_v4_order("4", "2024-05-03T00:00:00+02:00", 1, "9.99")]},
    }
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        assert request.headers["authorization"].startswith("Basic ")
        return httpx.Response(200, json=pages[request.url.params.get("$skiptoken")])

    connector = make(
        "https://s4.example.com", transport=httpx.MockTransport(answer), odata_version="v4"
    )
    result = await batches(connector, EntityType.PURCHASE_ORDER)
    records = [r for b in result for r in b.records if isinstance(r, PurchaseOrder)]
    assert [r.remote_id for r in records] == ["1", "2", "3", "4"]
    assert [(r.lines[0].quantity, r.lines[0].unit_price) for r in records] == [
        (Decimal("3"), Decimal("12.5")),
        (Decimal("1.25"), Decimal("0.1")),
        (Decimal("7"), Decimal("1000000.01")),
        (Decimal("1"), Decimal("9.99")),
    ]
    assert records[1].lines[0].amount == Decimal("0.125")
    assert records[2].updated_at == datetime(2024, 5, 2, 0, 0, 0, 123456, tzinfo=UTC)
    assert records[3].updated_at == datetime(2024, 5, 2, 22, tzinfo=UTC)
    assert [str(u).split("?")[0] for u in seen] == [f"{SERVICE}/PurchaseOrder"] * 3
    assert [u.params.get("sap-client") for u in seen] == ["100"] * 3  # added to the links
    assert seen[0].params["$orderby"] == "LastChangeDateTime asc,PurchaseOrder asc"
    assert "$filter" not in seen[0].params
    assert [len(b.records) for b in result] == [2, 1, 1]
    checkpoint = result[-1].checkpoint
    assert checkpoint is not None
    assert checkpoint.remote_id == "4"

    seen.clear()
    await batches(connector, EntityType.PURCHASE_ORDER, checkpoint)
    assert seen[0].params["$filter"] == "LastChangeDateTime ge 2024-05-02T22:00:00Z"


async def test_v2_next_links_relative_or_on_another_host(
    make: Callable[..., SapS4HanaConnector],
) -> None:
    def entity(number: str, stamp_ms: int) -> dict[str, Any]:
        return {
            "__metadata": {"uri": f"http://internal:8000/x('{number}')", "etag": f'W/"{number}"'},
            "PurchaseOrder": number,
            "PurchasingProcessingStatus": "05",
            "LastChangeDateTime": f"/Date({stamp_ms}+0000)/",
            "to_PurchaseOrderItem": {"results": []},
        }

    pages = {
        None: {
            "d": {
                "results": [entity("1", 0)],
                "__next": "A_PurchaseOrder?$skiptoken=1&sap-client=100",
            }
        },
        "1": {
            "d": {
                "results": [entity("2", 1000)],
                # an internal host name behind a proxy: only path and query are followed
                "__next": "http://internal:8000/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder?$skiptoken=2",
            }
        },
        "2": {"d": {"results": [entity("3", 2000)]}},
    }
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json=pages[request.url.params.get("$skiptoken")])

    connector = make(
        "https://s4.example.com", transport=httpx.MockTransport(answer), odata_version="v2"
    )
    result = await batches(connector, EntityType.PURCHASE_ORDER)
    assert [r.remote_id for b in result for r in b.records] == ["1", "2", "3"]
    assert {u.host for u in seen} == {"s4.example.com"}
    assert [str(u).split("?")[0] for u in seen] == [f"{V2_SERVICE}/A_PurchaseOrder"] * 3
    assert seen[0].params["$format"] == "json"
    assert seen[1].params.get_list("sap-client") == ["100"]  # kept once, not doubled
    assert seen[2].params["sap-client"] == "100"
    assert result[-1].checkpoint == Checkpoint(
        updated_at=datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC), remote_id="3"
    )
    assert etag_of(result[0].records[0]) == 'W/"1"'


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(
                404, json={"error": {"code": "/IWFND/MED/170", "message": "No service"}}
            ),
            "SAP_COM_0053",
        ),
        (
            httpx.Response(200, html="<html><title>Welcome</title></html>"),
            "did not answer as an OData V4",
        ),
        (httpx.Response(200, json={"something": "else"}), "did not answer as an OData V4"),
    ],
)
async def test_check_explains_a_url_that_is_not_an_s4hana_host(
    make: Callable[..., SapS4HanaConnector], response: httpx.Response, message: str
) -> None:
    connector = make(
        "https://s4.example.com", transport=httpx.MockTransport(lambda _request: response)
    )
    with pytest.raises(Rejected, match=message):
        await connector.check()


async def test_a_page_without_results_is_a_server_error(
    make: Callable[..., SapS4HanaConnector],
) -> None:
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, content=json.dumps({"d": {}})))
    connector = make("https://s4.example.com", transport=transport, odata_version="v2")
    with pytest.raises(SystemUnreachable, match=r"no d\.results"):
        await batches(connector, EntityType.PURCHASE_ORDER)
