"""Webhook endpoints and their deliveries in the store; secrets stay encrypted at rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.events.signing import ROTATION_OVERLAP, SigningKeys, generate_secret
from ironbridge.store.webhook_tables import (
    events,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, timedelta

    from sqlalchemy import Row, Select
    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.security.secretbox import SecretBox

OPEN_STATUSES = ("pending", "delivering")
ADMIN_DISABLED = "Disabled by an admin."


def secret_owner(endpoint_id: int) -> str:
    """The SecretBox owner of an endpoint's secrets: a ciphertext only opens on its own row."""
    return f"webhook_endpoint:{endpoint_id}"


def _seal(secretbox: SecretBox, endpoint_id: int, current: str, previous: str | None) -> str:
    return secretbox.encrypt(secret_owner(endpoint_id), {"current": current, "previous": previous})


def signing_keys(
    secretbox: SecretBox,
    endpoint_id: int,
    ciphertext: str,
    previous_expires_at: datetime | None,
) -> SigningKeys:
    """An endpoint's secrets, opened; SecretBoxError when the keys no longer fit."""
    opened = secretbox.decrypt(secret_owner(endpoint_id), ciphertext)
    return SigningKeys(
        current=opened["current"],
        previous=opened.get("previous"),
        previous_expires_at=previous_expires_at,
    )


async def create_endpoint(
    conn: AsyncConnection,
    secretbox: SecretBox,
    *,
    url: str,
    events: Sequence[str],
    enabled: bool,
    description: str | None,
    now: datetime,
) -> tuple[int, str]:
    """A new endpoint: ``(id, secret)``; the secret is not kept anywhere in the clear."""
    result = await conn.execute(
        webhook_endpoints.insert()
        .values(
            url=url,
            description=description,
            events=list(events),
            enabled=enabled,
            secret_ciphertext="",
            created_at=now,
            updated_at=now,
            disabled_at=None if enabled else now,
            disabled_reason=None if enabled else ADMIN_DISABLED,
        )
        .returning(webhook_endpoints.c.id)
    )
    endpoint_id = int(result.scalar_one())
    secret = generate_secret()
    await conn.execute(
        webhook_endpoints.update()
        .where(webhook_endpoints.c.id == endpoint_id)
        .values(secret_ciphertext=_seal(secretbox, endpoint_id, secret, None))
    )
    return endpoint_id, secret


async def get_endpoint(conn: AsyncConnection, endpoint_id: int) -> Row[Any] | None:
    query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
    return (await conn.execute(query)).first()


async def list_endpoints(conn: AsyncConnection) -> Sequence[Row[Any]]:
    query = select(webhook_endpoints).order_by(webhook_endpoints.c.id)
    return (await conn.execute(query)).all()


async def cancel_open_deliveries(conn: AsyncConnection, endpoint_id: int, *, reason: str) -> int:
    """Cancel what an endpoint still had queued; returns how many."""
    result = await conn.execute(
        webhook_deliveries.update()
        .where(
            webhook_deliveries.c.endpoint_id == endpoint_id,
            webhook_deliveries.c.status.in_(OPEN_STATUSES),
        )
        .values(status="cancelled", next_attempt_at=None, lease_expires_at=None, last_error=reason)
    )
    return int(result.rowcount)


async def disable_endpoint(
    conn: AsyncConnection, endpoint_id: int, *, reason: str, now: datetime
) -> bool:
    """Disable an enabled endpoint and cancel its queue; False if it was not enabled."""
    result = await conn.execute(
        webhook_endpoints.update()
        .where(webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.enabled.is_(True))
        .values(enabled=False, disabled_at=now, disabled_reason=reason, updated_at=now)
    )
    if result.rowcount == 0:
        return False
    await cancel_open_deliveries(conn, endpoint_id, reason=f"endpoint disabled: {reason}")
    return True


