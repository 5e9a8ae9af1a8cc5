"""Live reads (``live: true``): ask the system itself, through the connection's connector, and
answer from the store once it holds what the system said.

- A single record is read with ``connector.get`` and written through to the store (created,
  updated, or soft-deleted when the system no longer has it), with its ``record.*`` events.
- A list catches the entity up first: the connector's change feed from the entity's sync
  checkpoint (less the sync overlap), or the whole entity when it has no change stamp or was
  never synced, at most ``IRONBRIDGE_LIVE_MAX_RECORDS`` records. The page is then read from the
  store with the caller's filters, order and cursor, so paging and relations work as always.

What was asked is remembered in the cache for ``IRONBRIDGE_LIVE_CACHE_TTL`` seconds under a key
made of the connection, its data version and the question: a repeat within that time sends
nothing upstream, and a sync page or a write (which bumps the data version) makes the next live
read ask again. Calls spend the connection's shared request budget; concurrent identical live
reads in one process share one upstream call. A system that does not answer is
``SYSTEM_UNREACHABLE`` with ``retryAfter``; reads without ``live`` never touch the system.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ironbridge.cache import live_key
from ironbridge.connectors.errors import AuthFailed, ConnectorError
from ironbridge.errors import ApiError, ErrorCode
from ironbridge.lifecycle.errors import api_error
from ironbridge.lifecycle.service import publish
from ironbridge.lifecycle.status import credentials_refused
from ironbridge.models.enums import ChangeKind
from ironbridge.schema.ids import to_global_id
from ironbridge.store import connections as connection_store
from ironbridge.store import records as record_store
from ironbridge.store.tables import connections, entity_sync
from ironbridge.sync import state
from ironbridge.sync.engine import OVERLAP
from ironbridge.upstream import open_connection_connector

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from sqlalchemy import Row

    from ironbridge.connectors.base import Checkpoint, Connector
    from ironbridge.events.bus import Event
    from ironbridge.models import EntityType, Record
    from ironbridge.services import Services

# one upstream call per identical live read in flight in this process
_inflight: dict[str, asyncio.Lock] = {}


@contextlib.asynccontextmanager
async def _single_flight(key: str) -> AsyncIterator[None]:
    lock = _inflight.setdefault(key, asyncio.Lock())
    try:
        async with lock:
            yield
    finally:
        if not lock.locked() and _inflight.get(key) is lock:
            del _inflight[key]


async def data_version(services: Services, connection_id: int) -> int:
    async with services.engine.connect() as conn:
        stmt = select(connections.c.data_version).where(connections.c.id == connection_id)
        version = (await conn.execute(stmt)).scalar_one_or_none()
    return int(version or 0)


class LiveReader:
    """Live reads of one connection."""

    def __init__(self, services: Services, connection: Row[Any]) -> None:
        self.services = services
        self.connection = connection
        cls = services.registry.get(connection.system_key)
        if cls is None:
            raise ApiError(ErrorCode.INTERNAL, f"connector {connection.system_key} is missing")
        self.connector_cls = cls
        self.gid = to_global_id("Connection", connection.id)

    @classmethod
    async def of(cls, services: Services, connection_id: int) -> LiveReader:
        async with services.engine.connect() as conn:
            row = await connection_store.get_connection(conn, connection_id)
        if row is None:
            raise ApiError(ErrorCode.NOT_FOUND, "No such connection.")
        return cls(services, row)

    # -- checks ---------------------------------------------------------------------------------

    def _check(self, entity: EntityType) -> None:
        status = self.connection.status
        if status == "DISCONNECTED":
            raise ApiError(
                ErrorCode.BAD_USER_INPUT,
                "This connection is disconnected: its stored data can be read, but a live read "
                "needs a connected system. Query without 'live'.",
                field="live",
                connection_id=self.gid,
            )
        if status == "REAUTH_REQUIRED":
            raise ApiError(
                ErrorCode.REAUTH_REQUIRED,
                f"{self.connector_cls.system.name} no longer accepts the stored credentials; "
                "reauthorize the connection. Reads without 'live' keep working.",
                connection_id=self.gid,
            )
        support = self.connector_cls.supports(entity)
        if support is None or not support.read:
            raise ApiError(
                ErrorCode.UNSUPPORTED_OPERATION,
                f"{self.connector_cls.system.name} has no {entity.value} to read.",
                connection_id=self.gid,
                entity=entity.value,
            )

    def _error(self, exc: ConnectorError) -> ApiError:
        return api_error(
            exc,
            system_name=self.connector_cls.system.name,
            instance_url=self.connection.instance_url,
            connection_id=self.gid,
        )

    # -- the cache ------------------------------------------------------------------------------

    async def _cached(self, *question: str, version: int | None = None) -> bool:
        if version is None:
            version = await data_version(self.services, self.connection.id)
        hit = await self.services.cache.get(live_key(self.connection.id, version, *question))
        return hit is not None

    async def _remember(self, *question: str) -> None:
        # the version after our own write-through: what the store now holds is the answer
        version = await data_version(self.services, self.connection.id)
        await self.services.cache.set(
            live_key(self.connection.id, version, *question),
            {"at": datetime.now(UTC).isoformat()},
            ttl=self.services.settings.live_cache_ttl,
        )

    async def _ask(self, question: tuple[str, ...], fetch: Any) -> None:
        """Run ``fetch`` unless the cache already answers ``question``."""
        metrics = self.services.metrics.live_reads
        # the row was just read: its data version spares a query on the common path (a hit)
        if await self._cached(*question, version=int(self.connection.data_version or 0)):
            metrics.labels("hit").inc()
            return
        async with _single_flight(":".join((str(self.connection.id), *question))):
            if await self._cached(*question):  # answered while we waited our turn
                metrics.labels("hit").inc()
                return
            connector = await open_connection_connector(self.services, self.connection)
            try:
                await fetch(connector)
            except ConnectorError as exc:
                metrics.labels("error").inc()
                if isinstance(exc, AuthFailed):
                    await credentials_refused(self.services, self.connection.id, exc.detail)
                raise self._error(exc) from exc
            finally:
                await connector.aclose()
            metrics.labels("miss").inc()
            await self._remember(*question)

    # -- reads ----------------------------------------------------------------------------------

    async def refresh_one(self, entity: EntityType, remote_id: str) -> None:
        """Bring one record up to date from the system (or the cache)."""
        self._check(entity)

        async def fetch(connector: Connector) -> None:
            (found,) = await connector.get(entity, [remote_id])
            await self._write(entity, [found] if found is not None else [], gone=[remote_id])

        await self._ask((entity.value, "one", remote_id), fetch)

    async def catch_up(self, entity: EntityType) -> None:
        """Bring the entity up to date from the system's change feed (or the cache)."""
        self._check(entity)
        support = self.connector_cls.supports(entity)
        assert support is not None
        limit = self.services.settings.live_max_records

        async def fetch(connector: Connector) -> None:
            since = await self._since(entity) if support.incremental else None
            fetched = 0
            async for batch in connector.fetch_changes(entity, since):
                records = [r for r in batch.records if r.entity_type is entity]
                await self._write(entity, records, deleted=batch.deleted_remote_ids)
                fetched += len(batch.records) + len(batch.failures)
                if fetched >= limit:
                    raise ApiError(
                        ErrorCode.UNSUPPORTED_OPERATION,
                        f"A live read fetches at most {limit} {entity.value} records from the "
                        "system, and this one needs more (the entity has no change stamp or "
                        "has not been synced yet). Query without 'live': syncs keep the store "
                        "fresh; triggerSync asks for a sync now.",
                        connection_id=self.gid,
                        entity=entity.value,
                    )

        await self._ask((entity.value, "all"), fetch)

    async def _since(self, entity: EntityType) -> Checkpoint | None:
        async with self.services.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(entity_sync).where(
                        entity_sync.c.connection_id == self.connection.id,
                        entity_sync.c.entity == entity.value,
                    )
                )
            ).first()
        stored = state.stored_checkpoint(row) if row is not None else None
        if stored is None or stored.updated_at is None:
            return None
        return type(stored)(updated_at=stored.updated_at - OVERLAP, state=dict(stored.state))

    async def _write(
        self,
        entity: EntityType,
        records: Sequence[Record],
        *,
        gone: Sequence[str] = (),
        deleted: Sequence[str] = (),
    ) -> None:
        """Upsert what the system said, as a sync page would: events and a data version bump
        only when something changed. ``gone``: ids asked for by ``get``, deleted if absent."""
        now = datetime.now(UTC)
        cid = self.connection.id
        found = {rec.remote_id for rec in records}
        missing = [r for r in gone if r not in found]
        to_delete = [*deleted, *missing]
        events: list[Event] = []
        async with state.writing(self.services.engine) as conn:
            changes: dict[ChangeKind, Sequence[tuple[int, str]]] = {}
            if records:
                result = await record_store.upsert_records(conn, cid, records, synced_at=now)
                changes[ChangeKind.CREATED] = result.created
                changes[ChangeKind.UPDATED] = result.updated
            if to_delete:
                changes[ChangeKind.DELETED] = await record_store.soft_delete(
                    conn, entity, cid, list(to_delete), at=now
                )
            events = await state.emit_record_events(conn, cid, entity, changes, now=now)
            if events:
                await state.bump_data_version(conn, cid)
        await publish(self.services, events)


__all__ = ["LiveReader", "data_version"]
