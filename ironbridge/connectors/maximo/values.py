"""Typed reads of one lean JSON member, failing with ``RecordMappingError`` on bad values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import RecordMappingError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ironbridge.models import EntityType

__all__ = ["Member", "join_id", "parse_instant"]


def parse_instant(value: Any) -> datetime | None:
    """Maximo's ISO 8601 datetime (with the server's offset) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date and time")
    instant = datetime.fromisoformat(value)
    # a value without an offset is read as UTC: Maximo always sends one
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def join_id(*parts: Any) -> str | None:
    """A unified id from key values (``"BEDFORD/1001"``), or None if one of them is missing."""
    if any(p is None or p == "" for p in parts):
        return None
    return "/".join(str(p) for p in parts)


class Member:
    """One member of a collection (or a child object), read attribute by attribute."""

    def __init__(self, entity: EntityType, data: Mapping[str, Any], keys: Sequence[str]) -> None:
        self.entity = entity
        self.data = data
        self.remote_id = join_id(*(data.get(k) for k in keys))

    def fail(self, detail: str) -> RecordMappingError:
        return RecordMappingError(
            self.entity.value, self.remote_id, detail, payload=dict(self.data)
        )

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise self.fail(f"{name} is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(f"{name} is not text: {value!r}")
        return str(value)

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise self.fail(f"{name} is missing")
            return None
        if isinstance(value, bool):
            raise self.fail(f"{name} is not a number: {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(f"{name} is not a number: {value!r}") from None
        if not number.is_finite():
            raise self.fail(f"{name} is not a number: {value!r}")
        return number

    def integer(self, name: str) -> int | None:
        number = self.decimal(name)
        if number is None:
            return None
        if number != number.to_integral():
            raise self.fail(f"{name} is not a whole number: {number}")
        return int(number)

    def instant(self, name: str) -> datetime | None:
        value = self.data.get(name)
        try:
            return parse_instant(value)
        except ValueError:
            raise self.fail(f"{name} is not an ISO 8601 date and time: {value!r}") from None

    def date(self, name: str) -> date | None:
        """The calendar day of a datetime attribute, as Maximo wrote it (its own offset)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        try:
            return datetime.fromisoformat(str(value)).date()
        except ValueError:
            raise self.fail(f"{name} is not an ISO 8601 date: {value!r}") from None

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if value in (None, False, 0, "0", "false"):
            return False
        if value in (True, 1, "1", "true"):
            return True
        raise self.fail(f"{name} is not a boolean: {value!r}")

    def ref(self, *names: str) -> str | None:
        """A reference to another record: its key values joined, None if the first is empty."""
        values = [self.text(n) for n in names]
        return join_id(*values) if values and values[0] else None
