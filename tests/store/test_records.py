"""The store on both dialects: upserts, pages, filters, deletes and tenant isolation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from ironbridge.models import (
    Address,
    EntityType,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Vendor,
    VendorStatus,
)
from ironbridge.store import connections as connection_store
from ironbridge.store import records as store
from ironbridge.store.tables import metadata, purchase_order_lines, purchase_orders

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def po(
    n: int,
    *,
    updated: datetime | None = None,
    status: PurchaseOrderStatus = PurchaseOrderStatus.APPROVED,
    lines: int = 2,
) -> PurchaseOrder:
    return PurchaseOrder(
        remote_id=f"45{n:08d}",
        number=f"45{n:08d}",
        status=status,
        vendor_remote_id="V1",
        order_date=date(2026, 2, 1),
        currency="USD",
        total_amount=Decimal("1250.00"),
        created_at=T0,
        updated_at=updated if updated is not None else T0 + timedelta(minutes=n),
        custom_fields={"costCenter": f"CC-{n}"},
        remote_data={"PurchaseOrder": f"45{n:08d}"},
        lines=tuple(
            PurchaseOrderLine(
                line_number=str(10 * (i + 1)),
                quantity=Decimal("2.500"),
                unit_price=Decimal("10.10"),
                amount=Decimal("25.25"),
                item_remote_id=f"M{i}",
            )
            for i in range(lines)
        ),
    )


async def new_connection(engine: AsyncEngine, name: str = "c") -> int:
    async with engine.begin() as conn:
        return await connection_store.create_connection(
            conn,
            system_key="sandbox",
            instance_url="sandbox://x",
            display_name=name,
            sandbox=True,
            credits_used=0,
            now=T0,
        )


async def test_migrations_create_every_table(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(metadata.tables) <= names
    assert "alembic_version" in names


async def test_upsert_is_idempotent_and_replaces_lines(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    async with engine.begin() as conn:
        first = await store.upsert_records(conn, cid, [po(1), po(2)], synced_at=T0)
    assert len(first.created) == 2
    assert first.updated == []
    async with engine.begin() as conn:
        again = await store.upsert_records(conn, cid, [po(1, lines=1), po(2)], synced_at=T0)
    assert again.created == []
    assert sorted(r for _, r in again.updated) == ["4500000001", "4500000002"]
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(purchase_orders))).scalar() == 2
        lines = await store.lines_for_orders(conn, [i for i, _ in again.updated])
    by_remote = {remote: lines[i] for i, remote in again.updated}
    assert [line.line_number for line in by_remote["4500000001"]] == ["10"]
    assert [line.line_number for line in by_remote["4500000002"]] == ["10", "20"]


async def test_values_round_trip_exactly(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    vendor = Vendor(
        remote_id="V1",
        name="Acme Bearings",
        status=VendorStatus.BLOCKED,
        address=Address(city="Toledo", country="US"),
        updated_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    )
    async with engine.begin() as conn:
        await store.upsert_records(conn, cid, [po(7)], synced_at=T0)
        await store.upsert_records(conn, cid, [vendor], synced_at=T0)
        order = (
            await store.get_by_remote_ids(conn, EntityType.PURCHASE_ORDER, [(cid, "4500000007")])
        )[(cid, "4500000007")]
        line = (await conn.execute(select(purchase_order_lines))).first()
        saved_vendor = (await store.get_by_remote_ids(conn, EntityType.VENDOR, [(cid, "V1")]))[
            (cid, "V1")
        ]
    assert str(order.total_amount) == "1250.00"
    assert line is not None
    assert str(line.quantity) == "2.500"
    assert order.remote_updated_at == T0 + timedelta(minutes=7)
    assert order.remote_updated_at.tzinfo is not None
    assert order.custom_fields == {"costCenter": "CC-7"}
    assert saved_vendor.remote_updated_at == vendor.updated_at
    assert saved_vendor.address_city == "Toledo"
    assert saved_vendor.status == "BLOCKED"


@pytest.mark.parametrize(
    ("field", "descending"),
    [("UPDATED_AT", True), ("UPDATED_AT", False), ("NUMBER", False), ("CREATED_AT", True)],
)
async def test_keyset_pages_cover_everything_once_in_order(
    engine: AsyncEngine, field: str, descending: bool
) -> None:
    cid = await new_connection(engine)
    # ties on the sort key: pages must still neither skip nor repeat
    orders = [po(n, updated=T0 + timedelta(minutes=n // 4)) for n in range(1, 38)]
    async with engine.begin() as conn:
        await store.upsert_records(conn, cid, orders, synced_at=T0)
    seen: list[str] = []
    after = None
    while True:
        async with engine.connect() as conn:
            page = await store.list_page(
                conn,
                EntityType.PURCHASE_ORDER,
                cid,
                store.RecordFilter(),
                store.RecordOrder(field, descending),
                first=5,
                after=after,
            )
        seen.extend(row.remote_id for row in page.rows)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert sorted(seen) == sorted(o.remote_id for o in orders)
    assert len(seen) == len(set(seen))
    if field == "NUMBER":
        assert seen == sorted(seen)
    if field == "UPDATED_AT":
        stamps = {o.remote_id: o.updated_at for o in orders}
        keys = [stamps[r] for r in seen]
        assert keys == sorted(keys, reverse=descending)


async def test_filters(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    orders = [po(1, status=PurchaseOrderStatus.DRAFT), po(2), po(3), po(40)]
    async with engine.begin() as conn:
        await store.upsert_records(conn, cid, orders, synced_at=T0)
        await store.soft_delete(conn, EntityType.PURCHASE_ORDER, cid, ["4500000003"], at=T0)

    async def remote_ids(flt: store.RecordFilter) -> list[str]:
        async with engine.connect() as conn:
            page = await store.list_page(
                conn,
                EntityType.PURCHASE_ORDER,
                cid,
                flt,
                store.RecordOrder("NUMBER", False),
                first=50,
                after=None,
            )
            assert await store.count(conn, EntityType.PURCHASE_ORDER, cid, flt) == len(page.rows)
        return [row.remote_id for row in page.rows]

    assert await remote_ids(store.RecordFilter()) == ["4500000001", "4500000002", "4500000040"]
    assert await remote_ids(store.RecordFilter(include_deleted=True)) == [
        "4500000001",
        "4500000002",
        "4500000003",
        "4500000040",
    ]
    assert await remote_ids(store.RecordFilter(any_of={"status": ["DRAFT"]})) == ["4500000001"]
    assert await remote_ids(store.RecordFilter(search="0040")) == ["4500000040"]
    assert await remote_ids(store.RecordFilter(search="%")) == []
    assert await remote_ids(store.RecordFilter(updated_after=T0 + timedelta(minutes=2))) == [
        "4500000040"
    ]
    assert await remote_ids(store.RecordFilter(updated_before=T0 + timedelta(minutes=2))) == [
        "4500000001"
    ]
    assert await remote_ids(store.RecordFilter(remote_ids=["4500000002", "nope"])) == ["4500000002"]


async def test_soft_deleted_record_comes_back_when_seen_again(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    async with engine.begin() as conn:
        await store.upsert_records(conn, cid, [po(1)], synced_at=T0)
        gone = await store.soft_delete(conn, EntityType.PURCHASE_ORDER, cid, ["4500000001"], at=T0)
        again = await store.soft_delete(conn, EntityType.PURCHASE_ORDER, cid, ["4500000001"], at=T0)
        await store.upsert_records(conn, cid, [po(1)], synced_at=T0)
        row = (
            await store.get_by_remote_ids(conn, EntityType.PURCHASE_ORDER, [(cid, "4500000001")])
        )[(cid, "4500000001")]
    assert [r for _, r in gone] == ["4500000001"]
    assert again == []
    assert row.deleted_at is None


async def test_connections_are_isolated(engine: AsyncEngine) -> None:
    a = await new_connection(engine, "a")
    b = await new_connection(engine, "b")
    async with engine.begin() as conn:
        await store.upsert_records(conn, a, [po(1), po(2)], synced_at=T0)
        await store.upsert_records(conn, b, [po(1)], synced_at=T0)
    async with engine.connect() as conn:
        page_b = await store.list_page(
            conn,
            EntityType.PURCHASE_ORDER,
            b,
            store.RecordFilter(),
            store.RecordOrder(),
            first=50,
            after=None,
        )
        found = await store.get_by_remote_ids(conn, EntityType.PURCHASE_ORDER, [(b, "4500000002")])
    assert [row.remote_id for row in page_b.rows] == ["4500000001"]
    assert all(row.connection_id == b for row in page_b.rows)
    assert found == {}


async def test_remote_id_is_unique_per_connection(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    row = {
        "connection_id": cid,
        "remote_id": "X",
        "number": "X",
        "status": "DRAFT",
        "synced_at": T0,
        "changed_at": T0,
        "custom_fields": {},
    }
    async with engine.begin() as conn:
        await conn.execute(purchase_orders.insert().values(**row))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(purchase_orders.insert().values(**row))


async def test_bad_cursor_is_refused(engine: AsyncEngine) -> None:
    cid = await new_connection(engine)
    async with engine.connect() as conn:
        with pytest.raises(store.InvalidCursor):
            await store.list_page(
                conn,
                EntityType.PURCHASE_ORDER,
                cid,
                store.RecordFilter(),
                store.RecordOrder(),
                first=5,
                after="garbage",
            )
