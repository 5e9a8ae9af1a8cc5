"""Attribute values between JSON and Python, by Maximo attribute type."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from ironbridge.emulators.maximo.samples import Malformed
from ironbridge.emulators.maximo.structures import Kind

__all__ = ["parse_value", "render_value"]


def render_value(value: Any, zone: tzinfo) -> Any:
    """The JSON form: datetimes with the server's offset to the second, decimals as numbers."""
    if isinstance(value, Malformed):
        return value.text
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() and abs(value) < 2**53 else float(value)
    return value


def parse_value(kind: Kind, value: Any, zone: tzinfo) -> Any:
    """A JSON (or Python) value for an attribute of ``kind``; ``ValueError`` if it cannot be."""
    if value is None or isinstance(value, Malformed):
        return value
    if kind is Kind.STRING:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError("must be text")
        return str(value)
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        if value in (0, 1, "0", "1", "true", "false"):
            return value in (1, "1", "true")
        raise ValueError("must be true or false")
    if kind is Kind.DATETIME:
        if isinstance(value, datetime):
            instant = value
        elif isinstance(value, str):
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value} is not a valid date") from None
        else:
            raise ValueError("must be an ISO 8601 date and time")
        return instant if instant.tzinfo else instant.replace(tzinfo=zone)
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value} is not a number")
    if kind is Kind.INTEGER:
        if number != number.to_integral():
            raise ValueError(f"{value} is not a whole number")
        return int(number)
    return number
