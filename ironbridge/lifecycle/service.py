"""Connecting, reauthorizing, rotating, disconnecting: each step checked, atomic, announced."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, text

from ironbridge.connectors.errors import ConnectorError
from ironbridge.connectors.factory import open_connector
from ironbridge.errors import ApiError, ErrorCode, bad_input, forbidden, not_found
from ironbridge.lifecycle.errors import api_error
from ironbridge.lifecycle.status import set_status
from ironbridge.models import ConnectionStatus
from ironbridge.schema.ids import to_global_id
from ironbridge.security.tokens import TokenKind
from ironbridge.store import connections as connection_store
from ironbridge.store import tokens as token_store
from ironbridge.store.tables import (
    ENTITY_TABLES,
    api_tokens,
    connection_sync,
    connections,
    credentials,
    entity_sync,
    purchase_order_lines,
    quarantined_records,
    sync_runs,
)
from ironbridge.upstream import connection_connector

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.connectors.base import Connector
    from ironbridge.events.bus import Event
    from ironbridge.security.principal import Principal
    from ironbridge.services import Services

# embedded mode has one process: this lock makes the credit check and the insert one step
_CREDIT_LOCK = asyncio.Lock()
_PG_CREDIT_LOCK_KEY = 0x1B0C0DE


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectRequest:
    system_key: str
    instance_url: str | None
    credentials: Mapping[str, Any] | None
    display_name: str | None = None
    sandbox: bool = False
    sync_values: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Connected:
    connection: Row[Any]
    token: str


def _now() -> datetime:
    return datetime.now(UTC)


async def publish(services: Services, events: Sequence[Event]) -> None:
    """After commit: tell subscribers, and wake the webhook dispatcher."""
    for event in events:
        await services.bus.publish(event)
    if events and services.dispatcher is not None:
        services.dispatcher.wake()


def validate_credentials(
    services: Services, system_key: str, given: Mapping[str, Any] | None
) -> dict[str, str]:
    cls = services.registry.get(system_key)
    assert cls is not None
    fields = {f.name: f for f in cls.system.auth_fields}
    given = dict(given or {})
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise bad_input(
            f"{cls.system.name} does not take {', '.join(unknown)}; it asks for "
            f"{', '.join(fields) or 'no credentials'}.",
            field=f"credentials.{unknown[0]}",
        )
    clean: dict[str, str] = {}
    for name, spec in fields.items():
        value = given.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                raise bad_input(f"{spec.label} is required.", field=f"credentials.{name}")
            continue
        if not isinstance(value, str):
            raise bad_input(f"{spec.label} must be text.", field=f"credentials.{name}")
        clean[name] = value if spec.secret else value.strip()
    return clean


async def validate_instance_url(services: Services, url: str | None) -> str:
    from ironbridge.security.ssrf import Reason, UnsafeUrlError, check_url_async

    if not url or not url.strip():
        raise bad_input("The instance URL is required.", field="instanceUrl")
    url = url.strip().rstrip("/")
    try:
        await check_url_async(url, allow_private=services.settings.allow_private_networks)
    except UnsafeUrlError as exc:
        if exc.reason is Reason.UNRESOLVABLE:
            return url  # the system check says so, as a DNS failure
        raise bad_input(f"The instance URL cannot be used: {exc}", field="instanceUrl") from exc
    return url


async def check_connector(
    services: Services, connector: Connector, *, instance_url: str | None
) -> None:
    """The system's own verdict on URL and credentials, within the connect time limit."""
    name = connector.system.name
    limit = services.settings.connect_check_timeout
    try:
        async with asyncio.timeout(limit):
            await connector.check()
    except TimeoutError as exc:
        raise ApiError(
            ErrorCode.SYSTEM_UNREACHABLE,
            f"{name} did not answer within {limit:g} seconds. The system may be down or a "
            "firewall may be dropping the connection; try again in a few minutes.",
            retry_after=60,
        ) from exc
    except ConnectorError as exc:
        raise api_error(
            exc, system_name=name, instance_url=instance_url, credentials_step=True
        ) from exc


async def _lock_credits(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CREDIT_LOCK_KEY})


