"""Fixtures for the GraphQL API: a seeded sandbox connection, credentials, clients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.demo import seed_demo
from ironbridge.store import tokens as token_store

if TYPE_CHECKING:
    from ironbridge.security.tokens import TokenKind
    from ironbridge.services import Services


@dataclass(frozen=True, slots=True)
class Seeded:
    admin_key: str
    connection_id: str
    token: str
    other_connection_id: str
    other_token: str


@pytest.fixture
async def seeded(services: Services) -> Seeded:
    """Two sandbox connections: the demo's, and a second one seeded the same way."""
    first = await seed_demo(services, records=60)
    # a second, separate connection with the same data shape: isolation must hold between them
    from ironbridge.demo import DEMO_NAME
    from ironbridge.store.tables import connections

    async with services.engine.begin() as conn:
        await conn.execute(connections.update().values(display_name=DEMO_NAME + " A"))
    second = await seed_demo(services, records=30)
    return Seeded(
        admin_key=first.admin_key,
        connection_id=first.connection_id,
        token=first.connection_token,
        other_connection_id=second.connection_id,
        other_token=second.connection_token,
    )


async def revoke(services: Services, token: str) -> None:
    async with services.engine.begin() as conn:
        row = await token_store.find_token(conn, token)
        assert row is not None
        await token_store.revoke_token(conn, row.id, now=datetime.now(UTC))


async def issue(services: Services, kind: TokenKind, connection_pk: int | None = None) -> str:
    async with services.engine.begin() as conn:
        _, token = await token_store.issue_token(
            conn, kind, now=datetime.now(UTC), connection_id=connection_pk
        )
    return token


def error_code(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code
