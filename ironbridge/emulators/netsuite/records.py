"""The record types the emulator serves and how the record API renders them: references with
links, sublists and subrecords expanded or linked, collections with paging envelopes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ironbridge.emulators.netsuite.errors import INVALID_PARAMETER, NetSuiteError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from ironbridge.emulators.netsuite.store import Record

__all__ = [
    "RECORD_ROOT",
    "RECORD_TYPES",
    "RecordType",
    "Sublist",
    "collection",
    "paging",
    "parse_q",
    "q_matches",
    "render",
]

RECORD_ROOT = "/services/rest/record/v1"
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Sublist:
    """A sublist (``item`` of a purchase order): its reference fields and read-only fields."""

    refs: Mapping[str, str] = field(default_factory=dict)
    read_only: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    custom_prefix: str = "custcol_"


@dataclass(frozen=True, slots=True)
class RecordType:
    name: str
    fields: frozenset[str]  # body fields a client may send (besides custom fields)
    read_only: frozenset[str] = frozenset()
    refs: Mapping[str, str] = field(default_factory=dict)  # field -> referenced record type
    sublists: Mapping[str, Sublist] = field(default_factory=dict)
    subrecords: frozenset[str] = frozenset()
    required: tuple[tuple[str, str], ...] = ()  # (field, label) on create
    custom_prefix: str = ""
    writable: bool = True


_TRANSACTION_READ_ONLY = frozenset(
    {"id", "createdDate", "lastModifiedDate", "status", "orderStatus", "total"}
)
_PO_LINE = Sublist(
    refs={"item": "inventoryItem", "location": "location", "units": ""},
    read_only=frozenset({"quantityReceived", "quantityBilled", "amount", "itemType"}),
    fields=frozenset(
        {
            "line",
            "item",
            "description",
            "quantity",
            "rate",
            "units",
            "isClosed",
            "location",
            "expectedReceiptDate",
        }
    ),
)
_ADDRESS_BOOK = Sublist(
    fields=frozenset({"defaultBilling", "defaultShipping", "label", "addressBookAddress"}),
    custom_prefix="",
)

RECORD_TYPES: dict[str, RecordType] = {
    spec.name: spec
    for spec in (
        RecordType(
            name="purchaseOrder",
            fields=frozenset({"tranId", "tranDate", "dueDate", "entity", "subsidiary", "currency",
                              "exchangeRate", "location", "memo", "approvalStatus", "item"}),
            read_only=_TRANSACTION_READ_ONLY,
            refs={"entity": "vendor", "subsidiary": "subsidiary", "currency": "currency",
                  "location": "location", "approvalStatus": ""},
            sublists={"item": _PO_LINE},
            required=(("entity", "Vendor"), ("item", "Items")),
            custom_prefix="custbody_",
        ),
        RecordType(
            name="workOrder",
            fields=frozenset({"tranId", "tranDate", "assemblyItem", "quantity", "units",
                              "startDate", "endDate", "location", "subsidiary", "memo"}),
            read_only=_TRANSACTION_READ_ONLY | {"built"},
            refs={"assemblyItem": "inventoryItem", "location": "location",
                  "subsidiary": "subsidiary", "units": ""},
            required=(("assemblyItem", "Assembly"), ("quantity", "Quantity")),
            custom_prefix="custbody_",
        ),
        RecordType(
            name="vendor",
            fields=frozenset({"entityId", "companyName", "email", "phone", "isInactive",
                              "currency", "subsidiary", "taxIdNum", "addressBook"}),
            read_only=frozenset({"id", "dateCreated", "lastModifiedDate"}),
            refs={"currency": "currency", "subsidiary": "subsidiary"},
            sublists={"addressBook": _ADDRESS_BOOK},
            required=(("companyName", "Company Name"),),
            custom_prefix="custentity_",
        ),
        RecordType(
            name="inventoryItem",
            fields=frozenset({"itemId", "displayName", "purchaseDescription", "cost",
                              "isInactive", "stockUnit", "costingMethod"}),
            read_only=frozenset({"id", "createdDate", "lastModifiedDate", "itemType"}),
            refs={"stockUnit": "", "costingMethod": ""},
            required=(("itemId", "Item Name/Number"),),
            custom_prefix="custitem_",
        ),
        RecordType(
            name="location",
            fields=frozenset({"name", "parent", "isInactive", "subsidiary", "locationType",
                              "mainAddress"}),
            read_only=frozenset({"id", "lastModifiedDate"}),
            refs={"parent": "location", "subsidiary": "subsidiary", "locationType": ""},
            subrecords=frozenset({"mainAddress"}),
            required=(("name", "Name"),),
        ),
        RecordType(name="currency", fields=frozenset(), writable=False),
        RecordType(name="subsidiary", fields=frozenset(), writable=False),
    )
}  # fmt: skip


def _link(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


def _with_links(value: Any, target: str, root: str) -> Any:
    if isinstance(value, dict) and "id" in value and target:
        return {**value, "links": _link(f"{root}/{target}/{value['id']}")}
    return value


def render(
    spec: RecordType,
    record: Record,
    *,
    root: str,
    expand: bool = False,
    fields: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A record as ``GET .../{type}/{id}`` answers it."""
    href = f"{root}/{spec.name}/{record['id']}"
    body: dict[str, Any] = {"links": _link(href + ("?expandSubResources=true" if expand else ""))}
    for name, value in record.items():
        if fields is not None and name not in fields and name != "id":
            continue
        if name in spec.sublists:
            body[name] = _sublist(spec.sublists[name], value, f"{href}/{name}", root, expand)
        elif name in spec.subrecords:
            body[name] = (
                {**value, "links": _link(f"{href}/{name}")}
                if expand
                else {"links": _link(f"{href}/{name}")}
            )
        else:
            body[name] = _with_links(value, spec.refs.get(name, ""), root)
    return body


