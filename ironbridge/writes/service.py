"""Creates, updates and deletes: checked against the system's capabilities, sent through the
connection's connector, and stored with their ``record.*`` events in one transaction.

The caller gives unified snake_case fields; references to records the caller knows by global
id are ``Ref`` values, resolved here to the system's ids within the connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import AuthFailed, ConnectorError
from ironbridge.errors import ApiError, ErrorCode, bad_input
from ironbridge.lifecycle.errors import api_error
from ironbridge.lifecycle.service import publish
from ironbridge.lifecycle.status import credentials_refused
from ironbridge.models import ChangeKind, ConnectionStatus, EntityType
from ironbridge.schema.ids import expect_global_id, to_global_id
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.sync import state
from ironbridge.upstream import open_connection_connector
from ironbridge.writes import idempotency

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncConnection

    from ironbridge.connectors.base import Connector, EntitySupport
    from ironbridge.events.bus import Event
    from ironbridge.models import Record
    from ironbridge.services import Services


@dataclass(frozen=True, slots=True)
class Ref:
    """A record named by its global id in the input ``field``."""

    entity: EntityType
    global_id: str
    field: str


@dataclass(frozen=True, slots=True)
class Written:
    """What a create or update answers: the stored record's key (None when nothing was
    stored), and what the caller should know."""

    pk: int | None
    validate_only: bool
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Deleted:
    id: str
    deleted: bool
    soft_deleted: bool
    warnings: list[str] = field(default_factory=list)


def camel(name: str) -> str:
    """The input field of a unified name: ``vendor_remote_id`` -> ``vendorId``."""
    if name.endswith("_remote_id"):
        name = name.removesuffix("_remote_id") + "_id"
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _now() -> datetime:
    return datetime.now(UTC)


def _noun(entity: EntityType) -> str:
    return entity.value.lower().replace("_", " ")


class WriteContext:
    """One data mutation on one connection."""

    def __init__(self, services: Services, connection: Row[Any], entity: EntityType) -> None:
        self.services = services
        self.connection = connection
        self.entity = entity
        self.gid = to_global_id("Connection", connection.id)
        cls = services.registry.get(connection.system_key)
        if cls is None:
            raise ApiError(
                ErrorCode.UNSUPPORTED_OPERATION,
                f"The system {connection.system_key!r} is no longer available.",
                connection_id=self.gid,
            )
        self.connector_cls = cls
        self.system_name = cls.system.name

    @classmethod
    async def load(cls, services: Services, connection_id: int, entity: EntityType) -> WriteContext:
        async with services.engine.connect() as conn:
            row = await connection_store.get_connection(conn, connection_id)
        if row is None:
            raise ApiError(ErrorCode.NOT_FOUND, "No such connection.")
        if row.status == ConnectionStatus.DISCONNECTED.value:
            raise ApiError(
                ErrorCode.CONFLICT,
                "This connection is disconnected; it takes no writes.",
                connection_id=to_global_id("Connection", row.id),
            )
        return cls(services, row, entity)

    # capabilities

    def support(self, operation: str) -> EntitySupport:
        support = self.connector_cls.supports(self.entity)
        if support is None or not getattr(support, operation):
            raise ApiError(
                ErrorCode.UNSUPPORTED_OPERATION,
                f"{self.system_name} cannot {operation} a {_noun(self.entity)} "
                "(see the system's capabilities).",
                connection_id=self.gid,
                entity=self.entity.value,
            )
        return support

    def require(self, support: EntitySupport, data: Mapping[str, Any]) -> None:
        missing = [
            name for name in support.required_on_create if data.get(name) in (None, "", [], {})
        ]
        if missing:
            names = [camel(name) for name in missing]
            raise bad_input(
                f"{self.system_name} needs {', '.join(names)} to create a {_noun(self.entity)}.",
                field=names[0],
            )

    def updatable(self, support: EntitySupport, data: Mapping[str, Any]) -> None:
        fixed = [name for name in data if name not in support.updatable_fields]
        if fixed:
            names = [camel(name) for name in fixed]
            allowed = ", ".join(camel(n) for n in support.updatable_fields) or "nothing"
            raise bad_input(
                f"{self.system_name} does not let {', '.join(names)} of a "
                f"{_noun(self.entity)} be changed; it takes: {allowed}.",
                field=names[0],
            )

    # references

    async def resolve(self, conn: AsyncConnection, value: Any) -> Any:
        """``value`` with every ``Ref`` replaced by the remote id it names."""
        if isinstance(value, Ref):
            return await self.remote_id_of(conn, value)
        if isinstance(value, dict):
            return {k: await self.resolve(conn, v) for k, v in value.items()}
        if isinstance(value, list):
            return [await self.resolve(conn, v) for v in value]
        return value

    async def row_of(self, conn: AsyncConnection, ref: Ref) -> Row[Any]:
        type_name = state.type_name(ref.entity)
        pk = expect_global_id(ref.global_id, type_name, field=ref.field)
        row = (await record_store.get_by_ids(conn, ref.entity, [pk])).get(pk)
        if row is None or row.connection_id != self.connection.id or row.deleted_at is not None:
            raise bad_input(
                f"{ref.field} names no {type_name} of this connection.", field=ref.field
            )
        return row

    async def remote_id_of(self, conn: AsyncConnection, ref: Ref) -> str:
        remote_id: str = (await self.row_of(conn, ref)).remote_id
        return remote_id

    # the connector

    async def connector(self) -> Connector:
        return await open_connection_connector(self.services, self.connection)

    async def failed(self, exc: ConnectorError) -> ApiError:
        """The API error for ``exc``; stored credentials the system refused also move the
        connection to REAUTH_REQUIRED, as a sync would."""
        if isinstance(exc, AuthFailed):
            await credentials_refused(self.services, self.connection.id, exc.detail)
        return self.error(exc)

    def error(self, exc: ConnectorError) -> ApiError:
        return api_error(
            exc,
            system_name=self.system_name,
            instance_url=self.connection.instance_url,
            connection_id=self.gid,
        )

    @property
    def offline(self) -> bool:
        """True when the connector answers without any system (sample data only)."""
        return self.connector_cls.system.sandbox_only

    def sandbox_warning(self, what: str) -> str:
        return (
            f"Sandbox connection: {self.system_name} checked and accepted this {what}, but "
            "nothing was changed and nothing was stored."
        )

    def dry_run_warning(self, what: str) -> str:
        return (
            f"validateOnly: nothing was written. Sent for real, this would {what} in "
            f"{self.system_name} and store the result."
        )

    # storing

    async def store(
        self,
        record: Record,
        *,
        key: str | None,
        answer: Mapping[str, Any] | None = None,
        deleted: bool = False,
    ) -> int:
        """Upsert the record with its events and the data version, in one transaction; the
        events are published after the commit. Returns the record's key in the store."""
        now = _now()
        async with state.writing(self.services.engine) as conn:
            result = await record_store.upsert_records(
                conn, self.connection.id, [record], synced_at=now
            )
            pk = (result.created or result.updated)[0][0]
            changes: dict[ChangeKind, Sequence[tuple[int, str]]]
            if deleted:
                gone = await record_store.soft_delete(
                    conn, self.entity, self.connection.id, [record.remote_id], at=now
                )
                changes = {ChangeKind.DELETED: gone}
            else:
                changes = {ChangeKind.CREATED: result.created, ChangeKind.UPDATED: result.updated}
            events = await state.emit_record_events(
                conn, self.connection.id, self.entity, changes, now=now
            )
            await state.bump_data_version(conn, self.connection.id)
            if key is not None and answer is not None:
                await idempotency.store(conn, self.connection.id, key, {**answer, "pk": pk})
        await publish(self.services, events)
        return pk

    async def mark_deleted(self, remote_id: str) -> None:
        now = _now()
        events: list[Event] = []
        async with state.writing(self.services.engine) as conn:
            gone = await record_store.soft_delete(
                conn, self.entity, self.connection.id, [remote_id], at=now
            )
            if gone:
                events = await state.emit_record_events(
                    conn, self.connection.id, self.entity, {ChangeKind.DELETED: gone}, now=now
                )
                await state.bump_data_version(conn, self.connection.id)
        await publish(self.services, events)


