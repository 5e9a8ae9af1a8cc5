"""Validation of write input for the sandbox: unified field names in, typed values out.

Every refusal is a ``Rejected`` whose message starts with the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from ironbridge.connectors.errors import Rejected

if TYPE_CHECKING:
    from enum import StrEnum

E = TypeVar("E", bound="StrEnum")

CENT = Decimal("0.01")
MAX_TEXT = 255
MAX_DECIMALS = 4


class Fields:
    """The fields of one write, checked against what the operation accepts."""

    def __init__(
        self, system: str, data: Mapping[str, Any], allowed: Sequence[str], *, where: str = ""
    ) -> None:
        if not isinstance(data, Mapping):
            raise Rejected(system, f"{where or 'input'}: must be an object")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise Rejected(
                system, f"{where}{unknown[0]}: unknown field; accepted: {', '.join(allowed)}"
            )
        self.system = system
        self.data = data
        self.where = where

    def reject(self, key: str, why: str) -> Rejected:
        return Rejected(self.system, f"{self.where}{key}: {why}")

    def given(self, key: str) -> bool:
        """Whether the write sets ``key`` at all (``None`` included: it clears the field)."""
        return key in self.data

    def _value(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            raise self.reject(key, "is required")
        return value

    def text(self, key: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str | None:
        value = self._value(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.reject(key, "must be a string")
        value = value.strip()
        if required and not value:
            raise self.reject(key, "must not be empty")
        if len(value) > max_length:
            raise self.reject(key, f"must be at most {max_length} characters")
        return value or None

    def currency(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not (len(value) == 3 and value.isalpha() and value.isupper()):
            raise self.reject(key, "must be an ISO 4217 code such as USD or EUR")
        return value

    def decimal(
        self, key: str, *, required: bool = False, positive: bool = False
    ) -> Decimal | None:
        """A non-negative decimal (positive if asked), with at least two decimals."""
        value = self._value(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
            raise self.reject(key, "must be a decimal number")
        try:
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise self.reject(key, f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise self.reject(key, "must be a finite number")
        if number < 0 or (positive and number == 0):
            raise self.reject(key, "must be greater than 0" if positive else "must not be negative")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
            raise self.reject(key, f"must have at most {MAX_DECIMALS} decimal places")
        return number.quantize(CENT) if isinstance(exponent, int) and exponent >= -2 else number

    def date(self, key: str) -> date | None:
        value = self._value(key, False)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.reject(key, "must be a date, YYYY-MM-DD")

    def moment(self, key: str) -> datetime | None:
        value = self._value(key, False)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self.reject(key, "must be an ISO-8601 date and time") from None
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise self.reject(key, "must be an ISO-8601 date and time")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def choice(self, key: str, enum: type[E], *, required: bool = False) -> E | None:
        value = self._value(key, required)
        if value is None or isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.reject(key, f"{value!r} is not one of {allowed}") from None

    def flag(self, key: str) -> bool | None:
        value = self._value(key, False)
        if value is not None and not isinstance(value, bool):
            raise self.reject(key, "must be true or false")
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self._value(key, False)
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise self.reject(key, "must be an object with string keys")
        return dict(value)

    def rows(self, key: str, *, required: bool = False) -> list[Mapping[str, Any]] | None:
        value = self._value(key, required)
        if value is None:
            return None
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
            raise self.reject(key, "must be a list")
        if required and not value:
            raise self.reject(key, "must not be empty")
        return list(value)


__all__ = ["CENT", "Fields"]
