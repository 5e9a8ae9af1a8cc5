"""What the shared connector contract suite needs to know of each system and its emulator:
one ``ContractHarness`` per system (or variant), found by ``discover()``."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from ironbridge.connectors.base import Connector
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.models import EntityType


def _no_ids(_app: EmulatorApp, _entity: EntityType) -> set[str]:
    return set()


def _same_url(base_url: str) -> str:
    return base_url


def _unknown_id(_entity: EntityType) -> str:
    return "999999999"


@dataclass(frozen=True, kw_only=True)
class ContractHarness:
    """One system (or one variant of it) under the contract suite.

    Every system provides ``tests/connectors/<package>/harness.py`` exporting ``HARNESS`` (one
    harness) or ``HARNESSES`` (several, e.g. one per protocol variant); the suite runs the same
    tests against each, over real HTTP on loopback. Every callable is given the emulator app
    built by ``make_app`` for the current test; remote ids are the connector's unified ids
    (``Record.remote_id``).
    """

    # the system's key in the connector registry, e.g. "sap-s4hana"
    system_key: str
    # the connector class under test; the suite builds it from a ConnectionConfig
    connector: type[Connector]
    # a fresh, small, deterministic emulator: fixed anchor time, a few dozen records per entity
    # and pages small enough that every entity spans several pages
    make_app: Callable[[], EmulatorApp]
    # credentials the emulator accepts, keyed by the system's auth field names
    credentials: Callable[[EmulatorApp], dict[str, str]]
    # credentials it refuses (a wrong password)
    bad_credentials: Callable[[EmulatorApp], dict[str, str]]
    # every unified remote id the connector must map for an entity (malformed ones excluded)
    expected_ids: Callable[[EmulatorApp, EntityType], set[str]]
    # change records in the emulator, by unified remote id, stamped ``at`` (None: now), as a
    # user editing them in the system would; entities without a stamp change visibly
    touch: Callable[[EmulatorApp, EntityType, list[str], datetime | None], None]
    # make records disappear from the system as it deletes them for good; a system with a
    # delete signal (EntitySupport.delete_signal) must then report them in deleted_remote_ids
    delete: Callable[[EmulatorApp, EntityType, list[str]], None]
    # connection options (e.g. {"odata_version": "v2"}); one harness per variant worth testing
    options: Mapping[str, Any] = field(default_factory=dict)
    # remote ids that must come back as Batch.failures (the emulator's malformed records)
    malformed_ids: Callable[[EmulatorApp, EntityType], set[str]] = _no_ids
    # the instance URL a user would enter, from the emulator's base URL (add a context path)
    instance_url: Callable[[str], str] = _same_url
    # an id of the entity's shape that the emulator does not hold
    unknown_id: Callable[[EntityType], str] = _unknown_id
    # a short name for test ids, e.g. "sap-s4hana-v2"; the system key when empty
    name: str = ""
    # credentials (good, bad) that name the emulator's base URL, e.g. a token-endpoint file;
    # used by the suite instead of ``credentials`` / ``bad_credentials`` when set
    credentials_for_url: Callable[[EmulatorApp, str], dict[str, str]] | None = None
    bad_credentials_for_url: Callable[[EmulatorApp, str], dict[str, str]] | None = None

    @property
    def id(self) -> str:
        return self.name or self.system_key

    def credentials_at(self, app: EmulatorApp, base_url: str) -> dict[str, str]:
        """The credentials to use with the emulator served at ``base_url``."""
        if self.credentials_for_url is not None:
            return self.credentials_for_url(app, base_url)
        return self.credentials(app)

    def bad_credentials_at(self, app: EmulatorApp, base_url: str) -> dict[str, str]:
        if self.bad_credentials_for_url is not None:
            return self.bad_credentials_for_url(app, base_url)
        return self.bad_credentials(app)


def discover() -> list[ContractHarness]:
    """Every ``HARNESS`` / ``HARNESSES`` under ``tests/connectors/*/harness.py``, by id."""
    import tests.connectors as package

    found: list[ContractHarness] = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg or info.name == "contract":
            continue
        name = f"tests.connectors.{info.name}.harness"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a harness that fails to import is an error, not an absence
                raise
            continue
        harnesses = getattr(module, "HARNESSES", None) or [module.HARNESS]
        found.extend(harnesses)
    return sorted(found, key=lambda h: h.id)


__all__ = ["ContractHarness", "discover"]
