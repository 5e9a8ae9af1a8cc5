"""The Plex connector: purchase orders with their line items, suppliers, parts, active
containers, locations and jobs through Plex Connect. Lists have no paging and no change
filter, so every sync pulls the whole list and keeps what changed after the checkpoint."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import structlog

from ironbridge.connectors.base import (
    AuthField,
    Batch,
    Checkpoint,
    Connector,
    DeleteResult,
    EntitySupport,
    SystemInfo,
    last_checkpoint,
)
from ironbridge.connectors.errors import (
    Conflict,
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    Unsupported,
)
from ironbridge.connectors.plex import writes
from ironbridge.connectors.plex.client import PlexClient
from ironbridge.connectors.plex.mappers import MapOptions, map_purchase_order, parse_instant
from ironbridge.connectors.plex.resources import (
    PURCHASE_ORDERS,
    RESOURCES,
    STATUSES,
    line_items_path,
)
from ironbridge.connectors.plex.settings import (
    CALLS_PER_MINUTE,
    SYSTEM_KEY,
    Settings,
    parse_settings,
)
from ironbridge.connectors.plex.status import StatusTable
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence

    import httpx

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.connectors.http import RequestBudget
    from ironbridge.connectors.plex.resources import Resource
    from ironbridge.models import Record

__all__ = ["SYSTEM_KEY", "PlexConnector"]

log = structlog.get_logger(__name__)

# ids per live-read request (?id=a&id=b...)
GET_BATCH = 50
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_SNAPSHOT_NOTE = "No change stamp: every sync reads the whole list as a snapshot."
_DIFF_NOTE = (
    "Plex lists have no change filter and no paging: each sync reads the whole list and keeps "
    "the records whose {stamp} is at or after the checkpoint; deletions by id reconciliation."
)


def _stamp_of(resource: Resource, raw: Any) -> datetime | None:
    assert resource.stamp is not None
    return parse_instant(raw.get(resource.stamp)) if isinstance(raw, dict) else None


class PlexConnector(Connector):
    """Plex Smart Manufacturing Platform (Rockwell) through the Plex Connect REST API, with an
    app's consumer key and the PCN (or tenant id) of the customer.

    Plex's 200 calls a minute is declared in ``system.requests_per_minute``: the connection's
    shared upstream budget, spent by its syncs, live reads and writes, never goes faster.

    ``config.options``: ``rate_limit_wait`` (seconds after
    a 429 without ``Retry-After``, default 60), ``batch_size`` (records per batch, default
    500), ``concurrency`` (line item reads in flight, default 4), ``lines`` (false: orders
    without line items, one call per sync), ``custom_fields`` (order attributes read as custom
    fields; default every attribute Plex adds) and ``supplier_statuses`` (supplier status
    name → ACTIVE, BLOCKED or INACTIVE).
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key=SYSTEM_KEY,
        name="Plex",
        vendor="Rockwell Automation",
        categories=(SystemCategory.ERP, SystemCategory.MES),
        description=(
            "Purchase orders with line items, suppliers, parts, on-hand containers, locations "
            "and jobs of Plex Smart Manufacturing Platform through the Plex Connect REST API. "
            "Purchase order statuses map by the tenant's status flags, not by their names."
        ),
        auth_method=AuthMethod.API_KEY,
        requests_per_minute=CALLS_PER_MINUTE,
        auth_fields=(
            AuthField(
                name="api_key",
                label="Consumer Key",
                secret=True,
                help="developers.plex.com → My Apps → your app (subscribed to the purchasing, "
                "mdm, inventory and scheduling API products) → Consumer Key",
            ),
            AuthField(
                name="customer_id",
                label="PCN (customer id)",
                required=False,
                placeholder="79123",
                help="the Plex Customer Number of the plant; empty: the app's default tenant",
            ),
            AuthField(
                name="tenant_id",
                label="Tenant id",
                required=False,
                help="instead of the PCN: the tenant's UUID",
            ),
            AuthField(
                name="api_secret",
                label="Consumer Secret",
                secret=True,
                required=False,
                help="only if your app's API products ask for it",
            ),
        ),
        credit_cost=2,
        docs_url="docs/connectors/plex.md",
    )
    # Plex reports no deletions (delete_signal=False): deleted records are found by reconciling
    # list_ids
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            delete_signal=False,
            create=True,
            update=True,
            delete=True,
            soft_delete=True,
            required_on_create=writes.PURCHASE_ORDER_REQUIRED,
            updatable_fields=writes.PURCHASE_ORDER_UPDATE,
            notes=f"{_DIFF_NOTE.format(stamp='modifiedDate')} {writes.PURCHASE_ORDER_NOTES}",
        ),
        EntityType.VENDOR: EntitySupport(
            delete_signal=False,
            notes=_DIFF_NOTE.format(stamp="modifiedDate")
            + " Supplier statuses are mapped by name (connection option supplier_statuses).",
        ),
        EntityType.INVENTORY_ITEM: EntitySupport(
            delete_signal=False,
            notes=_DIFF_NOTE.format(stamp="modifiedDateTime")
            + " Parts of mdm/v2; the number is part number and revision.",
        ),
        EntityType.LOCATION: EntitySupport(
            delete_signal=False, notes=_DIFF_NOTE.format(stamp="modifiedDateTime")
        ),
        EntityType.STOCK_LEVEL: EntitySupport(
            delete_signal=False,
            incremental=False,
            notes=_SNAPSHOT_NOTE + " One stock level per active container (serial number); "
            "an emptied container leaves the list.",
        ),
        EntityType.PRODUCTION_ORDER: EntitySupport(
            delete_signal=False,
            incremental=False,
            notes=_SNAPSHOT_NOTE + " Jobs of the scheduling API.",
        ),
    }

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        super().__init__(config, transport=transport)
        self._budget = budget
        self._client: PlexClient | None = None
        self._settings: Settings | None = None
        self._statuses: StatusTable | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = parse_settings(SYSTEM_KEY, self.config)
        return self._settings

    @property
    def client(self) -> PlexClient:
        if self._client is None:
            self._client = PlexClient(
                SYSTEM_KEY, self.settings, transport=self.transport, budget=self._budget
            )
        return self._client

    @property
    def options(self) -> MapOptions:
        settings = self.settings
        return MapOptions(
            custom_fields=settings.custom_fields, supplier_statuses=settings.supplier_statuses
        )

    def resource(self, entity: EntityType) -> Resource:
        found = RESOURCES.get(entity)
        if found is None:
            raise Unsupported(SYSTEM_KEY, f"Plex has no {entity.value} records")
        return found

    @property
    def upstream_requests(self) -> int:
        return 0 if self._client is None else self._client.http.counts.total

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # -- reads ------------------------------------------------------------------------------

    async def check(self) -> None:
        """The tenant's purchase order statuses: proves the URL, the key, the tenant header
        and the purchasing subscription (a 401 also means "not subscribed")."""
        self._statuses = None
        try:
            rows = await self.client.list(STATUSES, missing_ok=False)
        except NotFoundUpstream as exc:
            raise NotFoundUpstream(
                SYSTEM_KEY,
                f"no Plex Connect API at {self.settings.base_url}: the instance URL must be the "
                f"Plex Connect host, e.g. https://connect.plex.com ({exc.detail})",
                status_code=404,
            ) from exc
        table = self._statuses = StatusTable.of(rows)
        if not len(table):
            raise Rejected(
                SYSTEM_KEY,
                f"{self.settings.base_url}/{STATUSES} answered no purchase order statuses; "
                "the app may lack the purchasing API product",
            )

    async def statuses(self) -> StatusTable:
        """The tenant's purchase order statuses, read once per connector."""
        if self._statuses is None:
            self._statuses = StatusTable.of(await self.client.list(STATUSES))
        return self._statuses

    async def _lines(self, orders: Sequence[Any]) -> list[list[Any] | None]:
        """The line items of each order (None where not read), ``concurrency`` at a time."""
        if not self.settings.read_lines:
            return [None] * len(orders)
        gate = asyncio.Semaphore(self.settings.concurrency)

        async def read(order: Any) -> list[Any] | None:
            order_id = order.get("id") if isinstance(order, dict) else None
            if not isinstance(order_id, str) or not order_id:
                return None
            async with gate:
                return await self.client.list(line_items_path(order_id))

        tasks = [asyncio.ensure_future(read(order)) for order in orders]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # the first failure ends the batch: stop the reads still in flight
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _map(
        self, resource: Resource, raws: Sequence[Any]
    ) -> tuple[list[Record], list[RecordMappingError]]:
        records: list[Record] = []
        failures: list[RecordMappingError] = []
        options = self.options
        if resource.entity is EntityType.PURCHASE_ORDER:
            statuses = await self.statuses()
            for raw, lines in zip(raws, await self._lines(raws), strict=True):
                try:
                    records.append(
                        map_purchase_order(raw, statuses=statuses, lines=lines, options=options)
                    )
                except RecordMappingError as exc:
                    failures.append(exc)
            return records, failures
        assert resource.map is not None
        for raw in raws:
            try:
                records.append(resource.map(raw, options))
            except RecordMappingError as exc:
                failures.append(exc)
        return records, failures

    async def _changed(self, resource: Resource, start: datetime | None) -> list[str]:
        """The records stamped at or after ``start`` (all without it), oldest first, kept as
        the list streams by; a record whose stamp cannot be read is kept (its mapping reports
        it), after the others."""
        picked: list[tuple[datetime, str, str]] = []
        async for raw, text in self.client.items(resource.path):
            try:
                stamp = _stamp_of(resource, raw)
            except ValueError:
                stamp = None
            if start is None or stamp is None or stamp >= start:
                key = stamp or datetime.max.replace(tzinfo=UTC)
                # the JSON text, parsed again when its batch is mapped: a fraction of the dict
                picked.append((key, resource.remote_id(raw) or "", text))
        picked.sort(key=lambda entry: (entry[0], entry[1]))
        return [text for _stamp, _key, text in picked]

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        """One full list per run (Plex has neither a change filter nor paging), read as it
        streams in. Incremental entities keep the records stamped at or after the checkpoint
        (or ``not_before``) and yield them oldest first, in batches that each carry the
        checkpoint of their last record, so a run resumes where it stopped; snapshots yield
        every record as it arrives, the last batch marked complete."""
        resource = self.resource(entity)
        if resource.stamp is None:
            async for batch in self._snapshot(resource, since):
                yield batch
            return
        start = since.updated_at if since is not None and since.updated_at else not_before
        picked = await self._changed(resource, start)
        checkpoint = since
        if not picked:
            yield Batch(records=[], checkpoint=checkpoint)
            return
        size = self.settings.batch_size
        # newest last, taken off the end: a batch sent is a batch the connector no longer holds
        picked.reverse()
        while picked:
            chunk = [json.loads(picked.pop()) for _ in range(min(size, len(picked)))]
            records, failures = await self._map(resource, chunk)
            checkpoint = self._checkpoint(resource, chunk) or checkpoint
            yield Batch(records=records, failures=failures, checkpoint=checkpoint)

    def _checkpoint(self, resource: Resource, chunk: Sequence[Any]) -> Checkpoint | None:
        return last_checkpoint(
            chunk, remote_id=resource.remote_id, stamp=lambda raw: _stamp_of(resource, raw)
        )

    async def _snapshot(self, resource: Resource, since: Checkpoint | None) -> AsyncIterator[Batch]:
        """Batches mapped as the list streams by; a full batch waits for the next record, so
        that the last one sent is the one marked complete."""
        size = self.settings.batch_size

        async def batch(chunk: list[Any], *, last: bool) -> Batch:
            records, failures = await self._map(resource, chunk)
            key = resource.remote_id(chunk[-1])
            return Batch(
                records=records,
                failures=failures,
                checkpoint=Checkpoint(remote_id=key) if key else since,
                complete_snapshot=last,
            )

        full: list[Any] | None = None
        chunk: list[Any] = []
        async for raw, _text in self.client.items(resource.path):
            if full is not None:
                yield await batch(full, last=False)
                full = None
            chunk.append(raw)
            if len(chunk) == size:
                full, chunk = chunk, []
        # a full batch is pending only when nothing came after it
        tail = full or chunk
        if tail:
            yield await batch(tail, last=True)
        else:
            yield Batch(records=[], checkpoint=since, complete_snapshot=True)

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        """Every id of the one full list, in batches as it streams by."""
        resource = self.resource(entity)
        size = self.settings.batch_size
        ids: list[str] = []
        async for raw, _text in self.client.items(resource.path):
            if (remote_id := resource.remote_id(raw)) is not None:
                ids.append(remote_id)
            if len(ids) == size:
                yield ids
                ids = []
        if ids:
            yield ids

    async def _lookup(self, resource: Resource, remote_ids: Sequence[str]) -> dict[str, Any]:
        """The raw records of the ids asked (those Plex has), by id: ``?id=a&id=b``."""
        wanted = [i for i in dict.fromkeys(remote_ids) if i and i.strip() == i]
        found: dict[str, Any] = {}
        for offset in range(0, len(wanted), GET_BATCH):
            params = [(resource.id_param, i) for i in wanted[offset : offset + GET_BATCH]]
            for raw in await self.client.list(resource.path, params=params):
                key = resource.remote_id(raw)
                if key is not None and key in wanted:
                    found[key] = raw
        return found

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        """The records asked, in order; ``None`` for an id Plex does not know, and for a
        record that cannot be mapped (logged: a live read is not a sync)."""
        resource = self.resource(entity)
        found = await self._lookup(resource, remote_ids)
        records, failures = await self._map(resource, list(found.values()))
        for failure in failures:
            log.warning(
                "plex.unmappable_record",
                entity=entity.value,
                remote_id=failure.remote_id,
                detail=failure.detail,
            )
        mapped = {record.remote_id: record for record in records}
        return [mapped.get(remote_id) for remote_id in remote_ids]

    # -- writes -----------------------------------------------------------------------------

    def _writable(self, entity: EntityType) -> Resource:
        if entity is not EntityType.PURCHASE_ORDER:
            raise Unsupported(SYSTEM_KEY, f"Plex Connect takes no writes of {entity.value}")
        return self.resource(entity)

    async def _record(self, raw: dict[str, Any]) -> Record:
        """An order Plex answered with, mapped with its line items. A record Plex wrote but the
        connector cannot map raises its ``RecordMappingError``: the write is done."""
        lines = await self._lines([raw])
        return map_purchase_order(
            raw, statuses=await self.statuses(), lines=lines[0], options=self.options
        )

    async def _current(self, remote_id: str) -> dict[str, Any]:
        order = await self.client.one(f"{PURCHASE_ORDERS}/{remote_id}") if remote_id else None
        if order is None:
            raise NotFoundUpstream(
                SYSTEM_KEY, f"no purchase order with id {remote_id!r}", status_code=404
            )
        return order

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        self._writable(entity)
        body = writes.create_body(SYSTEM_KEY, data)
        return await self._record(await self.client.send("POST", PURCHASE_ORDERS, body))

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """The ``modifiedDate`` the order was read with (Plex has no ETag; ``update`` compares
        it with the order's current one before sending)."""
        stamp = (remote_data or {}).get("modifiedDate")
        return stamp if isinstance(stamp, str) else None

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        """A ``PUT`` of the fields asked; ``version`` is the ``modifiedDate`` the caller read
        (Plex has no ETag: it is compared before sending)."""
        self._writable(entity)
        body = writes.update_body(SYSTEM_KEY, data)
        current = await self._current(remote_id) if version is not None or not body else None
        if current is not None and version is not None and current.get("modifiedDate") != version:
            raise Conflict(
                SYSTEM_KEY,
                f"purchase order {remote_id} changed in Plex since it was read "
                f"(modifiedDate {current.get('modifiedDate')}, not {version})",
                stale=True,
            )
        if current is not None and not body:
            return await self._record(current)
        path = f"{PURCHASE_ORDERS}/{remote_id}"
        return await self._record(await self.client.send("PUT", path, body))

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        """Voids the order with the tenant's cancelled status: Plex keeps purchase orders."""
        self._writable(entity)
        current = await self._current(remote_id)
        statuses = await self.statuses()
        flags = statuses.get(current.get("status"))
        if flags is not None and flags.cancelled:
            record = await self._record(current)
            return DeleteResult(remote_id=remote_id, soft_deleted=True, record=record)
        void = statuses.cancelled()
        if void is None:
            raise Unsupported(
                SYSTEM_KEY, "the tenant has no cancelled purchase order status to void with"
            )
        path = f"{PURCHASE_ORDERS}/{remote_id}"
        answer = await self.client.send("PUT", path, {"status": void.name})
        return DeleteResult(
            remote_id=remote_id, soft_deleted=True, record=await self._record(answer)
        )
