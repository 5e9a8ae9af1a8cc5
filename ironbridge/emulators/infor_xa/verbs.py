"""The verbs of a System-Link ``Request``: ``QueryList``, ``QueryObject``, ``Create``,
``Update`` and ``Delete``, with the business rules of purchase orders. Each ``Request`` is one
unit of work: if an action fails, the writes of its earlier actions are undone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.infor_xa.dataset import (
    CLASSES,
    ITEM,
    PO_ITEM,
    PURCHASE_ORDER,
    STAMP,
    VENDOR,
    WAREHOUSE,
    stamp_text,
)
from ironbridge.emulators.infor_xa.pql import PqlError, parse_query
from ironbridge.emulators.infor_xa.render import attrs, entity_xml
from ironbridge.emulators.infor_xa.store import run_query

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from xml.etree.ElementTree import Element

    from ironbridge.emulators.infor_xa.dataset import XaDataset
    from ironbridge.emulators.infor_xa.store import Row, Table

__all__ = ["ActionError", "UnitOfWork", "run_action"]

# delivery dates: the only thing an approved purchase order lets change
PO_DATES = frozenset({"requestedDeliveryDate"})
ITEM_DATES = frozenset({"dueToDockDate", "dueToStockDate"})
_OPEN = ("0", "2")
_EDITABLE_APPROVALS = ("N", "P", "R")
_NUMERIC = {
    "orderQuantityRequested", "unitPriceRequested", "requestedDeliveryDate", "dueToDockDate",
    "dueToStockDate", "orderCreatedDate",
}  # fmt: skip


class ActionError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class UnitOfWork:
    """The writes of one ``Request``, undone in reverse if one of its actions fails."""

    dataset: XaDataset
    now: datetime
    undo: list[Callable[[], None]] = field(default_factory=list)
    last_order: str | None = None
    writes: int = 0

    def table(self, name: str) -> Table:
        return self.dataset.tables[name]

    def put(self, name: str, row: Row) -> None:
        table = self.table(name)
        old = table.get(table.key_of(row))
        key = table.key_of(row)

        def undo() -> None:
            if old is None:
                table.remove(key)
            else:
                table.put(old)

        self.undo.append(undo)
        table.put(row)
        self.writes += 1

    def remove(self, name: str, key: tuple[str, ...]) -> None:
        table = self.table(name)
        old = table.remove(key)
        if old is not None:
            self.undo.append(lambda: table.put(old))
            self.writes += 1

    def rollback(self) -> None:
        for step in reversed(self.undo):
            step()
        self.undo.clear()

    def stamp(self) -> str:
        return stamp_text(self.now, self.dataset.offset)


def _properties(element: Element) -> tuple[dict[str, str], dict[str, str | None]]:
    """Key and other properties of the action's ``DomainEntity``."""
    entity = element.find("DomainEntity")
    if entity is None:
        raise ActionError("InvalidRequest", f"{element.tag} has no DomainEntity element.")

    def read(parent: Element | None) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for prop in [] if parent is None else parent.findall("Property"):
            path = prop.get("path")
            if not path:
                raise ActionError("InvalidRequest", "A Property has no path attribute.")
            value = prop.find("Value")
            found[path] = None if value is None else (value.text or "")
        return found

    keys = {k: v or "" for k, v in read(entity.find("Key")).items()}
    return keys, read(entity)


def _spec_of(element: Element) -> str:
    name = element.get("domainClass", "")
    if name not in CLASSES and name != PO_ITEM:
        raise ActionError("UnknownDomainClass", f"Domain class {name or '(none)'} is not known.")
    return name


def _number(path: str, value: str | None) -> Decimal | int | str | None:
    if value is None or path not in _NUMERIC:
        return value
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ActionError("InvalidValue", f"Value {value!r} is not valid for {path}.") from None
    return int(number) if path not in ("orderQuantityRequested", "unitPriceRequested") else number


def _po_items(orders: Iterator[Row]) -> Iterator[Row]:
    """The items of orders in key order, each order's in ``line`` order as PQL compares it."""
    for order in orders:
        yield from sorted(order.get("_lines", ()), key=lambda line: str(line["line"]))


