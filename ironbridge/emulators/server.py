"""Run an emulator under uvicorn, and the registry of emulators by system key."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import uvicorn

from ironbridge.emulators.control import EmulatorApp, emulator_of
from ironbridge.emulators.dynamics_bc import create_app as create_dynamics_bc_app
from ironbridge.emulators.infor_xa import create_app as create_infor_xa_app
from ironbridge.emulators.maximo import create_app as create_maximo_app
from ironbridge.emulators.netsuite import create_app as create_netsuite_app
from ironbridge.emulators.plex import create_app as create_plex_app
from ironbridge.emulators.sap import create_app as create_sap_app

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["EMULATORS", "announcement", "create_emulator", "run_emulator"]

# one line per system: key -> factory of its emulator app
EMULATORS: dict[str, Callable[..., EmulatorApp]] = {
    "sap-s4hana": create_sap_app,
    "netsuite": create_netsuite_app,
    "maximo": create_maximo_app,
    "dynamics-bc": create_dynamics_bc_app,
    "plex": create_plex_app,
    "infor-xa": create_infor_xa_app,
}


def create_emulator(system: str, **options: Any) -> EmulatorApp:
    """The emulator app of ``system`` (options go to its factory, e.g. ``records=1000``)."""
    try:
        factory = EMULATORS[system]
    except KeyError:
        known = ", ".join(sorted(EMULATORS))
        raise KeyError(f"no emulator for system {system!r} (known: {known})") from None
    return factory(**options)


def announcement(app: EmulatorApp, *, host: str = "127.0.0.1", port: int) -> str:
    """The one-line JSON telling a user or a script how to connect to a running emulator."""
    emulator = emulator_of(app)
    return json.dumps(
        {
            "system": emulator.system,
            "instanceUrl": f"http://{host}:{port}",
            "credentials": dict(emulator.credentials),
        },
        separators=(",", ":"),
    )


def run_emulator(app: EmulatorApp, *, host: str = "127.0.0.1", port: int) -> None:
    """Serve ``app`` until interrupted (blocking)."""
    uvicorn.run(app, host=host, port=port, log_level="warning")
