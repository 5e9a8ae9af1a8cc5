"""Live reads against SAP S/4HANA emulated over real HTTP: the cache answers a repeat (nothing
reaches the emulator), a write or a sync page makes the next read ask again, an outage is
SYSTEM_UNREACHABLE with retryAfter while store reads keep working."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, update

from ironbridge.app import close_services, create_services
from ironbridge.demo import create_admin_key
from ironbridge.emulators.sap import create_app as create_sap
from ironbridge.models import EntityType
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from ironbridge.store.tables import connections
from ironbridge.store.webhook_tables import events
from tests.api.conftest import error_code
from tests.support.servers import serve
from tests.writes.conftest import ORGANIZATION, connect, load_records, set_options

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from starlette.applications import Starlette

    from ironbridge.services import Services
    from tests.conftest import GQL

PO = "4500000002"
LIVE_ONE = """query($r: String!, $live: Boolean) { connection {
  purchaseOrder(remoteId: $r, live: $live) { id remoteId updatedAt deletedAt
    vendor { remoteId } lines { itemRemoteId } } } }"""
LIVE_BY_ID = (
    """query($id: ID!) { connection { purchaseOrder(id: $id, live: true) { id remoteId } } }"""
)
LIVE_LIST = """query($live: Boolean, $f: PurchaseOrderFilter) { connection {
  purchaseOrders(first: 500, live: $live, filter: $f) { totalCount nodes { remoteId updatedAt } } } }"""
LIVE_VENDORS = """{ connection { vendors(first: 5, live: true) { totalCount } } }"""
UPDATE_PO = """mutation($id: ID!, $input: PurchaseOrderUpdateInput!) {
  updatePurchaseOrder(id: $id, input: $input) { purchaseOrder { id } } }"""
DISCONNECT = """mutation($id: ID!) { disconnect(connectionId: $id) { status } }"""


@pytest.fixture(params=["memory", "redis", "redis-down"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The same tests on the in-memory cache, on Redis, and on a Redis that cannot be reached
    (every live read then asks the system: slower, never failed)."""
    import os

    redis = {
        "memory": None,
        "redis": os.environ.get("IRONBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "redis-down": "redis://127.0.0.1:1/0",
    }[request.param]
    return Settings(data_dir=tmp_path / "data", redis_url=redis)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    svc = create_services(settings)
    await migrate(svc.engine)
    yield svc
    await close_services(svc)


@pytest.fixture
async def sap() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_sap(records=30)
    async with serve(app) as base_url:
        yield app, base_url


async def _connect(gql: GQL, services: Services, sap: tuple[Starlette, str]) -> tuple[int, str]:
    app, url = sap
    admin = await create_admin_key(services)
    creds = dict(app.state.emulator.credentials)
    pk, token = await connect(
        gql, admin, {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds}
    )
    await set_options(services, pk, ORGANIZATION)
    return pk, token


def _sent(app: Starlette) -> int:
    count: int = app.state.emulator.faults.requests.count(prefix="/sap/opu")
    return count


async def _bump(services: Services, connection_id: int) -> None:
    """Move the connection's data version on, as a sync page that changed something does."""
    async with services.engine.begin() as conn:
        await conn.execute(
            update(connections)
            .where(connections.c.id == connection_id)
            .values(data_version=connections.c.data_version + 1)
        )


def _cached(settings: Settings) -> bool:
    return settings.redis_url != "redis://127.0.0.1:1/0"


async def test_a_live_read_is_cached_until_a_write(
    gql: GQL, services: Services, settings: Settings, sap: tuple[Starlette, str]
) -> None:
    app, _ = sap
    pk, token = await _connect(gql, services, sap)
    # not synced yet: the store has nothing, the system has the order
    body = await gql.data(LIVE_ONE, {"r": PO, "live": False}, token=token)
    assert body["connection"]["purchaseOrder"] is None

    before = _sent(app)
    first = (await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token))["connection"]
    order = first["purchaseOrder"]
    assert order["remoteId"] == PO
    assert order["lines"]
    assert order["deletedAt"] is None
    assert _sent(app) > before
    # written through: a store read now has it, without asking the system
    asked = _sent(app)
    stored = await gql.data(LIVE_ONE, {"r": PO, "live": False}, token=token)
    assert stored["connection"]["purchaseOrder"]["id"] == order["id"]
    # the repeat is answered from the cache: nothing reaches the emulator
    again = await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert again["connection"] == first
    assert _sent(app) == asked if _cached(settings) else _sent(app) > asked

    # a write through the API bumps the data version: the next live read asks again
    await gql.data(
        UPDATE_PO, {"id": order["id"], "input": {"expectedDeliveryDate": "2025-10-01"}}, token=token
    )
    after_write = _sent(app)
    await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert _sent(app) > after_write
    # asking by global id works the same
    by_id = await gql.data(LIVE_BY_ID, {"id": order["id"]}, token=token)
    assert by_id["connection"]["purchaseOrder"] == {"id": order["id"], "remoteId": PO}
    del pk


