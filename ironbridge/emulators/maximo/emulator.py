"""The state of one emulated Maximo (dataset, faults, credentials, sessions) and the control
operations on it: touch, delete, insert, snapshot, reset."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.faults import FaultControls
from ironbridge.emulators.maximo import writes
from ironbridge.emulators.maximo.render import EVERYTHING, RenderContext, member
from ironbridge.emulators.maximo.structures import structure_for
from ironbridge.emulators.maximo.values import parse_value

if TYPE_CHECKING:
    from ironbridge.emulators.maximo.dataset import MaximoDataset
    from ironbridge.emulators.maximo.store import Row, Table
    from ironbridge.emulators.maximo.structures import Structure

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "MaximoEmulator",
]

DEFAULT_API_KEY = "ib7maximo0emulator4apikey9rest2json"
DEFAULT_USERNAME = "MXINTADM"
DEFAULT_PASSWORD = "Emulator-Pass-1"

# what a soft delete does to a record, per MBO table (None: the record is removed)
_SOFT_DELETE: Mapping[str, Mapping[str, Any] | None] = {
    "workorder": {"status": "CAN", "historyflag": True},
    "po": {"status": "CAN", "historyflag": True},
    "asset": {"status": "DECOMMISSIONED"},
    "locations": {"status": "DECOMMISSIONED"},
    "item": {"status": "OBSOLETE"},
    "companies": {"disabled": True},
    "inventory": None,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def parse_offset(text: str) -> tzinfo:
    """``+00:00``, ``-05:00``, ``Z`` as a fixed-offset time zone."""
    if text.upper() == "Z":
        return UTC
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


class MaximoEmulator:
    """One emulated Maximo Manage (``app.state.emulator``).

    Records are addressed by object structure (``mxwo``, ``MXPO``, any alias) and by id: the
    key values joined with ``/`` in rest-id order (``"BEDFORD/1000001"``, ``"11001/BEDFORD"``).
    """

    system = "maximo"

    def __init__(
        self,
        *,
        dataset: MaximoDataset,
        api_key: str = DEFAULT_API_KEY,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        page_size: int = 1000,
        max_page_size: int = 1000,
        utc_offset: str = "+00:00",
        default_site: str = "BEDFORD",
        clock: Callable[[], datetime] | None = None,
        fault_seed: int = 0,
        transaction_window: float = 300.0,
        stable_ttl: float = 300.0,
    ) -> None:
        if not 1 <= page_size <= max_page_size:
            raise ValueError("need 1 <= page_size <= max_page_size")
        self.dataset = dataset
        self.faults = FaultControls(seed=fault_seed)
        self.api_key = api_key
        self.username = username
        self.password = password
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.zone = parse_offset(utc_offset)
        self.default_site = default_site
        self.clock = clock or _utc_now
        self.transaction_window = transaction_window
        self.stable_ttl = stable_ttl
        self.sessions: dict[str, str] = {}
        self.transactions: dict[str, datetime] = {}
        self.stable_sets: dict[str, tuple[list[int], datetime]] = {}
        self._rowstamp = 900_000_000
        self._uid = 9_000_000

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"api_key": self.api_key}

    # -- authentication ---------------------------------------------------------------------

    def check_api_key(self, key: str) -> bool:
        return hmac.compare_digest(key.encode(), self.api_key.encode())

    def check_maxauth(self, header: str) -> str | None:
        """The user of a ``maxauth`` header (base64 of ``user:password``), or None."""
        try:
            user, _, password = base64.b64decode(header.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        ok_user = hmac.compare_digest(user.upper().encode(), self.username.upper().encode())
        ok_password = hmac.compare_digest(password.encode(), self.password.encode())
        return self.username if ok_user and ok_password else None

    def open_session(self, user: str) -> str:
        session = secrets.token_hex(16).upper()
        self.sessions[session] = user
        return session

    # -- stamps and ids ---------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(microsecond=0)

    def next_rowstamp(self) -> int:
        self._rowstamp += 1
        return self._rowstamp

    def next_uid(self) -> int:
        self._uid += 1
        return self._uid

    def save(
        self, structure: Structure, row: Row, *, uid: int | None, at: datetime | None = None
    ) -> int:
        """Store a new or changed row: new ``_rowstamp``, ``changedate`` (``at`` or now)."""
        if structure.stamp is not None:
            row[structure.stamp] = at.astimezone(UTC) if at is not None else self.now()
        row["_rowstamp"] = self.next_rowstamp()
        return self.table(structure).put(row, uid=uid)

    def remember_transaction(self, transaction: str) -> bool:
        """False if ``transaction`` was seen within the window (a duplicate request)."""
        now = self.now()
        expired = [t for t, until in self.transactions.items() if until <= now]
        for t in expired:
            del self.transactions[t]
        if transaction in self.transactions:
            return False
        self.transactions[transaction] = now + timedelta(seconds=self.transaction_window)
        return True

    def stable_set(self, uids: list[int]) -> str:
        """Keep a result set for ``stablepaging``; expired sets are dropped on the way."""
        now = self.now()
        for expired in [s for s, (_u, until) in self.stable_sets.items() if until <= now]:
            del self.stable_sets[expired]
        stable_id = secrets.token_hex(8)
        self.stable_sets[stable_id] = (uids, now + timedelta(seconds=self.stable_ttl))
        return stable_id

    def stable_uids(self, stable_id: str) -> list[int] | None:
        found = self.stable_sets.get(stable_id)
        if found is None or found[1] <= self.now():
            self.stable_sets.pop(stable_id, None)
            return None
        # idle expiry: every use keeps the set alive a while longer
        self.stable_sets[stable_id] = (found[0], self.now() + timedelta(seconds=self.stable_ttl))
        return found[0]

    # -- records ----------------------------------------------------------------------------

    def structure(self, entity: str) -> Structure:
        found = structure_for(entity)
        if found is None:
            raise UnknownEntity(entity)
        return found

    def table(self, structure: Structure) -> Table:
        return self.dataset.tables[structure.table]

    def uid_of(self, structure: Structure, record_id: str) -> int | None:
        parts = tuple(record_id.split("/"))
        if len(parts) != len(structure.keys):
            return None
        return self.table(structure).uid_of(parts)

    def record(self, entity: str, record_id: str) -> Row | None:
        """The raw row (Python values) of one record, or None."""
        structure = self.structure(entity)
        uid = self.uid_of(structure, record_id)
        return None if uid is None else self.table(structure).get(uid)

    def _existing(self, structure: Structure, ids: Sequence[str]) -> list[int]:
        uids = [self.uid_of(structure, i) for i in ids]
        missing = [i for i, u in zip(ids, uids, strict=True) if u is None]
        if missing:
            raise UnknownRecord(structure.name.lower(), missing)
        return [u for u in uids if u is not None]

    def coerce(self, structure: Structure, values: Mapping[str, Any]) -> Row:
        """JSON or Python values checked against the structure's attributes (children as is)."""
        row: Row = {}
        for name, value in values.items():
            attr = name.lower()
            if attr in structure.children:
                child = structure.children[attr]
                if not isinstance(value, list):
                    raise InvalidRecord(structure.name, f"{attr} must be a list")
                row[attr] = [self._coerce_child(structure, child.attrs, c) for c in value]
                continue
            kind = structure.kind(attr)
            if kind is None:
                raise InvalidRecord(structure.name, f"unknown attribute {name}")
            try:
                row[attr] = parse_value(kind, value, self.zone)
            except ValueError as exc:
                raise InvalidRecord(structure.name, f"{attr}: {exc}") from exc
        return row

    def _coerce_child(self, structure: Structure, attrs: Mapping[str, Any], value: Any) -> Row:
        if not isinstance(value, Mapping):
            raise InvalidRecord(structure.name, "child records must be objects")
        row: Row = {}
        for name, item in value.items():
            kind = attrs.get(name.lower())
            if kind is None:
                raise InvalidRecord(structure.name, f"unknown child attribute {name}")
            try:
                row[name.lower()] = parse_value(kind, item, self.zone)
            except ValueError as exc:
                raise InvalidRecord(structure.name, f"{name}: {exc}") from exc
        return row

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Change records as a Maximo user would: apply ``changes``, bump ``changedate`` (to
        ``at`` when given) and ``_rowstamp``. Inventory, which has no change stamp, gets one
        more unit on hand when no changes are given."""
        structure = self.structure(entity)
        values = self.coerce(structure, changes or {})
        table = self.table(structure)
        for uid in self._existing(structure, ids):
            row = dict(table.get(uid) or {})
            row.update(values)
            if not values and structure.stamp is None:
                _one_more(row)
            self.save(structure, row, uid=uid, at=at)
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """As Maximo retires records: work orders and purchase orders are cancelled, assets and
        locations decommissioned, items made obsolete, vendors disabled; with ``hard=True``
        (and for inventory) the records are removed."""
        structure = self.structure(entity)
        table = self.table(structure)
        flags = _SOFT_DELETE.get(structure.table)
        for uid in self._existing(structure, ids):
            if hard or flags is None:
                table.remove(uid)
                continue
            row = {**(table.get(uid) or {}), **flags}
            if "statusdate" in structure.attrs:
                row["statusdate"] = self.now()
            self.save(structure, row, uid=uid)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        """Add a record without business checks; the number is assigned if missing, as are
        the unique id, organization, item set and initial status."""
        structure = self.structure(entity)
        row = writes.new_row(self, structure, self.coerce(structure, record))
        key = tuple(str(row.get(k, "")) for k in structure.keys)
        if any(not part for part in key):
            missing = [k for k, part in zip(structure.keys, key, strict=True) if not part]
            raise InvalidRecord(structure.name, f"missing key {', '.join(missing)}")
        if self.table(structure).uid_of(key) is not None:
            raise InvalidRecord(structure.name, f"{'/'.join(key)} already exists")
        stamp = record.get(structure.stamp) if structure.stamp else None
        self.save(
            structure, row, uid=None, at=at or (stamp if isinstance(stamp, datetime) else None)
        )
        return "/".join(key)

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        """Every current record as ``lean=1&oslc.select=*`` renders it (hrefs relative)."""
        structure = self.structure(entity)
        ctx = RenderContext(
            collection_url=f"/maximo/oslc/os/{structure.name.lower()}",
            zone=self.zone,
            internal_values=True,
        )
        table = self.table(structure)
        rows = (table.get(uid) for uid in table.natural())
        return [member(ctx, structure, row, EVERYTHING) for row in rows if row is not None]

    def reset(self) -> None:
        """Back to the generated data: no faults, no requests counted, no sessions."""
        self.dataset.reset()
        self.faults.reset()
        self.sessions.clear()
        self.transactions.clear()
        self.stable_sets.clear()
        self._rowstamp = 900_000_000
        self._uid = 9_000_000


def _one_more(row: Row) -> None:
    for attr in ("curbaltotal", "avblbalance"):
        if isinstance(row.get(attr), Decimal):
            row[attr] = row[attr] + 1
    balances = row.get("invbalances")
    if isinstance(balances, list) and balances:
        first = dict(balances[0])
        first["curbal"] = (first.get("curbal") or Decimal(0)) + 1
        row["invbalances"] = [first, *balances[1:]]
