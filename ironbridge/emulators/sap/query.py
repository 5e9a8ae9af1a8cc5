"""OData query options: ``$filter`` parsing per protocol version, ordering and paging.

The filter grammar covers what clients send for incremental syncs: ``eq ne gt ge lt le``,
``and or not``, parentheses, ``substringof``/``startswith``/``endswith``/``contains``. Literals
follow the version strictly: V2 ``datetimeoffset'2024-05-01T00:00:00Z'`` and
``datetime'2024-05-01T00:00:00'``; V4 bare ``2024-05-01T00:00:00Z`` and ``2024-05-01``. A literal
of the wrong form or type is a 400, as SAP answers it.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.sap.errors import ODataError
from ironbridge.emulators.sap.model import Edm, EntitySet
from ironbridge.emulators.sap.samples import Malformed
from ironbridge.emulators.sap.values import parse_instant

if TYPE_CHECKING:
    from ironbridge.emulators.sap.tables import Key, Rows

__all__ = ["Page", "Predicate", "parse_filter", "parse_orderby", "run_query"]

FILTER_ERROR = "/IWBEP/CM_MGW_RT/022"

Getter = Callable[[str], Any]
Predicate = Callable[[Getter], bool]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<lparen>\()|(?P<rparen>\))|(?P<comma>,)
    |(?P<typed>(?i:datetimeoffset|datetime|guid|time|binary)'(?:[^']|'')*')
    |(?P<string>'(?:[^']|'')*')
    |(?P<dto>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\- ]\d{2}:\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})
    |(?P<number>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDlLfF]?)
    |(?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)
    )""",
    re.VERBOSE,
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_SWAPPED = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge", "eq": "eq", "ne": "ne"}
_INVALID = object()


def _bad(message: str) -> ODataError:
    return ODataError(400, FILTER_ERROR, message)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int


@dataclass(frozen=True, slots=True)
class _Literal:
    kind: str  # string, number, bool, null, datetime, datetimeoffset, date
    value: Any


@dataclass(frozen=True, slots=True)
class _Property:
    name: str
    edm: Edm


def _tokens(text: str, version: int) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].isspace():
            break
        found = _TOKEN.match(text, position)
        if found is None or found.lastgroup is None:
            raise _bad(f"Invalid token detected at position {position + 1}")
        kind = found.lastgroup
        if (kind == "typed" and version == 4) or (kind in ("dto", "date") and version == 2):
            raise _bad(f"Invalid literal at position {position + 1} for OData V{version}")
        tokens.append(_Token(kind, found.group(kind), position))
        position = found.end()
    return tokens


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


class _Parser:
    def __init__(self, text: str, entity_set: EntitySet, version: int) -> None:
        self.tokens = _tokens(text, version)
        self.position = 0
        self.entity_set = entity_set
        self.version = version

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (kind is not None and token.kind != kind):
            where = "end of expression" if token is None else f"position {token.position + 1}"
            raise _bad(f"Invalid token detected at {where}")
        self.position += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text in words:
            self.position += 1
            return token.text
        return None

    def parse(self) -> Predicate:
        predicate = self.or_expr()
        if self.peek() is not None:
            raise _bad(f"Invalid token detected at position {self.take().position + 1}")
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else lambda get: any(p(get) for p in parts)

    def and_expr(self) -> Predicate:
        parts = [self.not_expr()]
        while self.keyword("and"):
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else lambda get: all(p(get) for p in parts)

    def not_expr(self) -> Predicate:
        if self.keyword("not"):
            inner = self.not_expr()
            return lambda get: not inner(get)
        return self.comparison()

    def comparison(self) -> Predicate:
        left = self.operand()
        op = self.keyword("eq", "ne", "gt", "ge", "lt", "le")
        if op is None:
            if isinstance(left, _Property) and left.edm is Edm.BOOLEAN:
                name = left.name
                return lambda get: get(name) is True
            if callable(left):
                return left
            raise _bad("Expression does not evaluate to a boolean")
        right = self.operand()
        return _compile_comparison(op, left, right, self.version)

    def operand(self) -> Predicate | _Literal | _Property:
        token = self.take()
        if token.kind == "lparen":
            inner = self.or_expr()
            self.take("rparen")
            return inner
        if token.kind == "name":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lparen":
                return self.function(token.text)
            if token.text in ("true", "false"):
                return _Literal("bool", token.text == "true")
            if token.text == "null":
                return _Literal("null", None)
            prop = self.entity_set.by_name.get(token.text)
            if prop is None:
                raise _bad(f"Property {token.text} not found in type {self.entity_set.type_name}")
            return _Property(prop.name, prop.type)
        return _literal(token)

    def function(self, name: str) -> Predicate:
        self.take("lparen")
        args = [self.operand()]
        while (token := self.peek()) is not None and token.kind == "comma":
            self.take("comma")
            args.append(self.operand())
        self.take("rparen")
        return _compile_function(name, args, self.version)