async def test_a_live_list_catches_up_with_the_system(
    gql: GQL, services: Services, settings: Settings, sap: tuple[Starlette, str]
) -> None:
    app, _ = sap
    emulator = app.state.emulator
    pk, token = await _connect(gql, services, sap)
    stored = await gql.data(LIVE_LIST, {"live": False}, token=token)
    assert stored["connection"]["purchaseOrders"]["totalCount"] == 0

    live = (await gql.data(LIVE_LIST, {"live": True}, token=token))["connection"]
    in_system = {
        r["PurchaseOrder"] for r in emulator.snapshot("PurchaseOrder") if r.get("PurchaseOrder")
    }
    seen = {n["remoteId"] for n in live["purchaseOrders"]["nodes"]}
    # every order the system has, but the one malformed record it cannot map
    assert seen <= in_system
    assert len(in_system - seen) <= 1
    asked = _sent(app)
    again = (await gql.data(LIVE_LIST, {"live": True}, token=token))["connection"]
    assert again == live
    assert _sent(app) == asked if _cached(settings) else _sent(app) > asked

    # an edit in the system is not in the store, but the next live read after the cache's
    # key moved (here: a write elsewhere on the connection) brings it in
    emulator.touch("PurchaseOrder", [PO])
    (vendor,) = await load_records(services, pk, EntityType.VENDOR, ["17300001"])
    del vendor
    await _bump(services, pk)
    fresh = (await gql.data(LIVE_LIST, {"live": True}, token=token))["connection"]
    stamps = {n["remoteId"]: n["updatedAt"] for n in fresh["purchaseOrders"]["nodes"]}
    before = {n["remoteId"]: n["updatedAt"] for n in live["purchaseOrders"]["nodes"]}
    assert stamps[PO] > before[PO]
    # filters apply to the caught-up store as to any read
    open_only = await gql.data(LIVE_LIST, {"live": True, "f": {"remoteIds": [PO]}}, token=token)
    assert [n["remoteId"] for n in open_only["connection"]["purchaseOrders"]["nodes"]] == [PO]


async def test_an_unreachable_system_fails_live_reads_only(
    gql: GQL, services: Services, sap: tuple[Starlette, str]
) -> None:
    app, url = sap
    pk, token = await _connect(gql, services, sap)
    await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    app.state.emulator.faults.outage = "refused"
    await _bump(services, pk)  # as a sync page would
    body = await gql(LIVE_ONE, {"r": PO, "live": True}, token=token)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "SYSTEM_UNREACHABLE"
    assert error["extensions"]["retryAfter"] >= 1
    assert error["extensions"]["requestId"]
    assert url.removeprefix("http://") in error["message"]
    body = await gql(LIVE_VENDORS, token=token)
    assert error_code(body) == "SYSTEM_UNREACHABLE"
    # the store still answers
    stored = await gql.data(LIVE_ONE, {"r": PO, "live": False}, token=token)
    assert stored["connection"]["purchaseOrder"]["remoteId"] == PO
    app.state.emulator.faults.outage = None
    back = await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert back["connection"]["purchaseOrder"]["remoteId"] == PO


async def test_cache_keys_are_scoped_by_connection(
    gql: GQL, services: Services, settings: Settings, sap: tuple[Starlette, str]
) -> None:
    app, _ = sap
    _, first = await _connect(gql, services, sap)
    _, second = await _connect(gql, services, sap)
    await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=first)
    asked = _sent(app)
    # the same question from another connection (same data version, same system) asks anew
    body = await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=second)
    assert body["connection"]["purchaseOrder"]["remoteId"] == PO
    assert _sent(app) > asked


async def test_a_record_gone_from_the_system_reads_as_deleted(
    gql: GQL, services: Services, settings: Settings, sap: tuple[Starlette, str]
) -> None:
    app, _ = sap
    pk, token = await _connect(gql, services, sap)
    await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    app.state.emulator.delete("PurchaseOrder", [PO], hard=True)
    cached = await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    # within the TTL the cache still answers; without a cache the system is asked at once
    assert (cached["connection"]["purchaseOrder"]["deletedAt"] is None) == _cached(settings)
    await _bump(services, pk)
    gone = await gql.data(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert gone["connection"]["purchaseOrder"]["deletedAt"] is not None
    stored = await gql.data(LIVE_ONE, {"r": PO, "live": False}, token=token)
    assert stored == gone


async def test_a_disconnected_connection_has_no_live_reads(
    gql: GQL, services: Services, sap: tuple[Starlette, str]
) -> None:
    app, url = sap
    admin = await create_admin_key(services)
    creds = dict(app.state.emulator.credentials)
    pk, _ = await connect(
        gql, admin, {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds}
    )
    from ironbridge.schema.ids import to_global_id

    gid = to_global_id("Connection", pk)
    await gql.data(DISCONNECT, {"id": gid}, token=admin)
    query = """query($id: ID!) { connection(id: $id) {
      purchaseOrders(live: true) { totalCount } } }"""
    body: dict[str, Any] = await gql(query, {"id": gid}, token=admin)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "live"
    body = await gql(query.replace("live: true", "live: false"), {"id": gid}, token=admin)
    assert body["data"]["connection"]["purchaseOrders"]["totalCount"] == 0


async def test_refused_credentials_need_reauthorization(
    gql: GQL, services: Services, sap: tuple[Starlette, str]
) -> None:
    """A live read the system refuses moves the connection to REAUTH_REQUIRED, as a sync
    would; the next live read says so without asking the system."""
    app, _ = sap
    pk, token = await _connect(gql, services, sap)
    app.state.emulator.faults.revoked_credentials = True
    body = await gql(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert error_code(body) == "REAUTH_REQUIRED"
    async with services.engine.connect() as conn:
        kinds = (await conn.execute(select(events.c.type))).scalars().all()
    assert "connection.reauthorization_required" in kinds
    status = await gql.data(
        "{ connection { status syncStatus { nextScheduledSyncAt } } }", token=token
    )
    assert status["connection"] == {
        "status": "REAUTH_REQUIRED",
        "syncStatus": {"nextScheduledSyncAt": None},
    }
    asked = _sent(app)
    body = await gql(LIVE_ONE, {"r": PO, "live": True}, token=token)
    assert error_code(body) == "REAUTH_REQUIRED"
    assert _sent(app) == asked
    del pk
