"""One module per system for ``benchmarks/connector_fetch.py``.

Each module exports ``BENCHMARK``: a ``SystemBenchmark`` subclass naming the system's emulator,
its connector and the same pages followed with plain httpx. ``systems()`` finds them all.
"""

from __future__ import annotations

import abc
import importlib
import pkgutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

import httpx

if TYPE_CHECKING:
    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.models import EntityType

# the fixed instant every benchmark emulator derives its records from
ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)


class SystemBenchmark(abc.ABC):
    """What one system contributes: its emulator, its connector and the same pages in httpx."""

    key: ClassVar[str]
    entity: ClassVar[EntityType]

    @abc.abstractmethod
    def emulator(self, *, records: int, page_size: int) -> EmulatorApp: ...

    @abc.abstractmethod
    def connector(self, base_url: str) -> Connector: ...

    def client(self, base_url: str) -> httpx.AsyncClient:
        """The plain client the baseline uses (override to add the system's auth)."""
        return httpx.AsyncClient(base_url=base_url, timeout=120)

    @abc.abstractmethod
    async def plain(self, client: httpx.AsyncClient) -> tuple[int, int]:
        """Follow the connector's pages with httpx alone: (records, lines)."""


def systems() -> dict[str, type[SystemBenchmark]]:
    """System key → benchmark, from every module of this package."""
    found: dict[str, type[SystemBenchmark]] = {}
    for module in pkgutil.iter_modules(__path__):
        bench = getattr(importlib.import_module(f"{__name__}.{module.name}"), "BENCHMARK", None)
        if bench is not None:
            found[bench.key] = bench
    return found


__all__ = ["ANCHOR", "SystemBenchmark", "systems"]
