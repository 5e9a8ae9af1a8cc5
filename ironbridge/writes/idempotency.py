"""Idempotency keys: the same key and input answer the first result, and write nothing more.

Requests with one key are serialized in this process by a lock, and across processes by the
``(connection_id, key)`` unique constraint: the first request claims the key, the others find
the claim (and, once the write is done, its stored answer).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ironbridge.errors import ApiError, ErrorCode
from ironbridge.store.tables import idempotency_keys

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# keys are kept at least this long
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255

_locks: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = weakref.WeakValueDictionary()


def lock_for(connection_id: int, key: str) -> asyncio.Lock:
    """The one lock of ``(connection, key)`` in this process."""
    lock = _locks.get((connection_id, key))
    if lock is None:
        lock = asyncio.Lock()
        _locks[(connection_id, key)] = lock
    return lock


def request_hash(operation: str, payload: Any) -> str:
    text = json.dumps([operation, payload], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _reused(connection_gid: str) -> ApiError:
    return ApiError(
        ErrorCode.CONFLICT,
        "This idempotencyKey was already used with a different request; use a new key.",
        connection_id=connection_gid,
    )


def _in_progress(connection_gid: str) -> ApiError:
    return ApiError(
        ErrorCode.CONFLICT,
        "A request with this idempotencyKey is still in progress; retry in a moment.",
        retry_after=1,
        connection_id=connection_gid,
    )


async def claim(
    engine: AsyncEngine,
    connection_id: int,
    key: str,
    digest: str,
    *,
    now: datetime,
    connection_gid: str,
) -> dict[str, Any] | None:
    """The stored answer of an earlier request with this key, or ``None`` once the key is
    claimed for this request. CONFLICT when the key was used for another input."""
    t = idempotency_keys
    async with engine.begin() as conn:
        await conn.execute(
            delete(t).where(t.c.connection_id == connection_id, t.c.created_at < now - RETENTION)
        )
        row = (
            await conn.execute(select(t).where(t.c.connection_id == connection_id, t.c.key == key))
        ).first()
        if row is None:
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        t.insert().values(
                            connection_id=connection_id,
                            key=key,
                            request_hash=digest,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                row = (
                    await conn.execute(
                        select(t).where(t.c.connection_id == connection_id, t.c.key == key)
                    )
                ).first()
            else:
                return None
    assert row is not None
    if row.request_hash != digest:
        raise _reused(connection_gid)
    if row.response is None:
        raise _in_progress(connection_gid)
    answer: dict[str, Any] = row.response
    return answer


async def release(engine: AsyncEngine, connection_id: int, key: str) -> None:
    """Give the key up after a failed write, so that a retry may try again."""
    t = idempotency_keys
    async with engine.begin() as conn:
        await conn.execute(
            delete(t).where(
                t.c.connection_id == connection_id, t.c.key == key, t.c.response.is_(None)
            )
        )


async def store(
    conn: AsyncConnection, connection_id: int, key: str, answer: dict[str, Any]
) -> None:
    """Keep the answer, in the write's own transaction."""
    t = idempotency_keys
    await conn.execute(
        t.update().where(t.c.connection_id == connection_id, t.c.key == key).values(response=answer)
    )


__all__ = ["MAX_KEY_LENGTH", "RETENTION", "claim", "lock_for", "release", "request_hash", "store"]
