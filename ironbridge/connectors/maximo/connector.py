"""The IBM Maximo connector: seven entities through Maximo's JSON REST API, read by
``changedate`` or as a snapshot; work orders and items written."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
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
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.http import ConnectorHttp
from ironbridge.connectors.maximo import writes
from ironbridge.connectors.maximo.auth import ApiKeyAuth, MaxAuth
from ironbridge.connectors.maximo.errors import classify
from ironbridge.connectors.maximo.mappers import MapOptions
from ironbridge.connectors.maximo.resources import RESOURCES
from ironbridge.connectors.maximo.settings import Settings, parse_settings
from ironbridge.connectors.maximo.values import Member, parse_instant
from ironbridge.connectors.pagination import NextLinkPaginator, PageRequest, json_at, paginate
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import datetime

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.connectors.maximo.resources import Resource
    from ironbridge.models import Record

__all__ = ["SYSTEM_KEY", "MaximoConnector"]

log = structlog.get_logger(__name__)

SYSTEM_KEY = "maximo"
# ids per live-read request: oslc.where=wonum in ["1001","1002",...]
GET_BATCH = 50
# asked on every read: lean JSON, internal status values, no *_collectionref links
_READ = MappingProxyType({"lean": "1", "internalvalues": "1", "ignorecollectionref": "1"})
_NEXT = NextLinkPaginator("responseInfo", "nextPage", "href")
_CANCELLED = "CAN"
# an approved purchase order changes its delivery date through a revision
_APPROVED = "APPR"
_DATES = frozenset({"requireddate"})
# purchase orders in this internal status are deleted; others are cancelled
_DELETABLE_PO = "WAPPR"
_WRITABLE = frozenset({EntityType.WORK_ORDER, EntityType.INVENTORY_ITEM, EntityType.PURCHASE_ORDER})


def _quoted(value: str) -> str | None:
    """A string literal of ``oslc.where``; None if the value cannot be written as one."""
    return None if '"' in value else f'"{value}"'


def _since(attr: str, instant: datetime) -> str:
    return f'{attr}>="{writes.maximo_instant(instant)}"'


class MaximoConnector(Connector):
    """IBM Maximo Manage (7.6 and MAS) through its JSON API, with an API key (or native
    user and password).

    ``config.options``: ``context`` (``api`` default, or ``oslc``), ``page_size`` (default
    100), ``object_structures`` (entity → object structure, e.g. ``{"WORK_ORDER":
    "mxapiwodetail"}``), ``custom_fields`` (entity → attribute names to read and write as
    custom fields) and ``priorities`` (``wopriority`` → unified priority).
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key=SYSTEM_KEY,
        name="IBM Maximo",
        vendor="IBM",
        categories=(SystemCategory.CMMS, SystemCategory.EAM),
        description=(
            "Work orders, assets, locations, items, storeroom stock, purchase orders and "
            "vendors of IBM Maximo Manage (Maximo 7.6 and Maximo Application Suite) through "
            "its JSON REST API. Statuses map by their internal values, so customer synonyms "
            "keep their meaning."
        ),
        auth_method=AuthMethod.API_KEY,
        auth_fields=(
            AuthField(
                name="api_key",
                label="API key",
                secret=True,
                required=False,
                help="Administration → API Keys; the key acts as its Maximo user",
            ),
            AuthField(
                name="username",
                label="User name",
                required=False,
                help="only for native authentication (Maximo 7.6) without an API key",
            ),
            AuthField(name="password", label="Password", secret=True, required=False),
        ),
        credit_cost=2,
        docs_url="docs/connectors/maximo.md",
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.WORK_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            soft_delete=True,
            required_on_create=writes.WORK_ORDER_REQUIRED,
            updatable_fields=writes.WORK_ORDER_UPDATE,
            notes=writes.WORK_ORDER_NOTES,
        ),
        EntityType.ASSET: EntitySupport(),
        EntityType.LOCATION: EntitySupport(
            notes="Operating locations and storerooms; the parent is the PRIMARY hierarchy's."
        ),
        EntityType.INVENTORY_ITEM: EntitySupport(
            create=True,
            update=True,
            required_on_create=writes.INVENTORY_ITEM_REQUIRED,
            updatable_fields=writes.INVENTORY_ITEM_UPDATE,
            notes=writes.INVENTORY_ITEM_NOTES,
        ),
        EntityType.STOCK_LEVEL: EntitySupport(
            incremental=False,
            notes="INVENTORY has no change stamp: every sync reads all storeroom balances.",
        ),
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            soft_delete=True,
            required_on_create=writes.PURCHASE_ORDER_REQUIRED,
            updatable_fields=writes.PURCHASE_ORDER_UPDATE,
            notes=writes.PURCHASE_ORDER_NOTES,
        ),
        EntityType.VENDOR: EntitySupport(notes="Companies; a disabled company is INACTIVE."),
    }

    def __init__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, transport=transport)
        self._http: ConnectorHttp | None = None
        self._settings: Settings | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The connection's settings, checked (``Rejected`` or ``AuthFailed`` otherwise)."""
        if self._settings is None:
            self._settings = parse_settings(SYSTEM_KEY, self.config)
        return self._settings

    @property
    def http(self) -> ConnectorHttp:
        if self._http is None:
            settings = self.settings
            auth: httpx.Auth
            if settings.api_key is not None:
                auth = ApiKeyAuth(settings.api_key)
            else:
                assert settings.username is not None
                assert settings.password is not None
                auth = MaxAuth(settings.username, settings.password)
            self._http = ConnectorHttp(
                SYSTEM_KEY,
                settings.base_url,
                auth=auth,
                transport=self.transport,
                classify=classify(SYSTEM_KEY),
            )
        return self._http

    def resource(self, entity: EntityType) -> Resource:
        found = RESOURCES.get(entity)
        if found is None:
            raise Unsupported(SYSTEM_KEY, f"Maximo has no {entity.value} records")
        return found

    def _path(self, resource: Resource) -> str:
        return f"os/{self.settings.structures.get(resource.entity, resource.structure)}"

    def _custom(self, entity: EntityType) -> tuple[str, ...]:
        return self.settings.custom_fields.get(entity, ())

    def _options(self, entity: EntityType) -> MapOptions:
        return MapOptions(custom_fields=self._custom(entity), priorities=self.settings.priorities)

    def _select(self, resource: Resource) -> str:
        return resource.select_with(self._custom(resource.entity))

    @property
    def upstream_requests(self) -> int:
        return 0 if self._http is None else self._http.counts.total

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- reads ------------------------------------------------------------------------------

    async def check(self) -> None:
        """One work order read: proves the URL, the key and the object structure's access."""
        resource = self.resource(EntityType.WORK_ORDER)
        path = self._path(resource)
        params = {**_READ, "oslc.select": "wonum", "oslc.pageSize": "1"}
        try:
            response = await self.http.request("GET", path, params=params)
        except NotFoundUpstream as exc:
            raise Rejected(
                SYSTEM_KEY,
                f"no Maximo REST API at {self.settings.base_url}{path}: the instance URL must "
                f"be the host root, e.g. https://maximo.example.com ({exc.detail})",
                status_code=404,
            ) from exc
        try:
            members = response.json().get("member")
        except (ValueError, AttributeError):
            members = None
        if not isinstance(members, list):
            raise Rejected(
                SYSTEM_KEY,
                f"{path} did not answer as Maximo's JSON API; is the instance URL a Maximo "
                "host, and does it answer without a single sign-on page?",
            )

    async def _pages(
        self, resource: Resource, params: Mapping[str, str]
    ) -> AsyncIterator[tuple[list[dict[str, Any]], bool]]:
        """Every page of a query as ``(members, is_last)``, following ``nextPage``."""
        first = PageRequest(self._path(resource), params={**_READ, **params})
        async for page in paginate(self.http, first, _NEXT):
            members = json_at(page.body, ("member",))
            if not isinstance(members, list):
                raise SystemUnreachable(
                    SYSTEM_KEY,
                    f"{first.url}: the answer has no member list",
                    reason="server_error",
                )
            last = json_at(page.body, ("responseInfo", "nextPage", "href")) is None
            yield [m for m in members if isinstance(m, dict)], last

    def _map(
        self, resource: Resource, members: list[dict[str, Any]]
    ) -> tuple[list[Record], list[RecordMappingError]]:
        options = self._options(resource.entity)
        records: list[Record] = []
        failures: list[RecordMappingError] = []
        for member in members:
            if resource.excluded is not None and resource.excluded(member):
                continue
            try:
                records.append(resource.map(member, options))
            except RecordMappingError as exc:
                failures.append(exc)
        return records, failures

    @staticmethod
    def _checkpoint(resource: Resource, members: list[dict[str, Any]]) -> Checkpoint | None:
        """The last member's change stamp and id, read from the raw member so that a page of
        unmappable records still advances."""
        cursor = resource.cursor
        assert cursor is not None
        return last_checkpoint(
            members,
            remote_id=lambda member: Member(resource.entity, member, resource.keys).remote_id,
            stamp=lambda member: parse_instant(member.get(cursor)),
        )

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        """Records changed at or after the checkpoint (or ``not_before`` on a first sync), by
        ``+changedate,+<number>``, over a stable result set; stock as a complete snapshot."""
        resource = self.resource(entity)
        size = str(self.settings.page_size)
        params = {"oslc.select": self._select(resource), "oslc.pageSize": size}
        params["stablepaging"] = "1"
        if resource.cursor is None:
            async for members, last in self._pages(resource, params):
                records, failures = self._map(resource, members)
                checkpoint = Checkpoint(remote_id=records[-1].remote_id) if records else since
                yield Batch(
                    records=records,
                    failures=failures,
                    checkpoint=checkpoint,
                    complete_snapshot=last,
                )
            return
        start = since.updated_at if since is not None and since.updated_at else not_before
        if start is not None:
            params["oslc.where"] = _since(resource.cursor, start)
        params["oslc.orderBy"] = f"+{resource.cursor},+{resource.number}"
        checkpoint = since
        async for members, _last in self._pages(resource, params):
            records, failures = self._map(resource, members)
            checkpoint = self._checkpoint(resource, members) or checkpoint
            yield Batch(records=records, failures=failures, checkpoint=checkpoint)

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        """Every id, over a stable result set (records changing meanwhile keep their place)."""
        resource = self.resource(entity)
        select = list(resource.keys) + (["istask"] if resource.excluded else [])
        params = {
            "oslc.select": ",".join(select),
            "oslc.pageSize": str(self.settings.page_size),
            "stablepaging": "1",
        }
        async for members, _last in self._pages(resource, params):
            ids = [
                remote_id
                for m in members
                if not (resource.excluded and resource.excluded(m))
                and (remote_id := Member(entity, m, resource.keys).remote_id) is not None
            ]
            if ids:
                yield ids

    async def _lookup(
        self, resource: Resource, remote_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """The raw members of the ids asked (those Maximo has), by id."""
        position = resource.keys.index(resource.number)
        numbers: dict[str, None] = {}
        for remote_id in remote_ids:
            parts = remote_id.split("/")
            literal = _quoted(parts[position]) if len(parts) == len(resource.keys) else None
            if literal is not None and all(parts):
                numbers[literal] = None
        wanted = list(numbers)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), GET_BATCH):
            batch = ",".join(wanted[start : start + GET_BATCH])
            params = {
                "oslc.select": self._select(resource),
                "oslc.where": f"{resource.number} in [{batch}]",
                "oslc.pageSize": str(max(self.settings.page_size, GET_BATCH)),
            }
            async for members, _last in self._pages(resource, params):
                for member in members:
                    found_id = Member(resource.entity, member, resource.keys).remote_id
                    if found_id is not None:
                        found[found_id] = member
        return found

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        """The records asked, in order; ``None`` for an id Maximo does not know, and for a
        record that cannot be mapped (logged: a live read is not a sync)."""
        resource = self.resource(entity)
        found = await self._lookup(resource, list(dict.fromkeys(remote_ids)))
        mapped: dict[str, Record] = {}
        records, failures = self._map(resource, list(found.values()))
        mapped.update((r.remote_id, r) for r in records)
        for failure in failures:
            log.warning(
                "maximo.unmappable_record",
                entity=entity.value,
                remote_id=failure.remote_id,
                detail=failure.detail,
            )
        return [mapped.get(remote_id) for remote_id in remote_ids]

    # -- writes -----------------------------------------------------------------------------

    def _same_origin(self, href: str) -> str:
        """An href Maximo sent, on the host we were configured with (a reverse proxy in front
        of Maximo often reports its internal host name)."""
        base = httpx.URL(self.settings.base_url)
        link = base.join(href)
        return str(link.copy_with(scheme=base.scheme, host=base.host, port=base.port))

    def _writable(self, entity: EntityType) -> Resource:
        resource = self.resource(entity)
        if entity not in _WRITABLE:
            raise Unsupported(SYSTEM_KEY, f"cannot write {entity.value}")
        return resource

    async def _current(self, resource: Resource, remote_id: str) -> dict[str, Any]:
        member = (await self._lookup(resource, [remote_id])).get(remote_id)
        if member is None or (resource.excluded is not None and resource.excluded(member)):
            raise NotFoundUpstream(
                SYSTEM_KEY, f"no {resource.entity.value} with id {remote_id!r}", status_code=404
            )
        return member

    async def _send(
        self,
        resource: Resource,
        url: str,
        body: Mapping[str, Any],
        *,
        override: str | None,
        version: str | None = None,
        action: str | None = None,
    ) -> Record:
        """A create (POST to the collection) or an update (``x-method-override``), answered with
        the record as the connector reads it. A record Maximo wrote but the connector cannot
        map raises its ``RecordMappingError``: the write is done, do not repeat it."""
        headers = {"properties": self._select(resource)}
        if override is not None:
            headers["x-method-override"] = override
            headers["patchtype"] = "MERGE"
        if version is not None:
            # Maximo refuses the update (412) if the record changed since it was read
            headers["if-match"] = version
        params = dict(_READ) if action is None else {**_READ, "action": action}
        response = await self.http.request(
            "POST",
            url,
            params=params,
            json=dict(body),
            headers=headers,
            expected=(200, 201, 204),
        )
        if response.status_code == 204 or not response.content.strip():
            # the properties header was not honoured: read the record where it lives
            location = response.headers.get("location") or (url if override else None)
            if location is None:
                raise SystemUnreachable(SYSTEM_KEY, f"{url}: no record and no Location header")
            again = await self.http.request(
                "GET",
                self._same_origin(location),
                params={**_READ, "oslc.select": headers["properties"]},
            )
            data = again.json()
        else:
            data = response.json()
        return resource.map(data, self._options(resource.entity))

    def _body(
        self,
        resource: Resource,
        data: Mapping[str, Any],
        *,
        creating: bool,
        current: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        custom = self._custom(resource.entity)
        if resource.entity is EntityType.PURCHASE_ORDER:
            return writes.purchase_order_body(
                SYSTEM_KEY, data, creating=creating, custom_fields=custom
            )
        if resource.entity is EntityType.WORK_ORDER:
            site = None if current is None else current.get("siteid")
            return writes.work_order_body(
                SYSTEM_KEY, data, creating=creating, site=site, custom_fields=custom
            )
        return writes.inventory_item_body(SYSTEM_KEY, data, creating=creating, custom_fields=custom)

    async def validate(
        self, entity: EntityType, data: Mapping[str, Any], *, remote_id: str | None = None
    ) -> None:
        """The body the write would send, built and checked; nothing is read or sent."""
        self._body(self._writable(entity), data, creating=remote_id is None)

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        resource = self._writable(entity)
        body = self._body(resource, data, creating=True)
        return await self._send(resource, self._path(resource), body, override=None)

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        """A MERGE patch of the record; ``version`` is the ``_rowstamp`` the caller read, sent
        as ``If-Match`` (a record changed since is a stale ``Conflict``)."""
        resource = self._writable(entity)
        current = await self._current(resource, remote_id)
        body = self._body(resource, data, creating=False, current=current)
        shown = current.get("status_maxvalue") or current.get("status")
        if body.get("status") == shown:
            del body["status"]  # asking for the current status again is refused by Maximo
        if not body:
            return resource.map(current, self._options(entity))
        href = self._same_origin(str(current["href"]))
        if entity is EntityType.PURCHASE_ORDER and shown == _APPROVED and set(body) == _DATES:
            return await self._revise(resource, href, body, version=version)
        return await self._send(resource, href, body, override="PATCH", version=version)

    async def _revise(
        self, resource: Resource, href: str, body: Mapping[str, Any], *, version: str | None
    ) -> Record:
        """A new delivery date of an approved purchase order, as Maximo takes it: a revision
        (``wsmethod:revisePO``: revision n+1, status PNDREV) that carries the change and
        waits for approval, while the approved revision stays in force."""
        revision = await self._send(
            resource, href, {}, override="PATCH", version=version, action="wsmethod:revisePO"
        )
        assert revision.remote_data is not None
        again = self._same_origin(str(revision.remote_data["href"]))
        return await self._send(resource, again, body, override="PATCH")

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """The ``_rowstamp`` Maximo sent with the record."""
        stamp = None if remote_data is None else remote_data.get("_rowstamp")
        return None if stamp in (None, "") else str(stamp)

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        """Cancels the work order (status CAN): Maximo keeps work orders. A purchase order
        still waiting on approval is deleted; any other is cancelled."""
        resource = self.resource(entity)
        if entity not in (EntityType.WORK_ORDER, EntityType.PURCHASE_ORDER):
            return await super().delete(entity, remote_id)
        current = await self._current(resource, remote_id)
        internal = current.get("status_maxvalue") or current.get("status")
        if entity is EntityType.PURCHASE_ORDER and internal == _DELETABLE_PO:
            href = self._same_origin(str(current["href"]))
            await self.http.request("DELETE", href, expected=(200, 204))
            return DeleteResult(remote_id=remote_id, soft_deleted=False)
        if (current.get("status_maxvalue") or current.get("status")) == _CANCELLED:
            record = resource.map(current, self._options(entity))
            return DeleteResult(remote_id=remote_id, soft_deleted=True, record=record)
        href = self._same_origin(str(current["href"]))
        record = await self._send(resource, href, {"status": _CANCELLED}, override="PATCH")
        return DeleteResult(remote_id=remote_id, soft_deleted=True, record=record)
