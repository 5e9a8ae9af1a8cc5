"""The state of one emulated NetSuite account and its Python API for tests.

``NetSuiteEmulator`` holds the dataset, the fault controls, the integration's certificate and
tokens, and the concurrency governance, and implements the control operations. Records are
addressed by record type (``purchaseOrder``, ``vendor``, ``inventoryItem``, ``location``,
``workOrder``) and internal id; stock rows by ``inventoryitemlocations`` and ``"item:location"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.faults import FaultControls
from ironbridge.emulators.netsuite.auth import Certificate, KeyType, TokenService, make_certificate
from ironbridge.emulators.netsuite.records import RECORD_TYPES, render
from ironbridge.emulators.netsuite.samples import instant

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence

    from ironbridge.emulators.netsuite.dataset import NetSuiteDataset
    from ironbridge.emulators.netsuite.store import Record

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CONCURRENCY_LIMIT",
    "STOCK",
    "NetSuiteEmulator",
]

DEFAULT_ACCOUNT_ID = "1234567"
DEFAULT_CLIENT_ID = hashlib.sha256(b"ironbridge-netsuite-emulator").hexdigest()
# Tier 1 accounts: 15 concurrent requests, shared by SOAP, REST and RESTlets
DEFAULT_CONCURRENCY_LIMIT = 15
STOCK = "inventoryitemlocations"
_SECOND = timedelta(seconds=1)
_STOCK_FIELDS = ("quantityonhand", "quantityavailable", "quantitycommitted", "quantityonorder",
                 "reorderpoint")  # fmt: skip


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NetSuiteEmulator:
    """One emulated NetSuite account (``app.state.emulator``)."""

    system = "netsuite"

    def __init__(
        self,
        *,
        dataset: NetSuiteDataset,
        account_id: str = DEFAULT_ACCOUNT_ID,
        client_id: str = DEFAULT_CLIENT_ID,
        key_type: KeyType = "ec",
        private_key_pem: str | None = None,
        token_ttl: int = 3600,
        concurrency_limit: int = DEFAULT_CONCURRENCY_LIMIT,
        timezone: str = "UTC",
        clock: Callable[[], datetime] | None = None,
        fault_seed: int = 0,
    ) -> None:
        if concurrency_limit < 1:
            raise ValueError("concurrency_limit must be >= 1")
        self.dataset = dataset
        self.faults = FaultControls(seed=fault_seed)
        self.account_id = account_id
        self.clock = clock or _utc_now
        self.zone = ZoneInfo(timezone)
        self.key_type: KeyType = key_type
        self.certificate = make_certificate(key_type, private_key_pem=private_key_pem)
        self.tokens = TokenService(
            client_id=client_id, certificate=self.certificate, clock=self.clock, token_ttl=token_ttl
        )
        self.concurrency_limit = concurrency_limit
        self.in_flight = 0
        # while cleared, requests hold their concurrency slot (tests of the governance)
        self.gate: asyncio.Event | None = None
        self._held: asyncio.Condition | None = None

    # -- credentials -------------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        return self.tokens.client_id

    @property
    def credentials(self) -> Mapping[str, str]:
        return {
            "account_id": self.account_id,
            "client_id": self.client_id,
            "certificate_id": self.certificate.certificate_id,
            "private_key": self.certificate.private_key_pem,
        }

    @property
    def login_audit(self) -> list[Any]:
        """The Login Audit Trail: why each token request succeeded or failed."""
        return self.tokens.login_audit

    def rotate_certificate(self) -> Certificate:
        """Replace the mapped certificate: assertions signed with the old key now fail."""
        self.certificate = make_certificate(self.key_type)
        self.tokens.certificates = {self.certificate.certificate_id: self.certificate}
        return self.certificate

    def expire_tokens(self) -> None:
        self.tokens.expire_tokens()

    # -- concurrency governance --------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[bool]:
        """Yields False when the account's concurrency limit is reached (the caller answers
        429), else holds one slot for the length of the request."""
        if self.in_flight >= self.concurrency_limit:
            yield False
            return
        self.in_flight += 1
        try:
            if self.gate is not None:
                if self._held is not None:
                    async with self._held:
                        self._held.notify_all()
                await self.gate.wait()
            yield True
        finally:
            self.in_flight -= 1

    def hold_requests(self) -> None:
        """Keep requests waiting inside their slot until ``release_requests``."""
        self.gate = asyncio.Event()
        self._held = asyncio.Condition()

    async def held(self, count: int) -> None:
        """Wait until ``count`` requests hold a slot (after ``hold_requests``)."""
        if self._held is None:
            raise RuntimeError("call hold_requests() first")
        async with self._held:
            await self._held.wait_for(lambda: self.in_flight >= count)

    def release_requests(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.gate = None
        self._held = None

    # -- stamps ------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def bump(self, record_type: str, record_id: str, *, at: datetime | None = None) -> None:
        """Set the record's ``lastModifiedDate`` to ``at`` or now, always moving forward."""
        store = self.dataset.stores[record_type]
        record = store.get(record_id)
        if record is None or record_type in ("currency", "subsidiary"):
            return
        if at is not None:
            stamp = at.astimezone(UTC).replace(microsecond=0)
        else:
            stamp = self.now()
            previous = record.get("lastModifiedDate")
            if isinstance(previous, str):
                with contextlib.suppress(ValueError):
                    stamp = max(stamp, datetime.fromisoformat(previous) + _SECOND)
        record["lastModifiedDate"] = instant(stamp)
        store.put(record)

    # -- control operations ------------------------------------------------------------------

    def _record_type(self, entity: str) -> str:
        if entity == STOCK or entity in RECORD_TYPES:
            return entity
        raise UnknownEntity(entity)

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Change records (``changes`` merged into the record, else a memo-like default) and
        stamp them ``at`` (or now)."""
        record_type = self._record_type(entity)
        if record_type == STOCK:
            return self._touch_stock(ids, changes)
        store = self.dataset.stores[record_type]
        missing = [i for i in ids if i not in store]
        if missing:
            raise UnknownRecord(entity, missing)
        for record_id in ids:
            record = store.get(record_id)
            assert record is not None
            if changes:
                record.update(copy.deepcopy(dict(changes)))
            else:
                _default_change(record_type, record)
            store.put(record)
            self.bump(record_type, record_id, at=at)
        return list(ids)

    def _touch_stock(self, ids: Sequence[str], changes: Mapping[str, Any] | None) -> list[str]:
        rows = self.dataset.stock.rows
        missing = [i for i in ids if i not in rows]
        if missing:
            raise UnknownRecord(STOCK, missing)
        for key in ids:
            row = rows[key]
            if changes:
                unknown = set(changes) - set(_STOCK_FIELDS)
                if unknown:
                    raise InvalidRecord(STOCK, f"unknown fields {sorted(unknown)}")
                row.update(changes)
            else:
                row["quantityonhand"] += 1
                row["quantityavailable"] += 1
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """Delete records; ``hard=False`` on master data marks them inactive instead, as
        NetSuite users do with records that others reference."""
        record_type = self._record_type(entity)
        if record_type == STOCK:
            rows = self.dataset.stock.rows
            missing = [i for i in ids if i not in rows]
            if missing:
                raise UnknownRecord(STOCK, missing)
            for key in ids:
                del rows[key]
            return list(ids)
        store = self.dataset.stores[record_type]
        missing = [i for i in ids if i not in store]
        if missing:
            raise UnknownRecord(entity, missing)
        soft = not hard and record_type in ("vendor", "inventoryItem", "location")
        for record_id in ids:
            if soft:
                self.touch(record_type, [record_id], changes={"isInactive": True})
            else:
                store.remove(record_id)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        """Add a record as given, without business checks (an internal id is assigned if
        missing; stamps default to now)."""
        record_type = self._record_type(entity)
        if record_type == STOCK:
            try:
                key = f"{int(record['item'])}:{int(record['location'])}"
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidRecord(STOCK, "item and location ids are required") from exc
            item, location = key.split(":")
            quantities = {name: record.get(name, 0) for name in _STOCK_FIELDS}
            self.dataset.stock.rows[key] = {"item": item, "location": location, **quantities}
            return key
        row = copy.deepcopy(dict(record))
        record_id = str(row.get("id") or self.dataset.next_id(record_type))
        if not record_id.isdigit():
            raise InvalidRecord(entity, f"internal id must be numeric, not {record_id!r}")
        row["id"] = record_id
        stamp = instant((at or self.now()).astimezone(UTC))
        if record_type not in ("currency", "subsidiary"):
            created = "dateCreated" if record_type == "vendor" else "createdDate"
            if record_type != "location":
                row.setdefault(created, stamp)
            row["lastModifiedDate"] = stamp
        self.dataset.stores[record_type].put(row)
        return record_id

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        """Every current record as ``GET`` with ``expandSubResources=true`` renders it, without
        links; stock rows as SuiteQL would list them."""
        record_type = self._record_type(entity)
        if record_type == STOCK:
            return copy.deepcopy(self.dataset.stock.ordered())
        store = self.dataset.stores[record_type]
        spec = RECORD_TYPES[record_type]
        out = []
        for record_id in store.ids():
            record = store.get(record_id)
            if record is not None:
                out.append(_strip_links(render(spec, record, root="", expand=True)))
        return out

    def record(self, entity: str, record_id: str) -> Record | None:
        """One current record as stored (no links), or None."""
        record_type = self._record_type(entity)
        if record_type == STOCK:
            return copy.deepcopy(self.dataset.stock.rows.get(record_id))
        return self.dataset.stores[record_type].get(record_id)

    def reset(self) -> None:
        """Back to the generated data: no faults, no requests counted, no tokens issued."""
        self.dataset.reset()
        self.faults.reset()
        self.tokens.reset()
        self.release_requests()


def _default_change(record_type: str, record: Record) -> None:
    if record_type in ("purchaseOrder", "workOrder"):
        record["memo"] = f"{record.get('memo') or ''} (changed)".strip()
    elif record_type == "vendor":
        record["phone"] = f"{record.get('phone') or ''}0"[-24:]
    elif record_type == "inventoryItem":
        record["cost"] = round(float(record.get("cost") or 0) + 0.01, 2)
    elif record_type == "location":
        record["name"] = f"{record.get('name')}."


def _strip_links(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_links(v) for k, v in value.items() if k != "links"}
    if isinstance(value, list):
        return [_strip_links(v) for v in value]
    return value
