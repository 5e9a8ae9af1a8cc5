"""The system query options of one request (``$filter`` ... ``$skiptoken``), parsed and checked,
and the context renderers need (service URL, tables, ETags, navigation children)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import quote, urlencode

from ironbridge.emulators.sap.errors import ODataError
from ironbridge.emulators.sap.query import FILTER_ERROR, parse_filter, parse_orderby
from ironbridge.emulators.sap.tables import ChildTable

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.emulators.sap.model import EntitySet, Nav, Service
    from ironbridge.emulators.sap.query import Predicate
    from ironbridge.emulators.sap.tables import Key, Record, Rows

__all__ = ["Expand", "QueryOptions", "RenderContext", "page_url", "parse_options"]


@dataclass(frozen=True, slots=True)
class Expand:
    name: str
    select: frozenset[str] | None = None
    expand: tuple[Expand, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryOptions:
    predicate: Predicate | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    top: int | None = None
    skip: int = 0
    skiptoken: int = 0
    count: bool = False
    select: frozenset[str] | None = None
    expand: tuple[Expand, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderContext:
    service: Service
    # absolute URL of the service root, without a trailing slash
    service_url: str
    tables: Mapping[str, Rows]
    etag: Callable[[EntitySet, Key, Record], str | None]
    ieee754: bool = False

    def target(self, nav: Nav) -> EntitySet:
        target = self.service.entity_set(nav.target)
        assert target is not None, nav
        return target

    def children(self, nav: Nav, key: Key) -> list[tuple[Key, Record]]:
        rows = self.tables[self.target(nav).table]
        assert isinstance(rows, ChildTable)
        found = []
        for child in rows.child_keys(key):
            record = rows.get(child)
            if record is not None:
                found.append((child, record))
        return found


def _bad(message: str) -> ODataError:
    return ODataError(400, FILTER_ERROR, message)


def _integer(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise _bad(f"Invalid value '{raw}' for system query option {name}")
    return int(raw)


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside parentheses and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == separator and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _select(text: str, entity_set: EntitySet) -> frozenset[str] | None:
    names = set()
    for part in _split(text, ","):
        if part == "*":
            return None
        name = part.split("/", 1)[0]
        if name not in entity_set.by_name and entity_set.nav(name) is None:
            raise _bad(f"Property {name} not found in type {entity_set.type_name}")
        names.add(name)
    return frozenset(names)


_Tree: TypeAlias = dict[str, "_Tree"]


def _expand_v2(text: str, service: Service, entity_set: EntitySet) -> tuple[Expand, ...]:
    tree: _Tree = {}
    for path in _split(text, ","):
        node, current = tree, entity_set
        for name in path.split("/"):
            nav = current.nav(name)
            if nav is None:
                raise _bad(f"Navigation property {name} not found in type {current.type_name}")
            target = service.entity_set(nav.target)
            assert target is not None
            node = node.setdefault(name, {})
            current = target

    def build(node: _Tree) -> tuple[Expand, ...]:
        return tuple(Expand(name, None, build(child)) for name, child in node.items())

    return build(tree)


def _expand_v4(text: str, service: Service, entity_set: EntitySet) -> tuple[Expand, ...]:
    items = []
    for part in _split(text, ","):
        name, _, rest = part.partition("(")
        name = name.strip()
        nav = entity_set.nav(name)
        if nav is None:
            raise _bad(f"Navigation property {name} not found in type {entity_set.type_name}")
        target = service.entity_set(nav.target)
        assert target is not None
        select: frozenset[str] | None = None
        nested: tuple[Expand, ...] = ()
        if rest:
            if not rest.endswith(")"):
                raise _bad(f"Invalid $expand item '{part}'")
            for option in _split(rest[:-1], ";"):
                key, _, value = option.partition("=")
                if key == "$select":
                    select = _select(value, target)
                elif key == "$expand":
                    nested = _expand_v4(value, service, target)
                else:
                    raise _bad(f"Expand option {key} is not supported")
        items.append(Expand(name, select, nested))
    return tuple(items)


def parse_options(
    params: Mapping[str, str], service: Service, entity_set: EntitySet
) -> QueryOptions:
    version = service.version
    count = False
    if version == 2:
        inline = params.get("$inlinecount")
        if inline not in (None, "allpages", "none"):
            raise _bad(f"Invalid value '{inline}' for system query option $inlinecount")
        count = inline == "allpages"
    else:
        flag = params.get("$count")
        if flag not in (None, "true", "false"):
            raise _bad(f"Invalid value '{flag}' for system query option $count")
        count = flag == "true"
    raw_filter = params.get("$filter")
    raw_orderby = params.get("$orderby")
    raw_select = params.get("$select")
    raw_expand = params.get("$expand")
    expand_parser = _expand_v2 if version == 2 else _expand_v4
    return QueryOptions(
        predicate=None
        if raw_filter is None
        else parse_filter(raw_filter, entity_set, version=version),
        orderby=() if raw_orderby is None else parse_orderby(raw_orderby, entity_set),
        top=_integer(params, "$top"),
        skip=_integer(params, "$skip") or 0,
        skiptoken=_integer(params, "$skiptoken") or 0,
        count=count,
        select=None if raw_select is None else _select(raw_select, entity_set),
        expand=() if raw_expand is None else expand_parser(raw_expand, service, entity_set),
    )


def page_url(url: str, params: list[tuple[str, str]], skiptoken: int) -> str:
    """``url`` (without query) with the request's query options and a new ``$skiptoken``."""
    kept = [(k, v) for k, v in params if k != "$skiptoken"]
    kept.append(("$skiptoken", str(skiptoken)))
    return f"{url}?{urlencode(kept, safe=_SAFE, quote_via=quote)}"


_SAFE = "$'(),:/*@"
