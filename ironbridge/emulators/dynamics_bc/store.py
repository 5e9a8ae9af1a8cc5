"""One entity set of one company: rows derived from their position (the generated purchase
orders) plus stored rows (inserted, or base rows once changed), minus deleted ones.

Rows are read in natural order (position) or in change-stamp order; both are computed for one
page at a time, so a large generated set stays cheap to page through.
"""

from __future__ import annotations

import bisect
import heapq
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["STAMP", "Row", "StampKey", "Table", "parse_stamp"]

Row: TypeAlias = dict[str, Any]
# (change stamp, position): the total order of a stamp-ordered read
StampKey: TypeAlias = tuple[datetime, int]
STAMP = "lastModifiedDateTime"
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def parse_stamp(value: Any) -> datetime:
    if not isinstance(value, str):
        return _EPOCH
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _EPOCH
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class Table:
    """Positions ``0 .. base_count - 1`` are derived by ``derive`` (their stamps, which never
    decrease with the position, by ``base_stamp``); inserted rows take the following ones."""

    def __init__(
        self,
        *,
        rows: Sequence[Row] = (),
        base_count: int = 0,
        derive: Callable[[int], Row] | None = None,
        base_stamp: Callable[[int], datetime] | None = None,
        base_position: Callable[[str], int | None] | None = None,
        key: str = "id",
    ) -> None:
        if base_count and (derive is None or base_stamp is None or base_position is None):
            raise ValueError("a derived table needs derive, base_stamp and base_position")
        self.key = key
        self.base_count = base_count
        self._derive = derive
        self._base_stamp = base_stamp
        self._base_position = base_position
        self._initial = [dict(r) for r in rows]
        self.reset()

    def reset(self) -> None:
        self.stored: dict[int, Row] = {}
        self.deleted: set[int] = set()
        self.positions: dict[str, int] = {}
        self._next = self.base_count
        for row in self._initial:
            self.insert(dict(row))

    # -- single rows --------------------------------------------------------------------------

    def position(self, key: str) -> int | None:
        found = self.positions.get(key)
        if found is None and self._base_position is not None:
            index = self._base_position(key)
            if index is not None and index < self.base_count:
                found = index
        return None if found is None or found in self.deleted else found

    def at(self, position: int) -> Row:
        stored = self.stored.get(position)
        if stored is not None:
            return stored
        assert self._derive is not None
        return self._derive(position)

    def get(self, key: str) -> Row | None:
        position = self.position(key)
        return None if position is None else self.at(position)

    def put(self, position: int, row: Row) -> None:
        self.stored[position] = row

    def insert(self, row: Row) -> int:
        position = self._next
        self._next += 1
        self.stored[position] = row
        self.positions[str(row[self.key])] = position
        return position

    def remove(self, position: int) -> None:
        self.deleted.add(position)
        self.stored.pop(position, None)

    def __len__(self) -> int:
        return self._next - len(self.deleted)

    # -- reads in order -----------------------------------------------------------------------

    def natural(self, after: int = -1) -> Iterator[tuple[int, Row]]:
        """Rows by position, from the one after ``after``."""
        for position in range(max(after + 1, 0), self._next):
            if position in self.deleted:
                continue
            if position < self.base_count or position in self.stored:
                yield position, self.at(position)

    def by_stamp(
        self, *, lower: datetime | None = None, strict: bool = False, after: StampKey | None = None
    ) -> Iterator[tuple[int, Row]]:
        """Rows by (stamp, position), at or after ``lower`` (after it when ``strict``) and
        after the key ``after``: the generated rows lazily, merged with the stored ones."""

        def wanted(key: StampKey) -> bool:
            if lower is not None and (key[0] < lower or (strict and key[0] == lower)):
                return False
            return after is None or key > after

        extras = sorted(
            ((parse_stamp(row.get(STAMP)), position), position)
            for position, row in self.stored.items()
            if position not in self.deleted
        )
        stored = ((key, position) for key, position in extras if wanted(key))
        merged = heapq.merge(self._base_by_stamp(lower, strict, after, wanted), stored)
        for _key, position in merged:
            yield position, self.at(position)

    def _base_by_stamp(
        self,
        lower: datetime | None,
        strict: bool,
        after: StampKey | None,
        wanted: Callable[[StampKey], bool],
    ) -> Iterator[tuple[StampKey, int]]:
        if not self.base_count:
            return
        stamp = self._base_stamp
        assert stamp is not None
        start = 0
        if lower is not None:
            search = bisect.bisect_right if strict else bisect.bisect_left
            start = search(range(self.base_count), lower, key=stamp)
        if after is not None:
            start = max(start, bisect.bisect_left(range(self.base_count), after[0], key=stamp))
        for position in range(start, self.base_count):
            if position in self.stored or position in self.deleted:
                continue
            key = (stamp(position), position)
            if wanted(key):
                yield key, position
