"""The state of one emulated Plex tenant (dataset, faults, credentials, the per-minute call
window) and the control operations on it: touch, delete, insert, snapshot, reset."""

from __future__ import annotations

import collections
import hmac
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.faults import FaultControls
from ironbridge.emulators.plex.dataset import plex_instant

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from ironbridge.emulators.plex.dataset import PlexDataset
    from ironbridge.emulators.plex.store import Row, Table

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_CUSTOMER_ID",
    "DEFAULT_TENANT_ID",
    "RESOURCES",
    "STAMPS",
    "PlexEmulator",
    "public",
]

DEFAULT_API_KEY = "ib0plex7connect3consumer9key"
DEFAULT_CUSTOMER_ID = "79123"
DEFAULT_TENANT_ID = "4b1e0f5c-3a0d-4e8e-9c61-2f6f5d1a7c79"

RESOURCES = ("purchase-orders", "suppliers", "parts", "containers", "locations", "jobs")
# the change stamp of each resource (jobs have none)
STAMPS: Mapping[str, str | None] = {
    "purchase-orders": "modifiedDate",
    "suppliers": "modifiedDate",
    "parts": "modifiedDateTime",
    "locations": "modifiedDateTime",
    "containers": "updateDateTime",
    "jobs": None,
}
_ALIASES = {
    "purchase-order": "purchase-orders",
    "po": "purchase-orders",
    "supplier": "suppliers",
    "part": "parts",
    "container": "containers",
    "location": "locations",
    "job": "jobs",
}
# what deleting a record in Plex does: a status that retires it (None: it leaves the list)
_RETIRE: Mapping[str, Mapping[str, Any] | None] = {
    "purchase-orders": {"status": "Void", "active": False, "receive": False},
    "suppliers": {"status": "Inactive"},
    "parts": {"status": "Obsolete"},
    "locations": None,
    "containers": None,
    "jobs": {"jobStatus": "Cancelled"},
}