def _literal(token: _Token) -> _Literal:
    text = token.text
    if token.kind == "string":
        return _Literal("string", _unquote(text))
    if token.kind == "number":
        try:
            return _Literal("number", Decimal(text.rstrip("mMdDlLfF")))
        except ArithmeticError as exc:
            raise _bad(f"Invalid number {text}") from exc
    if token.kind == "typed":
        prefix, _, rest = text.partition("'")
        kind = prefix.lower()
        body = re.sub(r" (\d{2}:?\d{2})$", r"+\1", _unquote("'" + rest))
        if kind not in ("datetime", "datetimeoffset"):
            raise _bad(f"Literal type {prefix} is not supported here")
        if kind == "datetimeoffset" and not re.search(r"(Z|[+-]\d{2}:?\d{2})$", body):
            raise _bad(f"Invalid datetimeoffset literal {text}")
        if kind == "datetime" and re.search(r"(Z|[+-]\d{2}:?\d{2})$", body):
            raise _bad(f"Invalid datetime literal {text}")
        try:
            return _Literal(kind, parse_instant(body))
        except ValueError as exc:
            raise _bad(f"Invalid {kind} literal {text}") from exc
    try:
        if token.kind == "date":
            return _Literal("date", date.fromisoformat(text))
        return _Literal("datetimeoffset", parse_instant(text.replace(" ", "+")))
    except ValueError as exc:
        raise _bad(f"Invalid date literal {text}") from exc


def _accepts(edm: Edm, version: int) -> tuple[str, ...]:
    if edm is Edm.DATE:
        return ("datetime",) if version == 2 else ("date",)
    if edm is Edm.DATETIMEOFFSET:
        return ("datetimeoffset",)
    return {
        Edm.STRING: ("string",),
        Edm.BOOLEAN: ("bool",),
        Edm.DECIMAL: ("number",),
        Edm.TIMESTAMP: ("number",),
    }[edm]


def _normal(edm: Edm, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Malformed):
        return _INVALID
    if edm is Edm.DATE and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value


def _coerce(literal: _Literal, prop: _Property, version: int, op: str) -> Any:
    if literal.kind == "null":
        return None
    if literal.kind not in _accepts(prop.edm, version):
        raise _bad(f"Invalid parametertype used at function '{op}' (property {prop.name})")
    if literal.kind == "date":
        value: date = literal.value
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return literal.value


