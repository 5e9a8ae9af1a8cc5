"""An emulated Maximo on loopback and Maximo connectors pointed at it (closed afterwards)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.maximo import MaximoConnector
from ironbridge.emulators.maximo import DEFAULT_API_KEY, MaximoEmulator, create_app
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from starlette.applications import Starlette

    from ironbridge.connectors.base import Batch, Checkpoint
    from ironbridge.models import EntityType

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
RECORDS = 30
CUSTOM = {
    "WORK_ORDER": ["cust_costcenter", "cust_permitrequired"],
    "PURCHASE_ORDER": ["cust_projectcode", "cust_receivingdock"],
}


@pytest.fixture
def app() -> Starlette:
    return create_app(records=RECORDS, anchor=ANCHOR)


@pytest.fixture
def emulator(app: Starlette) -> MaximoEmulator:
    found: MaximoEmulator = app.state.emulator
    return found


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def connect(base_url: str) -> AsyncIterator[Callable[..., MaximoConnector]]:
    """Connectors to the emulator: API key and pages of 7 unless told otherwise."""
    made: list[MaximoConnector] = []

    def factory(
        *,
        credentials: dict[str, str] | None = None,
        options: dict[str, Any] | None = None,
        url: str | None = None,
    ) -> MaximoConnector:
        config = ConnectionConfig(
            connection_id="maximo-test",
            instance_url=url or base_url,
            credentials={"api_key": DEFAULT_API_KEY} if credentials is None else credentials,
            options={"page_size": 7, **(options or {})},
        )
        connector = MaximoConnector(config)
        made.append(connector)
        return connector

    yield factory
    for connector in made:
        await connector.aclose()


@pytest.fixture
def connector(connect: Callable[..., MaximoConnector]) -> MaximoConnector:
    return connect(options={"custom_fields": CUSTOM})


async def fetch(
    connector: MaximoConnector,
    entity: EntityType,
    since: Checkpoint | None = None,
    **kwargs: Any,
) -> list[Batch]:
    async with contextlib.aclosing(connector.fetch_changes(entity, since, **kwargs)) as batches:
        return [batch async for batch in batches]