async def _idempotent(
    ctx: WriteContext,
    key: str | None,
    operation: str,
    raw: Any,
    write: Any,
    *,
    validate_only: bool,
) -> Written:
    """Run ``write(key)`` once per key and input; a retry answers the first result."""
    if key is None or validate_only:
        # a dry run writes nothing, so there is nothing to replay
        result: Written = await write(None)
        return result
    if not key.strip() or len(key) > idempotency.MAX_KEY_LENGTH:
        raise bad_input(
            f"idempotencyKey must be 1 to {idempotency.MAX_KEY_LENGTH} characters.",
            field="idempotencyKey",
        )
    digest = idempotency.request_hash(operation, raw)
    engine = ctx.services.engine
    async with idempotency.lock_for(ctx.connection.id, key):
        earlier = await idempotency.claim(
            engine, ctx.connection.id, key, digest, now=_now(), connection_gid=ctx.gid
        )
        if earlier is not None:
            return Written(
                pk=earlier.get("pk"),
                validate_only=False,
                warnings=list(earlier.get("warnings") or []),
            )
        try:
            result = await write(key)
        except BaseException:
            await idempotency.release(engine, ctx.connection.id, key)
            raise
        return result


async def create(
    services: Services,
    connection_id: int,
    entity: EntityType,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    validate_only: bool = False,
) -> Written:
    ctx = await WriteContext.load(services, connection_id, entity)
    support = ctx.support("create")
    async with services.engine.connect() as conn:
        values = await ctx.resolve(conn, data)
    ctx.require(support, values)
    what = f"create a {_noun(entity)}"
    if validate_only and not ctx.offline:
        await _dry_run(ctx, values)
        return Written(pk=None, validate_only=True, warnings=[ctx.dry_run_warning(what)])

    async def write(key: str | None) -> Written:
        connector = await ctx.connector()
        try:
            record = await connector.create(entity, values)
        except ConnectorError as exc:
            raise await ctx.failed(exc) from exc
        finally:
            await connector.aclose()
        if validate_only:
            return Written(pk=None, validate_only=True, warnings=[ctx.dry_run_warning(what)])
        if ctx.connection.sandbox:
            warnings = [ctx.sandbox_warning(what.split(" ", 1)[0] + " request")]
            if key is not None:
                await _keep(ctx, key, warnings)
            return Written(pk=None, validate_only=False, warnings=warnings)
        pk = await ctx.store(record, key=key, answer={"warnings": []})
        return Written(pk=pk, validate_only=False)

    return await _idempotent(
        ctx, idempotency_key, f"create:{entity.value}", data, write, validate_only=validate_only
    )


