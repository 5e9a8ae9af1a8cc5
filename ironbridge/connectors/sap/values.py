"""SAP's OData value forms, parsed leniently and written strictly: ``/Date(ms)/``, ISO 8601 with
any fractional digits, decimals as strings or numbers, packed ``YYYYMMDDhhmmss`` timestamps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "flag",
    "iso_instant",
    "packed_timestamp",
    "parse_date",
    "parse_decimal",
    "parse_instant",
    "parse_packed",
    "v2_date",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
# OData V2 JSON: /Date(<ms since epoch, UTC>[+-<offset>])/; the offset only tells the zone
_JSON_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{1,4})?\)/$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_PACKED = re.compile(r"^(\d{14})(?:[.,](\d+))?$")
_TRUE_FLAGS = frozenset({"X", "x", "true"})
_FALSE_FLAGS = frozenset({"", " ", "false"})


def _zone(text: str | None) -> int:
    """Seconds east of UTC of ``Z``, ``+02``, ``+0200`` or ``+02:00``."""
    if text is None or text in "Zz":
        return 0
    digits = text[1:].replace(":", "")
    seconds = int(digits[:2]) * 3600 + int(digits[2:4] or "0") * 60
    return -seconds if text[0] == "-" else seconds


def _micro(fraction: str | None) -> int:
    # truncated, never rounded: SAP's 7th digit must not push an instant past the next one
    return int((fraction or "0")[:6].ljust(6, "0"))


def parse_instant(value: Any) -> datetime | None:
    """An aware UTC instant from ``/Date(ms[+-offset])/``, ISO 8601 (naive means UTC, any number
    of fractional digits) or a ``datetime``; ``None`` for null or an empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a date and time: {value!r}")
    text = value.strip()
    if found := _JSON_DATE.match(text):
        return EPOCH + int(found.group(1)) * _MS
    found = _ISO.match(text)
    if found is None:
        raise ValueError(f"not a date and time: {value!r}")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    local = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        _micro(fraction),
        tzinfo=UTC,
    )
    return local - timedelta(seconds=_zone(zone))


def parse_date(value: Any) -> date | None:
    """A calendar date from ``/Date(ms)/`` (its UTC day), ``2024-05-01`` or an ISO date and time
    (the day as written); ``None`` for null or an empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if found := _JSON_DATE.match(text):
        return (EPOCH + int(found.group(1)) * _MS).date()
    found = _ISO.match(text)
    if found is None:
        raise ValueError(f"not a date: {value!r}")
    return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))


def parse_decimal(value: Any) -> Decimal | None:
    """A decimal sent as a string (OData V2, V4 with ``IEEE754Compatible``) or as a JSON number;
    ``None`` for null or an empty string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        # repr of a float is its shortest round-trip form: 12.5, not 12.50000000000000
        try:
            number = Decimal(value.strip() if isinstance(value, str) else repr(value))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not number.is_finite():
        raise ValueError(f"not a number: {value!r}")
    return number


def parse_packed(value: Any) -> datetime | None:
    """SAP's packed UTC timestamp ``YYYYMMDDhhmmss[.fffffff]`` (a string or a number);
    ``None`` for null, empty or 0 (SAP's initial value)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a packed timestamp: {value!r}")
    if isinstance(value, int | float | Decimal):
        text = format(Decimal(repr(value) if isinstance(value, float) else value), "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError(f"not a packed timestamp: {value!r}")
    if text.strip("0.") == "":
        return None
    found = _PACKED.match(text)
    if found is None:
        raise ValueError(f"not a packed timestamp: {value!r}")
    digits = found.group(1)
    return datetime(
        int(digits[0:4]),
        int(digits[4:6]),
        int(digits[6:8]),
        int(digits[8:10]),
        int(digits[10:12]),
        int(digits[12:14]),
        _micro(found.group(2)),
        tzinfo=UTC,
    )


def packed_timestamp(instant: datetime) -> str:
    """The packed timestamp of an instant, floored to the second (``ge`` stays inclusive)."""
    return instant.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def iso_instant(instant: datetime) -> str:
    """``2024-05-01T12:00:00Z``, with as many fractional digits as the instant needs."""
    utc = instant.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def v2_date(day: date) -> str:
    """An ``Edm.DateTime`` date in OData V2 JSON: ``/Date(<ms of its UTC midnight>)/``."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({(midnight - EPOCH) // _MS})/"


def flag(value: Any) -> bool:
    """SAP's ABAP boolean: ``"X"`` or ``""`` (a JSON boolean is accepted too)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value in _TRUE_FLAGS:
        return True
    if isinstance(value, str) and value in _FALSE_FLAGS:
        return False
    raise ValueError(f"not an X/blank flag: {value!r}")
