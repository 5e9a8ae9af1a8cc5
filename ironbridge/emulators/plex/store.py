"""Record tables of the Plex emulator: rows computed from their index, plus stored overrides,
so that 100,000 purchase orders cost nothing until they are read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Row", "Table", "record_id", "record_index"]

Row: TypeAlias = dict[str, Any]


def record_id(kind: int, index: int) -> str:
    """The deterministic UUID of record ``index`` of a resource kind."""
    return f"{kind:08x}-0000-4000-8000-{index:012x}"


def record_index(kind: int, value: str) -> int | None:
    """The index back from a UUID made by ``record_id`` (None for any other text)."""
    parts = value.lower().split("-")
    if len(parts) != 5 or parts[0] != f"{kind:08x}" or parts[1:4] != ["0000", "4000", "8000"]:
        return None
    try:
        return int(parts[4], 16) if len(parts[4]) == 12 else None
    except ValueError:
        return None


class Table:
    """The records of one Plex resource. Record ``i`` (``i < count``) is ``build(i)`` until it
    is changed or removed; created records follow with the next indexes."""

    def __init__(
        self,
        *,
        kind: int,
        count: int,
        build: Callable[[int], Row],
        make_id: Callable[[int], str] | None = None,
        parse_id: Callable[[str], int | None] | None = None,
    ) -> None:
        self.kind = kind
        self.make_id = make_id or (lambda index: record_id(kind, index))
        self._parse_id = parse_id or (lambda value: record_index(kind, value))
        self._count = count
        self._build = build
        self._changed: dict[int, Row] = {}
        self._removed: set[int] = set()
        self._next = count

    def __len__(self) -> int:
        return self._next - len(self._removed)

    def index_of(self, value: str) -> int | None:
        index = self._parse_id(value)
        if index is None or index >= self._next or index in self._removed:
            return None
        return index

    def get(self, index: int) -> Row | None:
        """The current record (treat it as read-only; change records through ``put``)."""
        if index in self._removed or not 0 <= index < self._next:
            return None
        changed = self._changed.get(index)
        if changed is not None:
            return changed
        return self._build(index) if index < self._count else None

    def find(self, value: str) -> Row | None:
        index = self.index_of(value)
        return None if index is None else self.get(index)

    def rows(self) -> Iterator[Row]:
        """Every record in index order (the order Plex lists them in, unsorted by date)."""
        for index in range(self._next):
            row = self.get(index)
            if row is not None:
                yield row

    def put(self, row: Row, *, index: int | None = None) -> int:
        """Store a changed record, or a new one (``index`` None); its index."""
        if index is None:
            index = self._next
            self._next += 1
        self._changed[index] = row
        return index

    @property
    def next_index(self) -> int:
        return self._next

    def next_id(self) -> str:
        return self.make_id(self._next)

    def remove(self, index: int) -> None:
        self._removed.add(index)
        self._changed.pop(index, None)

    def reset(self) -> None:
        self._changed.clear()
        self._removed.clear()
        self._next = self._count