def _test(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None or left is _INVALID or right is _INVALID:
        return False
    return _COMPARE[op](left, right)


def _compile_comparison(op: str, left: Any, right: Any, version: int) -> Predicate:
    if isinstance(right, _Property) and not isinstance(left, _Property):
        left, right, op = right, left, _SWAPPED[op]
    if isinstance(left, _Property) and isinstance(right, _Literal):
        name, edm = left.name, left.edm
        value = _coerce(right, left, version, op)
        return lambda get: _test(op, _normal(edm, get(name)), value)
    if isinstance(left, _Property) and isinstance(right, _Property):
        a, b = left, right
        return lambda get: _test(op, _normal(a.edm, get(a.name)), _normal(b.edm, get(b.name)))
    if callable(left) and isinstance(right, _Literal) and right.kind == "bool":
        inner, wanted = left, right.value
        return lambda get: _test(op, inner(get), wanted)
    raise _bad(f"Invalid operands for operator '{op}'")


def _compile_function(name: str, args: list[Any], version: int) -> Predicate:
    names = {"substringof", "startswith", "endswith"} | ({"contains"} if version == 4 else set())
    if name not in names or len(args) != 2:
        raise _bad(f"Function {name} is not supported with {len(args)} arguments")
    if name == "substringof":
        args = [args[1], args[0]]
    prop, needle = args
    if not (isinstance(prop, _Property) and prop.edm is Edm.STRING):
        raise _bad(f"Function {name} needs a string property")
    if not (isinstance(needle, _Literal) and needle.kind == "string"):
        raise _bad(f"Function {name} needs a string literal")
    test = _STRING_TESTS[name]
    field, text = prop.name, needle.value
    return lambda get: isinstance(get(field), str) and test(get(field), text)


def _contains(value: str, text: str) -> bool:
    return text in value


def _startswith(value: str, text: str) -> bool:
    return value.startswith(text)


def _endswith(value: str, text: str) -> bool:
    return value.endswith(text)


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "substringof": _contains,
    "contains": _contains,
    "startswith": _startswith,
    "endswith": _endswith,
}


def parse_filter(text: str, entity_set: EntitySet, *, version: int) -> Predicate:
    if not text.strip():
        raise _bad("Empty $filter")
    return _Parser(text, entity_set, version).parse()


def parse_orderby(text: str, entity_set: EntitySet) -> tuple[tuple[str, bool], ...]:
    """``(property, descending)`` pairs."""
    order: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise ODataError(400, FILTER_ERROR, f"Invalid $orderby expression '{part.strip()}'")
        if words[0] not in entity_set.by_name:
            raise ODataError(
                400,
                FILTER_ERROR,
                f"Property {words[0]} not found in type {entity_set.type_name}",
            )
        order.append((words[0], len(words) == 2 and words[1] == "desc"))
    return tuple(order)


@dataclass(frozen=True, slots=True)
class Page:
    keys: list[Key]
    count: int | None
    # the $skiptoken of the next page, None on the last page
    next_skiptoken: int | None


def _sort_value(edm: Edm, value: Any) -> tuple[int, Any]:
    normal = _normal(edm, value)
    return (0, 0) if normal is None or normal is _INVALID else (1, normal)


def _sorter(rows: Rows, name: str, edm: Edm) -> Callable[[Key], tuple[int, Any]]:
    def sort_key(key: Key) -> tuple[int, Any]:
        return _sort_value(edm, rows.value(key, name))

    return sort_key


def run_query(
    keys: Iterable[Key],
    rows: Rows,
    entity_set: EntitySet,
    *,
    predicate: Predicate | None = None,
    orderby: tuple[tuple[str, bool], ...] = (),
    top: int | None = None,
    skip: int = 0,
    skiptoken: int = 0,
    count: bool = False,
    page_size: int,
) -> Page:
    """One server-driven page; keys iterate lazily unless counting or sorting needs them all."""
    selected: Iterator[Key] = iter(keys)
    if predicate is not None:
        test = predicate
        selected = (k for k in selected if test(functools.partial(rows.value, k)))
    materialized: list[Key] | None = None
    if orderby:
        materialized = list(selected)
        for name, descending in reversed(orderby):
            materialized.sort(
                key=_sorter(rows, name, entity_set.by_name[name].type), reverse=descending
            )
    elif count:
        materialized = list(selected)
    total = len(materialized) if count and materialized is not None else None
    remaining = None if top is None else max(0, top - skiptoken)
    size = page_size if remaining is None else min(page_size, remaining)
    start = skip + skiptoken
    if materialized is not None:
        page = materialized[start : start + size]
        more = start + size < len(materialized)
    else:
        chunk = list(itertools.islice(selected, start, start + size + 1))
        page, more = chunk[:size], len(chunk) > size
    if remaining is not None and size >= remaining:
        more = False
    return Page(page, total, skiptoken + len(page) if more and page else None)
