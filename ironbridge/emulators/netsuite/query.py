"""SuiteQL execution over the dataset: the tables and columns the emulator exposes, typed
comparisons, ordering and paging. Values come back as strings, as SuiteQL returns them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.netsuite.suiteql import (
    DATE_FORMATS,
    And,
    Column,
    Compare,
    Condition,
    InList,
    IsNull,
    Not,
    Operand,
    Or,
    Query,
    SuiteQLError,
    ToChar,
    ToDate,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from ironbridge.emulators.netsuite.dataset import NetSuiteDataset
    from ironbridge.emulators.netsuite.store import Record, RecordStore

__all__ = ["TABLES", "USER_DATE_FORMAT", "Result", "run"]

# the date format preference of the integration user [I]
USER_DATE_FORMAT = "%m/%d/%Y"
STAMP = "lastmodifieddate"
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _ref_id(value: Any) -> int | None:
    if isinstance(value, dict) and str(value.get("id", "")).isdigit():
        return int(value["id"])
    return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return None if parsed is None else parsed.astimezone(UTC)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class Col:
    """A column: its kind and how to read it from a full record."""

    kind: str  # int, text, number, bool, date, datetime
    get: Callable[[Record], Any]


def _int(key: str) -> Col:
    return Col("int", lambda r: int(r[key]) if str(r.get(key, "")).isdigit() else None)


def _ref(key: str) -> Col:
    return Col("int", lambda r: _ref_id(r.get(key)))


def _text(key: str) -> Col:
    return Col("text", lambda r: r.get(key) if isinstance(r.get(key), str) else None)


def _flag(key: str) -> Col:
    return Col("bool", lambda r: r.get(key) if isinstance(r.get(key), bool) else None)


def _num(key: str) -> Col:
    return Col("number", lambda r: _number(r.get(key)))


def _date(key: str) -> Col:
    return Col("date", lambda r: _day(r.get(key)))


def _stamp(key: str) -> Col:
    return Col("datetime", lambda r: _moment(r.get(key)))


_TRANSACTION = {
    "id": _int("id"),
    "tranid": _text("tranId"),
    "type": Col("text", lambda r: None),  # a constant of each source
    "status": Col("text", lambda r: (r.get("orderStatus") or {}).get("id")),
    "approvalstatus": _ref("approvalStatus"),
    "entity": _ref("entity"),
    "trandate": _date("tranDate"),
    "duedate": _date("dueDate"),
    "currency": _ref("currency"),
    "subsidiary": _ref("subsidiary"),
    "location": _ref("location"),
    "memo": _text("memo"),
    "foreigntotal": _num("total"),
    "createddate": _stamp("createdDate"),
    STAMP: _stamp("lastModifiedDate"),
}
_VENDOR = {
    "id": _int("id"),
    "entityid": _text("entityId"),
    "companyname": _text("companyName"),
    "email": _text("email"),
    "phone": _text("phone"),
    "isinactive": _flag("isInactive"),
    "currency": _ref("currency"),
    "subsidiary": _ref("subsidiary"),
    "datecreated": _stamp("dateCreated"),
    STAMP: _stamp("lastModifiedDate"),
}
_ITEM = {
    "id": _int("id"),
    "itemid": _text("itemId"),
    "displayname": _text("displayName"),
    "itemtype": Col("text", lambda r: (r.get("itemType") or {}).get("id")),
    "isinactive": _flag("isInactive"),
    "cost": _num("cost"),
    "createddate": _stamp("createdDate"),
    STAMP: _stamp("lastModifiedDate"),
}
_LOCATION = {
    "id": _int("id"),
    "name": _text("name"),
    "parent": _ref("parent"),
    "isinactive": _flag("isInactive"),
    "subsidiary": _ref("subsidiary"),
    STAMP: _stamp("lastModifiedDate"),
}
_CURRENCY = {
    "id": _int("id"),
    "name": _text("name"),
    "symbol": _text("symbol"),
    "isbasecurrency": _flag("isBaseCurrency"),
    "isinactive": _flag("isInactive"),
}
_SUBSIDIARY = {
    "id": _int("id"),
    "name": _text("name"),
    "currency": _ref("currency"),
    "country": _text("country"),
}
_STOCK = {
    "item": _int("item"),
    "location": _int("location"),
    "quantityonhand": _num("quantityonhand"),
    "quantityavailable": _num("quantityavailable"),
    "quantitycommitted": _num("quantitycommitted"),
    "quantityonorder": _num("quantityonorder"),
    "reorderpoint": _num("reorderpoint"),
}


@dataclass(frozen=True, slots=True)
class Table:
    columns: Mapping[str, Col]
    # (record store, constant columns); None: the stock table
    sources: tuple[tuple[str, Mapping[str, Any]], ...] = ()


TABLES: dict[str, Table] = {
    "transaction": Table(
        _TRANSACTION,
        (("purchaseOrder", {"type": "PurchOrd"}), ("workOrder", {"type": "WorkOrd"})),
    ),
    "vendor": Table(_VENDOR, (("vendor", {}),)),
    "item": Table(_ITEM, (("inventoryItem", {}),)),
    "location": Table(_LOCATION, (("location", {}),)),
    "currency": Table(_CURRENCY, (("currency", {}),)),
    "subsidiary": Table(_SUBSIDIARY, (("subsidiary", {}),)),
    "inventoryitemlocations": Table(_STOCK),
}


class Row:
    """One row, its record built only when a column needs more than the fast fields."""

    __slots__ = ("_constants", "_index", "_record", "_store")

    def __init__(
        self,
        constants: Mapping[str, Any],
        *,
        record: Record | None = None,
        store: RecordStore | None = None,
        index: int = -1,
    ) -> None:
        self._constants = constants
        self._record = record
        self._store = store
        self._index = index

    def value(self, name: str, col: Col) -> Any:
        if name in self._constants:
            return self._constants[name]
        if self._record is None:
            assert self._store is not None
            fast = self._store.fast.get(name)
            if fast is not None:
                return fast(self._index)
            self._record = self._store.build(self._index)
        return col.get(self._record)


def _rows(dataset: NetSuiteDataset, table: Table, bound: datetime | None) -> Iterator[Row]:
    if not table.sources:
        for record in dataset.stock.ordered():
            yield Row({}, record=record)
        return
    for name, constants in table.sources:
        store = dataset.stores[name]
        start = store.start_index(bound) if bound is not None else 0
        for index in range(start, store.count):
            if store.is_plain_base(index):
                yield Row(constants, store=store, index=index)
        for record in store.changed():
            yield Row(constants, record=record)


@dataclass(slots=True)
class _Compiler:
    table_name: str
    table: Table
    zone: tzinfo

    def column(self, name: str) -> Col:
        col = self.table.columns.get(name)
        if col is None:
            raise SuiteQLError(f"Field '{name}' for record '{self.table_name}' was not found.")
        return col

    def local(self, value: datetime) -> datetime:
        return value.replace(tzinfo=self.zone).astimezone(UTC)

    def coerce(self, col: Col, operand: Operand) -> Any:
        """The literal as a value of the column's kind."""
        if isinstance(operand, Column):
            raise SuiteQLError("comparing two columns is not supported")
        if isinstance(operand, ToDate):
            if col.kind == "datetime":
                return self.local(operand.value)
            if col.kind == "date":
                return operand.value.date()
            raise SuiteQLError(f"TO_DATE cannot be compared with a {col.kind} field")
        value = operand.value
        try:
            if col.kind == "int":
                number = Decimal(value)
                if number != number.to_integral_value():
                    raise ValueError(value)
                return int(number)
            if col.kind == "number":
                return Decimal(value)
            if col.kind == "bool":
                return {"T": True, "F": False}[str(value)]
            if col.kind in ("date", "datetime"):
                day = datetime.strptime(str(value), USER_DATE_FORMAT)
                return day.date() if col.kind == "date" else self.local(day)
        except (ValueError, KeyError, InvalidOperation):
            raise SuiteQLError(f"Invalid {col.kind} value: {value!r}") from None
        return str(value)

    def compile(self, cond: Condition) -> Callable[[Row], bool]:
        if isinstance(cond, And):
            parts = [self.compile(p) for p in cond.parts]
            return lambda row: all(p(row) for p in parts)
        if isinstance(cond, Or):
            parts = [self.compile(p) for p in cond.parts]
            return lambda row: any(p(row) for p in parts)
        if isinstance(cond, Not):
            inner = self.compile(cond.part)
            return lambda row: not inner(row)
        if isinstance(cond, IsNull):
            name = self._column_name(cond.operand)
            col = self.column(name)
            negated = cond.negated
            return lambda row: (row.value(name, col) is None) != negated
        if isinstance(cond, InList):
            name = self._column_name(cond.operand)
            col = self.column(name)
            values = {self.coerce(col, v) for v in cond.values}
            negated = cond.negated
            return lambda row: (v := row.value(name, col)) is not None and (v in values) != negated
        return self._compare(cond)

    @staticmethod
    def _column_name(operand: Operand) -> str:
        if not isinstance(operand, Column):
            raise SuiteQLError("the left side of IN and IS NULL must be a column")
        return operand.name

    def _compare(self, cond: Compare) -> Callable[[Row], bool]:
        left, op, right = cond.left, cond.op, cond.right
        if not isinstance(left, Column):
            left, right, op = right, left, _FLIPPED.get(op, op)
        if not isinstance(left, Column):
            raise SuiteQLError("a comparison needs a column on one side")
        name = left.name
        col = self.column(name)
        literal = self.coerce(col, right)
        test = _OPS[op]
        return lambda row: (v := row.value(name, col)) is not None and test(v, literal)

    def lower_bound(self, cond: Condition | None) -> datetime | None:
        """A stamp no matching row is before (lets a query skip old base records)."""
        if isinstance(cond, Compare) and isinstance(cond.left, Column) and cond.left.name == STAMP:
            if cond.op in (">", ">=", "=") and not isinstance(cond.right, Column):
                value = self.coerce(self.column(STAMP), cond.right)
                return value if isinstance(value, datetime) else None
            return None
        if isinstance(cond, And):
            bounds = [b for p in cond.parts if (b := self.lower_bound(p)) is not None]
            return max(bounds) if bounds else None
        if isinstance(cond, Or):
            found = [self.lower_bound(p) for p in cond.parts]
            return None if any(b is None for b in found) else min(b for b in found if b)
        return None


