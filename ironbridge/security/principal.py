"""Who is calling: resolved once per request from the bearer credential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.errors import ApiError, ErrorCode
from ironbridge.security.tokens import TokenKind, parse_token
from ironbridge.store import tokens as token_store

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class Principal:
    kind: TokenKind
    token_id: int
    connection_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind is TokenKind.ADMIN

    def may_read_connection(self, connection_id: int) -> bool:
        return self.is_admin or (
            self.kind is TokenKind.CONNECTION and self.connection_id == connection_id
        )


def _unauthenticated(message: str) -> ApiError:
    return ApiError(ErrorCode.UNAUTHENTICATED, message)


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def authenticate(engine: AsyncEngine, authorization: str | None) -> Principal:
    """The principal of an ``Authorization: Bearer`` header, or ``UNAUTHENTICATED``."""
    token = bearer_token(authorization)
    if token is None:
        raise _unauthenticated(
            "Send an admin key or a connection token as 'Authorization: Bearer <token>'."
        )
    kind = parse_token(token)
    if kind is None:
        raise _unauthenticated("The credential is malformed.")
    async with engine.connect() as conn:
        row = await token_store.find_token(conn, token)
    now = datetime.now(UTC)
    if row is None or row.kind != kind.value:
        raise _unauthenticated("The credential is unknown.")
    if row.revoked_at is not None:
        raise _unauthenticated("The credential has been revoked.")
    if row.expires_at is not None and row.expires_at <= now:
        raise _unauthenticated("The credential has expired.")
    if kind is TokenKind.CONNECT_SESSION and row.used_at is not None:
        raise _unauthenticated("The connect session has already been used.")
    return Principal(kind=kind, token_id=row.id, connection_id=row.connection_id)


__all__ = ["Principal", "authenticate", "bearer_token"]