async def update_endpoint(
    conn: AsyncConnection,
    endpoint_id: int,
    *,
    url: str,
    events: Sequence[str],
    enabled: bool,
    description: str | None,
    now: datetime,
) -> bool:
    """Replace an endpoint's settings; enabling clears its failure state. False if missing."""
    row = await get_endpoint(conn, endpoint_id)
    if row is None:
        return False
    values: dict[str, Any] = {
        "url": url,
        "events": list(events),
        "description": description,
        "updated_at": now,
    }
    if enabled and not row.enabled:
        values.update(enabled=True, disabled_at=None, disabled_reason=None, failing_since=None)
    await conn.execute(
        webhook_endpoints.update().where(webhook_endpoints.c.id == endpoint_id).values(**values)
    )
    if not enabled and row.enabled:
        await disable_endpoint(conn, endpoint_id, reason=ADMIN_DISABLED, now=now)
    return True


async def delete_endpoint(conn: AsyncConnection, endpoint_id: int) -> bool:
    """Delete an endpoint with its deliveries and attempt log."""
    result = await conn.execute(
        webhook_endpoints.delete().where(webhook_endpoints.c.id == endpoint_id)
    )
    return bool(result.rowcount)


async def rotate_secret(
    conn: AsyncConnection,
    secretbox: SecretBox,
    endpoint_id: int,
    *,
    now: datetime,
    overlap: timedelta = ROTATION_OVERLAP,
) -> str | None:
    """A new secret; the current one keeps signing alongside it for ``overlap``."""
    row = await get_endpoint(conn, endpoint_id)
    if row is None:
        return None
    keys = signing_keys(secretbox, row.id, row.secret_ciphertext, row.previous_secret_expires_at)
    secret = generate_secret()
    await conn.execute(
        webhook_endpoints.update()
        .where(webhook_endpoints.c.id == endpoint_id)
        .values(
            secret_ciphertext=_seal(secretbox, endpoint_id, secret, keys.current),
            previous_secret_expires_at=now + overlap,
            updated_at=now,
        )
    )
    return secret


def _deliveries() -> Select[Any]:
    return select(
        webhook_deliveries,
        events.c.event_id.label("event_key"),
        events.c.type.label("event_type"),
    ).join(events, events.c.id == webhook_deliveries.c.event_id)


async def get_delivery(conn: AsyncConnection, delivery_id: int) -> Row[Any] | None:
    """A delivery with its event's ``event_key`` (``evt_…``) and ``event_type``."""
    query = _deliveries().where(webhook_deliveries.c.id == delivery_id)
    row: Row[Any] | None = (await conn.execute(query)).first()
    return row


async def delivery_of_event(
    conn: AsyncConnection, event_key: str, endpoint_id: int
) -> Row[Any] | None:
    """The delivery of the event ``event_key`` (``evt_…``) to one endpoint."""
    query = _deliveries().where(
        events.c.event_id == event_key, webhook_deliveries.c.endpoint_id == endpoint_id
    )
    row: Row[Any] | None = (await conn.execute(query)).first()
    return row


async def deliveries_of(
    conn: AsyncConnection, endpoint_id: int, *, limit: int
) -> Sequence[Row[Any]]:
    """An endpoint's newest ``limit`` deliveries, newest first."""
    query = (
        _deliveries()
        .where(webhook_deliveries.c.endpoint_id == endpoint_id)
        .order_by(webhook_deliveries.c.created_at.desc(), webhook_deliveries.c.id.desc())
        .limit(limit)
    )
    rows: Sequence[Row[Any]] = (await conn.execute(query)).all()
    return rows


async def attempts_of(conn: AsyncConnection, delivery_id: int) -> Sequence[Row[Any]]:
    """A delivery's attempt log, oldest first."""
    query = (
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id == delivery_id)
        .order_by(webhook_attempts.c.attempted_at, webhook_attempts.c.id)
    )
    return (await conn.execute(query)).all()


__all__ = [
    "ADMIN_DISABLED",
    "attempts_of",
    "cancel_open_deliveries",
    "create_endpoint",
    "delete_endpoint",
    "deliveries_of",
    "delivery_of_event",
    "disable_endpoint",
    "get_delivery",
    "get_endpoint",
    "list_endpoints",
    "rotate_secret",
    "secret_owner",
    "signing_keys",
]
