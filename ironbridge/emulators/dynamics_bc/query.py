"""OData V4 query options as Business Central reads them: ``$filter`` (comparisons joined by
``and``/``or``, parentheses, ``not``), ``$select``, ``$orderby``, ``$top``, ``$skip``,
``$expand`` and the ``$skiptoken`` of a next link."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from ironbridge.emulators.dynamics_bc.errors import BcError, bad_request
from ironbridge.emulators.dynamics_bc.store import STAMP, parse_stamp

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "Compare",
    "Expr",
    "Logical",
    "Not",
    "decode_skiptoken",
    "encode_skiptoken",
    "id_set",
    "matches",
    "parse_filter",
    "stamp_bound",
]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\() | (?P<close>\)) |
      (?P<string>'(?:[^']|'')*') |
      (?P<instant>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?) |
      (?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}) |
      (?P<date>\d{4}-\d{2}-\d{2}) |
      (?P<number>-?\d+(?:\.\d+)?) |
      (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_OPERATORS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Logical:
    op: str  # "and" | "or"
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Not:
    inner: Expr


Expr: TypeAlias = Compare | Logical | Not


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise bad_request(f"Syntax error at position {pos} in '{text}'.")
        kind = match.lastgroup
        assert kind is not None
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


class _Parser:
    def __init__(self, text: str, fields: frozenset[str], entity_type: str) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.fields = fields
        self.entity_type = entity_type

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise bad_request("Syntax error: the filter ends too early.")
        self.pos += 1
        return token

    def parse(self) -> Expr:
        expr = self.disjunction()
        if self.peek() is not None:
            raise bad_request(f"Syntax error: unexpected '{self.peek()[1]}'.")  # type: ignore[index]
        return expr

    def disjunction(self) -> Expr:
        left = self.conjunction()
        while self.peek() == ("word", "or"):
            self.take()
            left = Logical("or", left, self.conjunction())
        return left

    def conjunction(self) -> Expr:
        left = self.unary()
        while self.peek() == ("word", "and"):
            self.take()
            left = Logical("and", left, self.unary())
        return left

    def unary(self) -> Expr:
        token = self.take()
        if token == ("word", "not"):
            return Not(self.unary())
        if token[0] == "open":
            inner = self.disjunction()
            if self.take()[0] != "close":
                raise bad_request("Syntax error: ')' expected.")
            return inner
        if token[0] != "word":
            raise bad_request(f"Syntax error: a property name was expected, not '{token[1]}'.")
        name = token[1]
        if name not in self.fields:
            raise bad_request(
                f"Could not find a property named '{name}' on type '{self.entity_type}'."
            )
        kind, op = self.take()
        if kind != "word" or op not in _OPERATORS:
            raise bad_request(f"Syntax error: unknown operator '{op}'.")
        return Compare(name, op, _literal(self.take()))


def _literal(token: tuple[str, str]) -> Any:
    kind, text = token
    if kind == "string":
        return text[1:-1].replace("''", "'")
    if kind == "instant":
        return parse_stamp(text.replace("Z", "+00:00"))
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "guid":
        return text.lower()
    if kind == "number":
        return float(text)
    if kind == "word" and text in ("true", "false"):
        return text == "true"
    if kind == "word" and text == "null":
        return None
    raise bad_request(f"Syntax error: '{text}' is not a literal.")


def parse_filter(text: str, fields: frozenset[str], entity_type: str) -> Expr:
    return _Parser(text, fields, entity_type).parse()


def _value(row: Mapping[str, Any], name: str, like: Any) -> Any:
    value = row.get(name)
    if isinstance(like, datetime):
        return parse_stamp(value) if isinstance(value, str) else value
    if isinstance(like, date) and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, str) and isinstance(like, str) and name == "id":
        return value.lower()
    return value


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool(
            {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
        )
    except TypeError as exc:
        raise bad_request("Incompatible types in a comparison.") from exc


def matches(expr: Expr | None, row: Mapping[str, Any]) -> bool:
    if expr is None:
        return True
    if isinstance(expr, Compare):
        return _compare(_value(row, expr.field, expr.value), expr.op, expr.value)
    if isinstance(expr, Not):
        return not matches(expr.inner, row)
    if expr.op == "and":
        return matches(expr.left, row) and matches(expr.right, row)
    return matches(expr.left, row) or matches(expr.right, row)


def stamp_bound(expr: Expr | None) -> tuple[datetime, bool] | None:
    """The lower bound a top-level ``and`` puts on the change stamp: (instant, strict)."""
    if isinstance(expr, Compare) and expr.field == STAMP and isinstance(expr.value, datetime):
        if expr.op in ("gt", "ge"):
            return expr.value, expr.op == "gt"
        return None
    if isinstance(expr, Logical) and expr.op == "and":
        return stamp_bound(expr.left) or stamp_bound(expr.right)
    return None


def id_set(expr: Expr | None) -> set[str] | None:
    """The ids of a filter that is only ``id eq X`` terms joined by ``or``, else None."""
    if isinstance(expr, Compare) and expr.field == "id" and expr.op == "eq":
        return {str(expr.value).lower()}
    if isinstance(expr, Logical) and expr.op == "or":
        left, right = id_set(expr.left), id_set(expr.right)
        return None if left is None or right is None else left | right
    return None


def encode_skiptoken(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_skiptoken(token: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BcError(400, "BadRequest_InvalidToken", "The skip token is not valid.") from exc
    if not isinstance(values, list):
        raise BcError(400, "BadRequest_InvalidToken", "The skip token is not valid.")
    return [
        datetime.fromisoformat(v).astimezone(UTC) if isinstance(v, str) and "T" in v else v
        for v in values
    ]
