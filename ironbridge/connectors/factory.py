"""Making the connector of a connection, including ``sandbox: true`` for any system.

A sandbox connection of a real system talks to that system's emulator in this process, seeded
with sample data, so a user sees exactly what that system's data looks like once unified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.connectors.base import ConnectionConfig

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ironbridge.connectors.base import Connector
    from ironbridge.connectors.registry import ConnectorRegistry
    from ironbridge.emulators.control import EmulatorApp

# one seeded emulator per system and process, shared by every sandbox connection of it
_SANDBOX_EMULATORS: dict[str, EmulatorApp] = {}


class UnknownSystem(LookupError):
    pass


def sandbox_url(system_key: str) -> str:
    return f"http://sandbox.{system_key}.invalid"


def sandbox_emulator(system_key: str) -> EmulatorApp | None:
    """The in-process emulator behind sandbox connections of ``system_key``, if it has one."""
    from ironbridge.emulators.server import EMULATORS, create_emulator

    if system_key not in EMULATORS:
        return None
    if system_key not in _SANDBOX_EMULATORS:
        _SANDBOX_EMULATORS[system_key] = create_emulator(system_key)
    return _SANDBOX_EMULATORS[system_key]


def open_connector(
    registry: ConnectorRegistry,
    system_key: str,
    *,
    connection_id: str,
    instance_url: str,
    credentials: Mapping[str, str],
    options: Mapping[str, Any] | None = None,
    sandbox: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    wrap_transport: Callable[[httpx.AsyncBaseTransport | None], httpx.AsyncBaseTransport]
    | None = None,
) -> Connector:
    """The connector of ``system_key`` for one connection. ``wrap_transport`` is given the
    transport the connector will use (None: its own default) and returns the one it uses
    instead, e.g. to spend a shared request budget on every call."""
    cls = registry.get(system_key)
    if cls is None:
        raise UnknownSystem(system_key)
    if sandbox and not cls.system.sandbox_only:
        app = sandbox_emulator(system_key)
        if app is not None:
            from ironbridge.emulators.control import emulator_of

            transport = httpx.ASGITransport(app=app)
            instance_url = sandbox_url(system_key)
            credentials = dict(emulator_of(app).credentials)
    if wrap_transport is not None:
        transport = wrap_transport(transport)
    config = ConnectionConfig(
        connection_id=connection_id,
        instance_url=instance_url,
        credentials=dict(credentials),
        options=dict(options or {}),
        sandbox=sandbox,
    )
    return cls(config, transport=transport)


__all__ = ["UnknownSystem", "open_connector", "sandbox_emulator", "sandbox_url"]
