"""The Business Central connector: API v2.0 purchase orders (with lines), vendors, items,
stock and locations, and the analytics API's production orders, through an Entra app's
client-credentials token; purchase orders written with ``If-Match``."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar

import structlog

from ironbridge.connectors.auth import OAuth2ClientCredentials
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
from ironbridge.connectors.dynamics_bc import payloads
from ironbridge.connectors.dynamics_bc.mappers import etag_of, parse_instant
from ironbridge.connectors.dynamics_bc.resources import RESOURCES, STAMP, STANDARD
from ironbridge.connectors.dynamics_bc.settings import (
    EXAMPLE_URL,
    SCOPE,
    SYSTEM_KEY,
    BcSettings,
    parse_settings,
)
from ironbridge.connectors.errors import (
    Conflict,
    ConnectorError,
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.http import ConnectorHttp, default_error_message
from ironbridge.connectors.pagination import NextLinkPaginator, PageRequest, json_at, paginate
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import datetime

    import httpx

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.connectors.dynamics_bc.resources import Resource
    from ironbridge.models import Record

__all__ = ["DynamicsBcConnector", "classify"]

log = structlog.get_logger(__name__)

# keys per live-read request: $filter=id eq A or id eq B ...
GET_BATCH = 40
_NEXT = NextLinkPaginator("@odata.nextLink")


def classify(response: httpx.Response) -> ConnectorError | None:
    """Business Central's own codes where the status alone misleads: a stale ETag (412 or 409)
    is a stale ``Conflict``; a 400 ``Application_*`` is a business rule refusal (``Conflict``
    with BC's message); other answers follow the default mapping."""
    if response.status_code < 400:
        return None
    try:
        code = json_at(response.json(), ("error", "code"))
    except ValueError:
        return None
    if not isinstance(code, str):
        return None
    message = default_error_message(response) or code
    detail = f"{message} ({code})"
    if code == "Request_EntityChanged":
        return Conflict(SYSTEM_KEY, detail, status_code=response.status_code, stale=True)
    if response.status_code == 400 and code.startswith("Application_"):
        return Conflict(SYSTEM_KEY, detail, status_code=400)
    if response.status_code == 400:
        return Rejected(SYSTEM_KEY, detail, status_code=400)
    return None


class DynamicsBcConnector(Connector):
    """Microsoft Dynamics 365 Business Central online (API v2.0) with an Entra application.

    ``config.options``: ``company_id`` or ``company_name`` (default: the first company the API
    lists), ``page_size`` (``Prefer: odata.maxpagesize``), ``token_url`` (default: Entra ID for
    ``api.businesscentral.dynamics.com``, else ``/{tenant}/oauth2/v2.0/token`` on the instance).
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key=SYSTEM_KEY,
        name="Microsoft Dynamics 365 Business Central",
        vendor="Microsoft",
        categories=(SystemCategory.ERP,),
        description=(
            "Purchase orders with lines, vendors, items, stock and locations through Business "
            "Central's API v2.0, and manufacturing production orders from its analytics API."
        ),
        auth_method=AuthMethod.OAUTH2_CLIENT_CREDENTIALS,
        auth_fields=(
            AuthField(
                name="client_id",
                label="Application (client) ID",
                placeholder="00000000-0000-0000-0000-000000000000",
                help="the Microsoft Entra app registration, granted on the Microsoft Entra "
                "Applications page in Business Central",
            ),
            AuthField(
                name="client_secret",
                label="Client secret",
                secret=True,
                help="the secret's value (not its id) from Certificates & secrets",
            ),
        ),
        credit_cost=2,
        docs_url="docs/connectors/dynamics-bc.md",
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            required_on_create=payloads.PURCHASE_ORDER_REQUIRED,
            updatable_fields=payloads.PURCHASE_ORDER_UPDATE,
            notes=payloads.PURCHASE_ORDER_NOTES,
        ),
        EntityType.VENDOR: EntitySupport(),
        EntityType.INVENTORY_ITEM: EntitySupport(),
        EntityType.STOCK_LEVEL: EntitySupport(
            incremental=False,
            notes="items.inventory (company-wide, no location); posting stock does not change "
            "an item's lastModifiedDateTime, so every sync reads all inventory items.",
        ),
        EntityType.LOCATION: EntitySupport(),
        EntityType.PRODUCTION_ORDER: EntitySupport(
            incremental=False,
            notes="Read-only, from the analytics API (manufacturingProductionOrders), which "
            "has no change stamp: every sync reads all production orders.",
        ),
    }

    def __init__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, transport=transport)
        self._http: ConnectorHttp | None = None
        self._settings: BcSettings | None = None
        self._company: str | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def settings(self) -> BcSettings:
        if self._settings is None:
            self._settings = parse_settings(self.config)
        return self._settings

    @property
    def http(self) -> ConnectorHttp:
        if self._http is None:
            settings = self.settings
            auth = OAuth2ClientCredentials(
                settings.token_url,
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                scope=SCOPE,
            )
            self._http = ConnectorHttp(
                SYSTEM_KEY,
                settings.root,
                auth=auth,
                transport=self.transport,
                classify=classify,
            )
        return self._http

    @property
    def upstream_requests(self) -> int:
        return 0 if self._http is None else self._http.counts.total

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def resource(self, entity: EntityType) -> Resource:
        found = RESOURCES.get(entity)
        if found is None or entity not in self.entities:
            raise Unsupported(SYSTEM_KEY, f"cannot read {entity.value}")
        return found

    async def company_id(self) -> str:
        """The company of this connection: by id or name option, else the first listed."""
        if self._company is not None:
            return self._company
        settings = self.settings
        try:
            response = await self.http.request("GET", f"{STANDARD}/companies")
        except NotFoundUpstream as exc:
            raise Rejected(
                SYSTEM_KEY,
                f"no Business Central API at {settings.root}: the instance URL must name the "
                f"tenant and an existing environment, e.g. {EXAMPLE_URL}",
                status_code=404,
            ) from exc
        companies = json_at(_json(response), ("value",))
        if not isinstance(companies, list):
            raise Rejected(SYSTEM_KEY, f"{settings.root} did not answer as Business Central")
        found = [c for c in companies if isinstance(c, dict) and isinstance(c.get("id"), str)]
        if settings.company_id is not None:
            found = [c for c in found if c["id"].lower() == settings.company_id]
        elif settings.company_name is not None:
            wanted = settings.company_name.casefold()
            found = [
                c
                for c in found
                if wanted in (str(c.get("name")).casefold(), str(c.get("displayName")).casefold())
            ]
        if not found:
            named = settings.company_id or settings.company_name
            what = f"no company {named!r}" if named else "no company"
            listed = ", ".join(str(c.get("name")) for c in companies if isinstance(c, dict))
            raise Rejected(SYSTEM_KEY, f"{what} in this environment (companies: {listed})")
        self._company = str(found[0]["id"]).lower()
        return self._company

    async def _path(self, resource: Resource, suffix: str = "") -> str:
        return f"{resource.api}/companies({await self.company_id()})/{resource.name}{suffix}"

    # -- reads ------------------------------------------------------------------------------

    async def check(self) -> None:
        """A token, the company and one purchase order: proves the URL, the app's consent
        and its permissions."""
        resource = self.resource(EntityType.PURCHASE_ORDER)
        await self.http.request(
            "GET", await self._path(resource), params={"$top": "1", "$select": "id"}
        )

    async def _pages(
        self, resource: Resource, params: Mapping[str, str]
    ) -> AsyncIterator[tuple[list[Any], bool]]:
        """(entities, is the last page) of every page from the first request on."""
        first = PageRequest(
            await self._path(resource), params=dict(params), headers=self.settings.read_headers
        )
        async for page in paginate(self.http, first, _NEXT):
            entities = json_at(page.body, ("value",))
            if not isinstance(entities, list):
                raise SystemUnreachable(
                    SYSTEM_KEY, f"{resource.name}: a page without value", reason="server_error"
                )
            yield entities, not json_at(page.body, ("@odata.nextLink",))

    def _params(self, resource: Resource, condition: str | None = None) -> dict[str, str]:
        params: dict[str, str] = {}
        terms = [t for t in (resource.where, condition) if t]
        if terms:
            params["$filter"] = " and ".join(f"({t})" if " or " in t else t for t in terms)
        if resource.expand:
            params["$expand"] = resource.expand
        if resource.select:
            params["$select"] = resource.select
        return params

    @staticmethod
    def _map(resource: Resource, entities: list[Any]) -> tuple[list[Record], list[Any]]:
        records: list[Record] = []
        failures: list[RecordMappingError] = []
        for raw in entities:
            try:
                records.append(resource.mapper(raw))
            except RecordMappingError as exc:
                failures.append(exc)
        return records, failures

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        """Records changed at or after the checkpoint (or ``not_before`` at first), oldest
        first, checkpointed after every page; unstamped entities come as a snapshot."""
        resource = self.resource(entity)
        if not resource.stamped:
            async for entities, last in self._pages(resource, self._params(resource)):
                records, failures = self._map(resource, entities)
                yield Batch(
                    records=records, failures=failures, checkpoint=since, complete_snapshot=last
                )
            return
        start = since.updated_at if since is not None and since.updated_at else not_before
        condition = None
        if start is not None:
            condition = f"{STAMP} ge {_literal_instant(start)}"
        params = self._params(resource, condition)
        params["$orderby"] = f"{STAMP} asc,{resource.key} asc"
        checkpoint = since
        async for entities, _last in self._pages(resource, params):
            records, failures = self._map(resource, entities)
            checkpoint = (
                last_checkpoint(
                    entities,
                    remote_id=lambda raw: _key(raw, resource.key),
                    stamp=lambda raw: parse_instant(raw.get(STAMP)),
                )
                or checkpoint
            )
            yield Batch(records=records, failures=failures, checkpoint=checkpoint)

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        resource = self.resource(entity)
        params = self._params(resource)
        params.pop("$expand", None)
        params["$select"] = resource.key
        async for entities, _last in self._pages(resource, params):
            ids = [i for raw in entities if (i := _key(raw, resource.key)) is not None]
            if ids:
                yield ids

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        """The records asked, in order; ``None`` for an unknown id and for a record that
        cannot be mapped (logged: a live read quarantines nothing)."""
        resource = self.resource(entity)
        literals = [lit for rid in dict.fromkeys(remote_ids) if (lit := resource.key_literal(rid))]
        found: dict[str, Record] = {}
        for start in range(0, len(literals), GET_BATCH):
            chunk = literals[start : start + GET_BATCH]
            condition = " or ".join(f"{resource.key} eq {lit}" for lit in chunk)
            async for entities, _last in self._pages(resource, self._params(resource, condition)):
                records, failures = self._map(resource, entities)
                found.update((r.remote_id, r) for r in records)
                for failure in failures:
                    log.warning(
                        "dynamics_bc.unmappable_record",
                        entity=entity.value,
                        remote_id=failure.remote_id,
                        detail=failure.detail,
                    )
        return [
            found.get(rid.strip().lower() if resource.key == "id" else rid) for rid in remote_ids
        ]

    async def _raw(self, resource: Resource, remote_id: str) -> dict[str, Any]:
        """One entity as Business Central sends it (lines expanded); ``NotFoundUpstream``."""
        if resource.key_literal(remote_id) is None:
            raise NotFoundUpstream(SYSTEM_KEY, f"no {resource.entity.value} with id {remote_id!r}")
        params = {"$expand": resource.expand} if resource.expand else None
        path = await self._path(resource, f"({remote_id.strip().lower()})")
        raw = _json(await self.http.request("GET", path, params=params))
        if not isinstance(raw, dict):
            raise SystemUnreachable(SYSTEM_KEY, f"{resource.name}: not an entity")
        return raw

    # -- writes -----------------------------------------------------------------------------

    def _writable(self, entity: EntityType, operation: str) -> Resource:
        support = self.entities.get(entity)
        if support is None or not getattr(support, operation):
            raise Unsupported(SYSTEM_KEY, f"cannot {operation} {entity.value}")
        return self.resource(entity)

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        """One POST: the order with its lines (deep insert), mapped from the answer."""
        resource = self._writable(entity, "create")
        body = payloads.purchase_order_body(data)
        response = await self.http.request(
            "POST",
            await self._path(resource),
            params={"$expand": "purchaseOrderLines"},
            json=body,
            expected={200, 201},
        )
        return resource.mapper(_json(response))

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """The ``@odata.etag`` the record was read with: BC refuses a PATCH against an older
        one (``Request_EntityChanged``)."""
        return etag_of(remote_data) if remote_data else None

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        """PATCH the header with ``If-Match`` (``version``, an ``@odata.etag``, or the one
        read just before), then each changed line with its own ETag; new lines are POSTed.
        A stale ETag is a ``Conflict(stale=True)``; a refusal a ``Conflict`` with BC's text."""
        resource = self._writable(entity, "update")
        raw = await self._raw(resource, remote_id)
        plan = payloads.purchase_order_plan(raw, data)
        path = await self._path(resource, f"({remote_id.strip().lower()})")
        if plan.header:
            tag = version or etag_of(raw) or "*"
            await self.http.request(
                "PATCH", path, json=plan.header, headers={"If-Match": tag}, expected={200, 204}
            )
        for line in plan.lines:
            lines = f"{path}/purchaseOrderLines"
            if line.line_id is None:
                await self.http.request("POST", lines, json=line.body, expected={200, 201})
                continue
            await self.http.request(
                "PATCH",
                f"{lines}({line.line_id})",
                json=line.body,
                headers={"If-Match": line.etag or "*"},
                expected={200, 204},
            )
        return resource.mapper(await self._raw(resource, remote_id))

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        """DELETE with the order's ETag: Business Central removes it for good."""
        resource = self._writable(entity, "delete")
        raw = await self._raw(resource, remote_id)
        path = await self._path(resource, f"({remote_id.strip().lower()})")
        await self.http.request(
            "DELETE", path, headers={"If-Match": etag_of(raw) or "*"}, expected={200, 204}
        )
        return DeleteResult(remote_id=remote_id, soft_deleted=False)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise SystemUnreachable(
            SYSTEM_KEY,
            f"{response.request.url.path}: the answer is not JSON",
            reason="server_error",
        ) from exc


def _key(raw: Any, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value:
        return None
    return value.lower() if key == "id" else value


def _literal_instant(value: datetime) -> str:
    """An unquoted ``Edm.DateTimeOffset`` literal in UTC, to the millisecond."""
    moment = value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
