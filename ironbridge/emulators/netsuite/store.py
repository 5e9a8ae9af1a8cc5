"""Compact record stores: base records derived on demand from their index, plus overrides.

A store of 100k purchase orders costs nothing until read: only records that were changed,
created or deleted are held in memory. Ids are numeric strings; iteration is in id order.
"""

from __future__ import annotations

import bisect
import copy
import heapq
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from datetime import datetime

__all__ = ["Record", "RecordStore"]

Record: TypeAlias = dict[str, Any]


class RecordStore:
    """Base record ``i`` of ``count`` has id ``first_id + i`` and is ``build(i)``.

    ``fast`` computes single fields of base records without building them (SuiteQL filters
    on 100k rows); ``stamp``, when given, is the base records' change stamp, non-decreasing in
    ``i``, so that a query can skip the records changed before a bound.
    """

    def __init__(
        self,
        *,
        count: int,
        first_id: int,
        build: Callable[[int], Record],
        fast: Mapping[str, Callable[[int], Any]] | None = None,
        stamp: Callable[[int], datetime] | None = None,
        initial: Sequence[Record] = (),
    ) -> None:
        self.count = count
        self.first_id = first_id
        self._build = build
        self.fast = dict(fast or {})
        self.stamp = stamp
        self._overrides: dict[str, Record] = {}
        self._created: list[int] = []
        self._deleted: set[str] = set()
        # records held in full from the start (small master data); ``reset`` restores them
        self._initial = [copy.deepcopy(r) for r in initial]
        self.reset()

    @classmethod
    def of_records(cls, records: Sequence[Record]) -> RecordStore:
        """A small store held in full (vendors, items, locations); ids need not be dense."""
        return cls(count=0, first_id=0, build=_no_base, initial=records)

    def index_of(self, record_id: str) -> int | None:
        """The base index of an id, or None if it is not a base record."""
        if not record_id.isdigit() or record_id != str(int(record_id)):
            return None
        index = int(record_id) - self.first_id
        return index if 0 <= index < self.count else None

    def base_id(self, index: int) -> str:
        return str(self.first_id + index)

    def is_plain_base(self, index: int) -> bool:
        """True when base record ``index`` is current as generated (not changed, not deleted)."""
        record_id = self.base_id(index)
        return record_id not in self._overrides and record_id not in self._deleted

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str):
            return False
        if record_id in self._overrides:
            return True
        return record_id not in self._deleted and self.index_of(record_id) is not None

    def __len__(self) -> int:
        return self.count + len(self._created) - len(self._deleted)

    def get(self, record_id: str) -> Record | None:
        """A copy of the current record; change records through ``put``."""
        record = self._overrides.get(record_id)
        if record is not None:
            return copy.deepcopy(record)
        if record_id in self._deleted:
            return None
        index = self.index_of(record_id)
        return None if index is None else self._build(index)

    def build(self, index: int) -> Record:
        return self._build(index)

    def put(self, record: Record) -> str:
        """Create or replace a record (its ``id`` must be set)."""
        record_id = str(record["id"])
        if record_id not in self._overrides and self.index_of(record_id) is None:
            bisect.insort(self._created, int(record_id))
        self._deleted.discard(record_id)
        self._overrides[record_id] = copy.deepcopy(record)
        return record_id

    def remove(self, record_id: str) -> bool:
        if record_id not in self:
            return False
        self._overrides.pop(record_id, None)
        if self.index_of(record_id) is None:
            self._created.remove(int(record_id))
        else:
            self._deleted.add(record_id)
        return True

    def changed(self) -> Iterator[Record]:
        """Every record held in full (changed base records and created ones), by id."""
        for record_id in sorted(self._overrides, key=int):
            yield self._overrides[record_id]

    def ids(self) -> Iterator[str]:
        """Current ids in numeric order (lazy)."""
        base: Iterator[int] = iter(range(self.first_id, self.first_id + self.count))
        merged = heapq.merge(base, list(self._created)) if self._created else base
        deleted = self._deleted
        return (str(n) for n in merged if not deleted or str(n) not in deleted)

    def start_index(self, bound: datetime) -> int:
        """The first base index whose generated stamp is at or after ``bound``."""
        if self.stamp is None:
            return 0
        return bisect.bisect_left(range(self.count), bound, key=self.stamp)

    def max_id(self) -> int:
        top = self.first_id + self.count - 1 if self.count else 0
        return max([top, *self._created[-1:]])

    def reset(self) -> None:
        self._overrides.clear()
        self._created.clear()
        self._deleted.clear()
        for record in self._initial:
            self.put(record)


def _no_base(index: int) -> Record:
    raise IndexError(index)