def public(row: Mapping[str, Any]) -> dict[str, Any]:
    """The record as Plex renders it: internal keys (``_lineItems``) left out."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PlexEmulator:
    """One emulated Plex Connect tenant (``app.state.emulator``); records are addressed by
    resource (``purchase-orders``, ``suppliers``, ...) and by their Plex id (a UUID, or the
    serial number of a container)."""

    system = "plex"

    def __init__(
        self,
        *,
        dataset: PlexDataset,
        api_key: str = DEFAULT_API_KEY,
        customer_id: str = DEFAULT_CUSTOMER_ID,
        tenant_id: str = DEFAULT_TENANT_ID,
        api_secret: str | None = None,
        calls_per_minute: int | None = None,
        clock: Callable[[], datetime] | None = None,
        fault_seed: int = 0,
    ) -> None:
        self.dataset = dataset
        self.faults = FaultControls(seed=fault_seed)
        self.api_key = api_key
        self.customer_id = customer_id
        self.tenant_id = tenant_id
        self.api_secret = api_secret
        if calls_per_minute is not None and calls_per_minute < 1:
            raise ValueError("calls_per_minute must be >= 1")
        self.calls_per_minute = calls_per_minute
        self.clock = clock or _utc_now
        self._calls: collections.deque[float] = collections.deque()
        self.monotonic: Callable[[], float] = time.monotonic

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"api_key": self.api_key, "customer_id": self.customer_id}

    # -- authentication and limits ----------------------------------------------------------

    def check_key(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key.encode(), self.api_key.encode())

    def check_tenant(self, customer_id: str | None, tenant_id: str | None) -> bool:
        """No header: the app's default tenant; otherwise it must name this one."""
        if customer_id is not None and customer_id.strip() != self.customer_id:
            return False
        return tenant_id is None or tenant_id.strip().lower() == self.tenant_id

    def check_secret(self, secret: str | None) -> bool:
        if secret is None or self.api_secret is None:
            return True
        return hmac.compare_digest(secret.encode(), self.api_secret.encode())

    def over_limit(self) -> bool:
        """Count one call in the sliding minute; True when it exceeds ``calls_per_minute``."""
        if self.calls_per_minute is None:
            return False
        now = self.monotonic()
        while self._calls and self._calls[0] <= now - 60.0:
            self._calls.popleft()
        if len(self._calls) >= self.calls_per_minute:
            return True
        self._calls.append(now)
        return False

    # -- records ----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def resource(self, entity: str) -> str:
        name = entity.strip().lower().replace("_", "-")
        name = _ALIASES.get(name, name)
        if name not in RESOURCES:
            raise UnknownEntity(entity)
        return name

    def table(self, resource: str) -> Table:
        return self.dataset.tables[resource]

    def record(self, entity: str, record_id: str) -> Row | None:
        return self.table(self.resource(entity)).find(record_id)

    def save(
        self, resource: str, row: Row, *, index: int | None, at: datetime | None = None
    ) -> int:
        """Store a new or changed record with a fresh change stamp (``at`` or now)."""
        stamp = STAMPS[resource]
        if stamp is not None:
            row[stamp] = plex_instant(at or self.now())
        return self.table(resource).put(row, index=index)

    def _indexes(self, resource: str, ids: Sequence[str]) -> list[int]:
        table = self.table(resource)
        found = [table.index_of(i) for i in ids]
        missing = [i for i, n in zip(ids, found, strict=True) if n is None]
        if missing:
            raise UnknownRecord(resource, missing)
        return [n for n in found if n is not None]

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Change records as a Plex user would: apply ``changes`` and stamp them (``at`` or
        now). Jobs, which have no stamp, complete one more piece when no changes are given."""
        resource = self.resource(entity)
        values = dict(changes or {})
        if "id" in values or "serialNo" in values:
            raise InvalidRecord(resource, "the id cannot be changed")
        if "lineItems" in values:
            if not isinstance(values["lineItems"], list):
                raise InvalidRecord(resource, "lineItems must be a list")
            values["_lineItems"] = values.pop("lineItems")
        table = self.table(resource)
        for index in self._indexes(resource, ids):
            row = dict(table.get(index) or {})
            row.update(values)
            if not values and STAMPS[resource] is None:
                row["quantityCompleted"] = float(row.get("quantityCompleted") or 0) + 1
            self.save(resource, row, index=index, at=at)
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """As Plex retires records: purchase orders are voided, suppliers made inactive, parts
        obsolete, jobs cancelled; locations and containers (and anything with ``hard=True``)
        leave the lists."""
        resource = self.resource(entity)
        table = self.table(resource)
        retire = _RETIRE[resource]
        for index in self._indexes(resource, ids):
            if hard or retire is None:
                table.remove(index)
                continue
            self.save(resource, {**(table.get(index) or {}), **retire}, index=index)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        """Add a record as given, without business checks; its id (a container's serial
        number) is assigned."""
        resource = self.resource(entity)
        table = self.table(resource)
        row: Row = dict(record)
        if "lineItems" in row:
            lines = row.pop("lineItems")
            if not isinstance(lines, list):
                raise InvalidRecord(resource, "lineItems must be a list")
            row["_lineItems"] = lines
        key = "serialNo" if resource == "containers" else "id"
        row[key] = table.next_id()
        self.save(resource, row, index=None, at=at)
        return str(row[key])

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        """Every current record as Plex lists it (purchase orders with ``lineItems``)."""
        resource = self.resource(entity)
        out = []
        for row in self.table(resource).rows():
            record = public(row)
            if "_lineItems" in row:
                record["lineItems"] = row["_lineItems"]
            out.append(record)
        return out

    def reset(self) -> None:
        """Back to the generated data: no faults, no requests counted, no calls in the window."""
        self.dataset.reset()
        self.faults.reset()
        self._calls.clear()
