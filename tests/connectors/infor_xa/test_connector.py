"""Infor XA specifics over real HTTP: safe XML parsing, session renewal, the ION token flow,
paging past moreResults and the approved-order rule."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.errors import AuthFailed, Conflict, SystemUnreachable
from ironbridge.connectors.infor_xa import InforXaConnector
from ironbridge.models import EntityType, PurchaseOrderStatus
from tests.connectors.infor_xa.harness import make_app, xa
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.emulators.control import EmulatorApp


@pytest.fixture
async def running() -> AsyncIterator[tuple[EmulatorApp, str]]:
    app = make_app()
    async with serve(app) as base_url:
        yield app, base_url


def _connector(base_url: str, credentials: dict[str, str]) -> InforXaConnector:
    config = ConnectionConfig(
        connection_id="xa-test", instance_url=base_url, credentials=credentials,
        options={"page_size": 7},
    )  # fmt: skip
    return InforXaConnector(config)


async def test_an_entity_expansion_answer_fails_cleanly(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    connector = _connector(url, dict(xa(app).credentials))
    try:
        await connector.check()
        xa(app).hostile_xml = True
        with pytest.raises(SystemUnreachable) as caught:
            await connector.check()
        assert "refused to expand" in caught.value.detail
    finally:
        await connector.aclose()


async def test_an_expired_session_logs_in_once_again(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    connector = _connector(url, dict(xa(app).credentials))
    try:
        await connector.check()
        assert xa(app).logins == 1
        xa(app).expire_sessions()
        ids = [i async for page in connector.list_ids(EntityType.VENDOR) for i in page]
        assert len(ids) == 12  # several pages of 7, past moreResults
        assert xa(app).logins == 2
    finally:
        await connector.aclose()


async def test_the_ion_gateway_token_flow(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    connector = _connector(url, {"ionapi": json.dumps(xa(app).ionapi(url))})
    try:
        (order,) = await connector.get(EntityType.PURCHASE_ORDER, ["P000001"])
        assert order is not None
        assert xa(app).token_requests == 1
    finally:
        await connector.aclose()


async def test_an_approved_order_takes_only_delivery_dates(
    running: tuple[EmulatorApp, str],
) -> None:
    app, url = running
    connector = _connector(url, dict(xa(app).credentials))
    try:
        moved = await connector.update(
            EntityType.PURCHASE_ORDER, "P000001", {"expected_delivery_date": "2025-09-30"}
        )
        assert str(getattr(moved, "expected_delivery_date", "")) == "2025-09-30"
        with pytest.raises(Conflict) as caught:
            await connector.update(EntityType.PURCHASE_ORDER, "P000001", {"currency": "EUR"})
        assert "only delivery dates can be changed" in caught.value.detail
        created = await connector.create(
            EntityType.PURCHASE_ORDER,
            {
                "vendor_remote_id": "V00001", "ship_to_remote_id": "W1", "currency": "USD",
                "lines": [{"item_remote_id": "ITEM-0001", "quantity": "5"}],
            },
        )  # fmt: skip
        assert getattr(created, "status", None) is PurchaseOrderStatus.DRAFT
        result = await connector.delete(EntityType.PURCHASE_ORDER, created.remote_id)
        assert not result.soft_deleted
        assert await connector.get(EntityType.PURCHASE_ORDER, [created.remote_id]) == [None]
    finally:
        await connector.aclose()


async def test_concurrent_reads_share_one_login(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    connector = _connector(url, dict(xa(app).credentials))
    try:
        found = await asyncio.gather(
            *(connector.get(EntityType.VENDOR, [f"V{n:05d}"]) for n in range(1, 7))
        )
        assert [[v.remote_id for v in page if v is not None] for page in found] == [
            [f"V{n:05d}"] for n in range(1, 7)
        ]
        assert xa(app).logins == 1
        # every session ends (a host restart): the next reads log in again, once
        xa(app).expire_sessions()
        await asyncio.gather(*(connector.get(EntityType.LOCATION, ["W1"]) for _ in range(4)))
        assert xa(app).logins == 2
    finally:
        await connector.aclose()


async def test_a_refused_service_account_is_auth_failed(running: tuple[EmulatorApp, str]) -> None:
    app, url = running
    ionapi = {**xa(app).ionapi(url), "cs": "not-the-client-secret"}
    connector = _connector(url, {"ionapi": json.dumps(ionapi)})
    try:
        with pytest.raises(AuthFailed):
            await connector.check()
        assert xa(app).logins == 0
    finally:
        await connector.aclose()
    for broken, missing in (("{not json", "not JSON"), (json.dumps({"ti": "T"}), "lacks ci")):
        connector = _connector(url, {"ionapi": broken})
        try:
            with pytest.raises(AuthFailed, match=missing):
                await connector.check()
        finally:
            await connector.aclose()
