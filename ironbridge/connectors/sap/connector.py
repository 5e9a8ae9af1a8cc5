"""The SAP S/4HANA connector: OData V4 (or V2) purchase orders and the V2 master data, order
and stock APIs, read by change stamp or snapshot; purchase and maintenance orders written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import structlog

from ironbridge.connectors.auth import BasicAuth
from ironbridge.connectors.base import (
    AuthField,
    Batch,
    Checkpoint,
    Connector,
    EntitySupport,
    SystemInfo,
    last_checkpoint,
)
from ironbridge.connectors.errors import (
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.http import ConnectorHttp
from ironbridge.connectors.sap import mappers, payloads, writes
from ironbridge.connectors.sap.csrf import CsrfSession
from ironbridge.connectors.sap.paging import pages
from ironbridge.connectors.sap.resources import resources
from ironbridge.connectors.sap.settings import (
    EXAMPLE_URL,
    SYSTEM_KEY,
    SapSettings,
    parse_settings,
)
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import datetime

    import httpx

    from ironbridge.connectors.base import ConnectionConfig, DeleteResult
    from ironbridge.connectors.sap.resources import Resource
    from ironbridge.models import Record

__all__ = ["SapS4HanaConnector"]

log = structlog.get_logger(__name__)

# keys per live-read request: $filter=K eq '1' or K eq '2' ... (composite keys count per field)
GET_BATCH_TERMS = 40


class SapS4HanaConnector(Connector):
    """SAP S/4HANA (cloud or on-premise) through its released OData APIs, Basic auth.

    ``config.options``: ``odata_version`` (``v4`` default, or ``v2``) for purchase orders;
    ``company_code``, ``purchasing_organization``, ``purchasing_group`` and
    ``purchase_order_type`` (default ``NB``) for new purchase orders.
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key=SYSTEM_KEY,
        name="SAP S/4HANA",
        vendor="SAP",
        categories=(SystemCategory.ERP,),
        description=(
            "Purchase orders (OData V4 or V2), suppliers, products, stock, plants, equipment, "
            "maintenance and production orders through SAP S/4HANA's released OData APIs."
        ),
        auth_method=AuthMethod.BASIC,
        auth_fields=(
            AuthField(name="username", label="User name", placeholder="Communication user"),
            AuthField(name="password", label="Password", secret=True),
            AuthField(
                name="client",
                label="Client",
                required=False,
                placeholder="100",
                help="the sap-client number, e.g. 100",
            ),
        ),
        credit_cost=2,
        docs_url="docs/connectors/sap-s4hana.md",
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            soft_delete=True,
            required_on_create=payloads.PURCHASE_ORDER_REQUIRED,
            updatable_fields=payloads.PURCHASE_ORDER_UPDATE,
            notes=payloads.PURCHASE_ORDER_NOTES,
        ),
        EntityType.WORK_ORDER: EntitySupport(
            create=True,
            update=True,
            required_on_create=payloads.WORK_ORDER_REQUIRED,
            updatable_fields=payloads.WORK_ORDER_UPDATE,
            notes=payloads.WORK_ORDER_NOTES,
        ),
        EntityType.VENDOR: EntitySupport(
            incremental=False,
            notes="A_Supplier has no change stamp: every sync reads all suppliers.",
        ),
        EntityType.INVENTORY_ITEM: EntitySupport(),
        EntityType.STOCK_LEVEL: EntitySupport(
            incremental=False,
            notes="A_MatlStkInAcctMod has no change stamp: every sync reads all stock.",
        ),
        EntityType.LOCATION: EntitySupport(
            incremental=False, notes="Plants have no change stamp: every sync reads all plants."
        ),
        EntityType.ASSET: EntitySupport(),
        EntityType.PRODUCTION_ORDER: EntitySupport(
            notes="Changes are found by the packed LastChangeDateTime (to the second)."
        ),
    }

    def __init__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, transport=transport)
        self._http: ConnectorHttp | None = None
        self._writer: writes.SapWriter | None = None
        self._settings: SapSettings | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def settings(self) -> SapSettings:
        """The connection's settings, checked (``Rejected`` or ``AuthFailed`` otherwise)."""
        if self._settings is None:
            self._settings = parse_settings(self.config)
        return self._settings

    @property
    def http(self) -> ConnectorHttp:
        """The connection's HTTP client, made on first use."""
        if self._http is None:
            settings = self.settings
            self._http = ConnectorHttp(
                SYSTEM_KEY,
                settings.base_url,
                auth=BasicAuth(settings.username, settings.password),
                transport=self.transport,
            )
        return self._http

    @property
    def writer(self) -> writes.SapWriter:
        if self._writer is None:
            csrf = CsrfSession(self.http, params=self.settings.params)
            self._writer = writes.SapWriter(csrf=csrf, read=self._raw, options=self.config.options)
        return self._writer

    def resource(self, entity: EntityType) -> Resource:
        """Where ``entity`` lives in SAP for this connection."""
        found = resources(self.settings.odata_version).get(entity)
        if found is None or entity not in self.entities:
            raise Unsupported(SYSTEM_KEY, f"cannot read {entity.value}")
        return found

    @property
    def upstream_requests(self) -> int:
        return 0 if self._http is None else self._http.counts.total

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- reads ------------------------------------------------------------------------------

    async def check(self) -> None:
        """One purchase order read: proves the URL, the credentials, the client and the
        purchase order communication arrangement."""
        resource = self.resource(EntityType.PURCHASE_ORDER)
        params = {**self.settings.params, **resource.protocol.read_params, "$top": "1"}
        params["$select"] = ",".join(resource.keys)
        try:
            response = await self.http.request(
                "GET", resource.path, params=params, headers=resource.protocol.read_headers
            )
        except NotFoundUpstream as exc:
            raise Rejected(
                SYSTEM_KEY,
                f"no purchase order API at {resource.path}: the instance URL must be the host "
                f"root (e.g. {EXAMPLE_URL}) and the communication arrangement for "
                "SAP_COM_0053 must be active",
                status_code=404,
            ) from exc
        try:
            resource.protocol.entities(response.json())
        except ValueError as exc:
            raise Rejected(
                SYSTEM_KEY,
                f"{resource.path} did not answer as an OData V{resource.protocol.version} "
                f"service ({exc}); is the instance URL an SAP S/4HANA host?",
            ) from exc

    def _pages(
        self, resource: Resource, params: Mapping[str, str]
    ) -> AsyncIterator[tuple[list[Any], bool]]:
        return pages(self.http, resource, params, required=self.settings.params)

    @staticmethod
    def _map(
        resource: Resource, entities: list[Any]
    ) -> tuple[list[Record], list[RecordMappingError]]:
        records: list[Record] = []
        failures: list[RecordMappingError] = []
        for raw in entities:
            try:
                records.append(resource.mapper(raw))
            except RecordMappingError as exc:
                failures.append(exc)
        return records, failures

    @staticmethod
    def _checkpoint(resource: Resource, entities: list[Any]) -> Checkpoint | None:
        """The last entity's change stamp and id (read from the raw payload, so that a page of
        unmappable records still advances)."""
        stamp = resource.stamp
        assert stamp is not None
        return last_checkpoint(
            entities,
            remote_id=resource.remote_id,
            stamp=lambda raw: stamp.parse(raw.get(stamp.field)),
        )

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        """Records changed at or after the checkpoint (or ``not_before`` on a first sync), oldest
        first; entities without a change stamp come as a complete snapshot."""
        resource = self.resource(entity)
        params: dict[str, str] = {}
        if resource.expand:
            params["$expand"] = resource.expand
        stamp = resource.stamp
        if stamp is None:
            async for entities, last in self._pages(resource, params):
                records, failures = self._map(resource, entities)
                yield Batch(
                    records=records, failures=failures, checkpoint=since, complete_snapshot=last
                )
            return
        start = since.updated_at if since is not None and since.updated_at else not_before
        if start is not None:
            params["$filter"] = stamp.since(resource.protocol, start)
        params["$orderby"] = resource.orderby() or ""
        checkpoint = since
        async for entities, _last in self._pages(resource, params):
            records, failures = self._map(resource, entities)
            checkpoint = self._checkpoint(resource, entities) or checkpoint
            yield Batch(records=records, failures=failures, checkpoint=checkpoint)

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        resource = self.resource(entity)
        async for entities, _last in self._pages(resource, {"$select": ",".join(resource.keys)}):
            ids = [i for raw in entities if (i := resource.remote_id(raw)) is not None]
            if ids:
                yield ids

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        """The records asked, in order; ``None`` for an id SAP does not know, and for a record
        that cannot be mapped (logged: a live read is not a sync, nothing is quarantined)."""
        resource = self.resource(entity)
        keys = {rid: k for rid in dict.fromkeys(remote_ids) if (k := resource.key_values(rid))}
        per_request = max(1, GET_BATCH_TERMS // len(resource.keys))
        wanted = list(keys.values())
        found: dict[str, Record] = {}
        for start in range(0, len(wanted), per_request):
            params = {"$filter": resource.ids_filter(wanted[start : start + per_request])}
            if resource.expand:
                params["$expand"] = resource.expand
            async for entities, _last in self._pages(resource, params):
                records, failures = self._map(resource, entities)
                found.update((r.remote_id, r) for r in records)
                for failure in failures:
                    log.warning(
                        "sap.unmappable_record",
                        entity=entity.value,
                        remote_id=failure.remote_id,
                        detail=failure.detail,
                    )
        return [found.get(rid) for rid in remote_ids]

    async def _raw(self, resource: Resource, remote_id: str) -> dict[str, Any]:
        """One entity as SAP sends it (expanded like a sync); ``NotFoundUpstream`` if absent."""
        values = resource.key_values(remote_id)
        if values is None:
            raise NotFoundUpstream(SYSTEM_KEY, f"no {resource.entity.value} with id {remote_id!r}")
        params = {**self.settings.params, **resource.protocol.read_params}
        if resource.expand:
            params["$expand"] = resource.expand
        response = await self.http.request(
            "GET",
            resource.entity_path(values),
            params=params,
            headers=resource.protocol.read_headers,
        )
        try:
            raw = resource.protocol.entity(response.json())
        except ValueError as exc:
            raise SystemUnreachable(
                SYSTEM_KEY, f"{resource.path}: {exc}", reason="server_error"
            ) from exc
        if not isinstance(raw, dict):
            raise SystemUnreachable(SYSTEM_KEY, f"{resource.path}: not an entity")
        return raw

    # -- writes -----------------------------------------------------------------------------

    def _writable(self, entity: EntityType, table: Mapping[EntityType, Any], verb: str) -> Resource:
        if entity not in table:
            raise Unsupported(SYSTEM_KEY, f"cannot {verb} {entity.value}")
        return self.resource(entity)

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        """Create (a purchase order by deep insert with its items), then read it back."""
        resource = self._writable(entity, writes.CREATES, "create")
        return await self.writer.create(resource, data)

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """The ETag the record was read with: SAP refuses a PATCH against an older one (412)."""
        return mappers.etag_in(remote_data)

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        """PATCH what changed, with the CSRF token and ``If-Match``: ``version`` (an ETag from
        ``remote_data``) or, without it, the ETag read just before. A stale version is a
        ``Conflict(stale=True)``; a change SAP refuses, a ``Conflict`` with SAP's message."""
        resource = self._writable(entity, writes.UPDATES, "update")
        return await self.writer.update(resource, remote_id, data, version=version)

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        """Purchase orders are not deleted but flagged (deletion code L): a soft delete."""
        resource = self._writable(entity, writes.SOFT_DELETES, "delete")
        return await self.writer.delete(resource, remote_id)