async def update(
    services: Services,
    connection_id: int,
    entity: EntityType,
    record_id: str,
    data: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    validate_only: bool = False,
) -> Written:
    ctx = await WriteContext.load(services, connection_id, entity)
    support = ctx.support("update")
    ctx.updatable(support, data)
    if not data:
        raise bad_input("Give at least one field to change.", field="input")
    async with services.engine.connect() as conn:
        row = await ctx.row_of(conn, Ref(entity, record_id, "id"))
        values = await ctx.resolve(conn, data)
    remote_id: str = row.remote_id
    # the version the store holds: a record changed in the system since is a stale CONFLICT
    version = ctx.connector_cls.version_of(entity, getattr(row, "remote_data", None))
    what = f"update {_noun(entity)} {getattr(row, 'number', None) or remote_id}"
    if validate_only and not ctx.offline:
        await _dry_run(ctx, values, remote_id=remote_id)
        return Written(pk=row.id, validate_only=True, warnings=[ctx.dry_run_warning(what)])

    async def write(key: str | None) -> Written:
        connector = await ctx.connector()
        try:
            record = await connector.update(entity, remote_id, values, version=version)
        except ConnectorError as exc:
            raise await ctx.failed(exc) from exc
        finally:
            await connector.aclose()
        if validate_only:
            return Written(pk=row.id, validate_only=True, warnings=[ctx.dry_run_warning(what)])
        if ctx.connection.sandbox:
            warnings = [ctx.sandbox_warning("update")]
            if key is not None:
                await _keep(ctx, key, warnings, pk=row.id)
            return Written(pk=row.id, validate_only=False, warnings=warnings)
        pk = await ctx.store(record, key=key, answer={"warnings": []})
        return Written(pk=pk, validate_only=False)

    return await _idempotent(
        ctx,
        idempotency_key,
        f"update:{entity.value}:{record_id}",
        data,
        write,
        validate_only=validate_only,
    )


async def _dry_run(
    ctx: WriteContext, values: Mapping[str, Any], *, remote_id: str | None = None
) -> None:
    """The connector's own checks of a write that validateOnly does not send."""
    connector = await ctx.connector()
    try:
        await connector.validate(ctx.entity, values, remote_id=remote_id)
    except ConnectorError as exc:
        raise await ctx.failed(exc) from exc
    finally:
        await connector.aclose()


async def _keep(ctx: WriteContext, key: str, warnings: list[str], *, pk: int | None = None) -> None:
    async with ctx.services.engine.begin() as conn:
        await idempotency.store(conn, ctx.connection.id, key, {"pk": pk, "warnings": warnings})


async def delete(
    services: Services, connection_id: int, entity: EntityType, record_id: str
) -> Deleted:
    ctx = await WriteContext.load(services, connection_id, entity)
    ctx.support("delete")
    async with services.engine.connect() as conn:
        row = await ctx.row_of(conn, Ref(entity, record_id, "id"))
    connector = await ctx.connector()
    try:
        result = await connector.delete(entity, row.remote_id)
    except ConnectorError as exc:
        raise await ctx.failed(exc) from exc
    finally:
        await connector.aclose()
    if ctx.connection.sandbox:
        return Deleted(
            id=record_id,
            deleted=True,
            soft_deleted=result.soft_deleted,
            warnings=[ctx.sandbox_warning("delete")],
        )
    if result.record is not None:
        await ctx.store(result.record, key=None, deleted=True)
    else:
        await ctx.mark_deleted(row.remote_id)
    return Deleted(id=record_id, deleted=True, soft_deleted=result.soft_deleted)


__all__ = ["Deleted", "Ref", "WriteContext", "Written", "camel", "create", "delete", "update"]
