"""Emulators: Starlette apps that reproduce each system's real API, with shared fault controls.

Each system lives in its own package (``ironbridge.emulators.sap``, ...) and is registered in
``ironbridge.emulators.server.EMULATORS``. Every emulator mounts the ``/_emulator`` control
endpoint and wraps its routes in ``FaultMiddleware``.
"""

from __future__ import annotations

from ironbridge.emulators.control import (
    Emulator,
    EmulatorApp,
    EmulatorError,
    InvalidRecord,
    UnknownEntity,
    UnknownRecord,
    control_mount,
    emulator_of,
)
from ironbridge.emulators.faults import (
    CONTROL_PREFIX,
    EmulatedOutage,
    Fault,
    FaultControls,
    FaultMiddleware,
    FaultResponder,
    GenericFaultResponder,
    OutageMode,
    RateLimit,
    RequestCounter,
    RequestRecord,
)

__all__ = [
    "CONTROL_PREFIX",
    "EmulatedOutage",
    "Emulator",
    "EmulatorApp",
    "EmulatorError",
    "Fault",
    "FaultControls",
    "FaultMiddleware",
    "FaultResponder",
    "GenericFaultResponder",
    "InvalidRecord",
    "OutageMode",
    "RateLimit",
    "RequestCounter",
    "RequestRecord",
    "UnknownEntity",
    "UnknownRecord",
    "control_mount",
    "emulator_of",
]
