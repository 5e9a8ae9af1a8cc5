"""Row stores for the emulated MBOs: base rows computed from their index plus stored changes,
so that 100k rows cost nothing until read and ordered stamp ranges skip in a few bisections."""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

__all__ = ["Key", "Row", "StampRange", "Table"]

Key: TypeAlias = tuple[str, ...]
Row: TypeAlias = dict[str, Any]
SortKey: TypeAlias = tuple[datetime, str, int]

_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _key_of(row: Mapping[str, Any], fields: Sequence[str]) -> Key:
    return tuple(str(row.get(f, "")) for f in fields)


@dataclass(frozen=True, slots=True)
class _Base:
    """The formula of the base rows: row ``i`` of ``count``, its stamp, number and key."""

    count: int
    build: Callable[[int], Row]
    stamp: Callable[[int], datetime | None]
    number: Callable[[int], str]
    key: Callable[[int], Key]
    index_of: Callable[[str], Sequence[int]]


class Table:
    """Rows of one MBO, each with a uid: base rows have uid ``i``, created rows ``count + n``.

    Base rows must be sorted by ``(stamp, number)`` in index order; changed rows leave that
    order and join a small sorted list of extras, so ordered reads merge two sorted streams.
    """

    def __init__(
        self,
        *,
        keys: tuple[str, ...],
        number_attr: str,
        stamp_attr: str | None,
        count: int,
        build: Callable[[int], Row],
        stamp: Callable[[int], datetime | None],
        number: Callable[[int], str],
        key: Callable[[int], Key],
        index_of: Callable[[str], Sequence[int]],
    ) -> None:
        self.keys = keys
        self.number_attr = number_attr
        self.stamp_attr = stamp_attr
        self._base = _Base(count, build, stamp, number, key, index_of)
        self._changed: dict[int, Row] = {}
        self._removed: set[int] = set()
        # base uids that left the base order (changed or removed), sorted
        self._displaced: list[int] = []
        # (sort key, uid) of every changed or created row, sorted
        self._extras: list[tuple[SortKey, int]] = []
        self._extra_key: dict[int, SortKey] = {}
        self._created_keys: dict[Key, int] = {}
        self._created_numbers: dict[str, list[int]] = {}
        self._next_uid = count

    @classmethod
    def of_rows(
        cls, *, keys: tuple[str, ...], number_attr: str, stamp_attr: str | None, rows: list[Row]
    ) -> Table:
        """A small table held as a list (assets, locations, vendors, ...)."""

        def order(row: Row) -> tuple[datetime, str]:
            value = row.get(stamp_attr) if stamp_attr else None
            stamp = value if isinstance(value, datetime) else _EARLIEST
            return stamp, str(row.get(number_attr, ""))

        ordered = sorted(rows, key=order)
        positions: dict[str, list[int]] = {}
        for i, row in enumerate(ordered):
            positions.setdefault(str(row.get(number_attr, "")), []).append(i)

        def stamp(i: int) -> datetime | None:
            value = ordered[i].get(stamp_attr) if stamp_attr else None
            return value if isinstance(value, datetime) else None

        return cls(
            keys=keys,
            number_attr=number_attr,
            stamp_attr=stamp_attr,
            count=len(ordered),
            build=lambda i: dict(ordered[i]),
            stamp=stamp,
            number=lambda i: str(ordered[i].get(number_attr, "")),
            key=lambda i: _key_of(ordered[i], keys),
            index_of=lambda number: positions.get(number, ()),
        )

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._next_uid - len(self._removed)

    def _base_sort_key(self, i: int) -> SortKey:
        return self._base.stamp(i) or _EARLIEST, self._base.number(i), i

    def get(self, uid: int) -> Row | None:
        """The current row (treat it as read-only: change rows through ``put``)."""
        if uid in self._removed:
            return None
        row = self._changed.get(uid)
        if row is not None:
            return row
        return self._base.build(uid) if 0 <= uid < self._base.count else None

    def stamp_of(self, uid: int) -> datetime | None:
        if uid in self._changed:
            value = self._changed[uid].get(self.stamp_attr) if self.stamp_attr else None
            return value if isinstance(value, datetime) else None
        return self._base.stamp(uid)

    def key_of(self, uid: int) -> Key:
        row = self._changed.get(uid)
        return _key_of(row, self.keys) if row is not None else self._base.key(uid)

    def uid_of(self, key: Key) -> int | None:
        created = self._created_keys.get(key)
        if created is not None:
            return created if created not in self._removed else None
        number = key[self.keys.index(self.number_attr)]
        for i in self._base.index_of(number):
            if self._base.key(i) == key and i not in self._removed:
                return i
        return None

    def lookup(self, number: str) -> list[int]:
        """The uids of the rows whose number attribute is ``number``."""
        found = [i for i in self._base.index_of(number) if i not in self._removed]
        found += [u for u in self._created_numbers.get(number, ()) if u not in self._removed]
        return found

    def natural(self) -> Iterator[int]:
        """Every uid in unique-id order (what a query without ``oslc.orderBy`` returns)."""
        removed = self._removed
        for uid in range(self._next_uid):
            if uid not in removed:
                yield uid

    def by_stamp(
        self,
        *,
        low: datetime | None = None,
        low_strict: bool = False,
        high: datetime | None = None,
        high_strict: bool = False,
    ) -> StampRange:
        """The rows whose stamp lies within the bounds, in ``(stamp, number)`` order."""
        count = self._base.count
        base_stamp = self._stamp_or_earliest
        start, end = 0, count
        if low is not None:
            cut = bisect.bisect_right if low_strict else bisect.bisect_left
            start = cut(range(count), low, key=base_stamp)
        if high is not None:
            cut = bisect.bisect_left if high_strict else bisect.bisect_right
            end = max(start, cut(range(count), high, key=base_stamp))
        stamps = [k[0] for k, _uid in self._extras]
        e_start, e_end = 0, len(stamps)
        if low is not None:
            cut = bisect.bisect_right if low_strict else bisect.bisect_left
            e_start = cut(stamps, low)
        if high is not None:
            cut = bisect.bisect_left if high_strict else bisect.bisect_right
            e_end = max(e_start, cut(stamps, high))
        return StampRange(self, start, end, e_start, e_end)

    def _stamp_or_earliest(self, i: int) -> datetime:
        return self._base.stamp(i) or _EARLIEST

    def _displaced_between(self, start: int, end: int) -> int:
        return bisect.bisect_left(self._displaced, end) - bisect.bisect_left(self._displaced, start)

    def _advance(self, position: int, steps: int) -> int:
        """The base position ``steps`` undisplaced rows after ``position``."""
        target = position + steps
        skipped = self._displaced_between(position, target)
        while skipped:
            following = target + skipped
            skipped = self._displaced_between(target, following)
            target = following
        return target

    # -- writing ----------------------------------------------------------------------------

    def put(self, row: Row, *, uid: int | None = None) -> int:
        """Store a changed row (``uid`` given) or a new one; returns its uid."""
        if uid is None:
            uid = self._next_uid
            self._next_uid += 1
            key = _key_of(row, self.keys)
            self._created_keys[key] = uid
            number = str(row.get(self.number_attr, ""))
            self._created_numbers.setdefault(number, []).append(uid)
        elif uid < self._base.count and uid not in self._changed and uid not in self._removed:
            bisect.insort(self._displaced, uid)
        self._drop_extra(uid)
        self._changed[uid] = row
        value = row.get(self.stamp_attr) if self.stamp_attr else None
        stamp = value if isinstance(value, datetime) else _EARLIEST
        sort_key = (stamp, str(row.get(self.number_attr, "")), uid)
        self._extra_key[uid] = sort_key
        bisect.insort(self._extras, (sort_key, uid))
        return uid

    def remove(self, uid: int) -> bool:
        if self.get(uid) is None:
            return False
        if uid < self._base.count and uid not in self._changed:
            bisect.insort(self._displaced, uid)
        self._drop_extra(uid)
        self._changed.pop(uid, None)
        self._removed.add(uid)
        return True

    def _drop_extra(self, uid: int) -> None:
        old = self._extra_key.pop(uid, None)
        if old is not None:
            index = bisect.bisect_left(self._extras, (old, uid))
            del self._extras[index]

    def reset(self) -> None:
        self._changed.clear()
        self._removed.clear()
        self._displaced.clear()
        self._extras.clear()
        self._extra_key.clear()
        self._created_keys.clear()
        self._created_numbers.clear()
        self._next_uid = self._base.count


