"""Relations of a page, fetched in bulk before the page is returned.

Knowing from the selection which relations a list asks for, the list resolver loads them for
the whole page at once into the request's loaders; the relation fields then answer from the
loaders' cache without scheduling a task per row. Fields outside a list still use the loaders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from ironbridge.models import EntityType
from ironbridge.schema.context import Context

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")

Selection = SelectedField | FragmentSpread | InlineFragment


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def child(selections: Iterable[Selection], name: str) -> list[Selection]:
    """The sub-selections of every field called ``name`` (aliases included)."""
    found: list[Selection] = []
    for field in _fields(selections):
        if field.name == name:
            found.extend(field.selections)
    return found


def node_selections(page_field: Selection) -> list[Selection]:
    """What a Relay page asks of each node, through ``nodes`` and ``edges { node }``."""
    selections = page_field.selections
    return child(selections, "nodes") + child(child(selections, "edges"), "node")


def cached_or_load(loader: DataLoader[K, V], key: K, build: Callable[[V], R]) -> R | Awaitable[R]:
    """The built value at once when the loader already holds it, else an awaitable of it."""
    future = loader.cache_map.get(key) if loader.cache else None
    if future is not None and future.done() and future.exception() is None:
        return build(future.result())

    async def later() -> R:
        return build(await loader.load(key))

    return later()


async def prime(loader: DataLoader[K, Any], keys: Iterable[K]) -> None:
    unique = list(dict.fromkeys(keys))
    if unique:
        await loader.load_many(unique)


# for each record type: relation field -> (entity of the target, attribute holding its remote id)
RELATIONS: dict[str, dict[str, tuple[EntityType, str]]] = {
    "PurchaseOrder": {
        "vendor": (EntityType.VENDOR, "vendor_remote_id"),
        "shipTo": (EntityType.LOCATION, "_ship_to_remote_id"),
    },
    "PurchaseOrderLine": {"item": (EntityType.INVENTORY_ITEM, "item_remote_id")},
    "WorkOrder": {
        "asset": (EntityType.ASSET, "asset_remote_id"),
        "location": (EntityType.LOCATION, "_location_remote_id"),
    },
    "Asset": {
        "location": (EntityType.LOCATION, "_location_remote_id"),
        "parent": (EntityType.ASSET, "_parent_remote_id"),
    },
    "StockLevel": {
        "item": (EntityType.INVENTORY_ITEM, "item_remote_id"),
        "location": (EntityType.LOCATION, "location_remote_id"),
    },
    "Location": {"parent": (EntityType.LOCATION, "_parent_remote_id")},
    "ProductionOrder": {
        "item": (EntityType.INVENTORY_ITEM, "item_remote_id"),
        "location": (EntityType.LOCATION, "_location_remote_id"),
    },
}


async def prefetch(
    context: Context, type_name: str, nodes: list[Any], selections: list[Selection]
) -> None:
    """Load, for all ``nodes`` at once, the relations ``selections`` ask for (one level, plus
    purchase order lines and their items)."""
    if not nodes or not selections:
        return
    loaders = context.loaders
    asked = {field.name for field in _fields(selections)}
    for name, (entity, attr) in RELATIONS.get(type_name, {}).items():
        if name in asked:
            keys = [(n._connection_id, getattr(n, attr)) for n in nodes if getattr(n, attr)]
            await prime(loaders.by_remote_id[entity], keys)
    if type_name == "PurchaseOrder" and "lines" in asked:
        await prime(loaders.lines, [n._pk for n in nodes])
        line_selections = child(selections, "lines")
        if "item" in {f.name for f in _fields(line_selections)}:
            keys = []
            for node in nodes:
                for row in loaders.lines.cache_map.get(node._pk).result():  # type: ignore[union-attr]
                    if row.item_remote_id:
                        keys.append((row.connection_id, row.item_remote_id))
            await prime(loaders.by_remote_id[EntityType.INVENTORY_ITEM], keys)
    if type_name == "InventoryItem" and "stockLevels" in asked:
        await prime(loaders.stock_by_item, [(n._connection_id, n.remote_id) for n in nodes])


__all__ = ["RELATIONS", "cached_or_load", "child", "node_selections", "prefetch", "prime"]
