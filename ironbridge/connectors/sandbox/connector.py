"""The sandbox connector: sample data of a manufacturing plant, read-only, no system behind it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from ironbridge.connectors.base import (
    Batch,
    Checkpoint,
    Connector,
    EntitySupport,
    SystemInfo,
)
from ironbridge.connectors.errors import Rejected
from ironbridge.connectors.sandbox import writes
from ironbridge.connectors.sandbox.dataset import DEFAULT_PURCHASE_ORDERS, DEFAULT_SEED
from ironbridge.connectors.sandbox.index import cached_index, load_index
from ironbridge.models import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import datetime

    from ironbridge.connectors.base import DeleteResult
    from ironbridge.connectors.sandbox.dataset import SandboxDataset
    from ironbridge.connectors.sandbox.index import SandboxIndex
    from ironbridge.models import Record

MAX_RECORDS = 1_000_000

_READ_ONLY = EntitySupport()


class SandboxConnector(Connector):
    """Every read answers from a generated dataset; every write is checked, answered, dropped.

    ``config.options``: ``records`` (number of purchase orders, default 240) and ``seed``.
    """

    system: ClassVar[SystemInfo] = SystemInfo(
        key="sandbox",
        name="Sandbox",
        vendor="Ironbridge",
        categories=(SystemCategory.ERP, SystemCategory.CMMS, SystemCategory.MES),
        description=(
            "Sample data of a two-site manufacturing plant: purchase orders in every state "
            "(some with custom fields, some for a vendor that no longer exists), work orders, "
            "assets, out-of-stock items, production orders. Read-only: writes are validated "
            "and answered, and change nothing."
        ),
        auth_method=AuthMethod.NONE,
        auth_fields=(),
        credit_cost=0,
        docs_url=None,
        sandbox_only=True,
    )
    entities: ClassVar[Mapping[EntityType, EntitySupport]] = {
        EntityType.PURCHASE_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            required_on_create=("vendor_remote_id", "lines"),
            updatable_fields=writes.PURCHASE_ORDER_UPDATE,
            notes=writes.PURCHASE_ORDER_RULES,
        ),
        EntityType.WORK_ORDER: EntitySupport(
            create=True,
            update=True,
            delete=True,
            required_on_create=("title",),
            updatable_fields=writes.WORK_ORDER_UPDATE,
            notes=writes.WORK_ORDER_RULES,
        ),
        EntityType.INVENTORY_ITEM: EntitySupport(
            create=True,
            update=True,
            required_on_create=("name",),
            updatable_fields=writes.INVENTORY_ITEM_UPDATE,
            notes=writes.INVENTORY_ITEM_RULES,
        ),
        EntityType.STOCK_LEVEL: EntitySupport(
            incremental=False, notes="A snapshot: every sync sends all stock levels."
        ),
        EntityType.ASSET: _READ_ONLY,
        EntityType.VENDOR: _READ_ONLY,
        EntityType.LOCATION: _READ_ONLY,
        EntityType.PRODUCTION_ORDER: _READ_ONLY,
    }
    page_size: int = 200

    # configuration

    def _option(self, name: str, default: int, *, lo: int, hi: int) -> int:
        value: Any = self.config.options.get(name, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise Rejected(self.system.key, f"option {name}: must be a whole number {lo}..{hi}")
        return value

    def dataset_key(self) -> tuple[int, int]:
        """(seed, number of purchase orders) of this connection's dataset."""
        seed = self._option("seed", DEFAULT_SEED, lo=0, hi=2**31)
        size = self._option("records", DEFAULT_PURCHASE_ORDERS, lo=0, hi=MAX_RECORDS)
        return seed, size

    async def _index(self) -> SandboxIndex:
        seed, size = self.dataset_key()
        index = cached_index(seed, size)
        if index is None:  # large datasets take seconds: keep the event loop free meanwhile
            index = await asyncio.to_thread(load_index, seed, size)
        return index

    async def dataset(self) -> SandboxDataset:
        """This connection's sample data, as generated."""
        return (await self._index()).dataset

    async def _writer(self) -> writes.SandboxWriter:
        return writes.SandboxWriter(await self._index(), system=self.system.key)

    # reads

    async def check(self) -> None:
        """Nothing to reach: only the options are checked."""
        self.dataset_key()

    async def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        records = (await self._index()).entity(entity)
        snapshot = not self.entities[entity].incremental
        start = 0 if snapshot else records.start(since, not_before)
        size = max(1, self.page_size)
        if snapshot and not len(records):
            yield Batch(records=(), checkpoint=since, complete_snapshot=True)
            return
        for offset in range(start, len(records), size):
            page = records.ordered[offset : offset + size]
            last = page[-1]
            yield Batch(
                records=page,
                checkpoint=Checkpoint(updated_at=last.updated_at, remote_id=last.remote_id),
                complete_snapshot=snapshot and offset + size >= len(records),
            )
            await asyncio.sleep(0)  # let others run between pages of a large dataset

    async def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        ids = (await self._index()).entity(entity).ids
        size = max(1, self.page_size)
        for offset in range(0, len(ids), size):
            yield list(ids[offset : offset + size])
            await asyncio.sleep(0)

    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        records = (await self._index()).entity(entity)
        return [records.get(remote_id) for remote_id in remote_ids]

    # writes: answered, never applied

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        record = (await self._writer()).create(entity, data)
        return record if record is not None else await super().create(entity, data)

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        record = (await self._writer()).update(entity, remote_id, data)
        if record is None:
            return await super().update(entity, remote_id, data, version=version)
        return record

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        result = (await self._writer()).delete(entity, remote_id)
        return result if result is not None else await super().delete(entity, remote_id)


__all__ = ["MAX_RECORDS", "SandboxConnector"]