def _query(work: UnitOfWork, element: Element, *, single: bool) -> str:
    name = _spec_of(element)
    spec = CLASSES[name]
    if single:
        keys, _ = _properties(element)
        row = _find(work, name, keys)
        if row is None:
            raise ActionError("NotFound", f"{_label(name)} {'/'.join(keys.values())} not found.")
        body = entity_xml(spec, row, spec.properties)
        tag = "QueryObjectResponse"
        head = attrs(name=element.get("name"), requestedDomainClass=name, actionSucceeded="true")
        return f"<{tag}{head}>{body}</{tag}>"
    pql = element.find("Pql")
    try:
        query = parse_query((pql.text or "") if pql is not None else "")
    except PqlError as exc:
        raise ActionError("PqlSyntax", f"PQL statement is not valid: {exc}.") from None
    unknown = sorted(query.paths() - set(spec.properties))
    if unknown:
        raise ActionError("PqlSyntax", f"Property {unknown[0]} is not a property of {name}.")
    try:
        limit = int(element.get("maxReturned", "-1"))
    except ValueError:
        raise ActionError("InvalidRequest", "maxReturned must be a whole number.") from None
    if name == PO_ITEM:
        orders = work.table(PURCHASE_ORDER)
        by_order = query.order_by in ((), (("order", False),), (
            ("order", False), ("line", False)))  # fmt: skip
        # items live in their order: walk the orders by key (only those named, if named)
        source = _po_items(orders.by_key(query)) if by_order else None
        rows, more = run_query(source, lambda: _po_items(orders.rows()), query, limit)
    else:
        table = work.table(name)
        rows, more = run_query(table.seek(query), table.rows, query, limit)
    select = query.select or spec.properties
    meta = ""
    if element.get("includeMetaData") == "true":
        meta = "<MetaData>" + "".join(
            f"<Descriptor{attrs(type='heading', path=p)}><![CDATA[{p}]]></Descriptor>"
            for p in select
        ) + "</MetaData>"  # fmt: skip
    head = attrs(
        name=element.get("name"),
        requestedDomainClass=name,
        actionSucceeded="true",
        moreResults="true" if more else "false",
    )
    body = "".join(entity_xml(spec, row, select) for row in rows)
    return f"<QueryListResponse{head}>{meta}{body}</QueryListResponse>"


def _label(name: str) -> str:
    return {PURCHASE_ORDER: "Purchase order", PO_ITEM: "PO item", VENDOR: "Vendor"}.get(
        name, name.rsplit(".", 1)[-1]
    )


def _find(work: UnitOfWork, name: str, keys: dict[str, str]) -> Row | None:
    spec = CLASSES[name]
    missing = [k for k in spec.keys if not keys.get(k)]
    if missing:
        raise ActionError("MissingKey", f"Key property {missing[0]} is required.")
    if name == PO_ITEM:
        order = work.table(PURCHASE_ORDER).get((keys["order"],))
        lines = [] if order is None else order["_lines"]
        return next((line for line in lines if line["line"] == keys["line"]), None)
    return work.table(name).get(tuple(keys[k] for k in spec.keys))


def _order(work: UnitOfWork, number: str) -> Row:
    order = work.table(PURCHASE_ORDER).get((number,))
    if order is None:
        raise ActionError("NotFound", f"Purchase order {number} not found.")
    return order


def _check_refs(work: UnitOfWork, values: dict[str, Any]) -> None:
    vendor = values.get("vendor")
    if vendor is not None:
        found = work.table(VENDOR).get((vendor,))
        if found is None or found.get("vendorStatus") == "D":
            raise ActionError("InvalidValue", f"Vendor {vendor} does not exist.")
    warehouse = values.get("warehouse")
    if warehouse is not None and work.table(WAREHOUSE).get((warehouse,)) is None:
        raise ActionError("InvalidValue", f"Warehouse {warehouse} does not exist.")
    item = values.get("item")
    if item is not None and work.table(ITEM).get((item,)) is None:
        raise ActionError("InvalidValue", f"Item {item} does not exist.")


def _approved_refusal(order: Row) -> ActionError:
    number = order["order"]
    if order["orderStatus"] not in _OPEN:
        return ActionError("BusinessRule", f"Purchase order {number} is closed; it cannot change.")
    return ActionError(
        "BusinessRule",
        f"Purchase order {number} is approved; only delivery dates can be changed.",
    )


def _values(spec_name: str, props: dict[str, str | None]) -> dict[str, Any]:
    spec = CLASSES[spec_name]
    unknown = sorted(set(props) - set(spec.properties))
    if unknown:
        raise ActionError(
            "InvalidValue", f"Property {unknown[0]} is not a property of {spec_name}."
        )
    return {path: _number(path, value) for path, value in props.items()}


