"""Compact row stores: base rows derived on demand from a formula, plus stored overrides.

A 100k-row table costs nothing until read: only rows that were changed, created or removed are
held in memory. Keys are tuples of strings and iterate in key order, as SAP lists by key.
"""

from __future__ import annotations

import bisect
import heapq
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

__all__ = ["ChildTable", "Key", "Record", "Rows", "Table"]

Key: TypeAlias = tuple[str, ...]
Record: TypeAlias = dict[str, Any]


class Rows(Protocol):
    """What queries and writes need from a table."""

    key_fields: tuple[str, ...]

    def keys(self) -> Iterator[Key]: ...

    def __iter__(self) -> Iterator[Key]: ...

    def get(self, key: Key) -> Record | None: ...

    def value(self, key: Key, name: str) -> Any: ...

    def has_base(self, key: Key) -> bool: ...

    def put(self, record: Record) -> Key: ...

    def remove(self, key: Key) -> bool: ...

    def reset(self) -> None: ...

    def __contains__(self, key: object) -> bool: ...


def key_of(record: Mapping[str, Any], fields: Sequence[str]) -> Key:
    return tuple(str(record[f]) for f in fields)


class Table:
    """Top-level rows: row ``i`` of ``count`` is ``build(i)``; ``key_of`` must be ascending in i."""

    def __init__(
        self,
        *,
        key_fields: tuple[str, ...],
        count: int,
        key_of: Callable[[int], Key],
        index_of: Callable[[Key], int | None],
        build: Callable[[int], Record],
        fast: Mapping[str, Callable[[int], Any]] | None = None,
    ) -> None:
        self.key_fields = key_fields
        self._count = count
        self._key_of = key_of
        self._index_of = index_of
        self._build = build
        # fields computed without building the whole row (filters and sorts on 100k rows)
        self._fast = dict(fast or {})
        self._overrides: dict[Key, Record] = {}
        self._created: list[Key] = []
        self._removed: set[Key] = set()

    @classmethod
    def of_records(cls, key_fields: tuple[str, ...], records: Sequence[Record]) -> Table:
        """A small table held as a list (suppliers, plants, stock, ...)."""
        ordered = sorted(records, key=lambda r: key_of(r, key_fields))
        keys = [key_of(r, key_fields) for r in ordered]
        positions = {k: i for i, k in enumerate(keys)}
        return cls(
            key_fields=key_fields,
            count=len(ordered),
            key_of=keys.__getitem__,
            index_of=positions.get,
            build=lambda i: dict(ordered[i]),
        )

    def _base_index(self, key: Key) -> int | None:
        index = self._index_of(key)
        if index is None or not 0 <= index < self._count:
            return None
        return index

    def has_base(self, key: Key) -> bool:
        return self._base_index(key) is not None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple):
            return False
        if key in self._overrides:
            return True
        return key not in self._removed and self._base_index(key) is not None

    def __len__(self) -> int:
        return self._count + len(self._created) - len(self._removed)

    def __iter__(self) -> Iterator[Key]:
        return self.keys()

    def keys(self) -> Iterator[Key]:
        """Current keys in key order (lazy)."""
        keys: Iterator[Key] = map(self._key_of, range(self._count))
        if self._created:
            keys = heapq.merge(keys, list(self._created))
        if self._removed:
            removed = self._removed
            return (k for k in keys if k not in removed)
        return keys

    def base_record(self, key: Key) -> Record | None:
        index = self._base_index(key)
        return None if index is None else self._build(index)

    def get(self, key: Key) -> Record | None:
        """The current row (read-only: change rows through ``put``)."""
        record = self._overrides.get(key)
        if record is not None:
            return record
        if key in self._removed:
            return None
        return self.base_record(key)

    def value(self, key: Key, name: str) -> Any:
        record = self._overrides.get(key)
        if record is not None:
            return record.get(name)
        fast = self._fast.get(name)
        if fast is not None and key not in self._removed:
            index = self._base_index(key)
            return None if index is None else fast(index)
        current = self.get(key)
        return None if current is None else current.get(name)

    def put(self, record: Record) -> Key:
        """Create or replace a row."""
        key = key_of(record, self.key_fields)
        if key not in self._overrides and self._base_index(key) is None:
            bisect.insort(self._created, key)
        self._removed.discard(key)
        self._overrides[key] = record
        return key

    def remove(self, key: Key) -> bool:
        if key not in self:
            return False
        self._overrides.pop(key, None)
        if self._base_index(key) is None:
            self._created.remove(key)
        else:
            self._removed.add(key)
        return True

    def reset(self) -> None:
        self._overrides.clear()
        self._created.clear()
        self._removed.clear()


class ChildTable:
    """Rows owned by a parent row; the first key fields are the parent's key."""

    def __init__(
        self,
        *,
        key_fields: tuple[str, ...],
        parent: Rows,
        base_keys: Callable[[Key], list[Key]],
        build: Callable[[Key], Record],
    ) -> None:
        self.key_fields = key_fields
        self.parent = parent
        self._width = len(parent.key_fields)
        self._base_keys = base_keys
        self._build = build
        self._overrides: dict[Key, Record] = {}
        self._created: dict[Key, list[Key]] = {}
        self._removed: set[Key] = set()

    def parent_key(self, key: Key) -> Key:
        return key[: self._width]

    def _base(self, parent_key: Key) -> list[Key]:
        return self._base_keys(parent_key) if self.parent.has_base(parent_key) else []

    def has_base(self, key: Key) -> bool:
        return key in self._base(self.parent_key(key))

    def child_keys(self, parent_key: Key) -> list[Key]:
        if parent_key not in self.parent:
            return []
        keys = [k for k in self._base(parent_key) if k not in self._removed]
        created = self._created.get(parent_key)
        return sorted(keys + created) if created else keys

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or self.parent_key(key) not in self.parent:
            return False
        if key in self._overrides:
            return True
        return key not in self._removed and self.has_base(key)

    def __iter__(self) -> Iterator[Key]:
        return self.keys()

    def keys(self) -> Iterator[Key]:
        for parent_key in self.parent:
            yield from self.child_keys(parent_key)

    def get(self, key: Key) -> Record | None:
        if key not in self:
            return None
        record = self._overrides.get(key)
        return record if record is not None else self._build(key)

    def value(self, key: Key, name: str) -> Any:
        record = self.get(key)
        return None if record is None else record.get(name)

    def put(self, record: Record) -> Key:
        key = key_of(record, self.key_fields)
        if key not in self._overrides and not self.has_base(key):
            created = self._created.setdefault(self.parent_key(key), [])
            if key not in created:
                bisect.insort(created, key)
        self._removed.discard(key)
        self._overrides[key] = record
        return key

    def remove(self, key: Key) -> bool:
        if key not in self:
            return False
        self._overrides.pop(key, None)
        if self.has_base(key):
            self._removed.add(key)
        else:
            self._created[self.parent_key(key)].remove(key)
        return True

    def reset(self) -> None:
        self._overrides.clear()
        self._created.clear()
        self._removed.clear()
