"""Fixtures for events and webhooks: a fake clock, a loopback receiver, dispatchers."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

import ironbridge.store.webhook_tables  # noqa: F401  (puts the tables on the shared metadata)
from ironbridge.events.dispatcher import WebhookDispatcher
from ironbridge.observability import Metrics
from ironbridge.security.secretbox import SecretBox
from tests.events.helpers import FakeClock, Receiver
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    async with serve(found.app) as url:
        found.url = url
        yield found


@pytest.fixture
def clock() -> FakeClock:
    # near the real time, so a receiver checking the timestamp tolerance accepts it
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def secretbox() -> SecretBox:
    return SecretBox([SecretBox.generate_key()])


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
async def make_dispatcher(
    engine: AsyncEngine, secretbox: SecretBox, metrics: Metrics, clock: FakeClock
) -> AsyncIterator[Callable[..., WebhookDispatcher]]:
    """Dispatchers on the test's store and clock, closed at the end."""
    made: list[WebhookDispatcher] = []

    def make(**options: Any) -> WebhookDispatcher:
        options.setdefault("clock", clock)
        options.setdefault("rng", random.Random(7))
        dispatcher = WebhookDispatcher(engine, secretbox, metrics, **options)
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        await dispatcher.aclose()
