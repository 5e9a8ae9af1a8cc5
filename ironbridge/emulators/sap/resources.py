"""Resource paths of a service: ``Set``, ``Set('k')``, ``Set(A='k',B='k')/nav``, ``Set/$count``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ironbridge.emulators.sap.errors import ODataError

if TYPE_CHECKING:
    from ironbridge.emulators.sap.model import EntitySet
    from ironbridge.emulators.sap.tables import Key

__all__ = ["NOT_FOUND", "Resource", "not_found", "parse_key", "parse_resource"]

NOT_FOUND = "/IWBEP/CM_MGW_RT/020"
_SYNTAX = "/IWBEP/CM_MGW_RT/101"


def not_found(segment: str) -> ODataError:
    return ODataError(404, NOT_FOUND, f"Resource not found for segment '{segment}'")


@dataclass(frozen=True, slots=True)
class Resource:
    entity_set: str
    key: str | None = None
    navigation: str | None = None
    count: bool = False


def _closing(text: str, start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start``, skipping quoted literals."""
    quoted = False
    for index in range(start + 1, len(text)):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif char == ")" and not quoted:
            return index
    raise ODataError(400, _SYNTAX, f"Unbalanced parentheses in resource path '{text}'")


def parse_resource(path: str) -> Resource:
    path = path.strip("/")
    name_end = len(path)
    for index, char in enumerate(path):
        if char in "(/":
            name_end = index
            break
    name = path[:name_end]
    rest = path[name_end:]
    key: str | None = None
    if rest.startswith("("):
        close = _closing(rest, 0)
        key, rest = rest[1:close], rest[close + 1 :]
    segments = [s for s in rest.split("/") if s]
    count = bool(segments) and segments[-1] == "$count"
    if count:
        segments = segments[:-1]
    if len(segments) > 1:
        raise not_found(segments[1])
    return Resource(name, key, segments[0] if segments else None, count)


def _literal(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == "'" and text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


def _split_pairs(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == "'":
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_key(entity_set: EntitySet, text: str) -> Key:
    """The key tuple of a key predicate, in the entity's key order."""
    invalid = ODataError(
        400, _SYNTAX, f"Invalid key predicate '({text})' for type {entity_set.type_name}"
    )
    parts = _split_pairs(text)
    if len(parts) == 1 and "=" not in parts[0].split("'")[0]:
        if len(entity_set.keys) != 1:
            raise invalid
        return (_literal(parts[0]),)
    values: dict[str, str] = {}
    for part in parts:
        name, sep, literal = part.partition("=")
        if not sep or name.strip() not in entity_set.keys:
            raise invalid
        values[name.strip()] = _literal(literal)
    if set(values) != set(entity_set.keys):
        raise invalid
    return tuple(values[k] for k in entity_set.keys)
