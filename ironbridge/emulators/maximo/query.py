"""``oslc.where``, ``oslc.select`` and ``oslc.orderBy``: parsed as Maximo reads them, and the
query runner that picks the cheapest way through a table (key lookup, stamp range, full scan)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ironbridge.emulators.maximo.errors import QUERY_NOT_PARSED, MaximoError
from ironbridge.emulators.maximo.samples import Malformed
from ironbridge.emulators.maximo.structures import Kind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from ironbridge.emulators.maximo.store import Row, StampRange, Table
    from ironbridge.emulators.maximo.structures import Structure

__all__ = [
    "ALL",
    "Condition",
    "Order",
    "Selection",
    "parse_order",
    "parse_select",
    "parse_where",
    "run_query",
]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"[^"]*")
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<list>\[|\]|,)
      | (?P<number>-?\d+(?:\.\d+)?(?![\w.:]))
      | (?P<word>[A-Za-z_][\w.:]*)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_PARSE_HELP = (
    "The OSLC query was not parsed. Ensure that the query in the HTTP request follows the "
    "correct syntax of the OSLC query specification."
)


def _not_parsed(found: str, column: int, expected: str) -> MaximoError:
    return MaximoError(
        400,
        QUERY_NOT_PARSED,
        f'{_PARSE_HELP}\n\tEncountered " {found} " at line 1, column {column}.\r\n'
        f"Was expecting:\r\n    {expected} ...\r\n",
    )


def _bad_query(detail: str) -> MaximoError:
    return MaximoError(400, QUERY_NOT_PARSED, f"{_PARSE_HELP}\n\t{detail}")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        found.append(_Token(kind, match.group(kind), match.start(kind) + 1))
    return found


@dataclass(frozen=True, slots=True)
class Condition:
    """``attr op value`` (``op`` is ``in`` for lists); values typed for the attribute."""

    attr: str
    op: str
    values: tuple[Any, ...]
    like: bool = False

    def matches(self, row: Row) -> bool:
        value = row.get(self.attr)
        if self.values == ("*",) and self.op in ("=", "!="):
            return (value is not None) == (self.op == "=")
        if self.op == "in":
            return any(_equal(value, v) for v in self.values)
        target = self.values[0]
        if self.like:
            matched = isinstance(value, str) and _like(target).fullmatch(value) is not None
            return matched if self.op == "=" else (value is not None and not matched)
        if value is None or isinstance(value, Malformed):
            return False
        if self.op == "=":
            return _equal(value, target)
        if self.op == "!=":
            return not _equal(value, target)
        try:
            return bool(_COMPARE[self.op](value, target))
        except TypeError:
            return False


def _equal(value: Any, target: Any) -> bool:
    if isinstance(value, bool) or isinstance(target, bool):
        return bool(value) == bool(target) if value is not None else False
    return bool(value == target)


def _like(pattern: str) -> re.Pattern[str]:
    parts = (re.escape(p) for p in pattern.split("%"))
    return re.compile(".*".join(parts), re.IGNORECASE | re.DOTALL)


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


class _WhereParser:
    def __init__(self, text: str, structure: Structure, zone: tzinfo) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.structure = structure
        self.zone = zone

    def take(self, expected: str) -> _Token:
        if self.position >= len(self.tokens):
            raise _not_parsed("<EOF>", len(self.tokens) + 1, expected)
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> list[Condition]:
        conditions = [self.condition()]
        while self.position < len(self.tokens):
            token = self.take("<BOOLEAN_OP>")
            if token.kind != "word" or token.text.lower() != "and":
                raise _not_parsed(f'<IDENTIFIER> "{token.text} "', token.column, "<BOOLEAN_OP>")
            conditions.append(self.condition())
        return conditions

    def condition(self) -> Condition:
        name = self.take("<IDENTIFIER>")
        if name.kind != "word":
            raise _not_parsed(f'"{name.text}"', name.column, "<IDENTIFIER>")
        attr = name.text.lower().removeprefix("spi:")
        if "." in attr:
            raise _bad_query(f"Related attribute {name.text} is not supported by the emulator.")
        kind = self.structure.kind(attr)
        if kind is None:
            raise _bad_query(
                f"The attribute {attr.upper()} is not in object structure {self.structure.name}."
            )
        op = self.take("<COMPARE_OP>")
        if op.kind == "word" and op.text.lower() == "in":
            return Condition(attr, "in", tuple(self.value_list(attr, kind)))
        if op.kind != "op":
            raise _not_parsed(f'"{op.text}"', op.column, "<COMPARE_OP>")
        token = self.take("<VALUE>")
        if token.kind == "string" and token.text[1:-1] == "*" and op.text in ("=", "!="):
            return Condition(attr, op.text, ("*",))
        value = self.value(token, attr, kind)
        like = kind is Kind.STRING and isinstance(value, str) and "%" in value
        return Condition(attr, op.text, (value,), like=like)

    def value_list(self, attr: str, kind: Kind) -> list[Any]:
        opening = self.take("[")
        if opening.text != "[":
            raise _not_parsed(f'"{opening.text}"', opening.column, '"["')
        values = [self.value(self.take("<VALUE>"), attr, kind)]
        while (token := self.take("]")).text == ",":
            values.append(self.value(self.take("<VALUE>"), attr, kind))
        if token.text != "]":
            raise _not_parsed(f'"{token.text}"', token.column, '"]"')
        return values

    def value(self, token: _Token, attr: str, kind: Kind) -> Any:
        text = token.text[1:-1] if token.kind == "string" else token.text
        if token.kind not in ("string", "number", "word"):
            raise _not_parsed(f'"{token.text}"', token.column, "<VALUE>")
        if kind is Kind.STRING:
            if token.kind != "string":
                raise _bad_query(f"The value {text} for {attr.upper()} must be in double quotes.")
            return text
        if kind is Kind.DATETIME:
            if token.kind != "string":
                raise _bad_query(f"The date {text} for {attr.upper()} must be in double quotes.")
            try:
                instant = datetime.fromisoformat(text)
            except ValueError:
                raise _bad_query(f"{text} is not a valid ISO date for {attr.upper()}.") from None
            return instant if instant.tzinfo else instant.replace(tzinfo=self.zone)
        if kind is Kind.BOOLEAN:
            flags = {"true": True, "1": True, "false": False, "0": False}
            if text.lower() not in flags:
                raise _bad_query(f"{text} is not a boolean value for {attr.upper()}.")
            return flags[text.lower()]
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _bad_query(f"{text} is not a number for {attr.upper()}.") from None
        return int(number) if kind is Kind.INTEGER and number == number.to_integral() else number


def parse_where(text: str | None, structure: Structure, zone: tzinfo) -> list[Condition]:
    if not text or not text.strip():
        return []
    return _WhereParser(text, structure, zone).parse()


# -- oslc.select -------------------------------------------------------------------------


ALL = "*"


@dataclass(slots=True)
class Selection:
    """Attributes to render (``ALL`` for every one) and the child objects with theirs."""

    attrs: set[str] = field(default_factory=set)
    children: dict[str, Selection] = field(default_factory=dict)

    @property
    def everything(self) -> bool:
        return ALL in self.attrs

    def __bool__(self) -> bool:
        return bool(self.attrs or self.children)


def parse_select(text: str | None) -> Selection:
    """``wonum,status,poline{polinenum,itemnum}`` or ``*``; related (dotted) names are kept
    as given and render nothing."""
    selection = Selection()
    if not text:
        return selection
    position = _select_into(selection, text.replace(" ", ""), 0)
    if position != len(text.replace(" ", "")):
        raise _bad_query(f"oslc.select has an unbalanced '}}' at {position + 1}.")
    return selection


def _select_into(selection: Selection, text: str, position: int) -> int:
    name = ""
    while position < len(text):
        char = text[position]
        if char == "{":
            child = Selection()
            position = _select_into(child, text, position + 1)
            if position >= len(text) or text[position] != "}":
                raise _bad_query(f"oslc.select has no '}}' for {name}.")
            selection.children[name.lower()] = child
            name = ""
        elif char == "}":
            break
        elif char == ",":
            if name:
                selection.attrs.add(name.lower())
            name = ""
        else:
            name += char
        position += 1
    if name:
        selection.attrs.add(name.lower())
    return position


# -- oslc.orderBy ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Order:
    attr: str
    descending: bool = False


def parse_order(text: str | None, structure: Structure) -> list[Order]:
    """``+changedate,+wonum``; a ``+`` decoded as a space (unencoded in the URL) is ascending."""
    orders: list[Order] = []
    for part in (text or "").split(","):
        name = part.strip()
        if not name:
            continue
        descending = name.startswith("-")
        attr = name.lstrip("+-").strip().lower()
        if structure.kind(attr) is None:
            raise _bad_query(f"The attribute {attr.upper()} in oslc.orderBy is not valid.")
        orders.append(Order(attr, descending))
    return orders


# -- running a query ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    uids: list[int]
    total: int | None  # None when not asked for and not known cheaply
    more: bool


def run_query(
    table: Table,
    structure: Structure,
    conditions: list[Condition],
    orders: list[Order],
    *,
    skip: int,
    limit: int,
    count: bool,
) -> Result:
    """One page of ``limit`` uids after ``skip``, choosing the cheapest access path."""
    lookup = _lookup_values(structure, conditions)
    ranged = _stamp_range(table, structure, conditions, orders)
    if lookup is not None:
        uids = sorted({u for v in lookup for u in table.lookup(v)})
        candidates: Iterator[int] = iter(uids)
    elif ranged is not None:
        page = list(_take(ranged.iterate(skip), limit + 1))
        total = len(ranged) if count else None
        return Result(page[:limit], total, len(page) > limit)
    else:
        candidates = table.natural()
    rows = ((u, table.get(u)) for u in candidates)
    matching = [(u, r) for u, r in rows if r is not None and all(c.matches(r) for c in conditions)]
    for order in reversed(orders):
        matching.sort(key=_by(order.attr), reverse=order.descending)
    window = matching[skip : skip + limit]
    return Result([u for u, _r in window], len(matching), skip + limit < len(matching))


def _take(items: Iterator[int], n: int) -> Iterator[int]:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


def _by(attr: str) -> Callable[[tuple[int, Row]], tuple[int, Any]]:
    return lambda pair: _sort_value(pair[1].get(attr))


def _sort_value(value: Any) -> tuple[int, Any]:
    # nulls first, then values of one type; Malformed values sort as text
    if value is None:
        return 0, ""
    if isinstance(value, str | int | Decimal | datetime | bool):
        return 1, value
    return 2, str(value)


def _lookup_values(structure: Structure, conditions: list[Condition]) -> list[str] | None:
    for c in conditions:
        plain = not c.like and c.values != ("*",)
        if c.attr == structure.number and plain and c.op in ("=", "in"):
            return [str(v) for v in c.values]
    return None


def _stamp_range(
    table: Table, structure: Structure, conditions: list[Condition], orders: list[Order]
) -> StampRange | None:
    stamp = structure.stamp
    if stamp is None or any(c.attr != stamp or c.op not in _COMPARE for c in conditions):
        return None
    if orders and (orders[0] != Order(stamp) or orders[1:] not in ([], [Order(structure.number)])):
        return None
    bounds: dict[str, Any] = {}
    for c in conditions:
        value = c.values[0]
        if not isinstance(value, datetime):
            return None
        side = "low" if c.op in (">", ">=") else "high"
        if side in bounds:
            return None
        bounds[side] = value
        bounds[f"{side}_strict"] = c.op in (">", "<")
    return table.by_stamp(**bounds)
