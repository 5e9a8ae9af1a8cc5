"""The sandbox dataset indexed for reads, generated once per process per (seed, size)."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.sandbox.dataset import generate_dataset
from ironbridge.connectors.sandbox.values import collector_paused
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ironbridge.connectors.base import Checkpoint
    from ironbridge.connectors.sandbox.dataset import SandboxDataset
    from ironbridge.models import Record

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware as it is; a naive datetime is taken to be UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _change_key(record: Record) -> tuple[datetime, str]:
    return (record.updated_at or _EPOCH, record.remote_id)


class EntityIndex:
    """One entity's records in change order, (updated_at, remote_id), and by id."""

    __slots__ = ("_by_id", "_keys", "_stamps", "ids", "ordered")

    def __init__(self, records: tuple[Record, ...]) -> None:
        self.ordered: tuple[Record, ...] = tuple(sorted(records, key=_change_key))
        self._keys: list[tuple[datetime, str]] = [_change_key(r) for r in self.ordered]
        self._stamps: list[datetime] = [stamp for stamp, _ in self._keys]
        self._by_id: Mapping[str, Record] = {r.remote_id: r for r in records}
        self.ids: tuple[str, ...] = tuple(sorted(self._by_id))

    def __len__(self) -> int:
        return len(self.ordered)

    def get(self, remote_id: str) -> Record | None:
        return self._by_id.get(remote_id)

    def start(self, since: Checkpoint | None, not_before: datetime | None) -> int:
        """Position of the first record strictly after ``since`` and not before ``not_before``."""
        position = 0
        if since is not None and since.updated_at is not None:
            stamp = as_utc(since.updated_at)
            if since.remote_id is None:
                position = bisect_right(self._stamps, stamp)
            else:
                position = bisect_right(self._keys, (stamp, since.remote_id))
        if not_before is not None:
            position = max(position, bisect_left(self._stamps, as_utc(not_before)))
        return position


class SandboxIndex:
    """Every entity of one dataset, indexed."""

    __slots__ = ("_entities", "dataset")

    def __init__(self, dataset: SandboxDataset) -> None:
        self.dataset = dataset
        self._entities = {entity: EntityIndex(dataset.records(entity)) for entity in EntityType}

    def entity(self, entity: EntityType) -> EntityIndex:
        return self._entities[entity]

    def get(self, entity: EntityType, remote_id: str) -> Record | None:
        return self._entities[entity].get(remote_id)


_CACHE: dict[tuple[int, int], SandboxIndex] = {}
_CACHE_SIZE = 4
_LOCK = threading.Lock()


def cached_index(seed: int, purchase_orders: int) -> SandboxIndex | None:
    return _CACHE.get((seed, purchase_orders))


def load_index(seed: int, purchase_orders: int) -> SandboxIndex:
    """The indexed dataset for (seed, size): generated on first use, then kept."""
    key = (seed, purchase_orders)
    with _LOCK:  # two connections asking at once generate it once
        index = _CACHE.get(key)
        if index is None:
            dataset = generate_dataset(seed=seed, purchase_orders=purchase_orders)
            with collector_paused():
                index = SandboxIndex(dataset)
            while len(_CACHE) >= _CACHE_SIZE:
                del _CACHE[next(iter(_CACHE))]
            _CACHE[key] = index
    return index


__all__ = ["EntityIndex", "SandboxIndex", "as_utc", "cached_index", "load_index"]