class StampRange:
    """The rows of a stamp range in ``(stamp, number, uid)`` order, counted and skipped cheaply."""

    def __init__(self, table: Table, start: int, end: int, e_start: int, e_end: int) -> None:
        self._table = table
        self._start, self._end = start, end
        self._e_start, self._e_end = e_start, e_end

    def __len__(self) -> int:
        base = (self._end - self._start) - self._table._displaced_between(self._start, self._end)
        return base + (self._e_end - self._e_start)

    def iterate(self, skip: int = 0) -> Iterator[int]:
        """The uids from position ``skip`` on."""
        table = self._table
        extras = table._extras
        position, extra = self._start, self._e_start
        while skip > 0:
            if extra < self._e_end:
                boundary = bisect.bisect_left(
                    range(position, self._end), extras[extra][0], key=table._base_sort_key
                )
                boundary += position
            else:
                boundary = self._end
            available = (boundary - position) - table._displaced_between(position, boundary)
            if skip < available:
                position = table._advance(position, skip)
                break
            skip -= available
            position = boundary
            if skip == 0:
                break
            if extra >= self._e_end:
                return
            extra += 1
            skip -= 1
        yield from self._merge(position, extra)

    def _merge(self, position: int, extra: int) -> Iterator[int]:
        table = self._table
        displaced = set(table._displaced)

        def base() -> Iterator[tuple[SortKey, int]]:
            for i in range(position, self._end):
                if i not in displaced:
                    yield table._base_sort_key(i), i

        changed = iter(table._extras[extra : self._e_end])
        for _key, uid in heapq.merge(base(), changed):
            yield uid
