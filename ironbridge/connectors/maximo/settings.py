"""A Maximo connection's settings from its configuration: where the API lives, how to sign
in, page size, object structure names, custom attributes and the priority scale."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.connectors.errors import AuthFailed, Rejected
from ironbridge.connectors.maximo.statuses import WO_PRIORITY
from ironbridge.models import EntityType, WorkOrderPriority

if TYPE_CHECKING:
    from ironbridge.connectors.base import ConnectionConfig

__all__ = ["CONTEXTS", "MAX_PAGE_SIZE", "Settings", "parse_settings"]

CONTEXTS = ("api", "oslc")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_EXAMPLE_URL = "https://maximo.example.com"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    base_url: str  # e.g. https://maximo.example.com/maximo/api/
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    structures: Mapping[EntityType, str] = field(default_factory=dict)
    custom_fields: Mapping[EntityType, tuple[str, ...]] = field(default_factory=dict)
    priorities: Mapping[int, WorkOrderPriority] = field(default_factory=lambda: WO_PRIORITY)


def _host_root(system: str, instance_url: str) -> str:
    """The host root: a pasted API URL is cut before ``/maximo``."""
    try:
        url = httpx.URL(instance_url.strip())
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise Rejected(system, f"the instance URL must be the host root, e.g. {_EXAMPLE_URL}")
    path = url.path.split("/maximo", 1)[0].rstrip("/")
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


def _entity_map(system: str, name: str, value: Any) -> dict[EntityType, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Rejected(system, f"option {name}: must be an object keyed by entity")
    result: dict[EntityType, Any] = {}
    for key, item in value.items():
        try:
            entity = EntityType(str(key).upper())
        except ValueError:
            raise Rejected(system, f"option {name}: {key} is not an entity") from None
        result[entity] = item
    return result


def _attribute_names(system: str, name: str, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) and i for i in items):
        raise Rejected(system, f"option {name}: must be a list of attribute names")
    return tuple(i.strip().lower() for i in items)


def _page_size(system: str, value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise Rejected(system, f"option page_size: must be a whole number 1..{MAX_PAGE_SIZE}")
    return value


def _priorities(system: str, value: Any) -> Mapping[int, WorkOrderPriority]:
    if value is None:
        return WO_PRIORITY
    if not isinstance(value, Mapping):
        raise Rejected(system, "option priorities: must map wopriority values to priorities")
    table: dict[int, WorkOrderPriority] = {}
    for key, item in value.items():
        try:
            table[int(key)] = WorkOrderPriority(str(item).upper())
        except ValueError:
            raise Rejected(system, f"option priorities: {key} → {item} is not valid") from None
    return MappingProxyType(table)


def parse_settings(system: str, config: ConnectionConfig) -> Settings:
    credentials, options = config.credentials, config.options
    api_key = (credentials.get("api_key") or "").strip() or None
    username = (credentials.get("username") or "").strip() or None
    password = credentials.get("password") or None
    if api_key is None and (username is None or password is None):
        raise AuthFailed(system, "an API key is required (or a user name and a password)")
    context = str(options.get("context", "api")).strip().lower()
    if context not in CONTEXTS:
        raise Rejected(system, f"option context: must be one of {', '.join(CONTEXTS)}")
    structures = {
        entity: _attribute_names(system, "object_structures", name)[0]
        for entity, name in _entity_map(
            system, "object_structures", options.get("object_structures")
        ).items()
    }
    custom = {
        entity: _attribute_names(system, "custom_fields", names)
        for entity, names in _entity_map(
            system, "custom_fields", options.get("custom_fields")
        ).items()
    }
    return Settings(
        base_url=f"{_host_root(system, config.instance_url)}/maximo/{context}/",
        api_key=api_key,
        username=None if api_key else username,
        password=None if api_key else password,
        page_size=_page_size(system, options.get("page_size", DEFAULT_PAGE_SIZE)),
        structures=MappingProxyType(structures),
        custom_fields=MappingProxyType(custom),
        priorities=_priorities(system, options.get("priorities")),
    )
