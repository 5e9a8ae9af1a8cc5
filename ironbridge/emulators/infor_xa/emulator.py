"""The Infor XA emulator's state: dataset, System-Link sessions, ION API tokens, faults, and
the control operations (touch, delete, insert, snapshot, reset)."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.control import InvalidRecord, UnknownEntity, UnknownRecord
from ironbridge.emulators.faults import FaultControls
from ironbridge.emulators.infor_xa.dataset import (
    CLASSES,
    PO_ITEM,
    PURCHASE_ORDER,
    STAMP,
    XaDataset,
    stamp_text,
)
from ironbridge.emulators.infor_xa.render import text_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "ION_CLIENT_ID",
    "ION_CLIENT_SECRET",
    "ION_SERVICE_KEY",
    "ION_SERVICE_SECRET",
    "ION_TENANT",
    "XaEmulator",
]

DEFAULT_USER = "IRONBRIDGE"
DEFAULT_PASSWORD = "xa-secret-1"
ION_TENANT = "ACME_TST"
ION_CLIENT_ID = "ACME_TST~ironbridge"
ION_CLIENT_SECRET = "ion-client-secret"
ION_SERVICE_KEY = "ACME_TST#service-access-key"
ION_SERVICE_SECRET = "ion-service-secret-key"
ION_TOKEN_LIFETIME = 7200


class XaEmulator:
    """One emulated XA system; ``system`` is its key in the emulator registry."""

    system = "infor-xa"

    def __init__(
        self,
        *,
        records: int = 200,
        anchor: datetime | None = None,
        page_size: int = 1000,
        utc_offset_hours: float = 0,
        user: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
    ) -> None:
        if records < 0:
            raise ValueError("records must be >= 0")
        self.records = records
        self.anchor = (anchor or datetime.now(UTC).replace(microsecond=0)).astimezone(UTC)
        # the most entities one QueryList answers, whatever maxReturned asks
        self.page_size = page_size
        self.utc_offset = timedelta(hours=utc_offset_hours)
        self.user = user
        self.password = password
        self.faults = FaultControls()
        self.dataset = XaDataset(records=records, anchor=self.anchor, utc_offset=self.utc_offset)
        self.sessions: dict[str, tuple[str, float, float]] = {}  # handle → user, idle s, last
        self.tokens: dict[str, float] = {}  # ION access token → expiry (monotonic)
        self.logins = 0
        self.token_requests = 0
        self.writes = 0
        # answer every System-Link request with an entity-expansion ("billion laughs") payload
        self.hostile_xml = False

    @property
    def credentials(self) -> Mapping[str, str]:
        return {"user_id": self.user, "password": self.password}

    def ionapi(self, base_url: str) -> dict[str, str]:
        """The ``.ionapi`` file an Infor OS administrator downloads for this emulator."""
        base = base_url.rstrip("/")
        return {
            "ti": ION_TENANT,
            "cn": "Ironbridge",
            "ci": ION_CLIENT_ID,
            "cs": ION_CLIENT_SECRET,
            "iu": base,
            "pu": f"{base}/",
            "oa": "authorization.oauth2",
            "ot": f"{ION_TENANT}/as/token.oauth2",
            "or": "revoke_token.oauth2",
            "ev": "U1234567890",
            "v": "1.0",
            "saak": ION_SERVICE_KEY,
            "sask": ION_SERVICE_SECRET,
        }

    # -- sessions and tokens ------------------------------------------------------------------

    def login(self, user: str | None, password: str | None, *, max_idle_ms: int | None) -> str:
        """A new session handle; raises ``PermissionError`` for bad credentials."""
        if self.faults.revoked_credentials or user != self.user or password != self.password:
            raise PermissionError(user)
        return self._open(user, max_idle_ms)

    def trusted_login(self, user: str | None, *, max_idle_ms: int | None) -> str:
        """A session opened behind the ION API gateway, which has authenticated the caller."""
        return self._open(user or self.user, max_idle_ms)

    def _open(self, user: str, max_idle_ms: int | None) -> str:
        self.logins += 1
        handle = f"-{secrets.token_hex(4)}:{secrets.token_hex(5)}:-{secrets.token_hex(2)}"
        idle = (max_idle_ms if max_idle_ms and max_idle_ms > 0 else 900_000) / 1000
        self.sessions[handle] = (user, idle, time.monotonic())
        return handle

    def session_user(self, handle: str) -> str | None:
        found = self.sessions.get(handle)
        if found is None:
            return None
        user, idle, last = found
        now = time.monotonic()
        if now - last > idle:
            del self.sessions[handle]
            return None
        self.sessions[handle] = (user, idle, now)
        return user

    def expire_sessions(self) -> None:
        """End every open session, as the host does after ``maxIdle``."""
        self.sessions.clear()

    def issue_token(self) -> str:
        self.token_requests += 1
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + ION_TOKEN_LIFETIME
        return token

    def token_valid(self, token: str) -> bool:
        expiry = self.tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def now(self) -> datetime:
        return datetime.now(UTC)

    # -- control ------------------------------------------------------------------------------

    def _class(self, entity: str) -> str:
        for name in CLASSES:
            if entity in (name, name.rsplit(".", 1)[-1]) or entity.lower() == (
                name.rsplit(".", 1)[-1].lower()
            ):
                return name
        raise UnknownEntity(entity)

    def _key(self, name: str, remote_id: str) -> tuple[str, ...]:
        parts = tuple(remote_id.split("/"))
        if len(parts) != len(CLASSES[name].keys):
            raise UnknownRecord(name, [remote_id])
        return parts

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]:
        name = self._class(entity)
        if name == PO_ITEM:
            raise InvalidRecord(entity, "touch the purchase order instead")
        table = self.dataset.tables[name]
        rows = [(remote_id, table.get(self._key(name, remote_id))) for remote_id in ids]
        unknown = [remote_id for remote_id, row in rows if row is None]
        if unknown:
            raise UnknownRecord(name, unknown)
        for _remote_id, row in rows:
            assert row is not None
            changed = {**row, **(changes or {})}
            if table.spec.stamp is not None:
                changed[STAMP] = stamp_text(at or self.now(), self.utc_offset)
            else:
                changed["onHandQuantity"] = Decimal(str(row.get("onHandQuantity") or 0)) + 1
            table.put(changed)
        return list(ids)

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]:
        """Records removed for good (XA deletes rows; there is no soft delete)."""
        name = self._class(entity)
        table = self.dataset.tables[name]
        keys = [self._key(name, remote_id) for remote_id in ids]
        unknown = [i for i, k in zip(ids, keys, strict=True) if table.get(k) is None]
        if unknown:
            raise UnknownRecord(name, unknown)
        for key in keys:
            table.remove(key)
        return list(ids)

    def insert(self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None) -> str:
        name = self._class(entity)
        if name == PO_ITEM:
            raise InvalidRecord(entity, "insert purchase orders with their _lines")
        spec = CLASSES[name]
        missing = [k for k in spec.keys if not record.get(k)]
        if missing:
            raise InvalidRecord(entity, f"{missing[0]} is required")
        row: dict[str, Any] = {p: None for p in spec.properties} | dict(record)
        if name == PURCHASE_ORDER:
            row.setdefault("_lines", [])
            row["_lines"] = row["_lines"] or []
        if spec.stamp is not None:
            row[STAMP] = stamp_text(at or self.now(), self.utc_offset)
        self.dataset.tables[name].put(row)
        return "/".join(str(row[k]) for k in spec.keys)

    def snapshot(self, entity: str) -> list[dict[str, Any]]:
        name = self._class(entity)
        if name == PO_ITEM:
            orders = self.dataset.tables[PURCHASE_ORDER].rows()
            rows = [line for order in orders for line in order["_lines"]]
        else:
            rows = list(self.dataset.tables[name].rows())
        return [
            {k: text_of(v) for k, v in row.items() if not k.startswith("_")}
            | ({"lines": len(row["_lines"])} if "_lines" in row else {})
            for row in rows
        ]

    def reset(self) -> None:
        self.faults.reset()
        self.dataset.build()
        self.sessions.clear()
        self.tokens.clear()
        self.logins = self.token_requests = self.writes = 0
        self.hostile_xml = False
