"""Creates, updates, status changes, deletes and PO revisions, with Maximo's business rules
and status handlers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.maximo import errors
from ironbridge.emulators.maximo.domains import DOMAINS, TRANSITIONS
from ironbridge.emulators.maximo.samples import ITEMSET, ORG, SITES
from ironbridge.emulators.maximo.structures import Kind
from ironbridge.emulators.maximo.values import parse_value

if TYPE_CHECKING:
    from ironbridge.emulators.maximo.emulator import MaximoEmulator
    from ironbridge.emulators.maximo.store import Row
    from ironbridge.emulators.maximo.structures import Child, Structure

__all__ = ["change_status", "create", "delete", "new_row", "revise", "update"]

_INITIAL = {"WOSTATUS": "WAPPR", "POSTATUS": "WAPPR", "LOCASSETSTATUS": "OPERATING"}
# internal statuses in which a record takes no attribute changes at all
_FROZEN = {"workorder": {"CLOSE", "CAN"}, "po": {"CLOSE", "CAN", "REVISE"}}
# internal statuses in which a record takes a status change only
_STATUS_ONLY = {"po": {"APPR"}}
_HISTORY = {"CLOSE", "CAN", "REVISE"}
_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "workorder": {"woclass": "WORKORDER", "istask": False, "historyflag": False},
    "po": {"revisionnum": 0, "receipts": "NONE", "potype": "STD", "historyflag": False},
    "item": {"itemtype": "ITEM", "rotating": False, "issueunit": "EACH", "orderunit": "EACH"},
}
_NOW_DEFAULTS = {"workorder": "reportdate", "po": "orderdate"}


def _typed(emulator: MaximoEmulator, attr: str, kind: Kind, value: Any, mbo: str) -> Any:
    try:
        typed = parse_value(kind, value, emulator.zone)
    except ValueError as exc:
        message = f"{value} is not a valid value for {attr.upper()}: {exc}."
        raise errors.invalid(attr, message, mbo) from exc
    if isinstance(typed, str) and attr != "description":
        return typed.strip() or None
    return typed


def _attrs(
    emulator: MaximoEmulator,
    structure: Structure,
    body: Mapping[str, Any],
    *,
    current: Row | None = None,
) -> Row:
    """The writable attributes of a request body, typed. Unknown and computed attributes are
    ignored (clients echo records back); changing a key attribute is refused."""
    values: Row = {}
    for name, value in body.items():
        attr = name.lower()
        kind = structure.kind(attr)
        if kind is None:
            continue
        if attr not in structure.writable:
            moved = current is not None and str(current.get(attr)) != str(value)
            if moved and attr in structure.keys:
                raise errors.MaximoError(
                    400, errors.READ_ONLY, f"The {attr.upper()} field is read only.", attribute=attr
                )
            continue
        values[attr] = _typed(emulator, attr, kind, value, structure.mbo)
    return values


def _child_row(
    emulator: MaximoEmulator, child: Child, body: Mapping[str, Any], current: Row | None
) -> Row:
    row: Row = dict(current or {})
    for name, value in body.items():
        attr = name.lower()
        kind = child.attrs.get(attr)
        if kind is not None and attr in child.writable:
            row[attr] = _typed(emulator, attr, kind, value, child.name.upper())
    if child.uid not in row:
        row[child.uid] = emulator.next_uid()
    if child.name == "poline":
        _price_line(row)
    return row


def _price_line(line: Row) -> None:
    quantity, price = line.get("orderqty"), line.get("unitcost")
    if isinstance(quantity, Decimal) and isinstance(price, Decimal):
        line["linecost"] = quantity * price
    line.setdefault("receivedqty", Decimal(0))
    line.setdefault("linetype", "ITEM")
    line.setdefault("itemsetid", ITEMSET)


def _total(structure: Structure, row: Row) -> None:
    if structure.table == "po":
        costs = [line.get("linecost") for line in row.get("poline") or []]
        row["totalcost"] = sum((c for c in costs if isinstance(c, Decimal)), Decimal(0))


def new_row(emulator: MaximoEmulator, structure: Structure, values: Row) -> Row:
    """A fresh record: number (autokey), unique id, organization, item set, initial status."""
    row: Row = dict(values)
    now = emulator.now()
    table = emulator.table(structure)
    if structure.autokey and not row.get(structure.number):
        number = str(9_000_000 + emulator.next_uid() % 1_000_000)
        while table.lookup(number):
            number = str(9_000_000 + emulator.next_uid() % 1_000_000)
        row[structure.number] = number
    row.setdefault(structure.uid, emulator.next_uid())
    for attr, default in (("orgid", ORG), ("itemsetid", ITEMSET), ("siteid", None)):
        if attr in structure.attrs and not row.get(attr):
            row[attr] = default or emulator.default_site
    if structure.status_domain is not None:
        row.setdefault("status", _INITIAL.get(structure.status_domain, "ACTIVE"))
        if "statusdate" in structure.attrs:
            row.setdefault("statusdate", now)
    for attr, default in _DEFAULTS.get(structure.table, {}).items():
        row.setdefault(attr, default)
    if structure.table in _NOW_DEFAULTS:
        row.setdefault(_NOW_DEFAULTS[structure.table], now)
    for name, child in structure.children.items():
        children = [dict(c) for c in row.get(name) or []]
        for n, c in enumerate(children, start=1):
            c.setdefault(child.key, n if child.attrs[child.key] is Kind.INTEGER else str(n))
            c.setdefault(child.uid, emulator.next_uid())
            if name == "poline":
                _price_line(c)
        row[name] = children
    _total(structure, row)
    return row


def _check_references(emulator: MaximoEmulator, structure: Structure, row: Row) -> None:
    site, mbo = row.get("siteid"), structure.mbo
    if "siteid" in structure.attrs and site not in SITES:
        raise errors.invalid("siteid", f"{site} is not a valid site. Specify a valid site.", mbo)
    tables = emulator.dataset.tables
    if structure.table == "workorder":
        asset, location = row.get("assetnum"), row.get("location")
        if asset and tables["asset"].uid_of((str(asset), str(site))) is None:
            message = f"Asset {asset} is not a valid asset in site {site}."
            raise errors.invalid("assetnum", message, mbo)
        if location and tables["locations"].uid_of((str(location), str(site))) is None:
            message = f"Location {location} is not a valid location in site {site}."
            raise errors.invalid("location", message, mbo)
    if structure.table == "po":
        vendor = row.get("vendor")
        uid = tables["companies"].uid_of((str(vendor), ORG))
        company = None if uid is None else tables["companies"].get(uid)
        if vendor and (company is None or company.get("disabled")):
            raise errors.invalid("vendor", f"Vendor {vendor} is not a valid vendor.", mbo)
        for line in row.get("poline") or []:
            item = line.get("itemnum")
            if item and tables["item"].uid_of((str(item), ITEMSET)) is None:
                raise errors.invalid("itemnum", f"Item {item} is not a valid item.", mbo)


def _record(structure: Structure, row: Row) -> str:
    return f"{structure.label} {row.get(structure.number)}"


def create(emulator: MaximoEmulator, structure: Structure, body: Mapping[str, Any]) -> int:
    """A new record from a POST body; returns its uid."""
    values = _attrs(emulator, structure, body)
    for name, child in structure.children.items():
        items = body.get(name)
        if isinstance(items, list):
            given = [c for c in items if isinstance(c, Mapping)]
            values[name] = [_child_row(emulator, child, c, None) for c in given]
    for key in structure.keys:
        defaulted = key in ("orgid", "itemsetid", "siteid", "revisionnum")
        numbered = key == structure.number and structure.autokey
        if not (defaulted or numbered or values.get(key)):
            raise errors.required(key, structure.mbo)
    wanted = values.pop("status", None)
    row = new_row(emulator, structure, values)
    _check_references(emulator, structure, row)
    key_values = tuple(str(row.get(k, "")) for k in structure.keys)
    if emulator.table(structure).uid_of(key_values) is not None:
        pairs = ", ".join(f"{k}={v}" for k, v in zip(structure.keys, key_values, strict=True))
        raise errors.duplicate(pairs)
    if wanted is not None and wanted != row.get("status"):
        change_status(emulator, structure, row, str(wanted))
    return emulator.save(structure, row, uid=None)


def update(
    emulator: MaximoEmulator,
    structure: Structure,
    uid: int,
    body: Mapping[str, Any],
    *,
    merge: bool,
) -> None:
    """A PATCH (``merge``: with ``patchtype: MERGE``) of attributes, children and status."""
    current = emulator.table(structure).get(uid)
    assert current is not None
    row: Row = dict(current)
    values = _attrs(emulator, structure, body, current=row)
    wanted = values.pop("status", None)
    domain = DOMAINS.get(structure.status_domain or "")
    internal = domain.internal(str(row.get("status"))) if domain else None
    changed = any(row.get(a) != v for a, v in values.items())
    children = [n for n in structure.children if isinstance(body.get(n), list)]
    if (changed or children) and internal in _FROZEN.get(structure.table, ()):
        raise errors.read_only(structure.mbo)
    if (changed or children) and internal in _STATUS_ONLY.get(structure.table, ()):
        raise errors.read_only(
            structure.mbo, "An approved purchase order changes through a revision."
        )
    row.update(values)
    for name in children:
        child = structure.children[name]
        row[name] = _merge(emulator, child, row.get(name) or [], body[name], merge=merge)
    _total(structure, row)
    _check_references(emulator, structure, row)
    if wanted is not None:
        change_status(emulator, structure, row, str(wanted))
    emulator.save(structure, row, uid=uid)


def _merge(
    emulator: MaximoEmulator, child: Child, current: list[Row], given: list[Any], *, merge: bool
) -> list[Row]:
    """Plain PATCH replaces the children (absent ones are deleted); MERGE updates matching
    ones, adds new ones and deletes those marked ``"_action": "Delete"``."""
    by_key = {str(c.get(child.key)): c for c in current}
    result: dict[str, Row] = dict(by_key) if merge else {}
    for item in given:
        if not isinstance(item, Mapping):
            continue
        key = item.get(child.key)
        if str(item.get("_action", "")).lower() == "delete":
            result.pop(str(key), None)
            continue
        existing = by_key.get(str(key)) if key is not None else None
        row = _child_row(emulator, child, item, existing)
        if row.get(child.key) is None:
            numbers = [int(k) for k in result if k.isdigit()]
            row[child.key] = max(numbers, default=0) + 1
        result[str(row[child.key])] = row
    return sorted(result.values(), key=lambda r: str(r.get(child.key)).zfill(10))


def change_status(emulator: MaximoEmulator, structure: Structure, row: Row, value: str) -> None:
    """Move ``row`` (in place) to the status ``value`` if the status handler allows it."""
    domain = DOMAINS.get(structure.status_domain or "")
    if domain is None:
        return
    current = str(row.get("status"))
    record = _record(structure, row)
    target = domain.internal(value)
    if target is None:
        detail = f"{value} is not a valid value for STATUS in domain {domain.domainid}."
        raise errors.status_failed(record, value, errors.INVALID_VALUE, detail)
    if value == current:
        detail = "The status that you selected is the same as the current status. "
        raise errors.status_failed(
            record, value, errors.SAME_STATUS, detail + "Select a different status."
        )
    internal = domain.internal(current) or current
    if target not in TRANSITIONS[domain.domainid].get(internal, frozenset()):
        detail = f"The status cannot be changed from {current} to {value}."
        raise errors.status_failed(record, value, errors.STATUS_NOT_ALLOWED, detail)
    now = emulator.now()
    row["status"] = value
    if "statusdate" in structure.attrs:
        row["statusdate"] = now
    if "historyflag" in structure.attrs:
        row["historyflag"] = target in _HISTORY
    if structure.table == "workorder":
        if target in ("INPRG", "COMP", "CLOSE") and row.get("actstart") is None:
            row["actstart"] = now
        if target in ("COMP", "CLOSE") and row.get("actfinish") is None:
            row["actfinish"] = now
    if structure.table == "po" and internal == "PNDREV" and target == "APPR":
        _retire_previous_revision(emulator, structure, row)


def _retire_previous_revision(emulator: MaximoEmulator, structure: Structure, row: Row) -> None:
    table = emulator.table(structure)
    previous = (str(row["ponum"]), str(int(row["revisionnum"]) - 1), str(row["siteid"]))
    uid = table.uid_of(previous)
    old = None if uid is None else table.get(uid)
    if old is not None:
        retired = {**old, "status": "REVISE", "historyflag": True, "statusdate": emulator.now()}
        emulator.save(structure, retired, uid=uid)


def revise(emulator: MaximoEmulator, structure: Structure, uid: int) -> int:
    """``wsmethod:revisePO``: a copy of an approved purchase order as the next revision, in
    status PNDREV; the approved one stays in force until the revision is approved."""
    table = emulator.table(structure)
    row = table.get(uid)
    assert row is not None
    internal = DOMAINS["POSTATUS"].internal(str(row.get("status")))
    if structure.table != "po" or internal != "APPR":
        detail = "Only an approved purchase order can be revised."
        raise errors.not_allowed("REVISEPO", structure.mbo, detail)
    revision = int(row.get("revisionnum") or 0) + 1
    if table.uid_of((str(row["ponum"]), str(revision), str(row["siteid"]))) is not None:
        detail = f"Revision {revision} already exists."
        raise errors.not_allowed("REVISEPO", structure.mbo, detail)
    lines = [{**line, "polineid": emulator.next_uid()} for line in row.get("poline") or []]
    copy = {
        **row,
        "revisionnum": revision,
        "status": "PNDREV",
        "statusdate": emulator.now(),
        "historyflag": False,
        "poid": emulator.next_uid(),
        "poline": lines,
    }
    return emulator.save(structure, copy, uid=None)


def delete(emulator: MaximoEmulator, structure: Structure, uid: int) -> None:
    """Work orders are never deleted (they are cancelled); purchase orders only while
    waiting on approval; items only when no storeroom holds them."""
    table = emulator.table(structure)
    row = table.get(uid)
    assert row is not None
    refused = errors.not_allowed("DELETE", structure.mbo)
    if structure.table == "po":
        if DOMAINS["POSTATUS"].internal(str(row.get("status"))) != "WAPPR":
            raise refused
    elif structure.table == "item":
        stock = emulator.dataset.tables["inventory"]
        held = (stock.get(u) for u in stock.lookup(str(row.get("itemnum"))))
        if any(r is not None and r.get("itemsetid") == row.get("itemsetid") for r in held):
            raise refused
    else:
        raise refused
    table.remove(uid)
