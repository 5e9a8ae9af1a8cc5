"""Conversions between the dataset's Python values and SAP's OData V2 / V4 JSON forms.

V2: ``Edm.DateTime`` as ``/Date(ms)/``, ``Edm.DateTimeOffset`` as ``/Date(ms+0000)/``, decimals
as strings. V4: ISO 8601 strings, decimals as JSON numbers unless the client asked for
``IEEE754Compatible=true``, then strings.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ironbridge.emulators.sap.model import Edm
from ironbridge.emulators.sap.samples import Malformed

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "etag",
    "key_predicate",
    "parse_instant",
    "parse_json_value",
    "v2_json",
    "v4_json",
    "v4_timestamp",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_DATE_RE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")
_ISO_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def _millis(instant: datetime) -> int:
    return (instant - EPOCH) // _MS


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def v4_timestamp(instant: datetime) -> str:
    """An ``Edm.DateTimeOffset`` with SAP's precision of 7 fractional digits, in UTC."""
    utc = instant.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}0Z"


def v2_json(edm: Edm, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Malformed):
        return value.text
    if edm in (Edm.DECIMAL, Edm.TIMESTAMP):
        return str(value)
    if edm is Edm.DATE:
        return f"/Date({_millis(_midnight(value))})/"
    if edm is Edm.DATETIMEOFFSET:
        return f"/Date({_millis(value)}+0000)/"
    return value


def v4_json(edm: Edm, value: Any, *, ieee754: bool = False) -> Any:
    if value is None:
        return None
    if isinstance(value, Malformed):
        return value.text
    if edm in (Edm.DECIMAL, Edm.TIMESTAMP):
        if ieee754:
            return str(value)
        integral = value == value.to_integral_value()
        return int(value) if integral else float(value)
    if edm is Edm.DATE:
        return value.isoformat()
    if edm is Edm.DATETIMEOFFSET:
        return v4_timestamp(value)
    return value


def parse_instant(text: str) -> datetime:
    """``/Date(ms[+-hhmm])/`` or ISO 8601 (naive means UTC; up to 7 fractional digits)."""
    found = _DATE_RE.match(text)
    if found:
        instant = EPOCH + int(found.group(1)) * _MS
        if found.group(2):
            minutes = int(found.group(3)[:2]) * 60 + int(found.group(3)[2:])
            sign = 1 if found.group(2) == "+" else -1
            instant -= sign * timedelta(minutes=minutes)
        return instant
    iso = _ISO_RE.match(text.strip())
    if iso is None:
        raise ValueError(f"not a date or time: {text!r}")
    day, hour, minute, second, fraction, zone = iso.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    clock = f"{hour or '00'}:{minute or '00'}:{second or '00'}"
    offset = "+00:00" if zone in (None, "Z") else zone
    if len(offset) == 5:
        offset = f"{offset[:3]}:{offset[3:]}"
    try:
        parsed = datetime.fromisoformat(f"{day}T{clock}{offset}")
    except ValueError as exc:
        raise ValueError(f"not a date or time: {text!r}") from exc
    return parsed.replace(microsecond=micro).astimezone(UTC)


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(f"not a number: {raw!r}")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {raw!r}") from exc
    if not number.is_finite():
        raise ValueError(f"not a number: {raw!r}")
    return number


def parse_json_value(edm: Edm, raw: Any) -> Any:
    """A value from a request body (V2 or V4 form) as the dataset stores it."""
    if raw is None:
        return None
    if edm is Edm.STRING:
        if not isinstance(raw, str):
            raise ValueError(f"expected a string, got {raw!r}")
        return raw
    if edm is Edm.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueError(f"expected a boolean, got {raw!r}")
        return raw
    if edm in (Edm.DECIMAL, Edm.TIMESTAMP):
        return _decimal(raw)
    if not isinstance(raw, str):
        raise ValueError(f"expected a date string, got {raw!r}")
    instant = parse_instant(raw)
    return instant.date() if edm is Edm.DATE else instant


def etag(stamp: datetime, version: int) -> str:
    """The weak ETag SAP derives from ``LastChangeDateTime``."""
    utc = stamp.astimezone(UTC)
    if version == 2:
        text = quote(v4_timestamp(utc), safe="-.TZ")
        return f"W/\"datetimeoffset'{text}'\""
    return f'W/"{utc:%Y%m%d%H%M%S}.{utc.microsecond:06d}0"'


def key_predicate(keys: Sequence[str], values: Mapping[str, Any]) -> str:
    """``('4500000001')`` or ``(PurchaseOrder='4500000001',PurchaseOrderItem='10')``."""

    def literal(value: Any) -> str:
        return "'" + str(value).replace("'", "''") + "'"

    if len(keys) == 1:
        return f"({literal(values[keys[0]])})"
    return "(" + ",".join(f"{k}={literal(values[k])}" for k in keys) + ")"
