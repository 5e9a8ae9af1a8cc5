"""PQL, the query language of System-Link ``QueryList``: ``SELECT`` properties, ``WHERE``
comparisons joined by ``AND``/``OR`` (with parentheses, ``NOT`` and ``IN``), ``ORDER BY``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["Bounds", "PqlError", "Query", "bounds_of", "exact_values", "parse_query"]


class PqlError(ValueError):
    """The statement cannot be parsed."""


Literal_: TypeAlias = "str | Decimal"


@dataclass(frozen=True, slots=True)
class Cmp:
    path: str
    op: str
    value: Literal_


@dataclass(frozen=True, slots=True)
class In:
    path: str
    values: tuple[Literal_, ...]
    # the values as a set when all are strings: a row's test is one lookup, not one per value
    texts: frozenset[str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if all(isinstance(v, str) for v in self.values):
            object.__setattr__(self, "texts", frozenset(str(v) for v in self.values))


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Expr


Expr: TypeAlias = "Cmp | In | And | Or | Not"


@dataclass(frozen=True, slots=True)
class Query:
    select: tuple[str, ...]  # empty: every property
    where: Expr | None
    order_by: tuple[tuple[str, bool], ...]  # (path, descending)

    def paths(self) -> set[str]:
        found = set(self.select) | {path for path, _ in self.order_by}
        if self.where is not None:
            _collect(self.where, found)
        return found

    def matches(self, row: Mapping[str, Any]) -> bool:
        return self.where is None or _eval(self.where, row)


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><>|!=|>=|<=|=|>|<)"
    r"|(?P<punct>[(),*])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_KEYWORDS = {"SELECT", "WHERE", "ORDER", "BY", "AND", "OR", "NOT", "IN", "ASC", "DESC"}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PqlError(f"unexpected character at position {position}: {text[position:][:20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        # "order" is a property of orders as well as a keyword: ORDER only before BY
        following = text[match.end() :].lstrip().upper()
        ordering = value.upper() != "ORDER" or following.startswith("BY")
        if kind == "word" and value.upper() in _KEYWORDS and ordering:
            kind, value = "kw", value.upper()
        tokens.append((kind, value))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            wanted = value or kind
            found = "the end" if token is None else repr(token[1])
            raise PqlError(f"expected {wanted}, found {found}")
        self.at += 1
        return token[1]

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (value is None or token[1] == value):
            self.at += 1
            return True
        return False

    def query(self) -> Query:
        self.take("kw", "SELECT")
        select: list[str] = []
        if not self.accept("punct", "*"):
            select.append(self.take("word"))
            while self.accept("punct", ","):
                select.append(self.take("word"))
        where = self.expr() if self.accept("kw", "WHERE") else None
        order: list[tuple[str, bool]] = []
        if self.accept("kw", "ORDER"):
            self.take("kw", "BY")
            while True:
                path = self.take("word")
                descending = self.accept("kw", "DESC")
                if not descending:
                    self.accept("kw", "ASC")
                order.append((path, descending))
                if not self.accept("punct", ","):
                    break
        if self.peek() is not None:
            raise PqlError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return Query(tuple(select), where, tuple(order))

    def expr(self) -> Expr:
        parts = [self.term()]
        while self.accept("kw", "OR"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def term(self) -> Expr:
        parts = [self.factor()]
        while self.accept("kw", "AND"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def factor(self) -> Expr:
        if self.accept("kw", "NOT"):
            return Not(self.factor())
        if self.accept("punct", "("):
            inner = self.expr()
            self.take("punct", ")")
            return inner
        path = self.take("word")
        if self.accept("kw", "IN"):
            self.take("punct", "(")
            values = [self.literal()]
            while self.accept("punct", ","):
                values.append(self.literal())
            self.take("punct", ")")
            return In(path, tuple(values))
        op = self.take("op")
        return Cmp(path, "<>" if op == "!=" else op, self.literal())

    def literal(self) -> Literal_:
        token = self.peek()
        if token is not None and token[0] == "str":
            self.at += 1
            return token[1][1:-1].replace("''", "'")
        if token is not None and token[0] == "num":
            self.at += 1
            return Decimal(token[1])
        raise PqlError(f"expected a literal, found {'the end' if token is None else token[1]!r}")


def parse_query(text: str) -> Query:
    return _Parser(text).query()


def _collect(expr: Expr, into: set[str]) -> None:
    if isinstance(expr, Cmp | In):
        into.add(expr.path)
    elif isinstance(expr, Not):
        _collect(expr.part, into)
    else:
        for part in expr.parts:
            _collect(part, into)


def comparable(value: Any, literal: Literal_) -> tuple[Any, Any] | None:
    """The row value and the literal as one type; None when the value is null."""
    if value is None:
        return None
    if isinstance(literal, Decimal):
        try:
            return Decimal(str(value)), literal
        except InvalidOperation:
            return str(value), str(literal)
    return str(value), literal


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _eval(expr: Expr, row: Mapping[str, Any]) -> bool:
    if isinstance(expr, Cmp):
        pair = comparable(row.get(expr.path), expr.value)
        return pair is not None and _OPS[expr.op](*pair)
    if isinstance(expr, In):
        if expr.texts is not None:
            value = row.get(expr.path)
            return value is not None and str(value) in expr.texts
        return any(
            (pair := comparable(row.get(expr.path), v)) is not None and pair[0] == pair[1]
            for v in expr.values
        )
    if isinstance(expr, Not):
        return not _eval(expr.part, row)
    if isinstance(expr, And):
        return all(_eval(part, row) for part in expr.parts)
    return any(_eval(part, row) for part in expr.parts)


@dataclass(frozen=True, slots=True)
class Bounds:
    """Inclusive range of one property that every matching row lies in (None: open)."""

    low: Literal_ | None = None
    high: Literal_ | None = None


def _max(a: Literal_ | None, b: Literal_ | None) -> Literal_ | None:
    if a is None or b is None:
        return a if b is None else b
    return a if type(a) is type(b) and a >= b else b  # type: ignore[operator]


def _min(a: Literal_ | None, b: Literal_ | None) -> Literal_ | None:
    if a is None or b is None:
        return a if b is None else b
    return a if type(a) is type(b) and a <= b else b  # type: ignore[operator]


def bounds_of(expr: Expr | None, path: str) -> Bounds:
    """A conservative range of ``path`` implied by the condition, so a store can seek."""
    if expr is None or isinstance(expr, Not):
        return Bounds()
    if isinstance(expr, Cmp):
        if expr.path != path:
            return Bounds()
        if expr.op in (">", ">="):
            return Bounds(low=expr.value)
        if expr.op in ("<", "<="):
            return Bounds(high=expr.value)
        return Bounds(expr.value, expr.value) if expr.op == "=" else Bounds()
    if isinstance(expr, In):
        if expr.path != path or len({type(v) for v in expr.values}) != 1:
            return Bounds()
        ordered = sorted(expr.values)
        return Bounds(ordered[0], ordered[-1])
    found = [bounds_of(part, path) for part in expr.parts]
    if isinstance(expr, And):
        low: Literal_ | None = None
        high: Literal_ | None = None
        for bound in found:
            low, high = _max(low, bound.low), _min(high, bound.high)
        return Bounds(low, high)
    return Bounds(_loosest(_min, [b.low for b in found]), _loosest(_max, [b.high for b in found]))


def exact_values(expr: Expr | None, path: str) -> frozenset[str] | None:
    """The only string values ``path`` can take under the condition (``=`` or ``IN``, alone or
    in an ``AND``), so a store can look them up; None when it is not restricted that way."""
    if isinstance(expr, Cmp):
        ok = expr.path == path and expr.op == "=" and isinstance(expr.value, str)
        return frozenset({str(expr.value)}) if ok else None
    if isinstance(expr, In):
        return expr.texts if expr.path == path else None
    if isinstance(expr, And):
        found = [v for part in expr.parts if (v := exact_values(part, path)) is not None]
        if not found:
            return None
        result = found[0]
        for values in found[1:]:
            result &= values
        return result
    return None


def _loosest(
    pick: Callable[[Literal_ | None, Literal_ | None], Literal_ | None],
    values: list[Literal_ | None],
) -> Literal_ | None:
    """The bound of a disjunction: none unless every part has one of the same type."""
    if not values or any(v is None for v in values) or len({type(v) for v in values}) != 1:
        return None
    result: Literal_ | None = None
    for value in values:
        result = value if result is None else pick(result, value)
    return result
