"""A small, safe SuiteQL parser: the subset of SELECT the emulator answers, as a plain tree.

Anything outside the subset raises ``SuiteQLError``; nothing is ever evaluated as code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "DATE_FORMATS",
    "And",
    "Column",
    "Compare",
    "Condition",
    "InList",
    "IsNull",
    "Literal",
    "Not",
    "Operand",
    "Or",
    "OrderItem",
    "Query",
    "SelectItem",
    "SuiteQLError",
    "ToChar",
    "ToDate",
    "parse",
]

# Oracle-style format masks the emulator understands, and their strftime equivalents
DATE_FORMATS: dict[str, str] = {
    "YYYY-MM-DD HH24:MI:SS": "%Y-%m-%d %H:%M:%S",
    "YYYY-MM-DD": "%Y-%m-%d",
    "MM/DD/YYYY": "%m/%d/%Y",
}
_COMPARISONS = ("=", "<>", "!=", "<", "<=", ">", ">=")
_KEYWORDS = frozenset(
    {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "ORDER", "BY", "ASC",
     "DESC", "AS", "TO_DATE", "TO_CHAR"}
)  # fmt: skip
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|<>|!=|=|<|>)
      | (?P<punct>[(),*])
    )""",
    re.VERBOSE,
)


class SuiteQLError(ValueError):
    """The query is outside the supported subset or malformed."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | Decimal


@dataclass(frozen=True, slots=True)
class ToDate:
    """``TO_DATE('2024-05-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS')``: a local wall-clock time."""

    value: datetime
    mask: str


@dataclass(frozen=True, slots=True)
class ToChar:
    """``TO_CHAR(column, 'YYYY-MM-DD HH24:MI:SS')`` in a select list."""

    column: str
    mask: str


Operand: TypeAlias = Column | Literal | ToDate


@dataclass(frozen=True, slots=True)
class Compare:
    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True, slots=True)
class InList:
    operand: Operand
    values: tuple[Operand, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    operand: Operand
    negated: bool = False


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Condition


Condition: TypeAlias = Compare | InList | IsNull | And | Or | Not


@dataclass(frozen=True, slots=True)
class SelectItem:
    expr: Column | ToChar
    alias: str


@dataclass(frozen=True, slots=True)
class OrderItem:
    column: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    table: str
    select: tuple[SelectItem, ...] | None  # None: SELECT *
    where: Condition | None = None
    order: tuple[OrderItem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, number, word, keyword, op, punct, end
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            start = len(text) - len(text[position:].lstrip())
            raise SuiteQLError(f"unexpected character {text[start]!r} at position {start}")
        kind = found.lastgroup or ""
        value, start = found.group(kind), found.start(kind)
        if kind == "word" and value.upper() in _KEYWORDS:
            kind, value = "keyword", value.upper()
        elif kind == "word":
            value = value.lower()
        tokens.append(_Token(kind, value, start))
        position = found.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def _fail(self, expected: str) -> SuiteQLError:
        token = self.current
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        return SuiteQLError(f"expected {expected} at position {token.position}, found {found}")

    def accept(self, kind: str, text: str | None = None) -> _Token | None:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, text: str | None = None, *, what: str | None = None) -> _Token:
        token = self.accept(kind, text)
        if token is None:
            raise self._fail(what or text or kind)
        return token

    def string(self) -> str:
        return self.expect("string", what="a quoted string").text[1:-1].replace("''", "'")

    def mask(self) -> str:
        mask = self.string().upper()
        if mask not in DATE_FORMATS:
            raise SuiteQLError(f"unsupported date format {mask!r}; use one of {list(DATE_FORMATS)}")
        return mask

    # -- statement ------------------------------------------------------------------------

    def query(self) -> Query:
        self.expect("keyword", "SELECT")
        select = None if self.accept("punct", "*") else self.select_list()
        self.expect("keyword", "FROM")
        table = self.expect("word", what="a table name").text
        where = self.condition() if self.accept("keyword", "WHERE") else None
        order: tuple[OrderItem, ...] = ()
        if self.accept("keyword", "ORDER"):
            self.expect("keyword", "BY")
            order = self.order_list()
        if self.current.kind != "end":
            raise self._fail("the end of the query")
        return Query(table=table, select=select, where=where, order=order)

    def select_list(self) -> tuple[SelectItem, ...]:
        items = [self.select_item()]
        while self.accept("punct", ","):
            items.append(self.select_item())
        aliases = [item.alias for item in items]
        if len(set(aliases)) != len(aliases):
            raise SuiteQLError("duplicate column names in the select list")
        return tuple(items)

    def select_item(self) -> SelectItem:
        expr: Column | ToChar
        if self.accept("keyword", "TO_CHAR"):
            self.expect("punct", "(")
            column = self.expect("word", what="a column name").text
            self.expect("punct", ",")
            expr = ToChar(column, self.mask())
            self.expect("punct", ")")
            alias = f"to_char({column})"
        else:
            expr = Column(self.expect("word", what="a column name").text)
            alias = expr.name
        if self.accept("keyword", "AS"):
            alias = self.expect("word", what="a column alias").text
        elif (word := self.accept("word")) is not None:
            alias = word.text
        return SelectItem(expr, alias)

    def order_list(self) -> tuple[OrderItem, ...]:
        items: list[OrderItem] = []
        while True:
            column = self.expect("word", what="a column name").text
            descending = bool(self.accept("keyword", "DESC"))
            if not descending:
                self.accept("keyword", "ASC")
            items.append(OrderItem(column, descending))
            if not self.accept("punct", ","):
                return tuple(items)

    # -- conditions -----------------------------------------------------------------------

    def condition(self) -> Condition:
        parts = [self.conjunction()]
        while self.accept("keyword", "OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.negation()]
        while self.accept("keyword", "AND"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def negation(self) -> Condition:
        if self.accept("keyword", "NOT"):
            return Not(self.negation())
        if self.accept("punct", "("):
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        return self.predicate()

    def predicate(self) -> Condition:
        left = self.operand()
        if (op := self.accept("op")) is not None:
            return Compare(left, op.text, self.operand())
        if self.accept("keyword", "IS"):
            negated = bool(self.accept("keyword", "NOT"))
            self.expect("keyword", "NULL")
            return IsNull(left, negated)
        negated = bool(self.accept("keyword", "NOT"))
        if self.accept("keyword", "IN"):
            self.expect("punct", "(")
            values = [self.operand()]
            while self.accept("punct", ","):
                values.append(self.operand())
            self.expect("punct", ")")
            if len(values) > 1000:
                raise SuiteQLError("an IN list holds at most 1000 values")
            return InList(left, tuple(values), negated)
        raise self._fail("a comparison (=, <>, <, <=, >, >=), IN or IS NULL")

    def operand(self) -> Operand:
        if (token := self.accept("string")) is not None:
            return Literal(token.text[1:-1].replace("''", "'"))
        if (token := self.accept("number")) is not None:
            return Literal(Decimal(token.text))
        if self.accept("keyword", "TO_DATE"):
            self.expect("punct", "(")
            text = self.string()
            self.expect("punct", ",")
            mask = self.mask()
            self.expect("punct", ")")
            try:
                value = datetime.strptime(text, DATE_FORMATS[mask])
            except ValueError:
                raise SuiteQLError(f"{text!r} does not match the format {mask!r}") from None
            return ToDate(value, mask)
        if (token := self.accept("word")) is not None:
            return Column(token.text)
        raise self._fail("a column, a quoted string, a number or TO_DATE(...)")


def parse(text: str) -> Query:
    """The query tree of ``text``, or ``SuiteQLError`` saying what is wrong or unsupported."""
    if not isinstance(text, str) or not text.strip():
        raise SuiteQLError("the query is empty")
    if len(text) > 100_000:
        raise SuiteQLError("the query is too long")
    return _Parser(text).query()
