"""Tables of the emulator: rows derived from their index (cheap at 100,000 records), with only
the overrides, deletions and inserts stored, and sorted indexes by key and by change stamp."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.infor_xa.pql import bounds_of, exact_values

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ironbridge.emulators.infor_xa.pql import Query

__all__ = ["Row", "Table", "TableSpec", "run_query"]

Row = dict[str, Any]
Key = tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSpec:
    domain_class: str
    keys: tuple[str, ...]
    # the change stamp property; None: the class has none
    stamp: str | None
    properties: tuple[str, ...]


class Table:
    """One domain class: ``count`` generated rows plus what writes and controls changed."""

    def __init__(
        self,
        spec: TableSpec,
        *,
        count: int,
        key: Callable[[int], Key],
        make: Callable[[int], Row],
        stamp: Callable[[int], str | None],
    ) -> None:
        self.spec = spec
        self._make = make
        self._base: dict[Key, int] = {key(i): i for i in range(count)}
        self._changed: dict[Key, Row] = {}
        self._gone: set[Key] = set()
        self.keys: list[Key] = sorted(self._base)
        self.stamps: list[tuple[str, Key]] = []
        if spec.stamp is not None:
            self.stamps = sorted((stamp(i) or "", k) for k, i in self._base.items())

    def key_of(self, row: Row) -> Key:
        return tuple(str(row[k]) for k in self.spec.keys)

    def get(self, key: Key) -> Row | None:
        if key in self._gone:
            return None
        found = self._changed.get(key)
        if found is not None:
            return found
        index = self._base.get(key)
        return None if index is None else self._make(index)

    def put(self, row: Row) -> None:
        key = self.key_of(row)
        old = self.get(key)
        if old is None:
            bisect.insort(self.keys, key)
        elif self.spec.stamp is not None:
            self._unstamp(old, key)
        self._gone.discard(key)
        self._changed[key] = row
        if self.spec.stamp is not None:
            bisect.insort(self.stamps, (str(row.get(self.spec.stamp) or ""), key))

    def remove(self, key: Key) -> Row | None:
        old = self.get(key)
        if old is None:
            return None
        del self.keys[bisect.bisect_left(self.keys, key)]
        if self.spec.stamp is not None:
            self._unstamp(old, key)
        self._changed.pop(key, None)
        if key in self._base:
            self._gone.add(key)
        return old

    def _unstamp(self, row: Row, key: Key) -> None:
        entry = (str(row.get(self.spec.stamp or "") or ""), key)
        at = bisect.bisect_left(self.stamps, entry)
        if at < len(self.stamps) and self.stamps[at] == entry:
            del self.stamps[at]

    def rows(self) -> Iterator[Row]:
        for key in self.keys:
            row = self.get(key)
            if row is not None:
                yield row

    def seek(self, query: Query) -> Iterator[Row] | None:
        """Rows in the query's order from the first that can match, if an index gives that
        order (by key, or by change stamp then key); None otherwise."""
        order = [path for path, descending in query.order_by if not descending]
        if len(order) != len(query.order_by):
            return None
        keys = list(self.spec.keys)
        if order in (keys, keys[:1]) or not order:
            return self.by_key(query)
        if self.spec.stamp is not None and order in ([self.spec.stamp, *keys], [self.spec.stamp]):
            return self._by_stamp(query)
        return None

    def by_key(self, query: Query) -> Iterator[Row]:
        """Rows in key order from the first that can match: only the keys named when the
        condition names them (``order IN (...)``), else from the condition's lower bound."""
        first = self.spec.keys[0]
        keys = self.keys
        exact = exact_values(query.where, first)
        if exact is not None:
            for value in sorted(exact):
                at = bisect.bisect_left(keys, (value,))
                while at < len(keys) and keys[at][0] == value:
                    row = self.get(keys[at])
                    at += 1
                    if row is not None:
                        yield row
            return
        bounds = bounds_of(query.where, first)
        at = 0
        if isinstance(bounds.low, str):
            at = bisect.bisect_left(keys, (bounds.low,))
        high = bounds.high if isinstance(bounds.high, str) else None
        while at < len(keys):
            key = keys[at]
            at += 1
            if high is not None and key[0] > high:
                return
            row = self.get(key)
            if row is not None:
                yield row

    def _by_stamp(self, query: Query) -> Iterator[Row]:
        stamp = self.spec.stamp
        assert stamp is not None
        bounds = bounds_of(query.where, stamp)
        stamps = self.stamps
        at = 0
        if isinstance(bounds.low, str):
            at = bisect.bisect_left(stamps, (bounds.low,))
        high = bounds.high if isinstance(bounds.high, str) else None
        while at < len(stamps):
            value, key = stamps[at]
            at += 1
            if high is not None and value > high:
                return
            row = self.get(key)
            if row is not None:
                yield row


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return (1, value)
    return (2, str(value))


def run_query(
    source: Iterator[Row] | None, everything: Callable[[], Iterator[Row]], query: Query,
    limit: int,
) -> tuple[list[Row], bool]:  # fmt: skip
    """Up to ``limit`` matching rows (``-1``: all) and whether more match."""
    if source is None:
        matching = [row for row in everything() if query.matches(row)]
        for path, descending in reversed(query.order_by):
            matching.sort(key=lambda row: _sort_key(row.get(path)), reverse=descending)
        source = iter(matching)
    found: list[Row] = []
    for row in source:
        if not query.matches(row):
            continue
        if 0 <= limit <= len(found):
            return found, True
        found.append(row)
    return found, False
