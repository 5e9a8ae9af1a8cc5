"""Helpers for the events tests: a fake clock, a loopback webhook receiver, store shortcuts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ironbridge.events import endpoints as endpoint_store
from ironbridge.events.outbox import emit
from ironbridge.store.webhook_tables import webhook_attempts, webhook_deliveries, webhook_endpoints

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.requests import Request
    from starlette.responses import Response

    from ironbridge.events.bus import Event
    from ironbridge.security.secretbox import SecretBox


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass(frozen=True, slots=True)
class Received:
    name: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver for a real socket: records every request, answers as told."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    replies: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route("/hooks/{name}", self._hook, methods=["POST"])])

    async def _hook(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = await request.body()
        self.requests.append(Received(name, dict(request.headers), body))
        self.arrived.set()
        status, headers = self.replies.get(name, (200, {}))
        text = "ok" if status < 300 else "not now " + "x" * 1000
        return PlainTextResponse(text, status_code=status, headers=headers)

    def reply(self, name: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.replies[name] = (status, headers or {})

    def hook(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def to(self, name: str) -> list[Received]:
        return [r for r in self.requests if r.name == name]


async def add_endpoint(
    engine: AsyncEngine,
    secretbox: SecretBox,
    url: str,
    events: Sequence[str] = ("*",),
    *,
    enabled: bool = True,
    now: datetime | None = None,
) -> tuple[int, str]:
    async with engine.begin() as conn:
        return await endpoint_store.create_endpoint(
            conn,
            secretbox,
            url=url,
            events=list(events),
            enabled=enabled,
            description=None,
            now=now or datetime.now(UTC),
        )


async def emit_event(
    engine: AsyncEngine, type: str, now: datetime, data: dict[str, Any] | None = None
) -> Event:
    async with engine.begin() as conn:
        return await emit(conn, type=type, data=data or {"n": 1}, now=now)


async def deliveries(engine: AsyncEngine) -> list[Row[Any]]:
    async with engine.connect() as conn:
        query = select(webhook_deliveries).order_by(webhook_deliveries.c.id)
        return list((await conn.execute(query)).all())


async def attempts(engine: AsyncEngine) -> list[Row[Any]]:
    async with engine.connect() as conn:
        query = select(webhook_attempts).order_by(webhook_attempts.c.id)
        return list((await conn.execute(query)).all())


async def endpoint(engine: AsyncEngine, endpoint_id: int) -> Row[Any]:
    async with engine.connect() as conn:
        query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        return (await conn.execute(query)).one()
