"""The state of one emulated Business Central environment (companies and their entity sets,
Entra app registration, issued tokens, faults) and the control operations on it."""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.dynamics_bc import samples
from ironbridge.emulators.dynamics_bc.samples import PoSpec, instant
from ironbridge.emulators.dynamics_bc.store import STAMP, Row, Table
from ironbridge.emulators.faults import FaultControls

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_TENANT",
    "ENTITY_SETS",
    "Company",
    "DynamicsBcEmulator",
    "EntitySet",
]

DEFAULT_TENANT = "7e6b1c52-3f0a-4b8e-9d21-5c4a7f1e2d90"
DEFAULT_ENVIRONMENT = "Production"
DEFAULT_CLIENT_ID = "3c1f5e9a-8b2d-4f6e-a7c0-1d9e2b4f6a83"
DEFAULT_CLIENT_SECRET = "Ib~Emulator.Secret-8Q2vX7kL0pN4rT6w"
SCOPE = "https://api.businesscentral.dynamics.com/.default"


@dataclass(frozen=True, slots=True)
class EntitySet:
    """One entity set of the API: its OData type name, key, properties and write rights."""

    name: str
    type_name: str
    key: str
    api: str  # "v2.0" (standard API) or "analytics" (microsoft/analytics/v1.0)
    writable: bool = False
    stamped: bool = True


ENTITY_SETS: Mapping[str, EntitySet] = {
    s.name: s
    for s in (
        EntitySet("purchaseOrders", "Microsoft.NAV.purchaseOrder", "id", "v2.0", writable=True),
        EntitySet("vendors", "Microsoft.NAV.vendor", "id", "v2.0"),
        EntitySet("items", "Microsoft.NAV.item", "id", "v2.0"),
        EntitySet("locations", "Microsoft.NAV.location", "id", "v2.0"),
        EntitySet(
            "manufacturingProductionOrders",
            "Microsoft.NAV.manufacturingProductionOrder",
            "no",
            "analytics",
            stamped=False,
        ),
    )
}