def _render(value: Any, kind: str, zone: tzinfo) -> str | None:
    if value is None:
        return None
    if kind == "bool":
        return "T" if value else "F"
    if kind == "number":
        text = format(value.normalize(), "f")
        return text
    if kind == "date":
        return str(value.strftime(USER_DATE_FORMAT))
    if kind == "datetime":
        return str(value.astimezone(zone).strftime(USER_DATE_FORMAT))
    return str(value)


@dataclass(frozen=True, slots=True)
class Result:
    items: list[dict[str, Any]]
    total: int


def run(dataset: NetSuiteDataset, query: Query, *, limit: int, offset: int, zone: tzinfo) -> Result:
    """One page of the query's rows, and how many rows match in all."""
    table = TABLES.get(query.table)
    if table is None:
        raise SuiteQLError(f"Record '{query.table}' was not found.")
    compiler = _Compiler(query.table, table, zone)
    predicate = compiler.compile(query.where) if query.where is not None else None
    bound = compiler.lower_bound(query.where)
    order = [(item.column, compiler.column(item.column), item.descending) for item in query.order]
    select = query.select
    outputs: list[tuple[str, str, str | None]]
    if select is None:
        outputs = [(name, name, None) for name in table.columns]
    else:
        outputs = []
        for selected in select:
            expr = selected.expr
            name = expr.column if isinstance(expr, ToChar) else expr.name
            col = compiler.column(name)
            if isinstance(expr, ToChar) and col.kind not in ("date", "datetime"):
                raise SuiteQLError(f"TO_CHAR needs a date field, '{name}' is {col.kind}")
            outputs.append((selected.alias, name, expr.mask if isinstance(expr, ToChar) else None))
    rows = [row for row in _rows(dataset, table, bound) if predicate is None or predicate(row)]
    for name, col, descending in reversed(order):
        rows.sort(key=_sort_key(name, col, descending), reverse=descending)
    items = []
    for row in rows[offset : offset + limit]:
        item: dict[str, Any] = {"links": []}
        for alias, name, mask in outputs:
            col = table.columns[name]
            value = row.value(name, col)
            if mask is not None and value is not None:
                moment = value.astimezone(zone) if isinstance(value, datetime) else value
                item[alias] = moment.strftime(DATE_FORMATS[mask])
            elif (text := _render(value, col.kind, zone)) is not None:
                item[alias] = text
        items.append(item)
    return Result(items, len(rows))


def _sort_key(name: str, col: Col, descending: bool) -> Callable[[Row], tuple[bool, Any]]:
    # Oracle puts NULLs last ascending and first descending
    def key(row: Row) -> tuple[bool, Any]:
        value = row.value(name, col)
        return (value is None) != descending, value if value is not None else 0

    return key