def _create(work: UnitOfWork, element: Element) -> Row:
    name = _spec_of(element)
    keys, props = _properties(element)
    values = {**_values(name, props), **keys}
    _check_refs(work, values)
    if name == PURCHASE_ORDER:
        for required in ("vendor", "warehouse", "currency"):
            if not values.get(required):
                raise ActionError("MissingValue", f"A value for {required} is required.")
        number = f"P{work.dataset.next_numbers[PURCHASE_ORDER]:06d}"
        work.dataset.next_numbers[PURCHASE_ORDER] += 1
        today = int(work.now.strftime("%Y%m%d"))
        row: Row = {p: None for p in CLASSES[PURCHASE_ORDER].properties} | values | {
            "order": number, "orderStatus": "0", "approvalStatus": "N", "revision": 0,
            "orderCreatedDate": today, "lastRevisionDate": today, STAMP: work.stamp(),
            "vendorName": work.table(VENDOR).get((values["vendor"],))["name"],  # type: ignore[index]
            "_lines": [],
        }  # fmt: skip
        work.put(PURCHASE_ORDER, row)
        work.last_order = number
        return row
    if name == PO_ITEM:
        number = str(values.get("order") or work.last_order or "")
        if not number:
            raise ActionError("MissingKey", "Key property order is required.")
        order = _order(work, str(number))
        if order["approvalStatus"] not in _EDITABLE_APPROVALS or order["orderStatus"] != "0":
            raise _approved_refusal(order)
        for required in ("item", "orderQuantityRequested"):
            if values.get(required) in (None, ""):
                raise ActionError("MissingValue", f"A value for {required} is required.")
        if values["orderQuantityRequested"] <= 0:
            raise ActionError("InvalidValue", "orderQuantityRequested must be greater than zero.")
        lines = list(order["_lines"])
        line_number = str(max((int(x["line"]) for x in lines), default=0) + 1)
        line: Row = {p: None for p in CLASSES[PO_ITEM].properties} | values | {
            "order": order["order"], "line": line_number, "quantityReceived": Decimal(0),
            "warehouse": values.get("warehouse") or order["warehouse"],
            "orderUm": values.get("orderUm") or "EA", "blanketItem": "false",
            "itemDescription": f"Part {values['item']}",
        }  # fmt: skip
        work.put(PURCHASE_ORDER, {**order, "_lines": [*lines, line], STAMP: work.stamp()})
        return line
    raise ActionError("NotAllowed", f"Create is not allowed for {name} through System-Link.")


def _update(work: UnitOfWork, element: Element) -> Row:
    name = _spec_of(element)
    keys, props = _properties(element)
    values = _values(name, props)
    for key in CLASSES[name].keys:
        values.pop(key, None)
    _check_refs(work, values)
    if name == PURCHASE_ORDER:
        order = _find(work, name, keys)
        if order is None:
            raise ActionError("NotFound", f"Purchase order {keys.get('order')} not found.")
        changed = {p for p, v in values.items() if order.get(p) != v}
        locked = order["approvalStatus"] not in _EDITABLE_APPROVALS or order["orderStatus"] != "0"
        if locked and (changed - PO_DATES or order["orderStatus"] not in _OPEN):
            raise _approved_refusal(order)
        row = {**order, **values, STAMP: work.stamp()}
        row["revision"] = int(order.get("revision") or 0) + 1
        row["lastRevisionDate"] = int(work.now.strftime("%Y%m%d"))
        work.put(PURCHASE_ORDER, row)
        return row
    if name == PO_ITEM:
        line = _find(work, name, keys)
        if line is None:
            raise ActionError("NotFound", f"PO item {keys['order']}/{keys['line']} not found.")
        order = _order(work, keys["order"])
        changed = {p for p, v in values.items() if line.get(p) != v}
        locked = order["approvalStatus"] not in _EDITABLE_APPROVALS or order["orderStatus"] != "0"
        if locked and (changed - ITEM_DATES or order["orderStatus"] not in _OPEN):
            raise _approved_refusal(order)
        new_line = {**line, **values}
        lines = [new_line if x["line"] == line["line"] else x for x in order["_lines"]]
        work.put(PURCHASE_ORDER, {**order, "_lines": lines, STAMP: work.stamp()})
        return new_line
    raise ActionError("NotAllowed", f"Update is not allowed for {name} through System-Link.")


def _delete(work: UnitOfWork, element: Element) -> Row:
    name = _spec_of(element)
    keys, _ = _properties(element)
    if name not in (PURCHASE_ORDER, PO_ITEM):
        raise ActionError("NotAllowed", f"Delete is not allowed for {name} through System-Link.")
    order = _order(work, keys.get("order") or "")
    if order["approvalStatus"] not in _EDITABLE_APPROVALS or order["orderStatus"] != "0":
        number = order["order"]
        raise ActionError(
            "BusinessRule",
            f"Purchase order {number} is approved or received; it cannot be deleted.",
        )
    if name == PURCHASE_ORDER:
        work.remove(PURCHASE_ORDER, (order["order"],))
        return order
    line = _find(work, name, keys)
    if line is None:
        raise ActionError("NotFound", f"PO item {keys['order']}/{keys.get('line')} not found.")
    lines = [x for x in order["_lines"] if x["line"] != line["line"]]
    work.put(PURCHASE_ORDER, {**order, "_lines": lines, STAMP: work.stamp()})
    return line


_WRITES = {"Create": _create, "Update": _update, "Delete": _delete}
VERBS = frozenset({"QueryList", "QueryObject", *_WRITES})


def run_action(work: UnitOfWork, element: Element) -> str:
    """The response element of one action; raises ``ActionError`` when it fails."""
    verb = element.tag
    if verb == "QueryList":
        return _query(work, element, single=False)
    if verb == "QueryObject":
        return _query(work, element, single=True)
    write = _WRITES.get(verb)
    if write is None:
        raise ActionError("InvalidRequest", f"{verb} is not a System-Link verb.")
    row = write(work, element)
    name = element.get("domainClass", "")
    spec = CLASSES[name]
    head = attrs(name=element.get("name"), actionSucceeded="true")
    return f"<{verb}Response{head}>{entity_xml(spec, row, spec.properties)}</{verb}Response>"


def now_utc() -> datetime:
    return datetime.now(UTC)