async def connect(services: Services, principal: Principal, req: ConnectRequest) -> Connected:
    cls = services.registry.get(req.system_key)
    if cls is None:
        raise bad_input(f"There is no system '{req.system_key}'.", field="systemKey")
    session_scope: dict[str, Any] = {}
    if principal.kind is TokenKind.CONNECT_SESSION:
        async with services.engine.connect() as conn:
            row = (
                await conn.execute(select(api_tokens).where(api_tokens.c.id == principal.token_id))
            ).first()
        session_scope = dict(row.scope) if row is not None else {}
        allowed = session_scope.get("systemKeys")
        if allowed and req.system_key not in allowed:
            raise forbidden("This connect session does not offer that system.")
    elif not principal.is_admin:
        raise forbidden("Only an admin key or a connect session may connect a system.")

    sandbox = req.sandbox or cls.system.sandbox_only
    if sandbox:
        instance_url = (
            req.instance_url.strip() if req.instance_url else f"sandbox://{req.system_key}"
        )
        secrets: dict[str, str] = {}
    else:
        instance_url = await validate_instance_url(services, req.instance_url)
        secrets = validate_credentials(services, req.system_key, req.credentials)

    async with services.engine.connect() as conn:
        used = await connection_store.credits_in_use(conn)
    if used + cls.system.credit_cost > services.settings.connection_credits:
        raise _quota(services, used, cls.system.credit_cost)

    connector = open_connector(
        services.registry,
        req.system_key,
        connection_id="new",
        instance_url=instance_url,
        credentials=secrets,
        options=req.options,
        sandbox=sandbox,
    )
    try:
        await check_connector(services, connector, instance_url=instance_url)
    finally:
        await connector.aclose()

    from ironbridge.events.outbox import emit

    now = _now()
    async with _CREDIT_LOCK, services.engine.begin() as conn:
        await _lock_credits(conn)
        used = await connection_store.credits_in_use(conn)
        if used + cls.system.credit_cost > services.settings.connection_credits:
            raise _quota(services, used, cls.system.credit_cost)
        if principal.kind is TokenKind.CONNECT_SESSION:
            spent = await conn.execute(
                api_tokens.update()
                .where(api_tokens.c.id == principal.token_id, api_tokens.c.used_at.is_(None))
                .values(used_at=now)
            )
            if spent.rowcount != 1:
                raise ApiError(
                    ErrorCode.UNAUTHENTICATED, "The connect session has already been used."
                )
        connection_id = await connection_store.create_connection(
            conn,
            system_key=req.system_key,
            instance_url=instance_url,
            display_name=req.display_name or cls.system.name,
            sandbox=sandbox,
            credits_used=cls.system.credit_cost,
            now=now,
            end_user_id=session_scope.get("endUserId"),
            options=req.options,
            **dict(req.sync_values),
        )
        ciphertext = services.secretbox.encrypt(str(connection_id), secrets)
        await connection_store.save_credentials(conn, connection_id, ciphertext, now=now)
        _, token = await token_store.issue_token(
            conn, TokenKind.CONNECTION, now=now, connection_id=connection_id
        )
        event = await emit(
            conn,
            type="connection.created",
            data={
                "connectionId": to_global_id("Connection", connection_id),
                "systemKey": req.system_key,
                "sandbox": sandbox,
                "displayName": req.display_name or cls.system.name,
                "endUserId": session_scope.get("endUserId"),
            },
            connection_id=connection_id,
            now=now,
        )
        row = await connection_store.get_connection(conn, connection_id)
    assert row is not None
    await publish(services, [event])
    if services.on_connected is not None:
        await services.on_connected(connection_id)
    return Connected(connection=row, token=token)


def _quota(services: Services, used: int, cost: int) -> ApiError:
    total = services.settings.connection_credits
    return ApiError(
        ErrorCode.QUOTA_EXCEEDED,
        f"Connecting this system takes {cost} credits; {max(0, total - used)} of {total} are left. "
        "Disconnect a connection you no longer need, or raise IRONBRIDGE_CONNECTION_CREDITS.",
    )


async def _load(services: Services, connection_id: int) -> Row[Any]:
    async with services.engine.connect() as conn:
        row = await connection_store.get_connection(conn, connection_id)
    if row is None:
        raise not_found("No such connection.")
    return row


def _require_live(row: Row[Any]) -> None:
    if row.status == ConnectionStatus.DISCONNECTED.value:
        raise ApiError(
            ErrorCode.CONFLICT,
            "This connection is disconnected; connect the system again to make a new one.",
            connection_id=to_global_id("Connection", row.id),
        )


async def reauthorize(
    services: Services, connection_id: int, given: Mapping[str, Any] | None
) -> Row[Any]:
    """New credentials, checked live; same connection, same data, same token."""
    row = await _load(services, connection_id)
    _require_live(row)
    secrets = {} if row.sandbox else validate_credentials(services, row.system_key, given)
    connector = connection_connector(services, row, secrets)
    try:
        await check_connector(services, connector, instance_url=row.instance_url)
    finally:
        await connector.aclose()
    now = _now()
    async with services.engine.begin() as conn:
        await connection_store.save_credentials(
            conn, connection_id, services.secretbox.encrypt(str(connection_id), secrets), now=now
        )
        await conn.execute(
            connection_sync.update()
            .where(connection_sync.c.connection_id == connection_id)
            .values(consecutive_failures=0, backoff_until=None)
        )
        events = await set_status(
            conn, connection_id, ConnectionStatus.ACTIVE, reason="reauthorized", now=now
        )
        fresh = await connection_store.get_connection(conn, connection_id)
    assert fresh is not None
    await publish(services, events)
    if services.on_connected is not None:
        await services.on_connected(connection_id)
    return fresh


