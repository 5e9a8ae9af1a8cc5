"""The state of one emulated SAP system and its Python API for tests.

``SapEmulator`` holds the dataset, the fault controls, the accepted credentials and the CSRF
sessions, and implements the control operations (touch, delete, insert, snapshot, reset).
Records are addressed by entity set name (``A_PurchaseOrder``, ``PurchaseOrder``,
``A_Supplier``, ...) and by id: the key value, or the key values joined with ``/`` for
composite keys (``"4500000001/10"``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.faults import FaultControls
from ironbridge.emulators.sap import v2, v4
from ironbridge.emulators.sap.errors import SYSTEM_ID
from ironbridge.emulators.sap.model import Edm, EntitySet, Prop, Service, find_entity_set
from ironbridge.emulators.sap.options import RenderContext
from ironbridge.emulators.sap.samples import Malformed, packed_timestamp
from ironbridge.emulators.sap.tables import ChildTable, Key, Record, Rows
from ironbridge.emulators.sap.values import etag, parse_json_value

if TYPE_CHECKING:
    from ironbridge.emulators.sap.dataset import SapDataset

__all__ = [
    "DEFAULT_BEARER_TOKEN",
    "DEFAULT_CLIENT",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "SapEmulator",
]

DEFAULT_USERNAME = "IRONBRIDGE"
DEFAULT_PASSWORD = "Emulator-Pass-1"
DEFAULT_CLIENT = "100"
DEFAULT_BEARER_TOKEN = "ironbridge-emulator-token"

# tables whose rows carry the change stamp, and the child tables that bump their root's stamp
_STAMPED = ("purchase_order", "product", "equipment", "maintenance_order", "production_order")
_ROOT = {"purchase_order_item": "purchase_order", "schedule_line": "purchase_order"}
_SOFT_DELETE: dict[str, dict[str, Any]] = {
    "purchase_order": {"PurchasingDocumentDeletionCode": "L"},
    "purchase_order_item": {"PurchasingDocumentDeletionCode": "L"},
    "supplier": {"DeletionIndicator": True},
    "product": {"IsMarkedForDeletion": True},
    "production_order": {"OrderIsMarkedForDeletion": "X"},
}
_NUMBERED = {"purchase_order": "PurchaseOrder", "maintenance_order": "MaintenanceOrder"}
# child table -> (fields holding the parent key, (numbering field, step))
_CHILD_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, int]]] = {
    "purchase_order_item": (("PurchaseOrder",), ("PurchaseOrderItem", 10)),
    "schedule_line": (("PurchasingDocument", "PurchasingDocumentItem"), ("ScheduleLine", 1)),
    "product_description": (("Product",), ("Language", 0)),
}
_MS = timedelta(milliseconds=1)
_PYTHON_TYPES: dict[Edm, tuple[type, ...]] = {
    Edm.STRING: (str,),
    Edm.BOOLEAN: (bool,),
    Edm.DECIMAL: (Decimal,),
    Edm.TIMESTAMP: (Decimal,),
    Edm.DATE: (date,),
    Edm.DATETIMEOFFSET: (datetime,),
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _blank(prop: Prop) -> Any:
    return {Edm.STRING: "", Edm.BOOLEAN: False}.get(prop.type)


class SapEmulator:
    """One emulated S/4HANA system (``app.state.emulator``)."""

    system = "sap-s4hana"

    def __init__(
        self,
        *,
        dataset: SapDataset,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        client: str = DEFAULT_CLIENT,
        bearer_token: str | None = DEFAULT_BEARER_TOKEN,
        page_size: int = 100,
        csrf_ttl: float = 1800.0,
        clock: Callable[[], datetime] | None = None,
        fault_seed: int = 0,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        self.dataset = dataset
        self.faults = FaultControls(seed=fault_seed)
        self.username = username
        self.password = password
        self.client = client
        self.bearer_token = bearer_token
        self.page_size = page_size
        self.csrf_ttl = csrf_ttl
        self.clock = clock or _utc_now
        self.session_cookie = f"SAP_SESSIONID_{SYSTEM_ID}_{client}"
        self.xsrf_cookie = f"sap-XSRF_{SYSTEM_ID}_{client}"
        # token -> (session id, expiry)
        self._csrf: dict[str, tuple[str, datetime]] = {}

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"username": self.username, "password": self.password, "client": self.client}

    # -- auth and CSRF ---------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> str | None:
        """The logged-on user for an ``Authorization`` header, or None."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and self.bearer_token:
            return self.username if hmac.compare_digest(value.strip(), self.bearer_token) else None
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        ok_user = hmac.compare_digest(user.upper(), self.username.upper())
        ok_password = hmac.compare_digest(password, self.password)
        return self.username if ok_user and ok_password else None

    def issue_csrf(self) -> tuple[str, str]:
        """A new ``(token, session id)``; both are needed on every modifying request."""
        token = base64.b64encode(secrets.token_bytes(18)).decode()
        session = secrets.token_urlsafe(24)
        self._csrf[token] = (session, self.clock() + timedelta(seconds=self.csrf_ttl))
        return token, session

    def csrf_valid(self, token: str | None, cookies: Mapping[str, str]) -> bool:
        entry = self._csrf.get(token or "")
        if entry is None or entry[1] <= self.clock():
            return False
        return cookies.get(self.session_cookie) == entry[0]

    def expire_csrf_tokens(self) -> None:
        """End every security session, as a timeout or a server restart would."""
        self._csrf.clear()

    # -- stamps and ETags -------------------------------------------------------------------

    def now(self) -> datetime:
        instant = self.clock().astimezone(UTC)
        return instant.replace(microsecond=instant.microsecond // 1000 * 1000)

    def next_stamp(self, previous: Any) -> datetime:
        """Now, but always after ``previous`` so that every write changes the ETag."""
        now = self.now()
        if isinstance(previous, datetime) and now <= previous:
            return previous + _MS
        return now

    def stamp_of(self, entity_set: EntitySet, key: Key, record: Record) -> datetime | None:
        if entity_set.table in _ROOT:
            value = self.dataset.tables[_ROOT[entity_set.table]].value(
                key[:1], "LastChangeDateTime"
            )
        else:
            value = record.get("LastChangeDateTime")
        return value if isinstance(value, datetime) else None

    def etag(self, entity_set: EntitySet, key: Key, record: Record, version: int) -> str | None:
        stamp = self.stamp_of(entity_set, key, record)
        return None if stamp is None else etag(stamp, version)

    def bump(self, table: str, key: Key, *, at: datetime | None = None) -> None:
        """Set the change stamp of the row (or of its root purchase order)."""
        root = _ROOT.get(table, table)
        if root not in _STAMPED:
            return
        rows = self.dataset.tables[root]
        root_key = key[: len(rows.key_fields)]
        current = rows.get(root_key)
        if current is None:
            return
        record = dict(current)
        previous = record.get("LastChangeDateTime")
        if root == "production_order":
            record["LastChangeDateTime"] = packed_timestamp(at or self.now())
        else:
            stamp = at.astimezone(UTC) if at is not None else self.next_stamp(previous)
            record["LastChangeDateTime"] = stamp
            if "LastChangeDate" in record:
                record["LastChangeDate"] = stamp.date()
        rows.put(record)

    def context(self, service: Service, base_url: str, *, ieee754: bool = False) -> RenderContext:
        return RenderContext(
            service=service,
            service_url=f"{base_url.rstrip('/')}{service.root}",
            tables=self.dataset.tables,
            etag=lambda es, key, record: self.etag(es, key, record, service.version),
            ieee754=ieee754,
        )

    # -- the control API -------------------------------------------------------------------

    def entity_set(self, entity: str) -> tuple[Service, EntitySet]:
        found = find_entity_set(entity)
        if found is None:
            raise UnknownEntity(entity)
        return found

    def rows(self, entity: str) -> Rows:
        return self.dataset.tables[self.entity_set(entity)[1].table]

    def key_of(self, entity: str, record_id: str) -> Key:
        entity_set = self.entity_set(entity)[1]
        parts = tuple(record_id.split("/")) if len(entity_set.keys) > 1 else (record_id,)
        if len(parts) != len(entity_set.keys):
            raise UnknownRecord(entity, [record_id])
        return parts

    def record(self, entity: str, record_id: str) -> Record | None:
        """The raw row (Python values) of one record, or None."""
        return self.rows(entity).get(self.key_of(entity, record_id))

    def coerce(self, entity: str, values: Mapping[str, Any]) -> Record:
        """Python or JSON (V2 or V4 form) values, checked against the entity's properties."""
        entity_set = self.entity_set(entity)[1]
        coerced: Record = {}
        for name, value in values.items():
            prop = entity_set.by_name.get(name)
            if prop is None:
                raise InvalidRecord(entity, f"unknown property {name}")
            if value is None or isinstance(value, Malformed):
                coerced[name] = value
                continue
            if isinstance(value, datetime) and prop.type in (Edm.DATE, Edm.DATETIMEOFFSET):
                instant = value if value.tzinfo else value.replace(tzinfo=UTC)
                instant = instant.astimezone(UTC)
                coerced[name] = instant.date() if prop.type is Edm.DATE else instant
                continue
            if isinstance(value, _PYTHON_TYPES[prop.type]):
                coerced[name] = value
                continue
            try:
                coerced[name] = parse_json_value(prop.type, value)
            except ValueError as exc:
                raise InvalidRecord(entity, f"{name}: {exc}") from exc
        return coerced

    def _existing(self, entity: str, ids: Sequence[str]) -> list[Key]:
        rows = self.rows(entity)
        keys = [self.key_of(entity, i) for i in ids]
        missing = [i for i, k in zip(ids, keys, strict=True) if k not in rows]
        if missing:
            raise UnknownRecord(entity, missing)
        return keys

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Change records as a user in SAP would: apply ``changes`` and bump the change stamp
        (to ``at`` when given). Entities without a stamp get a visible change by default."""
        entity_set = self.entity_set(entity)[1]
        rows = self.rows(entity)
        values = self.coerce(entity, changes or {})
        for key in self._existing(entity, ids):
            record = dict(rows.get(key) or {})
            record.update(values)
            if not values and _ROOT.get(entity_set.table, entity_set.table) not in _STAMPED:
                _default_change(entity_set.table, record)
            rows.put(record)
            self.bump(entity_set.table, key, at=at)
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """Soft-delete where SAP flags deletions (PO deletion code ``L``, supplier deletion
        indicator, ...); otherwise, or with ``hard=True``, remove the records (archiving)."""
        entity_set = self.entity_set(entity)[1]
        rows = self.rows(entity)
        flags = _SOFT_DELETE.get(entity_set.table)
        for key in self._existing(entity, ids):
            if hard or flags is None:
                rows.remove(key)
                continue
            rows.put({**(rows.get(key) or {}), **flags})
            if entity_set.table == "purchase_order":
                items = self.dataset.tables["purchase_order_item"]
                assert isinstance(items, ChildTable)
                for item in items.child_keys(key):
                    items.put({**(items.get(item) or {}), **flags})
            self.bump(entity_set.table, key)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        """Add a record without business checks (document number assigned if missing). Children
        may come along under the navigation name (``to_PurchaseOrderItem``, ``_PurchaseOrderItem``,
        ``to_ScheduleLine``, as a list or ``{"results": [...]}``); an item without schedule
        lines gets one."""
        service, entity_set = self.entity_set(entity)
        body = dict(record)
        nested: dict[str, list[Mapping[str, Any]]] = {}
        for nav in entity_set.navs:
            value = body.pop(nav.name, None)
            if isinstance(value, Mapping):
                value = value.get("results")
            nested[nav.name] = list(value or [])
        row = {p.name: _blank(p) for p in entity_set.props}
        row.update(self.coerce(entity, body))
        table = entity_set.table
        number_field = _NUMBERED.get(table)
        if number_field and not row.get(number_field):
            row[number_field] = self.dataset.next_number(table)
        missing = [k for k in entity_set.keys if row.get(k) in (None, "")]
        if missing:
            raise InvalidRecord(entity, f"missing key {', '.join(missing)}")
        rows = self.dataset.tables[table]
        key = tuple(str(row[k]) for k in entity_set.keys)
        if isinstance(rows, ChildTable) and rows.parent_key(key) not in rows.parent:
            raise InvalidRecord(entity, f"no parent record for {'/'.join(key)}")
        stamp = row.get("LastChangeDateTime")
        rows.put(row)
        self.bump(table, key, at=at or (stamp if isinstance(stamp, datetime) else None))
        for nav in entity_set.navs:
            target = service.entity_set(nav.target)
            assert target is not None
            children = nested[nav.name]
            if not children and target.table == "schedule_line":
                children = [_default_schedule_line(row, self.now())]
            parent_fields, (number, step) = _CHILD_KEYS[target.table]
            for n, child in enumerate(children, start=1):
                child_row = {**child, **dict(zip(parent_fields, key, strict=True))}
                child_row.setdefault(number, str(step * n) if step else "EN")
                self.insert(target.name, child_row, at=at)
        return "/".join(key)

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        """Every current record as the API renders it (V2 or V4 by the set's protocol), without
        metadata or navigation properties."""
        service, entity_set = self.entity_set(entity)
        ctx = self.context(service, "")
        rows = self.dataset.tables[entity_set.table]
        render = v2.entity if service.version == 2 else v4.entity
        out = []
        for key in rows:
            record = rows.get(key)
            if record is not None:
                out.append(render(ctx, entity_set, key, record, metadata=False))
        return out

    def reset(self) -> None:
        """Back to the generated data, no faults, no requests counted, no CSRF sessions."""
        self.dataset.reset()
        self.faults.reset()
        self._csrf.clear()


def _default_schedule_line(item: Record, now: datetime) -> Record:
    return {
        "DelivDateCategory": "1",
        "ScheduleLineDeliveryDate": now.date() + timedelta(days=14),
        "PurchaseOrderQuantityUnit": item.get("PurchaseOrderQuantityUnit", ""),
        "ScheduleLineOrderQuantity": item.get("OrderQuantity"),
    }


def _default_change(table: str, record: Record) -> None:
    if table == "stock":
        record["MatlWrhsStkQtyInMatlBaseUnit"] = record["MatlWrhsStkQtyInMatlBaseUnit"] + 1
    elif table == "supplier":
        record["PostingIsBlocked"] = not record["PostingIsBlocked"]
    elif table == "plant":
        record["IsMarkedForArchiving"] = not record["IsMarkedForArchiving"]
