"""The ``/_emulator`` control endpoint every emulator mounts, and the emulator contract it drives.

The endpoint is not subject to authentication or faults. Routes:

``GET /_emulator/faults`` · ``POST|PATCH /_emulator/faults`` (partial JSON settings) ·
``DELETE /_emulator/faults`` (clear) · ``POST /_emulator/reset`` (faults, counters, data) ·
``GET /_emulator/requests`` · ``DELETE /_emulator/requests`` · ``GET /_emulator/info`` ·
``GET /_emulator/records/{entity}`` (snapshot) · ``POST /_emulator/records/{entity}`` (insert
the JSON record; an optional ``"_at"`` sets its change stamp) ·
``POST /_emulator/records/{entity}/touch`` ``{"ids": [...], "at": "ISO instant", "changes": {}}`` ·
``POST /_emulator/records/{entity}/delete`` ``{"ids": [...], "hard": false}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from ironbridge.emulators.faults import CONTROL_PREFIX

if TYPE_CHECKING:
    from starlette.requests import Request

    from ironbridge.emulators.faults import FaultControls

__all__ = [
    "Emulator",
    "EmulatorApp",
    "EmulatorError",
    "InvalidRecord",
    "UnknownEntity",
    "UnknownRecord",
    "control_mount",
    "emulator_of",
]

# An emulator is a Starlette app whose ``state.emulator`` is an ``Emulator``.
EmulatorApp: TypeAlias = Starlette
Endpoint: TypeAlias = Callable[["Request"], Awaitable[Response]]


class EmulatorError(Exception):
    """A control request the emulator cannot honour."""

    status_code = 400


class UnknownEntity(EmulatorError, LookupError):
    status_code = 404

    def __init__(self, entity: str) -> None:
        super().__init__(f"unknown entity {entity!r}")
        self.entity = entity


class UnknownRecord(EmulatorError, LookupError):
    status_code = 404

    def __init__(self, entity: str, ids: Sequence[str]) -> None:
        super().__init__(f"unknown {entity} record(s): {', '.join(ids)}")
        self.entity = entity
        self.ids = tuple(ids)


class InvalidRecord(EmulatorError, ValueError):
    def __init__(self, entity: str, detail: str) -> None:
        super().__init__(f"invalid {entity} record: {detail}")
        self.entity = entity
        self.detail = detail


class Emulator(Protocol):
    """What the control endpoint (and tests, in Python) can do with any emulator."""

    system: str
    faults: FaultControls

    @property
    def credentials(self) -> Mapping[str, str]:
        """The credentials the emulator accepts, keyed by the system's auth field names."""
        ...

    def touch(
        self,
        entity: str,
        ids: Sequence[str],
        *,
        at: datetime | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> list[str]: ...

    def delete(self, entity: str, ids: Sequence[str], *, hard: bool = False) -> list[str]: ...

    def insert(
        self, entity: str, record: Mapping[str, Any], *, at: datetime | None = None
    ) -> str: ...

    def snapshot(self, entity: str) -> list[dict[str, Any]]: ...

    def reset(self) -> None: ...


def emulator_of(app: EmulatorApp) -> Emulator:
    return cast("Emulator", app.state.emulator)


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 instant from JSON (``Z`` or an offset; naive means UTC)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise EmulatorError("'at' must be an ISO 8601 string")
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise EmulatorError(f"'at' is not an ISO 8601 instant: {value!r}") from exc
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EmulatorError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EmulatorError("body must be a JSON object")
    return data


def _ids(body: Mapping[str, Any]) -> list[str]:
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise EmulatorError("'ids' must be a list of strings")
    return ids


def _emulator(request: Request) -> Emulator:
    return cast("Emulator", request.app.state.emulator)


async def _get_faults(request: Request) -> Response:
    return JSONResponse(_emulator(request).faults.as_dict())


async def _set_faults(request: Request) -> Response:
    faults = _emulator(request).faults
    try:
        faults.update(await _body(request))
    except ValueError as exc:
        raise EmulatorError(str(exc)) from exc
    return JSONResponse(faults.as_dict())


async def _clear_faults(request: Request) -> Response:
    faults = _emulator(request).faults
    faults.clear()
    return JSONResponse(faults.as_dict())


async def _reset(request: Request) -> Response:
    _emulator(request).reset()
    return JSONResponse({"reset": True})


async def _get_requests(request: Request) -> Response:
    return JSONResponse(_emulator(request).faults.requests.as_dict())


async def _reset_requests(request: Request) -> Response:
    _emulator(request).faults.requests.reset()
    return JSONResponse({"reset": True})


async def _info(request: Request) -> Response:
    emulator = _emulator(request)
    return JSONResponse({"system": emulator.system, "credentials": dict(emulator.credentials)})


async def _snapshot(request: Request) -> Response:
    entity = request.path_params["entity"]
    return JSONResponse(_emulator(request).snapshot(entity))


async def _insert(request: Request) -> Response:
    entity = request.path_params["entity"]
    body = await _body(request)
    at = parse_instant(body.pop("_at", None))
    record_id = _emulator(request).insert(entity, body, at=at)
    return JSONResponse({"id": record_id}, status_code=201)


async def _touch(request: Request) -> Response:
    entity = request.path_params["entity"]
    body = await _body(request)
    changes = body.get("changes")
    if changes is not None and not isinstance(changes, dict):
        raise EmulatorError("'changes' must be an object")
    touched = _emulator(request).touch(
        entity, _ids(body), at=parse_instant(body.get("at")), changes=changes
    )
    return JSONResponse({"ids": touched})


async def _delete(request: Request) -> Response:
    entity = request.path_params["entity"]
    body = await _body(request)
    hard = body.get("hard", False)
    if not isinstance(hard, bool):
        raise EmulatorError("'hard' must be a boolean")
    deleted = _emulator(request).delete(entity, _ids(body), hard=hard)
    return JSONResponse({"ids": deleted})


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def handle(request: Request) -> Response:
        try:
            return await endpoint(request)
        except EmulatorError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status_code)

    return handle


def control_mount() -> Mount:
    """The ``/_emulator`` routes; they read ``request.app.state.emulator``."""
    routes = [
        Route("/faults", _guarded(_get_faults), methods=["GET"]),
        Route("/faults", _guarded(_set_faults), methods=["POST", "PATCH"]),
        Route("/faults", _guarded(_clear_faults), methods=["DELETE"]),
        Route("/reset", _guarded(_reset), methods=["POST"]),
        Route("/requests", _guarded(_get_requests), methods=["GET"]),
        Route("/requests", _guarded(_reset_requests), methods=["DELETE"]),
        Route("/info", _guarded(_info), methods=["GET"]),
        Route("/records/{entity}", _guarded(_snapshot), methods=["GET"]),
        Route("/records/{entity}", _guarded(_insert), methods=["POST"]),
        Route("/records/{entity}/touch", _guarded(_touch), methods=["POST"]),
        Route("/records/{entity}/delete", _guarded(_delete), methods=["POST"]),
    ]
    return Mount(CONTROL_PREFIX, routes=routes)