async def rotate_token(services: Services, connection_id: int) -> Connected:
    row = await _load(services, connection_id)
    _require_live(row)
    now = _now()
    async with services.engine.begin() as conn:
        await token_store.revoke_connection_tokens(conn, connection_id, now=now)
        _, token = await token_store.issue_token(
            conn, TokenKind.CONNECTION, now=now, connection_id=connection_id
        )
    return Connected(connection=row, token=token)


async def disconnect(services: Services, connection_id: int) -> Row[Any]:
    """Tokens revoked at once, syncs stopped, credits back; the data stays until deleted."""
    row = await _load(services, connection_id)
    _require_live(row)
    now = _now()
    async with services.engine.begin() as conn:
        await token_store.revoke_connection_tokens(conn, connection_id, now=now)
        await conn.execute(
            connection_sync.update()
            .where(connection_sync.c.connection_id == connection_id)
            .values(next_scheduled_sync_at=None, state="IDLE")
        )
        events = await set_status(
            conn, connection_id, ConnectionStatus.DISCONNECTED, reason="disconnected", now=now
        )
        fresh = await connection_store.get_connection(conn, connection_id)
    assert fresh is not None
    await publish(services, events)
    if services.on_disconnected is not None:
        await services.on_disconnected(connection_id)
    return fresh


async def delete_connection_data(services: Services, connection_id: int) -> int:
    """Every record, credential and sync row of a disconnected connection; returns how many
    records were deleted."""
    row = await _load(services, connection_id)
    if row.status != ConnectionStatus.DISCONNECTED.value:
        raise ApiError(
            ErrorCode.CONFLICT,
            "Disconnect the connection first; its data can be deleted only then.",
            connection_id=to_global_id("Connection", connection_id),
        )
    deleted = 0
    async with services.engine.begin() as conn:
        await conn.execute(
            delete(purchase_order_lines).where(
                purchase_order_lines.c.connection_id == connection_id
            )
        )
        for table in ENTITY_TABLES.values():
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.connection_id == connection_id)
                )
            ).scalar_one()
            deleted += int(count)
            await conn.execute(delete(table).where(table.c.connection_id == connection_id))
        for table in (quarantined_records, entity_sync, sync_runs):
            await conn.execute(delete(table).where(table.c.connection_id == connection_id))
        await conn.execute(delete(credentials).where(credentials.c.connection_id == connection_id))
        await conn.execute(
            connections.update()
            .where(connections.c.id == connection_id)
            .values(data_version=connections.c.data_version + 1)
        )
    return deleted


async def create_connect_session(
    services: Services,
    *,
    system_keys: Sequence[str] | None,
    end_user_id: str | None,
    redirect_url: str | None,
) -> tuple[str, datetime]:
    for key in system_keys or ():
        if services.registry.get(key) is None:
            raise bad_input(f"There is no system '{key}'.", field="systemKeys")
    if redirect_url is not None and not redirect_url.startswith(("https://", "http://")):
        raise bad_input("The redirect URL must be an http(s) URL.", field="redirectUrl")
    now = _now()
    expires = now + timedelta(minutes=services.settings.connect_session_minutes)
    async with services.engine.begin() as conn:
        _, token = await token_store.issue_token(
            conn,
            TokenKind.CONNECT_SESSION,
            now=now,
            expires_at=expires,
            scope={
                "systemKeys": list(system_keys or []),
                "endUserId": end_user_id,
                "redirectUrl": redirect_url,
            },
        )
    return token, expires


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectSessionDetails:
    system_keys: list[str] | None  # None: every system is offered
    redirect_url: str | None
    end_user_id: str | None
    expires_at: datetime


async def connect_session_details(
    services: Services, principal: Principal
) -> ConnectSessionDetails:
    """What the caller's own connect session was made with; no other credential may ask."""
    if principal.kind is not TokenKind.CONNECT_SESSION:
        raise forbidden("Only a connect-session token may read its connect session.")
    async with services.engine.connect() as conn:
        row = (
            await conn.execute(select(api_tokens).where(api_tokens.c.id == principal.token_id))
        ).first()
    if row is None or row.expires_at is None:
        raise ApiError(ErrorCode.UNAUTHENTICATED, "The credential is unknown.")
    scope: dict[str, Any] = dict(row.scope or {})
    offered = scope.get("systemKeys")
    keys = [k for k in offered if isinstance(k, str)] if isinstance(offered, list) else []
    redirect = scope.get("redirectUrl")
    end_user = scope.get("endUserId")
    return ConnectSessionDetails(
        system_keys=keys or None,
        redirect_url=redirect if isinstance(redirect, str) else None,
        end_user_id=end_user if isinstance(end_user, str) else None,
        expires_at=row.expires_at,
    )


__all__ = [
    "ConnectRequest",
    "ConnectSessionDetails",
    "Connected",
    "connect",
    "connect_session_details",
    "create_connect_session",
    "delete_connection_data",
    "disconnect",
    "publish",
    "reauthorize",
    "rotate_token",
    "validate_credentials",
]
