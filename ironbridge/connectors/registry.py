"""The catalog of connectors: the built-in ones plus any installed through an entry point.

Third-party packages register a ``Connector`` subclass under the ``ironbridge.connectors``
entry-point group; the entry-point name is ignored, the class's ``system.key`` is its key.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ironbridge.connectors.base import Connector

ENTRY_POINT_GROUP = "ironbridge.connectors"

# module path and class name of every built-in connector, imported on first use
BUILTIN_CONNECTORS: tuple[str, ...] = (
    "ironbridge.connectors.sandbox:SandboxConnector",
    "ironbridge.connectors.netsuite:NetSuiteConnector",
    "ironbridge.connectors.sap:SapS4HanaConnector",
    "ironbridge.connectors.maximo:MaximoConnector",
    "ironbridge.connectors.dynamics_bc:DynamicsBcConnector",
    "ironbridge.connectors.plex:PlexConnector",
    "ironbridge.connectors.infor_xa:InforXaConnector",
)

log = structlog.get_logger(__name__)


def _load(target: str) -> type[Connector]:
    module_name, _, attr = target.partition(":")
    cls: type[Connector] = getattr(importlib.import_module(module_name), attr)
    return cls


class ConnectorRegistry:
    """System key → connector class."""

    def __init__(self, classes: Iterable[type[Connector]] = ()) -> None:
        self._classes: dict[str, type[Connector]] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type[Connector]) -> None:
        self._classes[cls.system.key] = cls

    def get(self, key: str) -> type[Connector] | None:
        return self._classes.get(key)

    def keys(self) -> list[str]:
        return sorted(self._classes)

    def all(self) -> list[type[Connector]]:
        return [self._classes[k] for k in self.keys()]

    @classmethod
    def default(cls, *, discover: bool = True) -> ConnectorRegistry:
        registry = cls(_load(t) for t in BUILTIN_CONNECTORS)
        if discover:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    registry.register(ep.load())
                except Exception:  # a broken plug-in must not take the gateway down
                    log.exception("connector_entry_point_failed", entry_point=ep.name)
        return registry


__all__ = ["BUILTIN_CONNECTORS", "ENTRY_POINT_GROUP", "ConnectorRegistry"]