@dataclass(slots=True)
class Company:
    id: str
    name: str
    tables: dict[str, Table] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "systemVersion": "25.0.23364.0",
            "timestamp": 0,
            "name": self.name,
            "displayName": self.name,
            "businessProfileId": "",
            "systemCreatedAt": "2024-01-01T00:00:00Z",
            "systemCreatedBy": "00000000-0000-0000-0000-000000000001",
            "systemModifiedAt": "2024-01-01T00:00:00Z",
            "systemModifiedBy": "00000000-0000-0000-0000-000000000001",
        }


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DynamicsBcEmulator:
    """One emulated Business Central environment (``app.state.emulator``).

    Records are addressed by entity set name (``purchaseOrders``, ``vendors``, ``items``,
    ``locations``, ``manufacturingProductionOrders``) and id (the ``no`` for production
    orders), in the first company.
    """

    system = "dynamics-bc"

    def __init__(
        self,
        *,
        records: int = 30,
        anchor: datetime | None = None,
        page_size: int = 20000,
        tenant: str = DEFAULT_TENANT,
        environment: str = DEFAULT_ENVIRONMENT,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_lifetime: int = 3599,
        clock: Callable[[], datetime] | None = None,
        fault_seed: int = 0,
    ) -> None:
        if records < 0:
            raise ValueError("records must be >= 0")
        if not 1 <= page_size <= 20000:
            raise ValueError("page_size must be between 1 and 20000")
        self.clock = clock or _utc_now
        base = (anchor or self.clock()).astimezone(UTC)
        self.anchor = base.replace(microsecond=base.microsecond // 1000 * 1000)
        self.spec = PoSpec(records=records, anchor=self.anchor)
        self.page_size = page_size
        self.tenant = tenant
        self.environment = environment
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.faults = FaultControls(seed=fault_seed)
        self.tokens: dict[str, datetime] = {}
        self.companies = [self._company(cid, name, n == 0) for n, (cid, name) in enumerate(
            samples.COMPANIES
        )]  # fmt: skip
        self._version = 1
        self._po_number = 106001 + records

    def next_po_number(self, company: Company) -> str:
        """The next number of the purchase order number series."""
        number = self._po_number
        self._po_number += 1
        return str(number)

    def _company(self, company_id: str, name: str, with_data: bool) -> Company:
        company = Company(company_id, name)
        stamp = self.anchor - timedelta(days=400)
        spec = self.spec

        def derive(index: int) -> Row:
            return samples.purchase_order(spec, index)

        company.tables = {
            "purchaseOrders": Table(
                base_count=spec.records if with_data else 0,
                derive=derive,
                base_stamp=spec.stamp,
                base_position=lambda key: samples.index_of(samples.PURCHASE_ORDER, key),
            ),
            "vendors": Table(rows=samples.vendors(stamp) if with_data else ()),
            "items": Table(rows=samples.items(stamp) if with_data else ()),
            "locations": Table(rows=samples.locations(stamp) if with_data else ()),
            "manufacturingProductionOrders": Table(
                rows=samples.production_orders(self.anchor.date()) if with_data else (), key="no"
            ),
        }
        return company

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    @property
    def base_path(self) -> str:
        """The path of the standard API (v2.0) of this tenant and environment."""
        return f"/v2.0/{self.tenant}/{self.environment}/api/v2.0"

    # -- authentication ---------------------------------------------------------------------

    def check_client(self, client_id: str, secret: str) -> bool:
        ok_id = hmac.compare_digest(client_id.encode(), self.client_id.encode())
        return ok_id and hmac.compare_digest(secret.encode(), self.client_secret.encode())

    def issue_token(self) -> str:
        token = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")
        now = self.clock()
        self.tokens = {t: until for t, until in self.tokens.items() if until > now}
        self.tokens[token] = now + timedelta(seconds=self.token_lifetime)
        return token

    def check_token(self, token: str) -> bool:
        until = self.tokens.get(token)
        return until is not None and until > self.clock()

    # -- stamps and versions ----------------------------------------------------------------

    def now(self) -> datetime:
        moment = self.clock().astimezone(UTC)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def stamp(self, row: Row, at: datetime | None = None) -> None:
        """A change: a new version (ETag) and, where the set has one, a new change stamp."""
        self._version += 1
        row["_version"] = self._version
        if STAMP in row:
            row[STAMP] = instant(at.astimezone(UTC) if at is not None else self.now())

    # -- records ----------------------------------------------------------------------------

    def company(self, company_id: str) -> Company | None:
        return next((c for c in self.companies if c.id == company_id.lower()), None)

    def table(self, entity: str, company: Company | None = None) -> Table:
        if entity not in ENTITY_SETS:
            raise UnknownEntity(entity)
        return (company or self.companies[0]).tables[entity]

    def _positions(self, table: Table, entity: str, ids: Sequence[str]) -> list[int]:
        found = [table.position(i) for i in ids]
        missing = [i for i, p in zip(ids, found, strict=True) if p is None]
        if missing:
            raise UnknownRecord(entity, missing)
        return [p for p in found if p is not None]

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Change records as a user would: apply ``changes`` and stamp them (at ``at``). A
        production order, which has no stamp, gets one more unit when no change is given."""
        table = self.table(entity)
        for position in self._positions(table, entity, ids):
            row = _copy(table.at(position))
            unknown = set(changes or {}) - set(row)
            if unknown:
                raise InvalidRecord(entity, f"unknown properties {', '.join(sorted(unknown))}")
            row.update(changes or {})
            if not changes and not ENTITY_SETS[entity].stamped:
                row["quantity"] = float(row.get("quantity") or 0) + 1
            self.stamp(row, at)
            table.put(position, row)
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """Business Central deletes for good (there is no soft delete)."""
        table = self.table(entity)
        for position in self._positions(table, entity, ids):
            table.remove(position)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        """Add a record as given (no business checks); ``id`` is assigned if missing."""
        spec = ENTITY_SETS.get(entity)
        if spec is None:
            raise UnknownEntity(entity)
        table = self.table(entity)
        row: Row = _copy(dict(record))
        if spec.key == "id":
            row.setdefault("id", str(_new_guid()))
        key = row.get(spec.key)
        if not isinstance(key, str) or not key:
            raise InvalidRecord(entity, f"missing {spec.key}")
        if table.position(key) is not None:
            raise InvalidRecord(entity, f"{key} already exists")
        if spec.stamped:
            given = record.get(STAMP)
            when = instant(at.astimezone(UTC)) if at is not None else given
            row[STAMP] = when if isinstance(when, str) else instant(self.now())
        self._version += 1
        row["_version"] = self._version
        table.insert(row)
        return key

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        """Every current record of the first company as the API renders it (lines expanded)."""
        table = self.table(entity)
        return [render(row, expand=True, key=table.key) for _position, row in table.natural()]

    def reset(self) -> None:
        for company in self.companies:
            for table in company.tables.values():
                table.reset()
        self.faults.reset()
        self.tokens.clear()
        self._version = 1
        self._po_number = 106001 + self.spec.records


def _new_guid() -> str:
    return str(uuid.uuid4())


def _copy(row: Row) -> Row:
    copied = dict(row)
    lines = copied.get("purchaseOrderLines")
    if isinstance(lines, list):
        copied["purchaseOrderLines"] = [dict(line) for line in lines]
    return copied


def etag(row: Mapping[str, Any], key: str = "id") -> str:
    """A weak ETag that changes with every change of the row."""
    version = row.get("_version", 1)
    token = base64.b64encode(f"'{len(str(row.get(key)))};{row.get(key)};{version};'".encode())
    return f'W/"{token.decode()}"'


def render(
    row: Mapping[str, Any],
    *,
    expand: bool = False,
    select: frozenset[str] | None = None,
    key: str = "id",
) -> dict[str, Any]:
    """The JSON of one entity: ``@odata.etag`` first, hidden fields and unexpanded lines out."""
    body: dict[str, Any] = {"@odata.etag": etag(row, key)}
    for name, value in row.items():
        if name.startswith("_") or (select is not None and name not in select and name != key):
            continue
        if name == "purchaseOrderLines":
            continue
        body[name] = value
    lines = row.get("purchaseOrderLines")
    if expand and isinstance(lines, list):
        body["purchaseOrderLines"] = [render(line) for line in lines]
    return body
