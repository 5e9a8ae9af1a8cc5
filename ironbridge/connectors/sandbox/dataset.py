"""The sandbox dataset: a deterministic, realistic manufacturing plant in the unified model."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ironbridge.connectors.sandbox import masterdata, operations, purchasing
from ironbridge.connectors.sandbox.values import Clock, collector_paused, default_now
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from datetime import datetime

    from ironbridge.models import (
        Asset,
        InventoryItem,
        Location,
        ProductionOrder,
        PurchaseOrder,
        Record,
        StockLevel,
        Vendor,
        WorkOrder,
    )

DEFAULT_SEED = 7
DEFAULT_PURCHASE_ORDERS = 240

_FIELDS: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "purchase_orders",
    EntityType.WORK_ORDER: "work_orders",
    EntityType.ASSET: "assets",
    EntityType.INVENTORY_ITEM: "inventory_items",
    EntityType.STOCK_LEVEL: "stock_levels",
    EntityType.VENDOR: "vendors",
    EntityType.LOCATION: "locations",
    EntityType.PRODUCTION_ORDER: "production_orders",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxDataset:
    """Every record of the sandbox system, per entity, as of ``now``."""

    seed: int
    now: datetime
    locations: tuple[Location, ...]
    vendors: tuple[Vendor, ...]
    inventory_items: tuple[InventoryItem, ...]
    stock_levels: tuple[StockLevel, ...]
    assets: tuple[Asset, ...]
    purchase_orders: tuple[PurchaseOrder, ...]
    work_orders: tuple[WorkOrder, ...]
    production_orders: tuple[ProductionOrder, ...]

    def records(self, entity: EntityType) -> tuple[Record, ...]:
        records: tuple[Record, ...] = getattr(self, _FIELDS[entity])
        return records

    def counts(self) -> dict[EntityType, int]:
        return {entity: len(self.records(entity)) for entity in EntityType}


def generate_dataset(
    *,
    seed: int = DEFAULT_SEED,
    purchase_orders: int = DEFAULT_PURCHASE_ORDERS,
    now: datetime | None = None,
) -> SandboxDataset:
    """The plant's records; the same arguments always give the same dataset.

    Only the purchase orders grow with ``purchase_orders``: the other entities have a fixed
    size, so large datasets for benchmarks stay cheap. ``now`` defaults to today, midnight UTC.
    """
    if purchase_orders < 0:
        raise ValueError("purchase_orders must not be negative")
    with collector_paused():
        return _generate(seed, purchase_orders, Clock(now or default_now()))


def _generate(seed: int, purchase_orders: int, clock: Clock) -> SandboxDataset:

    # one generator per entity, so that the size of one does not shift the others
    def rng(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    locations = masterdata.locations(rng("locations"), clock)
    vendors = masterdata.vendors(rng("vendors"), clock)
    items = masterdata.inventory_items(rng("items"), clock)
    assets = masterdata.assets(rng("assets"), clock)
    return SandboxDataset(
        seed=seed,
        now=clock.now,
        locations=locations,
        vendors=vendors,
        inventory_items=items,
        stock_levels=masterdata.stock_levels(rng("stock"), clock),
        assets=assets,
        purchase_orders=purchasing.purchase_orders(
            rng("purchase-orders"), clock, purchase_orders, vendors, items
        ),
        work_orders=operations.work_orders(rng("work-orders"), clock, assets, locations),
        production_orders=operations.production_orders(rng("production-orders"), clock, items),
    )


__all__ = ["DEFAULT_PURCHASE_ORDERS", "DEFAULT_SEED", "SandboxDataset", "generate_dataset"]
