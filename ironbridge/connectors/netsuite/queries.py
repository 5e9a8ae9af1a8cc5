"""Where each unified entity lives in NetSuite, and the SuiteQL the connector sends for it.

Every read pages by key (``ORDER BY lastmodifieddate, id`` and ``id > last``) rather than by
offset: an offset walk over a result set that changes while it is read skips rows, and SuiteQL
stops at 100,000 rows per query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "MODIFIED",
    "SOURCES",
    "STAMP_FORMAT",
    "Source",
    "changes_query",
    "currencies_query",
    "ids_query",
    "parse_stamp",
    "stock_query",
]

# SuiteQL renders date-times in the user's date format, without the time: ask for all of it
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_MASK = "'YYYY-MM-DD HH24:MI:SS'"
MODIFIED = "modified"
STOCK_COLUMNS = ("item", "location", "quantityonhand", "quantityavailable", "quantitycommitted",
                 "quantityonorder", "reorderpoint")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    """A SuiteQL table (with a filter) listing the entity, and the REST record type to read."""

    table: str
    record_type: str | None  # None: rows are mapped as SuiteQL returns them
    where: str | None = None


SOURCES: dict[EntityType, Source] = {
    EntityType.PURCHASE_ORDER: Source("transaction", "purchaseOrder", "type = 'PurchOrd'"),
    EntityType.PRODUCTION_ORDER: Source("transaction", "workOrder", "type = 'WorkOrd'"),
    EntityType.VENDOR: Source("vendor", "vendor"),
    EntityType.INVENTORY_ITEM: Source("item", "inventoryItem", "itemtype = 'InvtPart'"),
    EntityType.LOCATION: Source("location", "location"),
    EntityType.STOCK_LEVEL: Source("inventoryitemlocations", None),
}


def _to_date(moment: datetime, zone: tzinfo) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone).strftime(STAMP_FORMAT)
    return f"TO_DATE('{local}', {_MASK})"


def _number(value: str) -> str:
    if not value.isdigit():
        raise ValueError(f"not an internal id: {value!r}")
    return str(int(value))


def _select(columns: str, table: str, conditions: Sequence[str], order: str) -> str:
    # every interpolated part is a constant of this module, a validated internal id or a
    # formatted date: no caller text reaches the query
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {columns} FROM {table}{where} ORDER BY {order}"  # noqa: S608


def changes_query(
    source: Source,
    *,
    since: datetime | None,
    after: tuple[datetime, str] | None,
    not_before: datetime | None,
    zone: tzinfo,
) -> str:
    """Ids and change stamps of records changed at or after ``since`` (stamps have whole
    seconds: a record changed in the checkpoint's second is sent again, never missed) and
    strictly after ``after`` (the last row of the previous page), in change order."""
    conditions = [source.where] if source.where else []
    lower = [moment for moment in (since, not_before) if moment is not None]
    if lower:
        conditions.append(f"lastmodifieddate >= {_to_date(max(lower), zone)}")
    if after is not None:
        stamp, last_id = after
        moment = _to_date(stamp, zone)
        conditions.append(
            f"(lastmodifieddate > {moment} OR "
            f"(lastmodifieddate = {moment} AND id > {_number(last_id)}))"
        )
    columns = f"id, TO_CHAR(lastmodifieddate, {_MASK}) AS {MODIFIED}"
    return _select(columns, source.table, conditions, "lastmodifieddate, id")


def ids_query(source: Source, *, after: str | None) -> str:
    conditions = [source.where] if source.where else []
    if after is not None:
        conditions.append(f"id > {_number(after)}")
    return _select("id", source.table, conditions, "id")


def stock_query(
    *, after: tuple[str, str] | None = None, keys: Sequence[tuple[str, str]] = ()
) -> str:
    """Stock rows after ``(item, location)``, or exactly the rows of ``keys``."""
    conditions = []
    if after is not None:
        item, location = _number(after[0]), _number(after[1])
        conditions.append(f"(item > {item} OR (item = {item} AND location > {location}))")
    if keys:
        pairs = [f"(item = {_number(i)} AND location = {_number(loc)})" for i, loc in keys]
        conditions.append(f"({' OR '.join(pairs)})")
    return _select(", ".join(STOCK_COLUMNS), "inventoryitemlocations", conditions, "item, location")


def currencies_query() -> str:
    return _select("id, symbol", "currency", (), "id")


def parse_stamp(text: str, zone: tzinfo) -> datetime:
    """A ``TO_CHAR`` stamp (the account user's local time) as a UTC instant."""
    return datetime.strptime(text, STAMP_FORMAT).replace(tzinfo=zone).astimezone(UTC)
