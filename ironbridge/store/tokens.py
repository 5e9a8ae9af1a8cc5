"""Issued credentials: only hashes are stored; lookups go by hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.security.tokens import TokenKind, display_prefix, hash_token, new_token
from ironbridge.store.tables import api_tokens

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection


async def issue_token(
    conn: AsyncConnection,
    kind: TokenKind,
    *,
    now: datetime,
    connection_id: int | None = None,
    name: str | None = None,
    expires_at: datetime | None = None,
    scope: Mapping[str, Any] | None = None,
) -> tuple[int, str]:
    """A new token of ``kind``: returns its row id and the token, which is never stored."""
    token = new_token(kind)
    result = await conn.execute(
        api_tokens.insert()
        .values(
            kind=kind.value,
            token_hash=hash_token(token),
            display_prefix=display_prefix(token),
            name=name,
            connection_id=connection_id,
            scope=dict(scope or {}),
            created_at=now,
            expires_at=expires_at,
        )
        .returning(api_tokens.c.id)
    )
    return int(result.scalar_one()), token


async def find_token(conn: AsyncConnection, token: str) -> Row[Any] | None:
    result = await conn.execute(
        select(api_tokens).where(api_tokens.c.token_hash == hash_token(token))
    )
    return result.first()


async def revoke_connection_tokens(
    conn: AsyncConnection, connection_id: int, *, now: datetime
) -> int:
    result = await conn.execute(
        api_tokens.update()
        .where(
            api_tokens.c.connection_id == connection_id,
            api_tokens.c.kind == TokenKind.CONNECTION.value,
            api_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)


async def revoke_token(conn: AsyncConnection, token_id: int, *, now: datetime) -> None:
    await conn.execute(
        api_tokens.update()
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


__all__ = ["find_token", "issue_token", "revoke_connection_tokens", "revoke_token"]
