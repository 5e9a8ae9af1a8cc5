"""Per-request DataLoaders: relations are fetched in one statement per kind, not per row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from ironbridge.models import EntityType
from ironbridge.store import records as record_store

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Row
    from sqlalchemy.ext.asyncio import AsyncEngine

RemoteKey = tuple[int, str]  # (connection id, remote id)


class Loaders:
    """Created fresh for every request, so nothing cached here outlives it or crosses callers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.by_remote_id: dict[EntityType, DataLoader[RemoteKey, Row[Any] | None]] = {
            entity: DataLoader(load_fn=self._remote_loader(entity)) for entity in EntityType
        }
        self.lines: DataLoader[int, list[Row[Any]]] = DataLoader(load_fn=self._load_lines)
        self.stock_by_item: DataLoader[RemoteKey, list[Row[Any]]] = DataLoader(
            load_fn=self._load_stock
        )

    def _remote_loader(self, entity: EntityType) -> Any:
        async def load(keys: Sequence[RemoteKey]) -> list[Row[Any] | None]:
            async with self._engine.connect() as conn:
                found = await record_store.get_by_remote_ids(conn, entity, keys)
            return [found.get(key) for key in keys]

        return load

    async def _load_lines(self, order_ids: Sequence[int]) -> list[list[Row[Any]]]:
        async with self._engine.connect() as conn:
            found = await record_store.lines_for_orders(conn, order_ids)
        return [found.get(order_id, []) for order_id in order_ids]

    async def _load_stock(self, keys: Sequence[RemoteKey]) -> list[list[Row[Any]]]:
        async with self._engine.connect() as conn:
            found = await record_store.rows_referencing(
                conn, EntityType.STOCK_LEVEL, "item_remote_id", keys
            )
        return [found.get(key, []) for key in keys]

    async def record(
        self, entity: EntityType, connection_id: int, remote_id: str | None
    ) -> Row[Any] | None:
        if not remote_id:
            return None
        return await self.by_remote_id[entity].load((connection_id, remote_id))


__all__ = ["Loaders"]
