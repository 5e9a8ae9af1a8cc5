"""The Oracle NetSuite connector: SuiteQL finds what changed, the record API reads and writes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ironbridge.connectors.base import (
    AuthField,
    Batch,
    Checkpoint,
    Connector,
    DeleteResult,
    EntitySupport,
    SystemInfo,
)
from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    Unsupported,
)
from ironbridge.connectors.netsuite import writes
from ironbridge.connectors.netsuite.client import NetSuiteClient, probe
from ironbridge.connectors.netsuite.mappers import MAPPERS, MapContext, stock_id
from ironbridge.connectors.netsuite.queries import (
    MODIFIED,
    SOURCES,
    Source,
    changes_query,
    currencies_query,
    ids_query,
    parse_stamp,
    stock_query,
)
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from datetime import datetime, tzinfo

    import httpx

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.models import Record

__all__ = ["NetSuiteConnector"]

MAX_PAGE = 1000
# the record field that tells one version of a record from the next
_VERSION = "lastModifiedDate"
_STOCK_NOTES = (
    "From SuiteQL inventoryitemlocations (per item and location); it has no change stamp, so "
    "every sync reads all of it. Remote ids are '<item id>:<location id>'."
)


def _internal_id(value: Any) -> str | None:
    """A SuiteQL id column (a string of digits), or None."""
    return value if isinstance(value, str) and value.isdigit() else None


class NetSuiteConnector(Connector):
    """SuiteTalk REST web services with OAuth 2.0 client credentials (M2M).

    ``config.options``: ``page_size`` (SuiteQL rows per page, at most 1000), ``concurrency``
    (record reads in flight, default 4: the account's limit is shared with every other
    integration) and ``timezone`` (the integration user's time zone preference, default UTC:
    SuiteQL reads and writes date-times in it).
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key="netsuite",
        name="Oracle NetSuite",
        vendor="Oracle",
        categories=(SystemCategory.ERP,),
        description=(
            "Purchase orders, vendors, inventory items, stock per location, locations and "
            "manufacturing work orders through SuiteTalk REST web services and SuiteQL."
        ),
        auth_method=AuthMethod.OAUTH2_CLIENT_CREDENTIALS,
        auth_fields=(
            AuthField(
                name="account_id",
                label="Account ID",
                placeholder="1234567 or 1234567_SB1",
                help="Setup > Company > Company Information > Account ID.",
            ),
            AuthField(
                name="client_id",
                label="Client ID (consumer key)",
                help="Shown once when the integration record is saved.",
            ),
            AuthField(
                name="certificate_id",
                label="Certificate ID",
                help="Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup.",
            ),
            AuthField(
                name="private_key",
                label="Private key (PEM)",
                secret=True,
                placeholder="-----BEGIN PRIVATE KEY-----",
                help="The key of the certificate uploaded for the mapping (RSA or EC P-256).",
            ),
            AuthField(
                name="scope",
                label="Scope",
                required=False,
                placeholder="rest_webservices",
                help="Comma-separated; must include rest_webservices.",
            ),
        ),
        credit_cost=1,
        docs_url="docs/connectors/netsuite.md",
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            required_on_create=("vendor_remote_id", "lines"),
            updatable_fields=writes.PURCHASE_ORDER_UPDATE,
            notes=writes.PURCHASE_ORDER_RULES,
        ),
        EntityType.INVENTORY_ITEM: EntitySupport(
            create=True,
            update=True,
            required_on_create=("number", "name"),
            updatable_fields=writes.INVENTORY_ITEM_UPDATE,
            notes=writes.INVENTORY_ITEM_RULES,
        ),
        EntityType.VENDOR: EntitySupport(),
        EntityType.LOCATION: EntitySupport(),
        EntityType.PRODUCTION_ORDER: EntitySupport(
            notes="Manufacturing work orders (record type workOrder)."
        ),
        EntityType.STOCK_LEVEL: EntitySupport(incremental=False, notes=_STOCK_NOTES),
    }

    def __init__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, transport=transport)
        self._client: NetSuiteClient | None = None
        self._currencies: dict[str, str] | None = None

    # -- configuration -----------------------------------------------------------------------

    @property
    def client(self) -> NetSuiteClient:
        """The HTTP client, made on first use (credentials are checked then)."""
        if self._client is None:
            self._client = NetSuiteClient(self.system.key, self.config, transport=self.transport)
        return self._client

    def _int_option(self, name: str, default: int, *, hi: int) -> int:
        value: Any = self.config.options.get(name, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
            raise Rejected(self.system.key, f"option {name}: must be a whole number 1..{hi}")
        return value

    @property
    def page_size(self) -> int:
        return self._int_option("page_size", MAX_PAGE, hi=MAX_PAGE)

    @property
    def zone(self) -> tzinfo:
        name = str(self.config.options.get("timezone") or "UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise Rejected(
                self.system.key, f"option timezone: unknown time zone {name!r}"
            ) from None

    @property
    def upstream_requests(self) -> int:
        return self._client.http.counts.total if self._client is not None else 0

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _source(self, entity: EntityType) -> Source:
        source = SOURCES.get(entity)
        if source is None:
            raise Rejected(self.system.key, f"NetSuite has no {entity.value} (see capabilities)")
        return source

    async def _context(self, entity: EntityType) -> MapContext:
        if entity not in (EntityType.PURCHASE_ORDER, EntityType.VENDOR):
            return MapContext()
        return MapContext(currencies=await self.currencies())

    async def currencies(self) -> dict[str, str]:
        """Currency internal id → ISO code, read once per connector."""
        if self._currencies is None:
            body = await self.client.suiteql(currencies_query(), limit=MAX_PAGE)
            self._currencies = {
                str(row["id"]): str(row["symbol"])
                for row in body.get("items", [])
                if isinstance(row, dict) and row.get("id") and row.get("symbol")
            }
        return self._currencies

    # -- reads -------------------------------------------------------------------------------

    async def check(self) -> None:
        """Credentials, token and REST permission, through the smallest SuiteQL query.

        Credentials that cannot even be used (a missing field, a key that is no PEM) are
        reported only once the instance URL answers: the URL is the first thing to fix.
        """
        _ = self.page_size, self.zone
        try:
            client = self.client
        except AuthFailed:
            await probe(self.system.key, self.config.instance_url, transport=self.transport)
            raise
        await client.suiteql(currencies_query(), limit=1)

    async def _pages(
        self, query_after: Callable[[Any], str], cursor_of: Callable[[dict[str, Any]], Any]
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """SuiteQL pages, each a fresh query after the last row of the previous one."""
        cursor: Any = None
        while True:
            body = await self.client.suiteql(query_after(cursor), limit=self.page_size)
            rows = [row for row in body.get("items", []) if isinstance(row, dict)]
            if not rows:
                return
            yield rows
            following = cursor_of(rows[-1])
            if body.get("hasMore") is not True or following is None or following == cursor:
                return
            cursor = following

    async def _read(self, source: Source, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """Records by id, a few at a time, in the order asked."""
        assert source.record_type is not None
        record_type = source.record_type
        limit = asyncio.Semaphore(self._int_option("concurrency", 4, hi=15))

        async def one(record_id: str) -> dict[str, Any] | None:
            async with limit:
                return await self.client.record(record_type, record_id)

        return list(await asyncio.gather(*(one(i) for i in ids)))

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        source = self._source(entity)
        if source.record_type is None:
            async for batch in self._stock_snapshot():
                yield batch
            return
        zone, mapper = self.zone, MAPPERS[entity]
        context = await self._context(entity)
        start = since.updated_at if since is not None else None

        def query(cursor: Any) -> str:
            return changes_query(
                source, since=start, after=cursor, not_before=not_before, zone=zone
            )

        def cursor_of(row: dict[str, Any]) -> tuple[datetime, str] | None:
            record_id, text = _internal_id(row.get("id")), row.get(MODIFIED)
            if record_id is None or not isinstance(text, str):
                return None
            try:
                return parse_stamp(text, zone), record_id
            except ValueError:
                return None

        last: Checkpoint | None = since
        async for rows in self._pages(query, cursor_of):
            ids = [i for row in rows if (i := _internal_id(row.get("id"))) is not None]
            records: list[Record] = []
            failures: list[RecordMappingError] = []
            gone: list[str] = []
            for record_id, payload in zip(ids, await self._read(source, ids), strict=True):
                if payload is None:
                    gone.append(record_id)  # deleted since the query ran
                    continue
                try:
                    records.append(mapper(payload, context))
                except RecordMappingError as error:
                    failures.append(error)
            cursors = [c for row in rows if (c := cursor_of(row)) is not None]
            if cursors:
                last = Checkpoint(updated_at=cursors[-1][0], remote_id=cursors[-1][1])
            yield Batch(
                records=records, checkpoint=last, failures=failures, deleted_remote_ids=gone
            )

    async def _stock_rows(self) -> AsyncIterator[list[dict[str, Any]]]:
        def cursor_of(row: dict[str, Any]) -> tuple[str, str] | None:
            item, location = _internal_id(row.get("item")), _internal_id(row.get("location"))
            return None if item is None or location is None else (item, location)

        async for rows in self._pages(lambda after: stock_query(after=after), cursor_of):
            yield rows

    async def _stock_snapshot(self) -> AsyncIterator[Batch]:
        mapper, context = MAPPERS[EntityType.STOCK_LEVEL], MapContext()
        pending: Batch | None = None
        async for rows in self._stock_rows():
            if pending is not None:
                yield pending
            records: list[Record] = []
            failures: list[RecordMappingError] = []
            for row in rows:
                try:
                    records.append(mapper(row, context))
                except RecordMappingError as error:
                    failures.append(error)
            pending = Batch(records=records, failures=failures)
        # the last page says the snapshot is complete (an empty one if there is no stock)
        last = pending or Batch(records=())
        yield Batch(records=last.records, failures=last.failures, complete_snapshot=True)

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        source = self._source(entity)
        if source.record_type is None:
            async for rows in self._stock_rows():
                yield [stock_id(str(r.get("item")), str(r.get("location"))) for r in rows]
            return
        async for rows in self._pages(
            lambda after: ids_query(source, after=after), lambda row: _internal_id(row.get("id"))
        ):
            yield [i for row in rows if (i := _internal_id(row.get("id"))) is not None]

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        source = self._source(entity)
        if source.record_type is None:
            return await self._get_stock(remote_ids)
        mapper, context = MAPPERS[entity], await self._context(entity)
        wanted = [i for i in remote_ids if i.isdigit()]
        payloads = dict(zip(wanted, await self._read(source, wanted), strict=True))
        out: list[Record | None] = []
        for remote_id in remote_ids:
            payload = payloads.get(remote_id)
            out.append(None if payload is None else mapper(payload, context))
        return out

    async def _get_stock(self, remote_ids: Sequence[str]) -> list[Record | None]:
        keys: list[tuple[str, str]] = []
        for remote_id in remote_ids:
            item, _, location = remote_id.partition(":")
            if item.isdigit() and location.isdigit():
                keys.append((item, location))
        found: dict[str, Record] = {}
        mapper, context = MAPPERS[EntityType.STOCK_LEVEL], MapContext()
        for start in range(0, len(keys), 100):
            query = stock_query(keys=keys[start : start + 100])
            body = await self.client.suiteql(query, limit=MAX_PAGE)
            for row in body.get("items", []):
                record = mapper(row, context)
                found[record.remote_id] = record
        return [found.get(remote_id) for remote_id in remote_ids]

    # -- writes ------------------------------------------------------------------------------

    async def _read_back(self, entity: EntityType, remote_id: str) -> Record:
        record = (await self.get(entity, [remote_id]))[0]
        if record is None:
            raise NotFoundUpstream(self.system.key, f"{entity.value} {remote_id} is gone")
        return record

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """``lastModifiedDate``: the REST record service takes no ``If-Match``, so the
        connector compares it with the record's current one before it writes."""
        stamp = None if remote_data is None else remote_data.get(_VERSION)
        return stamp if isinstance(stamp, str) and stamp else None

    async def _current(
        self, entity: EntityType, remote_id: str, version: str | None
    ) -> dict[str, Any]:
        """The record as NetSuite has it now; a stale ``Conflict`` if it changed since the
        caller read it at ``version``."""
        record_type = self._source(entity).record_type
        assert record_type is not None
        current = await self.client.record(record_type, remote_id)
        if current is None:
            raise NotFoundUpstream(self.system.key, f"no {entity.value} with id {remote_id}")
        stamp = current.get(_VERSION)
        if version is not None and stamp != version:
            raise Conflict(
                self.system.key,
                f"{entity.value} {remote_id} changed in NetSuite since it was read "
                f"(lastModifiedDate {stamp}, not {version})",
                stale=True,
            )
        return current

    async def _create_body(self, entity: EntityType, data: Mapping[str, Any]) -> dict[str, Any]:
        key = self.system.key
        if entity is EntityType.PURCHASE_ORDER:
            codes = {code: cid for cid, code in (await self.currencies()).items()}
            return writes.purchase_order_body(key, data, currency_ids=codes)
        if entity is EntityType.INVENTORY_ITEM:
            return writes.inventory_item_body(key, data, create=True)
        raise Unsupported(key, f"cannot create {entity.value}")

    async def validate(
        self, entity: EntityType, data: Mapping[str, Any], *, remote_id: str | None = None
    ) -> None:
        """The body the write would send, built and checked (currencies are read for a new
        purchase order); nothing is written."""
        key = self.system.key
        if remote_id is None:
            await self._create_body(entity, data)
        elif entity is EntityType.PURCHASE_ORDER:
            writes.purchase_order_patch(key, data)
        elif entity is EntityType.INVENTORY_ITEM:
            writes.inventory_item_body(key, data, create=False)

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        body = await self._create_body(entity, data)
        record_type = self._source(entity).record_type
        assert record_type is not None
        remote_id = await self.client.create(record_type, body)
        return await self._read_back(entity, remote_id)

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        key = self.system.key
        if not remote_id.isdigit():
            raise NotFoundUpstream(key, f"no {entity.value} with id {remote_id!r}")
        if entity is EntityType.PURCHASE_ORDER:
            patch = writes.purchase_order_patch(key, data)
            body = dict(patch.body)
            if patch.close_lines or version is not None:
                current = await self._current(entity, remote_id, version)
                lines = current.get("item", {}).get("items", [])
                if patch.close_lines:
                    closed = [{"line": ln["line"], "isClosed": True} for ln in lines]
                    body["item"] = {"items": closed}
            await self.client.update("purchaseOrder", remote_id, body, replace=patch.replace)
        elif entity is EntityType.INVENTORY_ITEM:
            body = writes.inventory_item_body(key, data, create=False)
            if version is not None:
                await self._current(entity, remote_id, version)
            await self.client.update("inventoryItem", remote_id, body)
        else:
            return await super().update(entity, remote_id, data, version=version)
        return await self._read_back(entity, remote_id)

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        if entity is not EntityType.PURCHASE_ORDER:
            return await super().delete(entity, remote_id)
        if not remote_id.isdigit():
            raise NotFoundUpstream(self.system.key, f"no purchase order with id {remote_id!r}")
        await self.client.delete("purchaseOrder", remote_id)
        return DeleteResult(remote_id=remote_id, soft_deleted=False)
