"""The Infor XA connector: System-Link XML (``QueryList`` with PQL, ``Create``, ``Update``,
``Delete``) in a login session, directly or through the ION API gateway (``.ionapi``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
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
from ironbridge.connectors.errors import (
    AuthFailed,
    NotFoundUpstream,
    RecordMappingError,
    Rejected,
    Unsupported,
)
from ironbridge.connectors.http import ConnectorHttp
from ironbridge.connectors.infor_xa import mappers
from ironbridge.connectors.infor_xa.systemlink import (
    SystemLink,
    cdata,
    entities,
    first,
    property_xml,
)
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence

    from ironbridge.connectors.base import ConnectionConfig
    from ironbridge.models import Record

__all__ = ["SYSTEM_KEY", "InforXaConnector"]

log = structlog.get_logger(__name__)

SYSTEM_KEY = "infor-xa"
SERVLET = "SystemLink/servlet/SystemLinkServlet"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000
GET_BATCH = 50
STAMP = "lastChangeTimestamp"
PO = "com.mapics.pm.PurchaseOrder"
PO_ITEM = "com.mapics.pm.PoItem"
PO_REQUIRED = ("vendor_remote_id", "ship_to_remote_id", "currency", "lines")
PO_CREATE = (*PO_REQUIRED, "expected_delivery_date", "description", "custom_fields", "order_date")
PO_UPDATE = ("expected_delivery_date", "description", "currency", "vendor_remote_id",
             "custom_fields")  # fmt: skip
LINE_FIELDS = ("item_remote_id", "quantity", "unit_price", "unit_of_measure",
               "expected_delivery_date", "description", "line_number")  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class Resource:
    entity: EntityType
    domain_class: str
    keys: tuple[str, ...]
    select: tuple[str, ...]
    stamp: str | None
    mapper: Callable[..., Record]

    def remote_id(self, row: Mapping[str, Any]) -> str | None:
        parts = [row.get(k) for k in self.keys]
        return "/".join(str(p) for p in parts) if all(parts) else None


def _select(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


RESOURCES: dict[EntityType, Resource] = {
    EntityType.PURCHASE_ORDER: Resource(
        entity=EntityType.PURCHASE_ORDER, domain_class=PO, keys=("order",), stamp=STAMP,
        select=_select(
            "order,vendor,orderStatus,approvalStatus,buyer,warehouse,currency,orderCreatedDate,"
            "requestedDeliveryDate,description,userFieldCodeA,userFieldCodeB,lastChangeTimestamp"
        ),
        mapper=mappers.map_purchase_order,
    ),
    EntityType.VENDOR: Resource(
        entity=EntityType.VENDOR, domain_class="com.mapics.pm.Vendor", keys=("vendor",),
        stamp=STAMP,
        select=_select(
            "vendor,name,address1,address4City,postalCode,country,phone,currency,vendorStatus,"
            "lastChangeTimestamp"
        ),
        mapper=mappers.map_vendor,
    ),
    EntityType.INVENTORY_ITEM: Resource(
        entity=EntityType.INVENTORY_ITEM, domain_class="com.mapics.csm.Item", keys=("item",),
        stamp=STAMP,
        select=_select(
            "item,itemDescription,itemType,stockingUm,unitCost,currency,itemStatus,"
            "lastChangeTimestamp"
        ),
        mapper=mappers.map_inventory_item,
    ),
    EntityType.STOCK_LEVEL: Resource(
        entity=EntityType.STOCK_LEVEL, domain_class="com.mapics.epdm.ItemWarehouse",
        keys=("item", "warehouse"), stamp=None,
        select=_select(
            "item,warehouse,onHandQuantity,allocatedQuantity,onOrderQuantity,reorderPoint,"
            "stockingUm"
        ),
        mapper=mappers.map_stock_level,
    ),
    EntityType.PRODUCTION_ORDER: Resource(
        entity=EntityType.PRODUCTION_ORDER, domain_class="com.mapics.obpm.ManufacturingOrder",
        keys=("order",), stamp=STAMP,
        select=_select(
            "order,item,warehouse,totalOrderQuantity,quantityCompleted,orderStatus,startDate,"
            "dueDate,actualStartDate,actualCompletionDate,lastChangeTimestamp"
        ),
        mapper=mappers.map_production_order,
    ),
    EntityType.LOCATION: Resource(
        entity=EntityType.LOCATION, domain_class="com.mapics.csm.Warehouse", keys=("warehouse",),
        stamp=STAMP,
        select=_select("warehouse,description,address4City,country,lastChangeTimestamp"),
        mapper=mappers.map_location,
    ),
}  # fmt: skip
ITEM_SELECT = (
    "order,line,item,itemDescription,warehouse,orderQuantityRequested,quantityReceived,"
    "unitPriceRequested,orderUm,dueToDockDate,dueToStockDate"
)


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def after(paths: Sequence[str], values: Sequence[str]) -> str:
    """PQL for "the row comes after ``values`` in the order ``paths``" (keyset paging)."""
    path, value = paths[0], quote(values[0])
    if len(paths) == 1:
        return f"{path} > {value}"
    return f"({path} > {value} OR ({path} = {value} AND {after(paths[1:], values[1:])}))"


def _both(*conditions: str | None) -> str | None:
    kept = [f"({c})" for c in conditions if c]
    return " AND ".join(kept) or None


def _ymd(value: Any, field: str) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            raise Rejected(SYSTEM_KEY, f"{field}: must be a date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise Rejected(SYSTEM_KEY, f"{field}: must be a date (YYYY-MM-DD)")
    return value.strftime("%Y%m%d")


def _number(value: Any, field: str) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Rejected(SYSTEM_KEY, f"{field}: must be a number") from None
    if not number.is_finite() or number < 0:
        raise Rejected(SYSTEM_KEY, f"{field}: must be a positive number")
    return format(number, "f")


class InforXaConnector(Connector):
    """Infor XA (formerly MAPICS XA) through System-Link.

    ``config.credentials``: ``user_id`` and ``password`` (an XA user), or ``ionapi`` (the
    ``.ionapi`` file of an Infor OS backend-service client) to go through the ION API gateway.
    ``config.options``: ``page_size`` (default 500), ``environment`` and ``system_name``
    (the Login's ``com.pjx.cas.domain.EnvironmentId`` and ``SystemName``), ``ion_suite``
    (the gateway's path for XA, default ``XA``).
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key=SYSTEM_KEY,
        name="Infor XA",
        vendor="Infor",
        categories=(SystemCategory.ERP,),
        description=(
            "Purchase orders with their items, vendors, items, item-warehouse stock, "
            "manufacturing orders and warehouses of Infor XA (formerly MAPICS XA) through "
            "System-Link, directly or through the Infor OS ION API gateway."
        ),
        auth_method=AuthMethod.SESSION,
        auth_fields=(
            AuthField(
                name="user_id",
                label="XA user ID",
                required=False,
                help="an IBM i user profile enrolled in XA with access to Purchasing, "
                "Inventory and Production; System-Link opens a session with it",
            ),
            AuthField(name="password", label="Password", secret=True, required=False),
            AuthField(
                name="ionapi",
                label=".ionapi file (instead of a user)",
                secret=True,
                required=False,
                help="Infor OS Portal → API Gateway → Authorized Apps → Backend Service app → "
                "Download Credentials; paste the whole file",
            ),
        ),
        credit_cost=2,
        docs_url="docs/connectors/infor-xa.md",
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            required_on_create=PO_REQUIRED,
            updatable_fields=PO_UPDATE,
            notes="Header com.mapics.pm.PurchaseOrder with its com.mapics.pm.PoItem items. "
            "An approved order takes only new delivery dates; only an order that is not yet "
            "approved or received can be deleted (XA deletes it).",
        ),
        EntityType.VENDOR: EntitySupport(notes="com.mapics.pm.Vendor; on hold is BLOCKED."),
        EntityType.INVENTORY_ITEM: EntitySupport(notes="com.mapics.csm.Item."),
        EntityType.STOCK_LEVEL: EntitySupport(
            incremental=False,
            notes="com.mapics.epdm.ItemWarehouse has no change stamp: read as a snapshot.",
        ),
        EntityType.PRODUCTION_ORDER: EntitySupport(
            notes="Manufacturing orders (com.mapics.obpm.ManufacturingOrder)."
        ),
        EntityType.LOCATION: EntitySupport(notes="Warehouses (com.mapics.csm.Warehouse)."),
    }

    def __init__(
        self, config: ConnectionConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        super().__init__(config, transport=transport)
        self._link: SystemLink | None = None
        self._http: ConnectorHttp | None = None
        self._offset: timedelta | None = None
        self.page_size = self._page_size(config.options.get("page_size", DEFAULT_PAGE_SIZE))

    @staticmethod
    def _page_size(value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
            raise Rejected(
                SYSTEM_KEY, f"option page_size: must be a whole number 1..{MAX_PAGE_SIZE}"
            )
        return value

    # -- connection ---------------------------------------------------------------------------

    @property
    def link(self) -> SystemLink:
        if self._link is None:
            self._link = self._open()
        return self._link

    def _base_url(self) -> str:
        try:
            url = httpx.URL(self.config.instance_url.strip())
        except (httpx.InvalidURL, TypeError):
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise Rejected(
                SYSTEM_KEY,
                "the instance URL must be the XA host, e.g. https://xa.example.com:36001",
            )
        path = url.path.split("/SystemLink", 1)[0].rstrip("/")
        return str(url.copy_with(path=path + "/", query=None, fragment=None))

    def _properties(self) -> str | None:
        options = self.config.options
        parts = []
        if environment := options.get("environment"):
            parts.append(f"com.pjx.cas.domain.EnvironmentId={environment}")
        if system_name := options.get("system_name"):
            parts.append(f"com.pjx.cas.domain.SystemName={system_name}")
        if parts:
            parts.append("com.pjx.cas.user.LanguageId=en")
        return ", ".join(parts) or None

    def _open(self) -> SystemLink:
        credentials = self.config.credentials
        ionapi = (credentials.get("ionapi") or "").strip()
        if ionapi:
            return self._open_ion(ionapi)
        user = (credentials.get("user_id") or "").strip()
        password = credentials.get("password") or ""
        if not user or not password:
            raise AuthFailed(
                SYSTEM_KEY, "an XA user ID and password (or an .ionapi file) are required"
            )
        self._http = ConnectorHttp(SYSTEM_KEY, self._base_url(), transport=self.transport)
        return SystemLink(
            self._http, SERVLET, user=user, password=password, properties=self._properties()
        )

    def _open_ion(self, text: str) -> SystemLink:
        try:
            ion = json.loads(text)
        except json.JSONDecodeError:
            raise AuthFailed(SYSTEM_KEY, "the .ionapi file is not JSON") from None
        wanted = ("ti", "ci", "cs", "iu", "pu", "ot", "saak", "sask")
        missing = [k for k in wanted if not isinstance(ion, dict) or not ion.get(k)]
        if missing:
            raise AuthFailed(SYSTEM_KEY, f"the .ionapi file lacks {', '.join(missing)}")
        auth = OAuth2ClientCredentials(
            str(ion["pu"]).rstrip("/") + "/" + str(ion["ot"]).lstrip("/"),
            client_id=str(ion["ci"]),
            client_secret=str(ion["cs"]),
            extra_params={
                "grant_type": "password",
                "username": str(ion["saak"]),
                "password": str(ion["sask"]),
            },
        )
        suite = str(self.config.options.get("ion_suite") or "XA").strip("/")
        base = f"{str(ion['iu']).rstrip('/')}/{ion['ti']}/{suite}/"
        self._http = ConnectorHttp(SYSTEM_KEY, base, auth=auth, transport=self.transport)
        user = (self.config.credentials.get("user_id") or "").strip() or None
        return SystemLink(
            self._http, SERVLET, user=user, password=None, trusted=True,
            properties=self._properties(),
        )  # fmt: skip

    @property
    def upstream_requests(self) -> int:
        return 0 if self._http is None else self._http.counts.total

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    def resource(self, entity: EntityType) -> Resource:
        found = RESOURCES.get(entity)
        if found is None:
            raise Unsupported(SYSTEM_KEY, f"Infor XA has no {entity.value} records")
        return found

    # -- reads --------------------------------------------------------------------------------

    async def check(self) -> None:
        """A login and one vendor read: proves the URL, the user and its access."""
        await self.link.run(
            [self._query("com.mapics.pm.Vendor", ("vendor",), None, ("vendor",), 1)]
        )

    @staticmethod
    def _query(
        domain_class: str, select: Sequence[str], where: str | None, order: Sequence[str],
        limit: int,
    ) -> str:  # fmt: skip
        pql = f"SELECT {','.join(select)}"
        if where:
            pql += f" WHERE {where}"
        pql += f" ORDER BY {', '.join(order)}"
        return (
            f'<QueryList name="q" domainClass="{domain_class}" includeMetaData="false" '
            f'maxReturned="{limit}"><Pql>{cdata(pql)}</Pql></QueryList>'
        )

    async def _pages(
        self, domain_class: str, select: Sequence[str], where: str | None, order: Sequence[str],
        *, limit: int | None = None,
    ) -> AsyncIterator[tuple[list[dict[str, str | None]], bool, timedelta]]:  # fmt: skip
        """Every page of a query as ``(rows, is_last, clock offset)``, continuing past
        ``moreResults`` by key range on the ``order`` properties."""
        position: str | None = None
        size = limit or self.page_size
        while True:
            action = self._query(domain_class, select, _both(where, position), order, size)
            answer = await self.link.run([action])
            result = first(answer, "QueryListResponse")
            rows = entities(result)
            more = result.get("moreResults") == "true"
            yield rows, not more or not rows, answer.offset
            if not more or not rows:
                return
            last = rows[-1]
            values = [last.get(p) for p in order]
            if any(v is None for v in values):
                raise Rejected(SYSTEM_KEY, f"cannot continue {domain_class}: a key is empty")
            position = after(order, [str(v) for v in values])

    async def _with_items(self, rows: list[dict[str, Any]]) -> None:
        orders = [str(r["order"]) for r in rows if r.get("order")]
        if not orders:
            return
        where = f"order IN ({', '.join(quote(o) for o in orders)})"
        by_order: dict[str, list[dict[str, Any]]] = {o: [] for o in orders}
        select = ITEM_SELECT.split(",")
        async for items, _last, _offset in self._pages(PO_ITEM, select, where, ("order", "line")):
            for item in items:
                by_order.setdefault(str(item.get("order")), []).append(item)
        for row in rows:
            row["items"] = by_order.get(str(row.get("order")), [])

    def _map(
        self, resource: Resource, rows: list[dict[str, Any]], offset: timedelta
    ) -> tuple[list[Record], list[RecordMappingError]]:
        records: list[Record] = []
        failures: list[RecordMappingError] = []
        for row in rows:
            try:
                records.append(resource.mapper(row, offset=offset))
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
        """Records changed at or after the checkpoint, by ``lastChangeTimestamp`` then key;
        stock as a complete snapshot by key."""
        resource = self.resource(entity)
        if resource.stamp is None:
            async for rows, last, offset in self._pages(
                resource.domain_class, resource.select, None, resource.keys
            ):
                records, failures = self._map(resource, rows, offset)
                checkpoint = Checkpoint(remote_id=records[-1].remote_id) if records else since
                yield Batch(
                    records=records, failures=failures, checkpoint=checkpoint,
                    complete_snapshot=last,
                )  # fmt: skip
            return
        start = since.updated_at if since is not None and since.updated_at else not_before
        checkpoint = since
        order = (STAMP, *resource.keys)
        async for rows, _last, offset in self._since_pages(resource, start, order):
            if entity is EntityType.PURCHASE_ORDER:
                await self._with_items(rows)
            records, failures = self._map(resource, rows, offset)
            checkpoint = (
                last_checkpoint(
                    rows,
                    remote_id=resource.remote_id,
                    stamp=_stamp_reader(offset),
                )
                or checkpoint
            )
            yield Batch(records=records, failures=failures, checkpoint=checkpoint)

    async def _since_pages(
        self, resource: Resource, start: datetime | None, order: Sequence[str]
    ) -> AsyncIterator[tuple[list[dict[str, str | None]], bool, timedelta]]:
        """Pages from ``start`` on; the first page learns the system's clock offset, with
        which the change stamp literal is written (a first page read from the epoch)."""
        where = None
        if start is not None:
            offset = await self._clock_offset()
            where = f"{resource.stamp} >= {quote(mappers.stamp_literal(start, offset))}"
        async for page in self._pages(resource.domain_class, resource.select, where, order):
            yield page

    async def _clock_offset(self) -> timedelta:
        if self._offset is None:
            query = self._query("com.mapics.csm.Warehouse", ("warehouse",), None, ("warehouse",), 1)
            self._offset = (await self.link.run([query])).offset
        return self._offset

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        resource = self.resource(entity)
        async for rows, _last, _offset in self._pages(
            resource.domain_class, resource.keys, None, resource.keys
        ):
            ids = [i for r in rows if (i := resource.remote_id(r)) is not None]
            if ids:
                yield ids

    @staticmethod
    def _match(keys: Sequence[str], values: Sequence[str]) -> str:
        pairs = zip(keys, values, strict=True)
        return "(" + " AND ".join(f"{k} = {quote(v)}" for k, v in pairs) + ")"

    async def _lookup(
        self, resource: Resource, remote_ids: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], timedelta | None]:
        wanted = [i for i in dict.fromkeys(remote_ids) if len(i.split("/")) == len(resource.keys)]
        found: dict[str, dict[str, Any]] = {}
        offset = None
        for start in range(0, len(wanted), GET_BATCH):
            batch = wanted[start : start + GET_BATCH]
            if len(resource.keys) == 1:
                where = f"{resource.keys[0]} IN ({', '.join(quote(i) for i in batch)})"
            else:
                where = " OR ".join(self._match(resource.keys, i.split("/")) for i in batch)
            async for rows, _last, page_offset in self._pages(
                resource.domain_class, resource.select, where, resource.keys
            ):
                offset = page_offset
                if resource.entity is EntityType.PURCHASE_ORDER:
                    await self._with_items(rows)
                for row in rows:
                    if (key := resource.remote_id(row)) is not None:
                        found[key] = row
        return found, offset

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        resource = self.resource(entity)
        found, offset = await self._lookup(resource, remote_ids)
        records, failures = self._map(resource, list(found.values()), offset or timedelta(0))
        for failure in failures:
            log.warning("infor_xa.unmappable_record", entity=entity.value,
                        remote_id=failure.remote_id, detail=failure.detail)  # fmt: skip
        mapped = {r.remote_id: r for r in records}
        return [mapped.get(i) for i in remote_ids]

    # -- writes -------------------------------------------------------------------------------

    def _writable(self, entity: EntityType) -> Resource:
        if entity is not EntityType.PURCHASE_ORDER:
            raise Unsupported(SYSTEM_KEY, f"cannot write {entity.value} through System-Link")
        return self.resource(entity)

    async def _read_back(self, resource: Resource, remote_id: str) -> Record:
        (record,) = await self.get(resource.entity, [remote_id])
        if record is None:
            raise NotFoundUpstream(SYSTEM_KEY, f"purchase order {remote_id} is not readable")
        return record

    @staticmethod
    def _entity(keys: Mapping[str, str], props: Mapping[str, str | None]) -> str:
        key = "".join(property_xml(k, v) for k, v in keys.items())
        rest = "".join(property_xml(k, v) for k, v in props.items())
        return f"<DomainEntity>{'<Key>' + key + '</Key>' if key else ''}{rest}</DomainEntity>"

    def _verb(self, verb: str, domain_class: str, keys: Mapping[str, str],
              props: Mapping[str, str | None], name: str) -> str:  # fmt: skip
        body = self._entity(keys, props)
        return f'<{verb} name="{name}" domainClass="{domain_class}">{body}</{verb}>'

    @staticmethod
    def _header(data: Mapping[str, Any], *, creating: bool) -> dict[str, str | None]:
        allowed = PO_CREATE if creating else PO_UPDATE
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise Rejected(
                SYSTEM_KEY, f"{unknown[0]}: unknown field; accepted: {', '.join(allowed)}"
            )
        props: dict[str, str | None] = {}
        names = {"vendor_remote_id": "vendor", "ship_to_remote_id": "warehouse",
                 "currency": "currency", "description": "description"}  # fmt: skip
        for field, path in names.items():
            if field in data:
                value = data[field]
                if value is not None and not isinstance(value, str):
                    raise Rejected(SYSTEM_KEY, f"{field}: must be a string")
                props[path] = None if value is None else value.strip()
        if data.get("expected_delivery_date") is not None:
            props["requestedDeliveryDate"] = _ymd(
                data["expected_delivery_date"], "expected_delivery_date"
            )
        custom = data.get("custom_fields") or {}
        if not isinstance(custom, dict):
            raise Rejected(SYSTEM_KEY, "custom_fields: must be an object")
        for key, value in custom.items():
            if not str(key).startswith(mappers.CUSTOM_PREFIX):
                raise Rejected(
                    SYSTEM_KEY, f"custom_fields.{key}: XA user fields start with userField"
                )
            props[str(key)] = None if value is None else str(value)
        return props

    @staticmethod
    def _line(row: Any, position: int, header: Mapping[str, Any]) -> dict[str, str | None]:
        where = f"lines[{position}]"
        if not isinstance(row, dict):
            raise Rejected(SYSTEM_KEY, f"{where}: must be an object")
        unknown = sorted(set(row) - set(LINE_FIELDS))
        if unknown:
            raise Rejected(SYSTEM_KEY, f"{where}.{unknown[0]}: unknown field")
        for required in ("item_remote_id", "quantity"):
            if row.get(required) in (None, ""):
                raise Rejected(SYSTEM_KEY, f"{where}.{required}: is required")
        props: dict[str, str | None] = {
            "item": str(row["item_remote_id"]),
            "orderQuantityRequested": _number(row["quantity"], f"{where}.quantity"),
        }
        if row.get("unit_price") is not None:
            props["unitPriceRequested"] = _number(row["unit_price"], f"{where}.unit_price")
        if row.get("unit_of_measure"):
            props["orderUm"] = str(row["unit_of_measure"])
        due = row.get("expected_delivery_date") or header.get("expected_delivery_date")
        if due is not None:
            props["dueToDockDate"] = props["dueToStockDate"] = _ymd(
                due, f"{where}.expected_delivery_date"
            )
        return props

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        """One ``Request``: the order's ``Create``, then a ``Create`` per item (the items take
        the order just created); XA commits all of it or nothing."""
        resource = self._writable(entity)
        missing = [f for f in PO_REQUIRED if data.get(f) in (None, "", [])]
        if missing:
            raise Rejected(SYSTEM_KEY, f"{missing[0]}: is required")
        header = self._header(data, creating=True)
        lines = data.get("lines")
        if not isinstance(lines, list | tuple):
            raise Rejected(SYSTEM_KEY, "lines: must be a list")
        actions = [self._verb("Create", PO, {}, header, "po")]
        actions += [
            self._verb("Create", PO_ITEM, {}, self._line(row, n, data), f"item{n + 1}")
            for n, row in enumerate(lines)
        ]
        answer = await self.link.run(actions, write=True)
        created = entities(first(answer, "CreateResponse"))
        number = created[0].get("order") if created else None
        if not number:
            raise Rejected(SYSTEM_KEY, "XA created the order but answered no order number")
        return await self._read_back(resource, number)

    async def update(
        self, entity: EntityType, remote_id: str, data: Mapping[str, Any], *,
        version: str | None = None,
    ) -> Record:  # fmt: skip
        """The header's changed properties; a new delivery date also moves the items' dates
        (the one change XA lets an approved order take)."""
        resource = self._writable(entity)
        found, _ = await self._lookup(resource, [remote_id])
        current = found.get(remote_id)
        if current is None:
            raise NotFoundUpstream(SYSTEM_KEY, f"no purchase order {remote_id}", status_code=404)
        header = self._header(data, creating=False)
        changed = {k: v for k, v in header.items() if (current.get(k) or None) != v}
        if not changed:
            return await self._read_back(resource, remote_id)
        actions = [self._verb("Update", PO, {"order": remote_id}, changed, "po")]
        if "requestedDeliveryDate" in changed:
            due = changed["requestedDeliveryDate"]
            actions += [
                self._verb("Update", PO_ITEM, {"order": remote_id, "line": str(item["line"])},
                           {"dueToDockDate": due, "dueToStockDate": due}, f"item{n}")
                for n, item in enumerate(current.get("items") or [])
            ]  # fmt: skip
        await self.link.run(actions, write=True)
        return await self._read_back(resource, remote_id)

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        self._writable(entity)
        action = self._verb("Delete", PO, {"order": remote_id}, {}, "po")
        await self.link.run([action], write=True)
        return DeleteResult(remote_id=remote_id, soft_deleted=False)


def _stamp_reader(offset: timedelta) -> Callable[[Any], datetime | None]:
    def read(row: Any) -> datetime | None:
        return mappers.parse_stamp(row.get(STAMP), offset)

    return read
