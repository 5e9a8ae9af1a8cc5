"""Collection reads: query options applied to one entity set, one server-driven page at a time
with ``@odata.nextLink`` (keyset ``$skiptoken``), as Business Central pages its API."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from ironbridge.emulators.dynamics_bc import samples
from ironbridge.emulators.dynamics_bc.emulator import render
from ironbridge.emulators.dynamics_bc.errors import BcError, bad_request
from ironbridge.emulators.dynamics_bc.query import (
    Expr,
    decode_skiptoken,
    encode_skiptoken,
    id_set,
    matches,
    parse_filter,
    stamp_bound,
)
from ironbridge.emulators.dynamics_bc.samples import PoSpec
from ironbridge.emulators.dynamics_bc.store import STAMP

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from starlette.datastructures import URL, QueryParams

    from ironbridge.emulators.dynamics_bc.emulator import DynamicsBcEmulator, EntitySet
    from ironbridge.emulators.dynamics_bc.store import Row, StampKey, Table

__all__ = ["FIELDS", "LINE_FIELDS", "Options", "read_page"]

_ANCHOR = datetime(2025, 1, 1, tzinfo=UTC)
_SAMPLE_PO = samples.purchase_order(PoSpec(records=1, anchor=_ANCHOR), 0)
# the properties of each entity set (what $filter, $select and $orderby may name)
FIELDS: Mapping[str, frozenset[str]] = {
    "purchaseOrders": frozenset(set(_SAMPLE_PO) - {"purchaseOrderLines"}),
    "vendors": frozenset(samples.vendors(_ANCHOR)[0]),
    "items": frozenset(samples.items(_ANCHOR)[0]),
    "locations": frozenset(samples.locations(_ANCHOR)[0]),
    "manufacturingProductionOrders": frozenset(samples.production_orders(_ANCHOR.date())[0]),
}
LINE_FIELDS = frozenset(_SAMPLE_PO["purchaseOrderLines"][0])
_SUPPORTED = frozenset(
    {"$filter", "$select", "$orderby", "$top", "$skip", "$expand", "$skiptoken", "$count",
     "$format", "$schemaversion", "tenant", "company"}
)  # fmt: skip
_MAX_PAGE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)")


class Options:
    """The checked query options of one collection request."""

    def __init__(self, params: QueryParams, entity: EntitySet, *, prefer: str | None) -> None:
        unknown = [k for k in params if k.startswith("$") and k not in _SUPPORTED]
        if unknown:
            raise bad_request(f"The query parameter '{unknown[0]}' is not supported.")
        fields = FIELDS[entity.name]
        self.filter: Expr | None = None
        if text := params.get("$filter"):
            self.filter = parse_filter(text, fields, entity.type_name)
        self.expand = False
        if expand := params.get("$expand"):
            if entity.name != "purchaseOrders" or expand.strip() != "purchaseOrderLines":
                raise bad_request(
                    f"Could not find a property named '{expand}' on type '{entity.type_name}'."
                )
            self.expand = True
        self.select: frozenset[str] | None = None
        if select := params.get("$select"):
            names = frozenset(s.strip() for s in select.split(",") if s.strip())
            if bad := sorted(names - fields):
                raise bad_request(
                    f"Could not find a property named '{bad[0]}' on type '{entity.type_name}'."
                )
            self.select = names
        self.orderby = _orderby(params.get("$orderby"), fields, entity.type_name)
        self.top = _count(params, "$top")
        self.skip = _count(params, "$skip") or 0
        self.count = params.get("$count") == "true"
        self.limit: int | None = None
        if prefer and (found := _MAX_PAGE.search(prefer)):
            self.limit = max(1, int(found.group(1)))


def _count(params: QueryParams, name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise bad_request(f"Invalid value '{value}' for the query option {name}.")
    return int(value)


def _orderby(text: str | None, fields: frozenset[str], type_name: str) -> list[tuple[str, bool]]:
    """(property, descending) pairs."""
    order: list[tuple[str, bool]] = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, direction = part.strip().partition(" ")
        direction = direction.strip().lower() or "asc"
        if name not in fields or direction not in ("asc", "desc"):
            raise bad_request(f"Could not find a property named '{name}' on type '{type_name}'.")
        order.append((name, direction == "desc"))
    return order


def _by_stamp(order: list[tuple[str, bool]], key: str) -> bool:
    """True for ``lastModifiedDateTime asc`` optionally broken by the key (read lazily)."""
    return bool(order) and order[0] == (STAMP, False) and all(o == (key, False) for o in order[1:])


def _rows(table: Table, options: Options, token: list[Any] | None) -> Iterator[tuple[Any, Row]]:
    """(skiptoken values, row) of every matching row in the requested order, after ``token``."""
    ids = id_set(options.filter)
    key = table.key
    if ids is not None:
        positions = sorted(p for i in ids if (p := table.position(i)) is not None)
        previous = int(token[1]) if token else -1
        for position in positions:
            if position > previous:
                yield ["n", position], table.at(position)
        return
    if _by_stamp(options.orderby, key):
        bound = stamp_bound(options.filter)
        resume: StampKey | None = (token[1], int(token[2])) if token else None
        for position, row in table.by_stamp(
            lower=bound[0] if bound else None,
            strict=bound[1] if bound else False,
            after=resume,
        ):
            if matches(options.filter, row):
                yield ["s", row.get(STAMP), position], row
        return
    if not options.orderby:
        start = int(token[1]) if token else -1
        for position, row in table.natural(start):
            if matches(options.filter, row):
                yield ["n", position], row
        return
    found = [row for _p, row in table.natural() if matches(options.filter, row)]
    for name, descending in reversed(options.orderby):
        found.sort(key=partial(_sort_key, name), reverse=descending)
    offset = int(token[1]) if token else 0
    for n, row in enumerate(found[offset:], start=offset + 1):
        yield ["o", n], row


def _sort_key(name: str, row: Row) -> tuple[bool, Any]:
    return row.get(name) is None, row.get(name)


def _token_values(raw: str | None) -> list[Any] | None:
    if raw is None:
        return None
    values = decode_skiptoken(raw.strip("'"))
    if not values or values[0] not in ("n", "s", "o"):
        raise BcError(400, "BadRequest_InvalidToken", "The skip token is not valid.")
    if values[0] == "s":
        stamp = values[1]
        values[1] = stamp if isinstance(stamp, datetime) else datetime.min.replace(tzinfo=UTC)
    return values


def read_page(
    emulator: DynamicsBcEmulator,
    table: Table,
    entity: EntitySet,
    options: Options,
    url: URL,
    params: QueryParams,
) -> dict[str, Any]:
    """One page of the collection: ``value`` plus ``@odata.nextLink`` when more follow."""
    token = _token_values(params.get("$skiptoken"))
    limit = min(options.limit or emulator.page_size, emulator.page_size)
    if options.top is not None:
        limit = min(limit, options.top)
    page: list[Row] = []
    last: Any = None
    more = False
    rows = _rows(table, options, token)
    skipped = 0
    for values, row in rows:
        if token is None and skipped < options.skip:
            skipped += 1
            continue
        if len(page) >= limit:
            more = True
            break
        page.append(row)
        last = values
    if options.top is not None and len(page) >= options.top:
        more = False
    body: dict[str, Any] = {
        "@odata.context": f"{url.scheme}://{url.netloc}{url.path.rsplit('/', 1)[0]}/$metadata"
        f"#{entity.name}",
        "value": [
            render(row, expand=options.expand, select=options.select, key=table.key) for row in page
        ],
    }
    if options.count:
        body["@odata.count"] = sum(1 for _ in _rows(table, options, None))
    if more and last is not None:
        pairs = [
            (k, v) for k, v in params.multi_items() if k not in ("$skiptoken", "$skip", "$top")
        ]
        if options.top is not None:
            pairs.append(("$top", str(options.top - len(page))))
        pairs.append(("$skiptoken", _stamp_token(last)))
        # query option names keep their "$", as Business Central writes them
        query = urlencode(pairs, safe="$'(),:", quote_via=quote)
        body["@odata.nextLink"] = f"{url.scheme}://{url.netloc}{url.path}?{query}"
    return body


def _stamp_token(values: list[Any]) -> str:
    if values[0] == "s" and isinstance(values[1], str):
        parsed = datetime.fromisoformat(values[1].replace("Z", "+00:00"))
        values = ["s", parsed.astimezone(UTC), values[2]]
    return encode_skiptoken(values)
