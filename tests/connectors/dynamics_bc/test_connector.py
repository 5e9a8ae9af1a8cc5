"""Business Central specifics at connector level, over real HTTP against the emulator: the
Entra token flow, URL and company settings, server-driven paging, writes with ETags, and the
error codes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.base import Checkpoint, ConnectionConfig
from ironbridge.connectors.dynamics_bc import DynamicsBcConnector
from ironbridge.connectors.dynamics_bc.connector import classify
from ironbridge.connectors.dynamics_bc.settings import parse_settings
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    Rejected,
    SystemUnreachable,
)
from ironbridge.connectors.factory import open_connector
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.emulators.dynamics_bc import PO_SCENARIOS, create_app, guid
from ironbridge.models import EntityType, PurchaseOrder, PurchaseOrderStatus
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from starlette.applications import Starlette

    from ironbridge.emulators.dynamics_bc import DynamicsBcEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
DRAFT = guid(5, PO_SCENARIOS.index("draft"))
OPEN = guid(5, PO_SCENARIOS.index("open"))
PARTIAL = guid(5, PO_SCENARIOS.index("partially_received"))


@pytest.fixture
async def bc() -> AsyncIterator[tuple[Starlette, str]]:
    app = create_app(records=40, anchor=ANCHOR)
    async with serve(app) as base_url:
        yield app, base_url


def emulator(app: Starlette) -> DynamicsBcEmulator:
    found: DynamicsBcEmulator = app.state.emulator
    return found


@pytest.fixture
async def make(bc: tuple[Starlette, str]) -> AsyncIterator[Callable[..., DynamicsBcConnector]]:
    app, base_url = bc
    made: list[DynamicsBcConnector] = []
    state = emulator(app)

    def build(
        *,
        credentials: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
        url: str | None = None,
    ) -> DynamicsBcConnector:
        config = ConnectionConfig(
            connection_id="bc-test",
            instance_url=url or f"{base_url}/v2.0/{state.tenant}/{state.environment}",
            credentials=credentials if credentials is not None else dict(state.credentials),
            options=options or {},
        )
        connector = DynamicsBcConnector(config)
        made.append(connector)
        return connector

    yield build
    for connector in made:
        await connector.aclose()


def token_posts(app: Starlette) -> int:
    return emulator(app).faults.requests.count("POST", prefix=f"/{emulator(app).tenant}/oauth2")


# -- the token flow and the settings ----------------------------------------------------------


async def test_one_token_serves_many_requests_and_an_expired_one_is_renewed(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    app, _ = bc
    connector = make()
    await connector.check()
    await connector.get(EntityType.VENDOR, [guid(2, 0)])
    assert token_posts(app) == 1
    emulator(app).tokens.clear()  # the token expired or was invalidated
    found = await connector.get(EntityType.VENDOR, [guid(2, 1)])
    assert found[0] is not None
    assert token_posts(app) == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"credentials": {"client_secret": "wrong"}}, "AADSTS7000215"),
        ({"credentials": {"client_id": "00000000-1111-2222-3333-444444444444"}}, "AADSTS700016"),
        ({"tenant": "contoso.onmicrosoft.com"}, "AADSTS90002"),
    ],
    ids=["wrong-secret", "unknown-app", "unknown-tenant"],
)
async def test_token_refusals_are_auth_failures_with_entras_code(
    bc: tuple[Starlette, str],
    make: Callable[..., DynamicsBcConnector],
    change: dict[str, Any],
    code: str,
) -> None:
    app, base_url = bc
    state = emulator(app)
    credentials = {**state.credentials, **change.get("credentials", {})}
    tenant = change.get("tenant", state.tenant)
    connector = make(credentials=credentials, url=f"{base_url}/v2.0/{tenant}/Production")
    with pytest.raises(AuthFailed) as caught:
        await connector.check()
    assert code in caught.value.detail


async def test_an_unknown_environment_is_rejected_with_the_expected_url(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    app, base_url = bc
    connector = make(url=f"{base_url}/v2.0/{emulator(app).tenant}/Sandbox")
    with pytest.raises(Rejected, match="must name the tenant and an existing environment"):
        await connector.check()


def test_a_server_instance_is_given_by_its_service_root() -> None:
    config = ConnectionConfig(
        connection_id="x",
        instance_url="https://bc.contoso.local:7048/BC/api/v2.0/companies",
        credentials={"client_id": "a", "client_secret": "b"},
        options={"tenant": "contoso.onmicrosoft.com"},
    )
    settings = parse_settings(config)
    assert settings.root == "https://bc.contoso.local:7048/BC"
    assert settings.token_url == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    )
    bare = ConnectionConfig(
        connection_id="x", instance_url="http://127.0.0.1:8000", credentials=config.credentials
    )
    assert parse_settings(bare).token_url == "/oauth2/v2.0/token"


async def test_the_emulators_host_root_works_as_an_instance_url(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    _, base_url = bc
    connector = make(url=base_url)
    await connector.check()
    assert (await connector.get(EntityType.PURCHASE_ORDER, [OPEN]))[0] is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://api.businesscentral.dynamics.com/v2.0/tenant-a",
        "https://api.businesscentral.dynamics.com/",
        "not a url",
        "https://api.businesscentral.dynamics.com/v2.0/tenant-a/api/v2.0",
    ],
)
def test_an_instance_url_without_tenant_and_environment_is_rejected(url: str) -> None:
    config = ConnectionConfig(
        connection_id="x", instance_url=url, credentials={"client_id": "a", "client_secret": "b"}
    )
    with pytest.raises(Rejected):
        parse_settings(config)


def test_settings_of_business_central_online() -> None:
    config = ConnectionConfig(
        connection_id="x",
        instance_url="https://api.businesscentral.dynamics.com/v2.0/tenant-a/Production/api/v2.0/",
        credentials={"client_id": "a", "client_secret": "b"},
        options={"company_name": "CRONUS USA, Inc.", "page_size": "500"},
    )
    settings = parse_settings(config)
    assert settings.root == "https://api.businesscentral.dynamics.com/v2.0/tenant-a/Production"
    assert settings.token_url == "https://login.microsoftonline.com/tenant-a/oauth2/v2.0/token"
    assert settings.read_headers == {"Prefer": "odata.maxpagesize=500"}
    assert settings.company_name == "CRONUS USA, Inc."
    with pytest.raises(AuthFailed):
        parse_settings(ConnectionConfig(connection_id="x", instance_url=config.instance_url))
    bad = ConnectionConfig(
        connection_id="x",
        instance_url=config.instance_url,
        credentials=config.credentials,
        options={"page_size": 50000},
    )
    with pytest.raises(Rejected, match="page_size"):
        parse_settings(bad)


async def test_the_company_is_chosen_by_name_or_id(
    make: Callable[..., DynamicsBcConnector],
) -> None:
    empty = make(options={"company_name": "my company"})
    batches = [b async for b in empty.fetch_changes(EntityType.PURCHASE_ORDER, None)]
    assert sum(len(b.records) for b in batches) == 0
    by_id = make(options={"company_id": "00000001-0000-4000-8000-000000000001"})
    assert (await by_id.get(EntityType.PURCHASE_ORDER, [OPEN]))[0] is not None
    unknown = make(options={"company_name": "Fabrikam"})
    with pytest.raises(Rejected, match=r"CRONUS USA, Inc\., My Company"):
        await unknown.check()


# -- reading ----------------------------------------------------------------------------------


async def test_pages_follow_next_links_and_checkpoint_each_page(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    app, _ = bc
    connector = make(options={"page_size": 6})
    batches = [b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, None)]
    assert len(batches) == 7  # 40 orders, 6 a page
    stamps = [b.checkpoint.updated_at for b in batches if b.checkpoint is not None]
    assert len(stamps) == 7
    assert stamps == sorted(stamps)
    requests = [r for r in emulator(app).faults.requests.recent if r.path.endswith("Orders")]
    assert all("skiptoken" in r.query for r in requests[1:])
    # resuming from the third page's checkpoint reads the rest, from the record at its stamp
    rest = [
        b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, batches[2].checkpoint)
    ]
    expected = {batches[2].records[-1].remote_id} | {
        r.remote_id for b in batches[3:] for r in b.records
    }
    assert {r.remote_id for b in rest for r in b.records} == expected


async def test_first_sync_honours_the_lookback_window(
    make: Callable[..., DynamicsBcConnector],
) -> None:
    connector = make()
    since = datetime(2025, 3, 1, tzinfo=UTC)
    batches = [
        b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, None, not_before=since)
    ]
    records = [r for b in batches for r in b.records]
    assert records
    assert all(r.updated_at is not None and r.updated_at >= since for r in records)


async def test_line_changes_are_seen_through_their_order(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    connector = make()
    first = [b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, None)]
    checkpoint = first[-1].checkpoint
    await connector.update(
        EntityType.PURCHASE_ORDER, DRAFT, {"lines": [{"line_number": "10000", "quantity": 3}]}
    )
    changed = [b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, checkpoint)]
    orders = {r.remote_id: r for b in changed for r in b.records}
    order = orders[DRAFT]
    assert isinstance(order, PurchaseOrder)
    assert order.lines[0].quantity == Decimal(3)


# -- writes -----------------------------------------------------------------------------------


async def test_create_update_lines_and_delete(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    app, _ = bc
    connector = make()
    before = emulator(app).faults.requests.count("POST", prefix="/v2.0/")
    created = await connector.create(
        EntityType.PURCHASE_ORDER,
        {
            "vendor_remote_id": guid(2, 1),
            "ship_to_remote_id": guid(4, 1),
            "expected_delivery_date": datetime(2025, 7, 1).date(),
            "lines": [{"item_remote_id": guid(3, 0), "quantity": Decimal(4)}],
        },
    )
    assert emulator(app).faults.requests.count("POST", prefix="/v2.0/") == before + 1
    assert isinstance(created, PurchaseOrder)
    assert created.status is PurchaseOrderStatus.DRAFT
    assert created.ship_to_remote_id == guid(4, 1)
    assert created.lines[0].unit_price == Decimal("9.5")  # the item's unit cost
    updated = await connector.update(
        EntityType.PURCHASE_ORDER,
        created.remote_id,
        {
            "currency": "EUR",
            "lines": [
                {"line_number": "10000", "quantity": Decimal(6), "unit_price": Decimal("8.25")},
                {"item_remote_id": guid(3, 1), "quantity": Decimal(1)},
            ],
        },
    )
    assert isinstance(updated, PurchaseOrder)
    assert updated.currency == "EUR"
    assert [(line.line_number, line.quantity) for line in updated.lines] == [
        ("10000", Decimal(6)),
        ("20000", Decimal(1)),
    ]
    assert updated.total_amount == Decimal("61.1")  # 6 x 8.25 + 1 x 11.6
    result = await connector.delete(EntityType.PURCHASE_ORDER, created.remote_id)
    assert not result.soft_deleted
    assert (await connector.get(EntityType.PURCHASE_ORDER, [created.remote_id])) == [None]


async def test_a_stale_version_is_a_stale_conflict(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    connector = make()
    (order,) = await connector.get(EntityType.PURCHASE_ORDER, [DRAFT])
    assert order is not None
    assert order.remote_data is not None
    version = order.remote_data["@odata.etag"]
    emulator(bc[0]).touch("purchaseOrders", [DRAFT])  # someone else changed it
    with pytest.raises(Conflict) as caught:
        await connector.update(
            EntityType.PURCHASE_ORDER, DRAFT, {"currency": "EUR"}, version=version
        )
    assert caught.value.stale
    assert caught.value.status_code == 412
    assert "Request_EntityChanged" in caught.value.detail


async def test_business_rules_are_conflicts_with_business_centrals_message(
    make: Callable[..., DynamicsBcConnector],
) -> None:
    connector = make()
    with pytest.raises(Conflict, match="Current value is 'Released'") as caught:
        await connector.update(EntityType.PURCHASE_ORDER, OPEN, {"currency": "EUR"})
    assert not caught.value.stale
    with pytest.raises(Conflict, match="received"):
        await connector.delete(EntityType.PURCHASE_ORDER, PARTIAL)
    with pytest.raises(Conflict, match=r"related table \(Vendor\)"):
        await connector.create(
            EntityType.PURCHASE_ORDER,
            {"vendor_remote_id": guid(2, 999), "lines": [{"item_remote_id": guid(3, 0)}]},
        )
    with pytest.raises(Conflict, match="blocked with type All"):
        await connector.create(
            EntityType.PURCHASE_ORDER,
            {"vendor_remote_id": guid(2, 3), "lines": [{"item_remote_id": guid(3, 0)}]},
        )
    updated = await connector.update(
        EntityType.PURCHASE_ORDER, OPEN, {"expected_delivery_date": datetime(2025, 9, 1).date()}
    )
    assert isinstance(updated, PurchaseOrder)
    assert updated.expected_delivery_date == datetime(2025, 9, 1).date()


async def test_invalid_write_input_is_rejected_before_sending(
    bc: tuple[Starlette, str], make: Callable[..., DynamicsBcConnector]
) -> None:
    app, _ = bc
    connector = make()
    await connector.check()
    sent = emulator(app).faults.requests.count()
    with pytest.raises(Rejected, match="item_remote_id"):
        await connector.create(
            EntityType.PURCHASE_ORDER, {"vendor_remote_id": guid(2, 1), "lines": [{"quantity": 1}]}
        )
    with pytest.raises(Rejected, match="custom_fields"):
        await connector.create(
            EntityType.PURCHASE_ORDER,
            {"vendor_remote_id": guid(2, 1), "lines": [], "custom_fields": {"a": 1}},
        )
    assert emulator(app).faults.requests.count() == sent


# -- answers parsed safely --------------------------------------------------------------------


def _answer(status: int, body: Any) -> httpx.Response:
    request = httpx.Request("PATCH", "https://bc.example/api/v2.0/x")
    return httpx.Response(status, json=body, request=request)


def test_error_codes_are_classified() -> None:
    stale = classify(_answer(409, {"error": {"code": "Request_EntityChanged", "message": "m"}}))
    assert isinstance(stale, Conflict)
    assert stale.stale
    rule = classify(
        _answer(400, {"error": {"code": "Application_DialogException", "message": "no"}})
    )
    assert isinstance(rule, Conflict)
    assert not rule.stale
    assert "no" in rule.detail
    bad = classify(_answer(400, {"error": {"code": "BadRequest", "message": "syntax"}}))
    assert isinstance(bad, Rejected)
    assert (
        classify(_answer(404, {"error": {"code": "BadRequest_NotFound", "message": "x"}})) is None
    )
    assert classify(_answer(400, ["not", "an", "error"])) is None
    assert classify(_answer(200, {"value": []})) is None


async def test_a_page_that_is_not_json_is_a_server_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3599})
        if request.url.path.endswith("/companies"):
            return httpx.Response(200, json={"value": [{"id": "c1", "name": "C"}]})
        return httpx.Response(200, text="<html>maintenance</html>")

    config = ConnectionConfig(
        connection_id="x",
        instance_url="https://bc.example/v2.0/t/Production",
        credentials={"client_id": "a", "client_secret": "b"},
    )
    connector = DynamicsBcConnector(config, transport=httpx.MockTransport(answer))
    try:
        with pytest.raises(SystemUnreachable, match="not JSON"):
            [b async for b in connector.fetch_changes(EntityType.VENDOR, Checkpoint())]
    finally:
        await connector.aclose()


async def test_a_sandbox_connection_reads_the_in_process_emulator() -> None:
    registry = ConnectorRegistry.default(discover=False)
    connector = open_connector(
        registry,
        "dynamics-bc",
        connection_id="sandbox",
        instance_url="",
        credentials={},
        sandbox=True,
    )
    try:
        await connector.check()
        batches = [b async for b in connector.fetch_changes(EntityType.PURCHASE_ORDER, None)]
    finally:
        await connector.aclose()
    statuses = {r.status for b in batches for r in b.records if isinstance(r, PurchaseOrder)}
    assert {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.RECEIVED} <= statuses
    assert [f.remote_id for b in batches for f in b.failures] == [guid(5, 8)]
