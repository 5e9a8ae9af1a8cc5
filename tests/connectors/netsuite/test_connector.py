"""The NetSuite connector against its emulator over real HTTP: token flow, paging, writes."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import jwt
import pytest

from ironbridge.connectors.base import Batch, Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    Unsupported,
)
from ironbridge.connectors.netsuite import NetSuiteConnector
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.emulators.netsuite import (
    SUITEQL_PATH,
    TOKEN_PATH,
    NetSuiteEmulator,
    create_app,
    make_certificate,
)
from ironbridge.models import EntityType, PurchaseOrder, PurchaseOrderStatus
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from starlette.applications import Starlette

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
RECORDS = 30


@pytest.fixture
def app() -> Starlette:
    return create_app(records=RECORDS, work_orders=8, anchor=ANCHOR)


@pytest.fixture
def emulator(app: Starlette) -> NetSuiteEmulator:
    emulator: NetSuiteEmulator = app.state.emulator
    return emulator


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def connector(base_url: str, emulator: NetSuiteEmulator) -> AsyncIterator[NetSuiteConnector]:
    made = connect(base_url, emulator.credentials, page_size=7)
    yield made
    await made.aclose()


def connect(base_url: str, credentials: Mapping[str, str], **options: Any) -> NetSuiteConnector:
    config = ConnectionConfig(
        connection_id="netsuite-test",
        instance_url=base_url,
        credentials=dict(credentials),
        options=options,
    )
    return NetSuiteConnector(config)


async def fetch(
    connector: NetSuiteConnector, entity: EntityType, since: Checkpoint | None = None
) -> list[Batch]:
    async with contextlib.aclosing(connector.fetch_changes(entity, since)) as batches:
        return [batch async for batch in batches]


def ids_of(batches: list[Batch]) -> list[str]:
    return [record.remote_id for batch in batches for record in batch.records]


# -- declarations ---------------------------------------------------------------------------------


def test_the_connector_declares_what_netsuite_has() -> None:
    system = NetSuiteConnector.system
    assert (system.key, system.name) == ("netsuite", "Oracle NetSuite")
    assert [f.name for f in system.auth_fields] == [
        "account_id",
        "client_id",
        "certificate_id",
        "private_key",
        "scope",
    ]
    assert [f.name for f in system.auth_fields if f.secret] == ["private_key"]
    entities = NetSuiteConnector.entities
    assert EntityType.WORK_ORDER not in entities  # maintenance is not a NetSuite thing
    assert EntityType.ASSET not in entities
    assert entities[EntityType.STOCK_LEVEL].incremental is False
    assert entities[EntityType.PURCHASE_ORDER].delete is True
    assert ConnectorRegistry.default(discover=False).get("netsuite") is NetSuiteConnector


# -- the token flow -------------------------------------------------------------------------------


async def test_one_token_serves_many_requests_and_is_renewed_when_it_ends(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    await connector.check()
    await fetch(connector, EntityType.LOCATION)
    requests = emulator.faults.requests
    assert requests.count("POST", TOKEN_PATH) == 1
    emulator.expire_tokens()
    await connector.check()
    assert requests.count("POST", TOKEN_PATH) == 2
    assert connector.upstream_requests == requests.total


async def test_the_assertion_is_what_netsuite_asks_for(
    base_url: str, emulator: NetSuiteEmulator
) -> None:
    connector = connect(base_url, emulator.credentials)
    assertion = connector.client.auth._credential  # type: ignore[attr-defined]
    token = assertion()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    await connector.aclose()
    assert header == {
        "alg": "ES256",
        "kid": emulator.certificate.certificate_id,
        "typ": "JWT",
    }
    assert claims["iss"] == emulator.client_id
    assert claims["aud"] == base_url + TOKEN_PATH
    assert claims["scope"] == ["rest_webservices"]
    assert claims["exp"] - claims["iat"] <= 3600


async def test_an_rsa_certificate_signs_with_ps256() -> None:
    app = create_app(records=3, anchor=ANCHOR, key_type="rsa")
    emulator: NetSuiteEmulator = app.state.emulator
    async with serve(app) as base_url:
        connector = connect(base_url, emulator.credentials)
        await connector.check()
        assert connector.client.credentials.algorithm == "PS256"
        await connector.aclose()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"certificate_id": "unknown"}, "token request refused"),
        ({"private_key": make_certificate().private_key_pem}, "invalid_grant"),
        ({"client_id": "f" * 64}, "invalid_client"),
        ({"private_key": "not a key"}, "not an unencrypted PEM private key"),
        ({"client_id": ""}, "missing credentials: client_id"),
        ({"scope": "restlets"}, "must include rest_webservices"),
        ({"private_key": make_certificate("ec").private_key_pem.replace("PRIVATE", "X")}, "PEM"),
    ],
)
async def test_bad_credentials_are_auth_failed(
    base_url: str, emulator: NetSuiteEmulator, change: dict[str, str], message: str
) -> None:
    connector = connect(base_url, {**emulator.credentials, **change})
    with pytest.raises(AuthFailed, match=message):
        await connector.check()
    await connector.aclose()


async def test_the_instance_url_must_be_the_accounts_domain(emulator: NetSuiteEmulator) -> None:
    connector = connect("https://7654321.suitetalk.api.netsuite.com", emulator.credentials)
    with pytest.raises(Rejected, match=r"https://1234567\.suitetalk\.api\.netsuite\.com"):
        await connector.check()
    sandbox = connect(
        "https://1234567-sb1.suitetalk.api.netsuite.com",
        {**emulator.credentials, "account_id": "1234567_SB1"},
    )
    assert sandbox.client.credentials.account_id == "1234567_SB1"


# -- reading --------------------------------------------------------------------------------------


async def test_purchase_orders_page_through_suiteql_and_the_record_api(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    batches = await fetch(connector, EntityType.PURCHASE_ORDER)
    assert len(batches) == 5  # 30 orders in SuiteQL pages of 7
    seen = ids_of(batches)
    malformed = emulator.dataset.scenario_id("malformed")
    assert sorted([*seen, malformed]) == [str(10001 + i) for i in range(RECORDS)]
    failures = [f for b in batches for f in b.failures]
    assert [(f.remote_id, f.entity) for f in failures] == [(malformed, "PURCHASE_ORDER")]
    orders = [r for b in batches for r in b.records if isinstance(r, PurchaseOrder)]
    assert {o.status for o in orders} == set(PurchaseOrderStatus)
    assert {o.currency for o in orders} <= {"USD", "EUR"}
    last = batches[-1].checkpoint
    assert last is not None
    assert last.remote_id == str(10000 + RECORDS)
    assert last.updated_at == max(o.updated_at for o in orders if o.updated_at)
    suiteql = emulator.faults.requests.count("POST", SUITEQL_PATH)
    assert suiteql == 5 + 1  # the pages, and the account's currencies once


async def test_records_changed_while_paging_are_not_skipped(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    seen: list[str] = []
    async with contextlib.aclosing(
        connector.fetch_changes(EntityType.PURCHASE_ORDER, None)
    ) as batches:
        async for batch in batches:
            if not seen:
                # an order already read moves to the end: an offset walk would skip one
                emulator.touch("purchaseOrder", [batch.records[0].remote_id])
            seen += [r.remote_id for r in batch.records]
    assert set(seen) >= {str(10001 + i) for i in range(RECORDS)} - {
        emulator.dataset.scenario_id("malformed")
    }
    assert seen.count(seen[0]) == 2


async def test_incremental_fetch_starts_at_the_checkpoint_second(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    checkpoint = (await fetch(connector, EntityType.VENDOR))[-1].checkpoint
    assert checkpoint is not None
    assert checkpoint.updated_at is not None
    emulator.touch("vendor", ["2003"], at=checkpoint.updated_at + timedelta(seconds=1))
    changed = ids_of(await fetch(connector, EntityType.VENDOR, checkpoint))
    assert changed == [checkpoint.remote_id, "2003"]


async def test_not_before_bounds_the_first_sync(connector: NetSuiteConnector) -> None:
    after = datetime(2025, 3, 1, tzinfo=UTC)
    batches: list[Batch] = []
    async with contextlib.aclosing(
        connector.fetch_changes(EntityType.PRODUCTION_ORDER, None, not_before=after)
    ) as pages:
        batches = [batch async for batch in pages]
    records = [r for b in batches for r in b.records]
    assert records
    assert all(r.updated_at is not None and r.updated_at >= after for r in records)


async def test_the_account_time_zone_reads_stamps_right() -> None:
    app = create_app(records=6, anchor=ANCHOR, timezone="Europe/Berlin")
    emulator: NetSuiteEmulator = app.state.emulator
    async with serve(app) as base_url:
        connector = connect(base_url, emulator.credentials, timezone="Europe/Berlin")
        batches = await fetch(connector, EntityType.PURCHASE_ORDER)
        checkpoint = batches[-1].checkpoint
        assert checkpoint is not None
        newest = max(r.updated_at for b in batches for r in b.records if r.updated_at)
        assert checkpoint.updated_at == newest
        emulator.touch("purchaseOrder", ["10002"])
        assert ids_of(await fetch(connector, EntityType.PURCHASE_ORDER, checkpoint))[-1] == "10002"
        await connector.aclose()
    with pytest.raises(Rejected, match="timezone"):
        await connect(base_url, emulator.credentials, timezone="Mars/Olympus").check()


async def test_stock_is_a_snapshot_of_every_item_and_location(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    batches = await fetch(connector, EntityType.STOCK_LEVEL)
    assert [b.complete_snapshot for b in batches] == [False] * (len(batches) - 1) + [True]
    levels = [r for b in batches for r in b.records]
    assert len(levels) == len(emulator.snapshot("inventoryitemlocations"))
    empty = [lv for lv in levels if lv.item_remote_id == "3003"]
    assert empty
    assert all(lv.quantity_on_hand == 0 for lv in empty)
    listed = [i async for page in connector.list_ids(EntityType.STOCK_LEVEL) for i in page]
    assert listed == [lv.remote_id for lv in levels]
    found = await connector.get(EntityType.STOCK_LEVEL, ["3001:4", "nonsense", "3001:2"])
    assert [r.remote_id if r else None for r in found] == ["3001:4", None, "3001:2"]


async def test_list_ids_and_get(connector: NetSuiteConnector) -> None:
    pages = [page async for page in connector.list_ids(EntityType.INVENTORY_ITEM)]
    assert [len(p) for p in pages] == [7] * 6 + [6]
    found = await connector.get(EntityType.VENDOR, ["2002", "999", "x", "2001"])
    assert [r.remote_id if r else None for r in found] == ["2002", None, None, "2001"]


async def test_entities_netsuite_does_not_have_are_refused(connector: NetSuiteConnector) -> None:
    with pytest.raises(Rejected, match="NetSuite has no WORK_ORDER"):
        await connector.get(EntityType.WORK_ORDER, ["1"])
    with pytest.raises(Unsupported):
        await connector.create(EntityType.VENDOR, {"name": "x"})


# -- writes ---------------------------------------------------------------------------------------

NEW_ORDER: dict[str, Any] = {
    "vendor_remote_id": "2004",
    "order_date": "2025-06-02",
    "expected_delivery_date": "2025-06-20",
    "currency": "USD",
    "description": "Spindle bearings",
    "ship_to_remote_id": "2",
    "custom_fields": {"custbody_ib_project_code": "PRJ-1"},
    "lines": [
        {"item_remote_id": "3002", "quantity": "4", "unit_price": "12.50"},
        {"item_remote_id": "3005", "quantity": 1, "description": "Motor, spare"},
    ],
}


async def test_create_posts_then_reads_back(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    order = await connector.create(EntityType.PURCHASE_ORDER, NEW_ORDER)
    assert isinstance(order, PurchaseOrder)
    assert order.remote_id == "9000001"
    assert (order.status, order.vendor_remote_id, order.currency) == (
        PurchaseOrderStatus.APPROVED,
        "2004",
        "USD",
    )
    assert order.custom_fields == {"custbody_ib_project_code": "PRJ-1"}
    assert [(ln.item_remote_id, ln.quantity, ln.amount) for ln in order.lines] == [
        ("3002", Decimal(4), Decimal(50)),
        ("3005", Decimal(1), order.lines[1].unit_price),
    ]
    assert order.lines[1].description == "Motor, spare"
    stored = emulator.record("purchaseOrder", "9000001")
    assert stored is not None
    assert stored["memo"] == "Spindle bearings"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vendor_remote_id": None}, "vendor_remote_id: is required"),
        ({"lines": []}, "lines: must not be empty"),
        ({"currency": "JPY"}, "currency: JPY is not a currency of this account"),
        ({"lines": [{"quantity": 1}]}, r"lines\[0\].item_remote_id: is required"),
        ({"lines": [{"item_remote_id": "3001", "unit_of_measure": "EA", "quantity": 1}]},
         r"lines\[0\].unit_of_measure: unknown field"),
        ({"custom_fields": {"custcol_x": 1}}, "custom_fields: custcol_x"),
        ({"expected_delivery_date": "2025-05-01"}, "is before the order date"),
    ],
)  # fmt: skip
async def test_create_input_is_checked_before_sending(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(Rejected, match=message):
        await connector.create(EntityType.PURCHASE_ORDER, {**NEW_ORDER, **change})
    assert emulator.faults.requests.count("POST", "/services/rest/record/v1/purchaseOrder") == 0


async def test_netsuite_refusals_keep_netsuite_words(connector: NetSuiteConnector) -> None:
    with pytest.raises(Rejected, match="Invalid Field Value 2999 for the following field: entity"):
        await connector.create(EntityType.PURCHASE_ORDER, {**NEW_ORDER, "vendor_remote_id": "2999"})


async def test_update_replaces_lines_closes_and_approves(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    created = await connector.create(EntityType.PURCHASE_ORDER, NEW_ORDER)
    changed = await connector.update(
        EntityType.PURCHASE_ORDER,
        created.remote_id,
        {
            "description": "Spindle bearings, revised",
            "lines": [{"item_remote_id": "3004", "quantity": 2}],
            "custom_fields": {"custbody_ib_project_code": "PRJ-2"},
        },
    )
    assert isinstance(changed, PurchaseOrder)
    assert changed.description == "Spindle bearings, revised"
    assert [(ln.item_remote_id, ln.quantity) for ln in changed.lines] == [("3004", Decimal(2))]
    assert changed.custom_fields == {"custbody_ib_project_code": "PRJ-2"}
    closed = await connector.update(
        EntityType.PURCHASE_ORDER, created.remote_id, {"status": "CANCELLED"}
    )
    assert (closed.status, getattr(closed, "remote_status", None)) == (
        PurchaseOrderStatus.CANCELLED,
        "H",
    )
    pending = emulator.dataset.scenario_id("pending_approval")
    assert pending is not None
    approved = await connector.update(EntityType.PURCHASE_ORDER, pending, {"status": "APPROVED"})
    assert approved.status is PurchaseOrderStatus.APPROVED
    with pytest.raises(Rejected, match="NetSuite derives RECEIVED"):
        await connector.update(EntityType.PURCHASE_ORDER, pending, {"status": "RECEIVED"})


@pytest.mark.parametrize("scenario", ["fully_billed", "closed"])
async def test_a_billed_or_closed_order_refuses_changes_as_a_conflict(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator, scenario: str
) -> None:
    record_id = emulator.dataset.scenario_id(scenario)
    assert record_id is not None
    with pytest.raises(Conflict) as caught:
        await connector.update(EntityType.PURCHASE_ORDER, record_id, {"description": "late"})
    assert "it cannot be modified" in caught.value.detail
    assert caught.value.status_code == 400


async def test_delete_and_its_refusal(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    planned = emulator.dataset.scenario_id("planned")
    received = emulator.dataset.scenario_id("pending_bill")
    assert planned is not None
    assert received is not None
    result = await connector.delete(EntityType.PURCHASE_ORDER, planned)
    assert (result.remote_id, result.soft_deleted) == (planned, False)
    assert (await connector.get(EntityType.PURCHASE_ORDER, [planned])) == [None]
    with pytest.raises(Conflict, match="it has dependent records"):
        await connector.delete(EntityType.PURCHASE_ORDER, received)
    with pytest.raises(NotFoundUpstream):
        await connector.delete(EntityType.PURCHASE_ORDER, planned)


async def test_inventory_items_are_created_and_updated(connector: NetSuiteConnector) -> None:
    item = await connector.create(
        EntityType.INVENTORY_ITEM,
        {"number": "TG-7001", "name": "Coupling 20 mm", "unit_cost": "14.2"},
    )
    assert (getattr(item, "number", None), getattr(item, "unit_cost", None)) == (
        "TG-7001",
        Decimal("14.2"),
    )
    retired = await connector.update(EntityType.INVENTORY_ITEM, item.remote_id, {"active": False})
    assert getattr(retired, "active", None) is False
    with pytest.raises(Conflict, match="already used"):
        await connector.create(EntityType.INVENTORY_ITEM, {"number": "TG-7001", "name": "Again"})


# -- governance -----------------------------------------------------------------------------------


async def test_the_concurrency_limit_is_rate_limited_without_retry_after(
    connector: NetSuiteConnector, emulator: NetSuiteEmulator
) -> None:
    await connector.check()
    emulator.concurrency_limit = 1
    emulator.in_flight = 1  # another integration holds the account's only slot
    try:
        with pytest.raises(RateLimited) as caught:
            await connector.check()
    finally:
        emulator.in_flight = 0
    assert caught.value.retry_after == 5.0
    assert "Concurrent request limit exceeded" in caught.value.detail
    await connector.check()
