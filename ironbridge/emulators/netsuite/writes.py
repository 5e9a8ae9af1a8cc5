"""Creates, updates and deletes through the record API, with NetSuite's checks: known fields,
valid references, mandatory fields, and the business rules of purchase orders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.netsuite.dataset import APPROVAL, PO_STATUS
from ironbridge.emulators.netsuite.errors import (
    BUSINESS_RULE,
    INVALID_CONTENT,
    NONEXISTENT_ID,
    NetSuiteError,
)
from ironbridge.emulators.netsuite.records import RECORD_TYPES, RecordType, Sublist
from ironbridge.emulators.netsuite.samples import ref

if TYPE_CHECKING:
    from ironbridge.emulators.netsuite.emulator import NetSuiteEmulator
    from ironbridge.emulators.netsuite.store import Record

__all__ = ["create", "delete", "not_found", "update"]

_PREFIX = "Error while accessing resource: "
# purchase orders in these states take no change [I]
_FROZEN = {"G", "H"}
_DATE_FIELDS = frozenset({"tranDate", "dueDate", "startDate", "endDate", "expectedReceiptDate"})
_NUMBER_FIELDS = frozenset({"quantity", "rate", "cost", "exchangeRate"})
_FLAG_FIELDS = frozenset({"isInactive", "isClosed", "defaultBilling", "defaultShipping"})


def not_found() -> NetSuiteError:
    return NetSuiteError(
        404,
        NONEXISTENT_ID,
        "The record instance does not exist. Provide a valid record instance ID.",
    )


def _invalid(detail: str, path: str | None = None) -> NetSuiteError:
    return NetSuiteError(400, INVALID_CONTENT, _PREFIX + detail, path=path)


def _refused(detail: str) -> NetSuiteError:
    return NetSuiteError(400, BUSINESS_RULE, _PREFIX + detail)


class _Writer:
    """One write: the emulator, the record type, and the checks on values."""

    def __init__(self, emulator: NetSuiteEmulator, spec: RecordType) -> None:
        self.emulator = emulator
        self.spec = spec
        self.stores = emulator.dataset.stores

    def reference(self, value: Any, target: str, path: str) -> dict[str, Any]:
        """``{"id": ...}`` checked against the target record type (active records only)."""
        record_id = value.get("id") if isinstance(value, Mapping) else None
        if isinstance(record_id, int) and not isinstance(record_id, bool):
            record_id = str(record_id)
        if not isinstance(record_id, str) or not record_id:
            raise _invalid(f'Invalid reference for field {path}: expected {{"id": ...}}.', path)
        if not target:  # a list value, not a record: taken as given
            return ref(record_id, str(value.get("refName", record_id)))
        found = self.stores[target].get(record_id)
        if found is None or found.get("isInactive") is True:
            raise _invalid(
                f"You have entered an Invalid Field Value {record_id} for the following field: "
                f"{path.rsplit('.', 1)[-1]}",
                path,
            )
        name = found.get("companyName") or found.get("itemId") or found.get("name") or record_id
        return ref(record_id, str(name))

    def value(self, name: str, value: Any, refs: Mapping[str, str], path: str) -> Any:
        if name in refs:
            return None if value is None else self.reference(value, refs[name], path)
        if value is None:
            return None
        if name in _DATE_FIELDS:
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                raise _invalid(f"Invalid date value for field {path}: {value!r}.", path) from None
        elif name in _NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise _invalid(f"Invalid number value for field {path}: {value!r}.", path)
        elif name in _FLAG_FIELDS and not isinstance(value, bool):
            raise _invalid(f"Invalid boolean value for field {path}: {value!r}.", path)
        return value

    def fields(
        self,
        body: Mapping[str, Any],
        *,
        allowed: frozenset[str],
        read_only: frozenset[str],
        refs: Mapping[str, str],
        custom_prefix: str,
        path: str = "",
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, raw in body.items():
            where = f"{path}{name}"
            if name in read_only:
                raise _invalid(f"The field {where} is read-only and cannot be set.", where)
            custom = bool(custom_prefix) and name.startswith(custom_prefix)
            if name not in allowed and not custom:
                raise _invalid(f"Unknown field '{where}'.", where)
            out[name] = raw if custom else self.value(name, raw, refs, where)
        return out

    def lines(self, name: str, spec: Sublist, raw: Any) -> list[dict[str, Any]]:
        items = raw.get("items") if isinstance(raw, Mapping) else None
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise _invalid(f'Invalid value for sublist {name}: expected {{"items": [...]}}.', name)
        return [
            self.fields(
                line,
                allowed=spec.fields,
                read_only=spec.read_only,
                refs=spec.refs,
                custom_prefix=spec.custom_prefix,
                path=f"{name}.items[{n}].",
            )
            for n, line in enumerate(items)
        ]

    def body(self, raw: Any) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """Body fields and sublist lines of a request, checked."""
        if not isinstance(raw, Mapping):
            raise _invalid("The request body must be a JSON object.")
        spec = self.spec
        plain = {k: v for k, v in raw.items() if k not in spec.sublists}
        values = self.fields(
            plain,
            allowed=spec.fields,
            read_only=spec.read_only,
            refs=spec.refs,
            custom_prefix=spec.custom_prefix,
        )
        sublists = {
            name: self.lines(name, spec.sublists[name], raw[name])
            for name in spec.sublists
            if name in raw
        }
        return values, sublists


def _po_line(writer: _Writer, line: dict[str, Any], number: int, order: Record) -> Record:
    item_ref = line.get("item")
    if item_ref is None:
        raise _refused(f"Please enter value(s) for: Item (line {number})")
    item = writer.stores["inventoryItem"].get(item_ref["id"])
    assert item is not None
    quantity = line.get("quantity", 1)
    if quantity <= 0:
        raise _invalid("Quantity must be greater than 0.", f"item.items[{number - 1}].quantity")
    rate = line.get("rate", item.get("cost", 0))
    built = {
        "line": number,
        "item": item_ref,
        "itemType": ref("InvtPart", "InvtPart"),
        "description": line.get("description") or item.get("purchaseDescription"),
        "quantity": quantity,
        "quantityReceived": 0,
        "quantityBilled": 0,
        "rate": rate,
        "amount": round(quantity * rate, 2),
        "units": line.get("units") or item.get("stockUnit"),
        "isClosed": bool(line.get("isClosed", False)),
        "location": line.get("location") or order.get("location"),
        "expectedReceiptDate": line.get("expectedReceiptDate") or order.get("dueDate"),
        **{k: v for k, v in line.items() if k.startswith("custcol_")},
    }
    return {k: v for k, v in built.items() if v is not None}


def _po_defaults(writer: _Writer, record: Record) -> None:
    vendor = writer.stores["vendor"].get(record["entity"]["id"])
    assert vendor is not None
    today = writer.emulator.now().date().isoformat()
    record.setdefault("tranId", f"PO{record['id']}")
    record.setdefault("tranDate", today)
    record.setdefault("subsidiary", vendor["subsidiary"])
    record.setdefault("currency", vendor["currency"])
    record.setdefault("exchangeRate", 1.0)
    approval = record.setdefault("approvalStatus", ref("2", APPROVAL["2"]))
    letter = "A" if approval["id"] == "1" else "B"
    record["orderStatus"] = ref(letter, letter)
    record["status"] = ref(PO_STATUS[letter], PO_STATUS[letter])


def _po_totals(record: Record) -> None:
    lines = record["item"]["items"]
    for line in lines:
        line["amount"] = round(line["quantity"] * line["rate"], 2)
    record["total"] = round(sum(line["amount"] for line in lines), 2)
    if lines and all(line.get("isClosed") for line in lines):
        record["orderStatus"] = ref("H", "H")
        record["status"] = ref(PO_STATUS["H"], PO_STATUS["H"])


def create(emulator: NetSuiteEmulator, record_type: str, raw: Any) -> str:
    """Create a record; returns its new internal id."""
    spec = RECORD_TYPES[record_type]
    writer = _Writer(emulator, spec)
    values, sublists = writer.body(raw)
    for name, label in spec.required:
        if values.get(name) is None and not sublists.get(name):
            raise _refused(f"Please enter value(s) for: {label}")
    if record_type == "inventoryItem":
        taken = any(
            r.get("itemId") == values["itemId"] for r in writer.stores[record_type].changed()
        )
        if taken:
            raise _refused("The item name you have chosen is already used.")
    record: Record = {"id": emulator.dataset.next_id(record_type), **values}
    if record_type == "purchaseOrder":
        _po_defaults(writer, record)
        record["item"] = {
            "items": [
                _po_line(writer, line, n, record) for n, line in enumerate(sublists["item"], 1)
            ]
        }
        _po_totals(record)
    else:
        for name, lines in sublists.items():
            record[name] = {"items": lines}
        if record_type == "inventoryItem":
            record.setdefault("displayName", values["itemId"])
            record["itemType"] = ref("InvtPart", "Inventory Item")
            record.setdefault("isInactive", False)
    return emulator.insert(record_type, record)


def _merge_lines(
    writer: _Writer, order: Record, lines: list[dict[str, Any]], *, replace: bool
) -> list[Record]:
    current = {line["line"]: line for line in order["item"]["items"]}
    if replace:
        dropped = [n for n, line in current.items() if _touched(line)]
        kept = {line.get("line") for line in lines}
        for number in dropped:
            if number not in kept:
                raise _refused(f"Line {number} has been received or billed and cannot be removed.")
        merged: dict[int, Record] = {}
    else:
        merged = dict(current)
    next_number = max(current, default=0) + 1
    for position, line in enumerate(lines):
        number = line.get("line")
        if number is None:
            merged[next_number] = _po_line(writer, line, next_number, order)
            next_number += 1
            continue
        if number not in current:
            raise _invalid(f"Line {number} does not exist.", f"item.items[{position}].line")
        updated = {**current[number], **line}
        if updated["quantity"] < current[number].get("quantityReceived", 0):
            raise _refused(
                f"The quantity on line {number} cannot be less than the quantity received."
            )
        merged[number] = updated
    return [merged[n] for n in sorted(merged)]


def _touched(line: Mapping[str, Any]) -> bool:
    received, billed = line.get("quantityReceived", 0), line.get("quantityBilled", 0)
    return bool(
        (isinstance(received, int | float) and received > 0)
        or (isinstance(billed, int | float) and billed > 0)
    )


def update(
    emulator: NetSuiteEmulator, record_type: str, record_id: str, raw: Any, *, replace: set[str]
) -> None:
    """PATCH: the fields sent change; sublists merge by ``line`` unless ``replace`` names them."""
    spec = RECORD_TYPES[record_type]
    store = emulator.dataset.stores[record_type]
    record = store.get(record_id)
    if record is None:
        raise not_found()
    writer = _Writer(emulator, spec)
    values, sublists = writer.body(raw)
    if record_type == "purchaseOrder":
        letter = (record.get("orderStatus") or {}).get("id")
        if letter in _FROZEN:
            raise _refused(
                f"Purchase order {record.get('tranId')} is {PO_STATUS[letter]}; "
                "it cannot be modified."
            )
        approval = values.pop("approvalStatus", None)
        record.update(values)
        if approval is not None and approval["id"] != record["approvalStatus"]["id"]:
            if letter not in ("A", "C", "P"):
                raise _refused("The approval status can change only before approval.")
            letter = {"1": "A", "2": "B", "3": "C"}.get(approval["id"], letter)
            record["approvalStatus"] = ref(approval["id"], APPROVAL.get(approval["id"], ""))
            record["orderStatus"] = ref(letter, letter)
            record["status"] = ref(PO_STATUS[letter], PO_STATUS[letter])
        if "item" in sublists:
            lines = _merge_lines(writer, record, sublists["item"], replace="item" in replace)
            if not lines:
                raise _refused("Please enter value(s) for: Items")
            record["item"] = {"items": lines}
        _po_totals(record)
    else:
        record.update(values)
        for name, lines in sublists.items():
            existing = record.get(name, {}).get("items", []) if name not in replace else []
            record[name] = {"items": [*existing, *lines]}
    store.put(record)
    emulator.bump(record_type, record_id)


def delete(emulator: NetSuiteEmulator, record_type: str, record_id: str) -> None:
    store = emulator.dataset.stores[record_type]
    record = store.get(record_id)
    if record is None:
        raise not_found()
    if record_type == "purchaseOrder" and any(map(_touched, record["item"]["items"])):
        raise _refused("This record cannot be deleted because it has dependent records.")
    store.remove(record_id)
