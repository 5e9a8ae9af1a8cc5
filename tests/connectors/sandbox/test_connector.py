"""The sandbox connector's reads: paging, checkpoints, snapshots, ids and live gets."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from ironbridge.connectors.base import Checkpoint, ConnectionConfig
from ironbridge.connectors.errors import Rejected
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.connectors.sandbox import SandboxConnector
from ironbridge.models import AuthMethod, EntityType

if TYPE_CHECKING:
    from datetime import datetime

    from ironbridge.connectors.base import Batch
    from ironbridge.models import Record


def connector(*, page_size: int = 200, **options: object) -> SandboxConnector:
    sandbox = SandboxConnector(
        ConnectionConfig(connection_id="c1", instance_url="", options=options, sandbox=True)
    )
    sandbox.page_size = page_size
    return sandbox


async def batches(
    sandbox: SandboxConnector,
    entity: EntityType,
    since: Checkpoint | None = None,
    not_before: datetime | None = None,
) -> list[Batch]:
    return [batch async for batch in sandbox.fetch_changes(entity, since, not_before=not_before)]


def flatten(pages: list[Batch]) -> list[Record]:
    return [record for page in pages for record in page.records]


def change_key(record: Record) -> tuple[datetime, str]:
    assert record.updated_at is not None
    return record.updated_at, record.remote_id


def test_registered_as_builtin() -> None:
    assert ConnectorRegistry.default(discover=False).get("sandbox") is SandboxConnector


def test_declares_system_and_capabilities() -> None:
    info = SandboxConnector.system
    assert (info.key, info.auth_method, info.auth_fields, info.credit_cost) == (
        "sandbox",
        AuthMethod.NONE,
        (),
        0,
    )
    assert info.sandbox_only
    entities = SandboxConnector.entities
    assert set(entities) == set(EntityType)
    assert all(support.read for support in entities.values())
    po = entities[EntityType.PURCHASE_ORDER]
    assert po.create
    assert po.update
    assert po.delete
    assert "vendor_remote_id" in po.required_on_create
    assert "lines" in po.required_on_create
    assert "lines" in po.updatable_fields
    assert entities[EntityType.WORK_ORDER].delete
    item = entities[EntityType.INVENTORY_ITEM]
    assert item.create
    assert item.update
    assert not item.delete
    assert not entities[EntityType.STOCK_LEVEL].incremental
    assert not entities[EntityType.VENDOR].create


async def test_check_succeeds() -> None:
    await connector().check()


@pytest.mark.parametrize("records", [-1, "many", True, 10**9])
async def test_check_refuses_bad_options(records: object) -> None:
    with pytest.raises(Rejected, match="records"):
        await connector(records=records).check()


@pytest.mark.parametrize("entity", list(EntityType))
async def test_full_fetch_pages_every_record_once_in_order(entity: EntityType) -> None:
    sandbox = connector(page_size=37)
    pages = await batches(sandbox, entity)
    records = flatten(pages)
    dataset = await sandbox.dataset()
    assert sorted(r.remote_id for r in records) == sorted(
        r.remote_id for r in dataset.records(entity)
    )
    assert [change_key(r) for r in records] == sorted(change_key(r) for r in records)
    assert all(len(page.records) <= 37 for page in pages)
    for page in pages:
        assert page.checkpoint is not None
        assert (page.checkpoint.updated_at, page.checkpoint.remote_id) == change_key(
            page.records[-1]
        )


async def test_resume_from_every_checkpoint() -> None:
    sandbox = connector(page_size=50)
    everything = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER))
    seen = 0
    for page in await batches(sandbox, EntityType.PURCHASE_ORDER):
        seen += len(page.records)
        rest = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER, page.checkpoint))
        assert rest == everything[seen:]


async def test_resume_inside_a_group_of_equal_timestamps() -> None:
    sandbox = connector(page_size=5)
    everything = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER))
    stamp, count = Counter(r.updated_at for r in everything).most_common(1)[0]
    assert count >= 2
    group = [r for r in everything if r.updated_at == stamp]
    first = everything.index(group[0])
    since = Checkpoint(updated_at=stamp, remote_id=group[0].remote_id)
    rest = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER, since))
    assert rest == everything[first + 1 :]
    assert rest[: count - 1] == group[1:]
    # without an id, the checkpoint's instant is taken as fully seen
    after = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER, Checkpoint(updated_at=stamp)))
    assert after == everything[first + count :]


async def test_naive_checkpoint_is_utc() -> None:
    sandbox = connector()
    everything = flatten(await batches(sandbox, EntityType.WORK_ORDER))
    middle = everything[len(everything) // 2]
    assert middle.updated_at is not None
    naive = Checkpoint(
        updated_at=middle.updated_at.replace(tzinfo=None), remote_id=middle.remote_id
    )
    rest = flatten(await batches(sandbox, EntityType.WORK_ORDER, naive))
    assert rest == everything[len(everything) // 2 + 1 :]


async def test_not_before_limits_the_first_sync() -> None:
    sandbox = connector()
    everything = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER))
    cutoff = everything[-1].updated_at
    assert cutoff is not None
    cutoff -= timedelta(days=30)
    recent = flatten(await batches(sandbox, EntityType.PURCHASE_ORDER, not_before=cutoff))
    assert recent == [r for r in everything if r.updated_at and r.updated_at >= cutoff]
    assert 0 < len(recent) < len(everything)


async def test_nothing_new_yields_nothing() -> None:
    sandbox = connector()
    last = flatten(await batches(sandbox, EntityType.VENDOR))[-1]
    since = Checkpoint(updated_at=last.updated_at, remote_id=last.remote_id)
    assert await batches(sandbox, EntityType.VENDOR, since) == []


async def test_snapshot_sends_everything_and_marks_the_last_page() -> None:
    sandbox = connector(page_size=40)
    pages = await batches(sandbox, EntityType.STOCK_LEVEL)
    assert [page.complete_snapshot for page in pages] == [False] * (len(pages) - 1) + [True]
    everything = flatten(pages)
    late = Checkpoint(updated_at=everything[-1].updated_at, remote_id=everything[-1].remote_id)
    again = await batches(sandbox, EntityType.STOCK_LEVEL, late)
    assert flatten(again) == everything
    assert again[-1].complete_snapshot


async def test_size_and_seed_options() -> None:
    small = connector(records=30, seed=3)
    pages = await batches(small, EntityType.PURCHASE_ORDER)
    assert len(flatten(pages)) == 30
    assert (await small.dataset()).seed == 3


async def test_list_ids_in_pages() -> None:
    sandbox = connector(page_size=100)
    pages = [page async for page in sandbox.list_ids(EntityType.PURCHASE_ORDER)]
    assert [len(page) for page in pages] == [100, 100, 40]
    flat = [remote_id for page in pages for remote_id in page]
    assert len(set(flat)) == 240


async def test_get_in_order_with_gaps() -> None:
    sandbox = connector()
    found = await sandbox.get(EntityType.ASSET, ["AST-10002", "nope", "AST-10001"])
    assert [r.remote_id if r else None for r in found] == ["AST-10002", None, "AST-10001"]


async def test_dataset_is_generated_once_per_size() -> None:
    first, second = connector(records=55), connector(records=55)
    assert await first.dataset() is await second.dataset()
