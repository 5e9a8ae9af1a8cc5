"""Shared fixtures: settings on a temporary data dir, stores on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import stamina
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from ironbridge.app import create_app, create_services
from ironbridge.settings import Settings
from ironbridge.store.engine import create_engine, migrate

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.applications import Starlette

    from ironbridge.services import Services

PG_ENV = "IRONBRIDGE_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _no_retry_sleeps() -> Iterator[None]:
    stamina.set_testing(True, attempts=3)
    yield
    stamina.set_testing(False)


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} is not set: these tests need a real PostgreSQL (see the README)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The store's URL, once per dialect."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    async for url in pg_database():
        yield url


async def pg_database() -> AsyncIterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    base = postgres_url()
    name = f"ib_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        await admin.dispose()
        pytest.fail(f"PostgreSQL at {base} cannot be reached: {exc}")
    try:
        yield str(make_url(base).set(database=name).render_as_string(hide_password=False))
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    await migrate(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", auto_migrate=True)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services on a SQLite store in a temporary data dir, migrated."""
    svc = create_services(settings)
    await migrate(svc.engine)
    yield svc
    await svc.engine.dispose()


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


@pytest.fixture
def count_statements(services: Services) -> Iterator[StatementCounter]:
    counter = StatementCounter()

    def on_execute(*args: object) -> None:
        counter.count += 1
        counter.statements.append(str(args[2]))

    event.listen(services.engine.sync_engine, "before_cursor_execute", on_execute)
    yield counter
    event.remove(services.engine.sync_engine, "before_cursor_execute", on_execute)


@pytest.fixture
def app(settings: Settings, services: Services) -> Starlette:
    return create_app(settings, services=services)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ib.test") as c:
        yield c


class GQL:
    """POSTs GraphQL to an in-process app and returns the decoded body and the response."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, token=token)
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        body = await self(query, variables, token=token)
        assert "errors" not in body, body.get("errors")
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)
