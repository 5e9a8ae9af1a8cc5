"""Ironbridge's own limits: per credential on the API (429 RATE_LIMITED with retryAfter), and
one upstream request budget per connection spent by live reads, writes and syncs alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.connectors.errors import BudgetSpent
from ironbridge.demo import create_admin_key
from ironbridge.emulators.sap import create_app as create_sap
from ironbridge.settings import Settings
from ironbridge.store import connections as connection_store
from ironbridge.sync.engine import SyncEngine
from ironbridge.upstream import UpstreamTransport
from tests.api.conftest import error_code
from tests.support.servers import serve
from tests.writes.conftest import ORGANIZATION, connect, set_options

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from starlette.applications import Starlette

    from ironbridge.services import Services
    from tests.conftest import GQL

ME = "{ connections { totalCount } }"
LIVE_ONE = (
    """query($r: String!) { connection { purchaseOrder(remoteId: $r, live: true) { id } } }"""
)
CREATE_PO = """mutation($input: PurchaseOrderCreateInput!) {
  createPurchaseOrder(input: $input) { purchaseOrder { id } } }"""
ORDER = {
    "vendorRemoteId": "17300001",
    "currency": "USD",
    "lines": [{"itemRemoteId": "TG11", "quantity": "1", "unitPrice": "1.00"}],
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # per credential: bursts of 3, then one a minute; upstream: 2 at once, no queueing
    return Settings(
        data_dir=tmp_path / "data",
        rate_limit_per_minute=1,
        rate_limit_burst=3,
        upstream_requests_per_minute=1,
        upstream_burst=2,
        upstream_max_wait=0,
    )


@pytest.fixture
async def sap() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_sap(records=30)
    async with serve(app) as base_url:
        yield app, base_url


async def test_each_credential_has_its_own_limit(gql: GQL, services: Services) -> None:
    first = await create_admin_key(services)
    second = await create_admin_key(services)
    for _ in range(3):
        await gql.data(ME, token=first)
    response = await gql.raw(ME, token=first)
    assert response.status_code == 429
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 55 <= error["extensions"]["retryAfter"] <= 60
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert response.headers["retry-after"] == str(error["extensions"]["retryAfter"])
    assert "1 requests per minute" in error["message"]
    # another credential is not affected; an unauthenticated call is still a plain 401
    await gql.data(ME, token=second)
    assert (await gql.raw(ME, token="ib_admin_nope")).status_code == 401
    metrics = (await gql.client.get("/metrics")).text
    assert "ironbridge_rate_limited_total 1.0" in metrics


async def test_live_reads_and_writes_share_the_upstream_budget(
    gql: GQL, services: Services, sap: tuple[Starlette, str]
) -> None:
    app, url = sap
    admin = await create_admin_key(services)
    creds = dict(app.state.emulator.credentials)
    # the connect check is not on a connection's budget yet (there is no connection)
    pk, token = await connect(
        gql, admin, {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds}
    )
    await set_options(services, pk, ORGANIZATION)
    codes = []
    for remote_id in ("4500000002", "4500000003", "4500000004"):
        body = await gql(LIVE_ONE, {"r": remote_id}, token=token)
        codes.append(error_code(body) if "errors" in body else "OK")
    assert codes[0] == "OK"
    assert "RATE_LIMITED" in codes
    limited = body["errors"][0]
    assert limited["extensions"]["retryAfter"] >= 1
    assert "request budget for this connection" in limited["message"]
    # a write finds the same budget spent: refused before anything is sent
    posts = app.state.emulator.faults.requests.count(method="POST")
    body = await gql(CREATE_PO, {"input": ORDER}, token=token)
    assert error_code(body) == "RATE_LIMITED"
    assert app.state.emulator.faults.requests.count(method="POST") == posts
    # every call that went out is counted in the metrics, by system
    metrics = (await gql.client.get("/metrics")).text
    assert 'ironbridge_upstream_requests_total{method="GET",status="200",system="sap-s4hana"}' in (
        metrics
    )


async def test_syncs_spend_the_same_budget(
    gql: GQL, services: Services, sap: tuple[Starlette, str]
) -> None:
    """The sync engine opens its connectors through the same budgeted transport."""
    app, url = sap
    admin = await create_admin_key(services)
    creds = dict(app.state.emulator.credentials)
    pk, token = await connect(
        gql, admin, {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds}
    )
    await gql(LIVE_ONE, {"r": "4500000002"}, token=token)  # the live read spends some
    async with services.engine.connect() as conn:
        stored = await connection_store.get_connection(conn, pk)
    assert stored is not None
    connector = SyncEngine(services)._open_connector(stored, creds)
    try:
        assert isinstance(connector.transport, UpstreamTransport)
        with pytest.raises(BudgetSpent, match="request budget for this connection"):  # noqa: PT012
            for _ in range(3):
                await connector.check()
    finally:
        await connector.aclose()


def test_a_systems_documented_limit_caps_the_shared_budget(services: Services) -> None:
    """Plex allows 200 calls a minute per tenant: the connection's budget never goes faster,
    whatever the setting; a sandbox (an in-process emulator) keeps the setting."""
    from types import SimpleNamespace

    from ironbridge.upstream import connection_connector

    def row(**values: object) -> Any:
        base = {"id": 7, "system_key": "plex", "instance_url": "https://connect.plex.com"}
        return SimpleNamespace(**{**base, "options": {}, "sandbox": False, **values})

    relaxed = services.settings.model_copy(
        update={"upstream_requests_per_minute": 6000.0, "upstream_burst": 120}
    )
    services.settings = relaxed
    creds = {"api_key": "k", "customer_id": "1"}
    real = connection_connector(services, row(), creds)
    sandbox = connection_connector(services, row(sandbox=True), {})
    sap = connection_connector(services, row(system_key="sap-s4hana"), {})
    assert isinstance(real.transport, UpstreamTransport)
    assert (real.transport._per_minute, real.transport._burst) == (200, 33)
    assert isinstance(sandbox.transport, UpstreamTransport)
    assert sandbox.transport._per_minute == 6000.0
    assert isinstance(sap.transport, UpstreamTransport)
    assert sap.transport._per_minute == 6000.0