def _sublist(spec: Sublist, value: Any, href: str, root: str, expand: bool) -> dict[str, Any]:
    if not expand:
        return {"links": _link(href)}
    lines = value.get("items", []) if isinstance(value, dict) else []
    rendered = [
        {k: _with_links(v, spec.refs.get(k, ""), root) for k, v in line.items()} for line in lines
    ]
    return {"links": _link(href), "items": rendered, "totalResults": len(rendered)}


def paging(params: Mapping[str, str]) -> tuple[int, int]:
    """``limit`` (1..1000, default 1000) and ``offset`` (>= 0) of a collection request."""
    try:
        limit = int(params.get("limit", MAX_LIMIT))
        offset = int(params.get("offset", 0))
    except ValueError:
        raise NetSuiteError(
            400, INVALID_PARAMETER, "Invalid value for query parameter limit or offset."
        ) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise NetSuiteError(
            400,
            INVALID_PARAMETER,
            f"Invalid value for query parameter limit: {limit}. The value must be between 1 and "
            f"{MAX_LIMIT}.",
        )
    if offset < 0:
        raise NetSuiteError(
            400, INVALID_PARAMETER, f"Invalid value for query parameter offset: {offset}."
        )
    return limit, offset


def collection(
    items: list[dict[str, Any]],
    *,
    total: int,
    limit: int,
    offset: int,
    url: str,
    params: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """The paging envelope: ``links`` (prev, next, last, self), count, hasMore, ..."""
    kept = [(k, v) for k, v in params if k not in ("limit", "offset")]

    def page(at: int) -> dict[str, str]:
        return {"href": f"{url}?{urlencode([*kept, ('limit', limit), ('offset', at)])}"}

    links = []
    if offset > 0:
        links.append({"rel": "prev", **page(max(0, offset - limit))})
    has_more = offset + len(items) < total
    if has_more:
        links.append({"rel": "next", **page(offset + limit)})
        links.append({"rel": "last", **page(max(0, (total - 1) // limit * limit))})
    links.append({"rel": "self", **page(offset)})
    return {
        "links": links,
        "count": len(items),
        "hasMore": has_more,
        "items": items,
        "offset": offset,
        "totalResults": total,
    }


# -- the record collection ``q`` filter (a small subset) -----------------------------------------

_Q_TERM = re.compile(
    r"^\s*(?P<field>lastModifiedDate)\s+(?P<op>ON_OR_AFTER|ON_OR_BEFORE|AFTER|BEFORE|ON)"
    r'\s+"(?P<value>[^"]*)"\s*$'
)
_Q_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


@dataclass(frozen=True, slots=True)
class QTerm:
    op: str
    value: datetime
    whole_day: bool


def parse_q(text: str, zone: tzinfo) -> list[QTerm]:
    """Terms joined by AND on ``lastModifiedDate`` with the date operators; dates are in the
    user's format and time zone."""
    terms = []
    for part in re.split(r"\s+AND\s+", text.strip()):
        found = _Q_TERM.match(part)
        if found is None:
            raise NetSuiteError(
                400,
                INVALID_PARAMETER,
                f"Invalid query: '{part.strip()}'. The emulator filters on lastModifiedDate "
                "with AFTER, BEFORE, ON, ON_OR_AFTER or ON_OR_BEFORE only.",
            )
        value = found.group("value")
        for fmt in _Q_FORMATS:
            try:
                moment = datetime.strptime(value, fmt).replace(tzinfo=zone).astimezone(UTC)
            except ValueError:
                continue
            terms.append(QTerm(found.group("op"), moment, fmt == "%m/%d/%Y"))
            break
        else:
            raise NetSuiteError(
                400, INVALID_PARAMETER, f'Invalid date value "{value}"; use MM/DD/YYYY.'
            )
    return terms


def q_matches(terms: Sequence[QTerm], stamp: datetime | None, zone: tzinfo) -> bool:
    if stamp is None:
        return False
    for term in terms:
        if term.whole_day:
            left: Any = stamp.astimezone(zone).date()
            right: Any = term.value.astimezone(zone).date()
        else:
            left, right = stamp, term.value
        ok = {
            "AFTER": left > right,
            "BEFORE": left < right,
            "ON": left == right,
            "ON_OR_AFTER": left >= right,
            "ON_OR_BEFORE": left <= right,
        }[term.op]
        if not ok:
            return False
    return True
