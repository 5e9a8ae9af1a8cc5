"""Reading and writing synced records: idempotent upserts, filtered keyset pages, batch loads.

Every function takes the connection id it works for and puts it in every statement: tenant
isolation lives here, not in the callers.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ironbridge.models import EntityType, PurchaseOrder
from ironbridge.store.rows import line_rows, record_to_row
from ironbridge.store.tables import ENTITY_TABLES, purchase_order_lines

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from sqlalchemy import Row, Table
    from sqlalchemy.ext.asyncio import AsyncConnection
    from sqlalchemy.sql.elements import KeyedColumnElement

    from ironbridge.models import Record

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# SQLite caps bound parameters per statement; keep batches well under it
_CHUNK = 400


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordFilter:
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    include_deleted: bool = False
    remote_ids: Sequence[str] | None = None
    search: str | None = None
    # column -> allowed values (status, priority, ...)
    any_of: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # column -> exact value (vendor_remote_id, asset_remote_id, ...)
    equals: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordOrder:
    field: str = "UPDATED_AT"  # UPDATED_AT | CREATED_AT | NUMBER | NAME
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row[Any]]
    has_next_page: bool
    cursors: list[str]


@dataclass(frozen=True, slots=True)
class UpsertResult:
    created: list[tuple[int, str]]
    updated: list[tuple[int, str]]


def _search_columns(table: Table) -> list[KeyedColumnElement[Any]]:
    return [table.c[n] for n in ("number", "name", "title", "code", "tag") if n in table.c]


def _sort_key(table: Table, order_field: str) -> ColumnElement[Any]:
    c = table.c
    if order_field == "CREATED_AT":
        return func.coalesce(c.remote_created_at, c.changed_at)
    if order_field == "NUMBER":
        for name in ("number", "code", "tag", "name"):
            if name in c:
                return func.coalesce(c[name], "")
    if order_field == "NAME":
        for name in ("name", "title", "number"):
            if name in c:
                return func.coalesce(c[name], "")
    return c.changed_at


def encode_cursor(value: Any, row_id: int) -> str:
    key = value.isoformat() if isinstance(value, datetime) else value
    raw = json.dumps([key, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order_field: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if order_field in ("UPDATED_AT", "CREATED_AT"):
            key = datetime.fromisoformat(key)
        if not isinstance(row_id, int) or (
            order_field in ("NUMBER", "NAME") and not isinstance(key, str)
        ):
            raise TypeError
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this list returned") from exc
    return key, row_id


def filter_clauses(
    table: Table, connection_id: int, flt: RecordFilter
) -> list[ColumnElement[bool]]:
    c = table.c
    clauses: list[ColumnElement[bool]] = [c.connection_id == connection_id]
    if not flt.include_deleted:
        clauses.append(c.deleted_at.is_(None))
    if flt.updated_after is not None:
        clauses.append(c.changed_at > flt.updated_after)
    if flt.updated_before is not None:
        clauses.append(c.changed_at < flt.updated_before)
    if flt.remote_ids is not None:
        clauses.append(c.remote_id.in_(list(flt.remote_ids)))
    if flt.search:
        pattern = (
            "%" + flt.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        clauses.append(
            or_(
                *(
                    func.lower(col).like(pattern.lower(), escape="\\")
                    for col in _search_columns(table)
                )
            )
        )
    for name, values in flt.any_of.items():
        clauses.append(c[name].in_(list(values)))
    for name, value in flt.equals.items():
        clauses.append(c[name] == value)
    return clauses


async def list_page(
    conn: AsyncConnection,
    entity: EntityType,
    connection_id: int,
    flt: RecordFilter,
    order: RecordOrder,
    *,
    first: int,
    after: str | None,
) -> Page:
    """One keyset page, ordered by the sort key then the row id (the tie-breaker)."""
    table = ENTITY_TABLES[entity]
    key = _sort_key(table, order.field)
    clauses = filter_clauses(table, connection_id, flt)
    if after:
        value, row_id = decode_cursor(after, order.field)
        if order.descending:
            clauses.append(or_(key < value, and_(key == value, table.c.id < row_id)))
        else:
            clauses.append(or_(key > value, and_(key == value, table.c.id > row_id)))
    ordering = (
        (key.desc(), table.c.id.desc()) if order.descending else (key.asc(), table.c.id.asc())
    )
    stmt = (
        select(table, key.label("_sort_key")).where(*clauses).order_by(*ordering).limit(first + 1)
    )
    rows = list((await conn.execute(stmt)).all())
    has_next = len(rows) > first
    rows = rows[:first]
    cursors = [encode_cursor(r._sort_key, r.id) for r in rows]
    return Page(rows=rows, has_next_page=has_next, cursors=cursors)


async def count(
    conn: AsyncConnection, entity: EntityType, connection_id: int, flt: RecordFilter
) -> int:
    table = ENTITY_TABLES[entity]
    stmt = select(func.count()).select_from(table).where(*filter_clauses(table, connection_id, flt))
    return int((await conn.execute(stmt)).scalar_one())


async def get_by_ids(
    conn: AsyncConnection, entity: EntityType, ids: Sequence[int]
) -> dict[int, Row[Any]]:
    table = ENTITY_TABLES[entity]
    found: dict[int, Row[Any]] = {}
    for chunk in _chunks(list(ids)):
        for row in await conn.execute(select(table).where(table.c.id.in_(chunk))):
            found[row.id] = row
    return found


async def get_by_remote_ids(
    conn: AsyncConnection, entity: EntityType, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], Row[Any]]:
    """Rows by ``(connection_id, remote_id)``; one statement per connection and chunk."""
    table = ENTITY_TABLES[entity]
    by_connection: dict[int, list[str]] = defaultdict(list)
    for connection_id, remote_id in keys:
        by_connection[connection_id].append(remote_id)
    found: dict[tuple[int, str], Row[Any]] = {}
    for connection_id, remote_ids in by_connection.items():
        for chunk in _chunks(sorted(set(remote_ids))):
            stmt = select(table).where(
                table.c.connection_id == connection_id, table.c.remote_id.in_(chunk)
            )
            for row in await conn.execute(stmt):
                found[(connection_id, row.remote_id)] = row
    return found


async def lines_for_orders(
    conn: AsyncConnection, order_ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    t = purchase_order_lines
    lines: dict[int, list[Row[Any]]] = defaultdict(list)
    for chunk in _chunks(list(order_ids)):
        stmt = (
            select(t)
            .where(t.c.purchase_order_id.in_(chunk))
            .order_by(t.c.purchase_order_id, t.c.position)
        )
        for row in await conn.execute(stmt):
            lines[row.purchase_order_id].append(row)
    return lines


async def rows_referencing(
    conn: AsyncConnection,
    entity: EntityType,
    column: str,
    keys: Iterable[tuple[int, str]],
) -> dict[tuple[int, str], list[Row[Any]]]:
    """Live rows whose ``column`` holds one of the remote ids, by ``(connection_id, remote_id)``."""
    table = ENTITY_TABLES[entity]
    by_connection: dict[int, list[str]] = defaultdict(list)
    for connection_id, remote_id in keys:
        by_connection[connection_id].append(remote_id)
    found: dict[tuple[int, str], list[Row[Any]]] = defaultdict(list)
    for connection_id, remote_ids in by_connection.items():
        for chunk in _chunks(sorted(set(remote_ids))):
            stmt = (
                select(table)
                .where(
                    table.c.connection_id == connection_id,
                    table.c[column].in_(chunk),
                    table.c.deleted_at.is_(None),
                )
                .order_by(table.c.id)
            )
            for row in await conn.execute(stmt):
                found[(connection_id, row._mapping[column])].append(row)
    return found


async def upsert_records(
    conn: AsyncConnection,
    connection_id: int,
    records: Sequence[Record],
    *,
    synced_at: datetime,
    run_id: int | None = None,
) -> UpsertResult:
    """Insert or update records of one entity by ``(connection_id, remote_id)``; idempotent.

    A record that was soft-deleted and comes back is live again. Purchase order lines are
    replaced as a whole, as the system sent them.
    """
    if not records:
        return UpsertResult(created=[], updated=[])
    entity = records[0].entity_type
    table = ENTITY_TABLES[entity]
    insert: Any = _INSERTS[conn.dialect.name]
    created: list[tuple[int, str]] = []
    updated: list[tuple[int, str]] = []
    by_remote = {r.remote_id: r for r in records}  # the last of duplicates wins
    for chunk in _chunks(list(by_remote)):
        existing = set(
            (
                await conn.execute(
                    select(table.c.remote_id).where(
                        table.c.connection_id == connection_id, table.c.remote_id.in_(chunk)
                    )
                )
            ).scalars()
        )
        values = []
        for remote_id in chunk:
            row = record_to_row(by_remote[remote_id], synced_at=synced_at)
            row["connection_id"] = connection_id
            row["seen_run_id"] = run_id
            values.append(row)
        stmt = insert(table).values(values)
        update_cols = {
            k: stmt.excluded[k] for k in values[0] if k not in ("connection_id", "remote_id")
        }
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.connection_id, table.c.remote_id], set_=update_cols
        ).returning(table.c.id, table.c.remote_id)
        returned = [(row.id, row.remote_id) for row in await conn.execute(stmt)]
        for row_id, remote_id in returned:
            (updated if remote_id in existing else created).append((row_id, remote_id))
        if entity is EntityType.PURCHASE_ORDER:
            await _replace_lines(conn, connection_id, returned, by_remote, existing=existing)
    return UpsertResult(created=created, updated=updated)


async def _replace_lines(
    conn: AsyncConnection,
    connection_id: int,
    returned: Sequence[tuple[int, str]],
    by_remote: Mapping[str, Record],
    *,
    existing: set[str],
) -> None:
    # only orders that were already stored can have lines to replace
    order_ids = [row_id for row_id, remote_id in returned if remote_id in existing]
    if order_ids:
        lines_table = purchase_order_lines
        await conn.execute(
            delete(lines_table).where(lines_table.c.purchase_order_id.in_(order_ids))
        )
    lines: list[dict[str, Any]] = []
    for row_id, remote_id in returned:
        order = by_remote[remote_id]
        assert isinstance(order, PurchaseOrder)
        for line in line_rows(order):
            line["purchase_order_id"] = row_id
            line["connection_id"] = connection_id
            lines.append(line)
    for chunk in _chunks(lines, size=_CHUNK // 12):
        await conn.execute(purchase_order_lines.insert(), chunk)


async def soft_delete(
    conn: AsyncConnection,
    entity: EntityType,
    connection_id: int,
    remote_ids: Sequence[str],
    *,
    at: datetime,
) -> list[tuple[int, str]]:
    """Mark live records deleted; returns the ``(id, remote_id)`` of those that were live."""
    table = ENTITY_TABLES[entity]
    done: list[tuple[int, str]] = []
    for chunk in _chunks(list(remote_ids)):
        stmt = (
            table.update()
            .where(
                table.c.connection_id == connection_id,
                table.c.remote_id.in_(chunk),
                table.c.deleted_at.is_(None),
            )
            .values(deleted_at=at)
            .returning(table.c.id, table.c.remote_id)
        )
        done.extend((row.id, row.remote_id) for row in await conn.execute(stmt))
    return done


def _chunks(items: list[Any], *, size: int = _CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "InvalidCursor",
    "Page",
    "RecordFilter",
    "RecordOrder",
    "UpsertResult",
    "count",
    "decode_cursor",
    "encode_cursor",
    "filter_clauses",
    "get_by_ids",
    "get_by_remote_ids",
    "lines_for_orders",
    "list_page",
    "rows_referencing",
    "soft_delete",
    "upsert_records",
]
