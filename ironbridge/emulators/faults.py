"""Fault controls shared by every emulator, and the ASGI middleware that applies them.

Tests (and the ``/_emulator/faults`` control endpoint) switch on outages, latency, rate limits,
revoked credentials and random 5xx answers, and count the upstream calls a connector makes.
Paths under ``/_emulator`` are never faulted, counted or authenticated.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTROL_PREFIX",
    "OUTAGE_MODES",
    "EmulatedOutage",
    "Fault",
    "FaultControls",
    "FaultMiddleware",
    "FaultResponder",
    "GenericFaultResponder",
    "OutageMode",
    "RateLimit",
    "RequestCounter",
    "RequestRecord",
    "is_control_path",
]

CONTROL_PREFIX = "/_emulator"

OutageMode = Literal["refused", "503"]
OUTAGE_MODES: tuple[OutageMode, ...] = ("refused", "503")


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


class Fault(enum.Enum):
    """What the middleware does instead of calling the emulated system."""

    REFUSED = "refused"
    UNAVAILABLE = "unavailable"
    RATE_LIMITED = "rate_limited"
    UNAUTHORIZED = "unauthorized"
    SERVER_ERROR = "server_error"


class EmulatedOutage(ConnectionError):
    """Raised when a ``refused`` outage cannot drop the connection itself (non-uvicorn servers)."""


@dataclass(slots=True)
class RateLimit:
    """Answer 429 with ``Retry-After: retry_after`` for the next ``remaining`` requests.

    ``remaining=None`` keeps answering 429 until the fault is cleared.
    """

    retry_after: int = 1
    remaining: int | None = None

    def __post_init__(self) -> None:
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if self.remaining is not None and self.remaining < 0:
            raise ValueError("remaining must be >= 0")


@dataclass(slots=True)
class RequestRecord:
    """One request that reached the emulated system (status filled in once answered)."""

    method: str
    path: str
    query: str
    status: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
        }


class RequestCounter:
    """Counts requests in total and per ``(method, path)``; keeps the most recent ones."""

    def __init__(self, *, keep: int = 1000) -> None:
        self.total = 0
        self.by_route: collections.Counter[tuple[str, str]] = collections.Counter()
        self.recent: collections.deque[RequestRecord] = collections.deque(maxlen=keep)

    def record(self, method: str, path: str, query: str = "") -> RequestRecord:
        entry = RequestRecord(method=method.upper(), path=path, query=query)
        self.total += 1
        self.by_route[(entry.method, path)] += 1
        self.recent.append(entry)
        return entry

    def count(
        self, method: str | None = None, path: str | None = None, *, prefix: str | None = None
    ) -> int:
        """Requests matching ``method`` and an exact ``path`` or a path ``prefix`` (all if None)."""
        wanted = method.upper() if method else None
        return sum(
            n
            for (m, p), n in self.by_route.items()
            if (wanted is None or m == wanted)
            and (path is None or p == path)
            and (prefix is None or p.startswith(prefix))
        )

    def reset(self) -> None:
        self.total = 0
        self.by_route.clear()
        self.recent.clear()

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "byRoute": {f"{m} {p}": n for (m, p), n in sorted(self.by_route.items())},
            "recent": [entry.as_dict() for entry in self.recent],
        }


class FaultControls:
    """The switchable faults of one emulator; plain attributes, validated on assignment."""

    def __init__(self, *, seed: int = 0) -> None:
        self.requests = RequestCounter()
        self._seed = seed
        self._rng = random.Random(seed)
        self._outage: OutageMode | None = None
        self._latency = 0.0
        self._error_rate = 0.0
        self.rate_limit: RateLimit | None = None
        self.revoked_credentials = False
        # the delay announced by the last 429 decided (the budget may be spent by then)
        self.retry_after = 1

    @property
    def outage(self) -> OutageMode | None:
        return self._outage

    @outage.setter
    def outage(self, mode: OutageMode | None) -> None:
        if mode is not None and mode not in OUTAGE_MODES:
            raise ValueError(f"outage must be one of {OUTAGE_MODES} or None, not {mode!r}")
        self._outage = mode

    @property
    def latency(self) -> float:
        """Seconds added before every answer."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("latency must be a finite number of seconds >= 0")
        self._latency = float(seconds)

    @property
    def error_rate(self) -> float:
        """Share of requests answered with a 5xx, drawn from a RNG seeded with ``seed``."""
        return self._error_rate

    @error_rate.setter
    def error_rate(self, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        self._error_rate = float(rate)

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)

    def set_rate_limit(self, retry_after: int = 1, *, requests: int | None = None) -> None:
        """429 for the next ``requests`` requests, or until cleared when ``requests`` is None."""
        self.rate_limit = RateLimit(retry_after=retry_after, remaining=requests)

    def clear(self) -> None:
        """Switch every fault off and reseed the RNG; the request counter is kept."""
        self._outage = None
        self._latency = 0.0
        self._error_rate = 0.0
        self.rate_limit = None
        self.revoked_credentials = False
        self._rng = random.Random(self._seed)

    def reset(self) -> None:
        """``clear()`` plus a fresh request counter."""
        self.clear()
        self.requests.reset()

    def next_fault(self) -> Fault | None:
        """Decide the fault for the request being served (consumes rate-limit budget)."""
        if self._outage == "refused":
            return Fault.REFUSED
        if self._outage == "503":
            return Fault.UNAVAILABLE
        limit = self.rate_limit
        if limit is not None:
            self.retry_after = limit.retry_after
            if limit.remaining is None:
                return Fault.RATE_LIMITED
            if limit.remaining > 0:
                limit.remaining -= 1
                if limit.remaining == 0:
                    self.rate_limit = None
                return Fault.RATE_LIMITED
            self.rate_limit = None
        if self.revoked_credentials:
            return Fault.UNAUTHORIZED
        if self._error_rate > 0 and self._rng.random() < self._error_rate:
            return Fault.SERVER_ERROR
        return None

    def update(self, settings: Mapping[str, Any]) -> None:
        """Apply the JSON settings of the control endpoint; unknown keys raise ``ValueError``.

        Keys: ``outage`` ("refused" | "503" | null), ``latency`` (seconds), ``rate_limit``
        (null | true | {"retry_after": N, "requests": K}), ``revoked_credentials`` (bool),
        ``error_rate`` (0..1), ``seed`` (int).
        """
        unknown = set(settings) - set(_SETTERS)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        for name, value in settings.items():
            _SETTERS[name](self, value)

    def as_dict(self) -> dict[str, Any]:
        limit = self.rate_limit
        return {
            "outage": self._outage,
            "latency": self._latency,
            "rate_limit": (
                None
                if limit is None
                else {"retry_after": limit.retry_after, "requests": limit.remaining}
            ),
            "revoked_credentials": self.revoked_credentials,
            "error_rate": self._error_rate,
            "seed": self._seed,
        }


def _set_outage(controls: FaultControls, value: Any) -> None:
    if value is not None and value not in OUTAGE_MODES:
        raise ValueError(f"outage must be one of {OUTAGE_MODES} or null")
    controls.outage = cast("OutageMode | None", value)


def _set_latency(controls: FaultControls, value: Any) -> None:
    controls.latency = _number(value, "latency")


def _set_error_rate(controls: FaultControls, value: Any) -> None:
    controls.error_rate = _number(value, "error_rate")


def _set_seed(controls: FaultControls, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("seed must be an integer")
    controls.seed = value


def _set_revoked(controls: FaultControls, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError("revoked_credentials must be a boolean")
    controls.revoked_credentials = value


def _set_rate_limit(controls: FaultControls, value: Any) -> None:
    if value is None or value is False:
        controls.rate_limit = None
    elif value is True:
        controls.set_rate_limit()
    elif isinstance(value, Mapping):
        unknown = set(value) - {"retry_after", "requests"}
        if unknown:
            raise ValueError(f"unknown rate_limit settings: {', '.join(sorted(unknown))}")
        retry_after = value.get("retry_after", 1)
        requests = value.get("requests")
        if not isinstance(retry_after, int) or isinstance(retry_after, bool):
            raise ValueError("rate_limit.retry_after must be an integer")
        if requests is not None and (not isinstance(requests, int) or isinstance(requests, bool)):
            raise ValueError("rate_limit.requests must be an integer or null")
        controls.set_rate_limit(retry_after, requests=requests)
    else:
        raise ValueError("rate_limit must be null, a boolean or an object")


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return float(value)


_SETTERS: dict[str, Callable[[FaultControls, Any], None]] = {
    "outage": _set_outage,
    "latency": _set_latency,
    "rate_limit": _set_rate_limit,
    "revoked_credentials": _set_revoked,
    "error_rate": _set_error_rate,
    "seed": _set_seed,
}


class FaultResponder(Protocol):
    """How one system answers each fault (status, headers, error body)."""

    def unavailable(self, request: Request) -> Response: ...

    def rate_limited(self, request: Request, retry_after: int) -> Response: ...

    def unauthorized(self, request: Request) -> Response: ...

    def server_error(self, request: Request) -> Response: ...


class GenericFaultResponder:
    """Plain JSON answers, for systems that have not described their own."""

    def unavailable(self, request: Request) -> Response:
        return JSONResponse({"error": "service unavailable"}, status_code=503)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return JSONResponse(
            {"error": "too many requests"},
            status_code=429,
            headers={"Retry-After": str(retry_after)},
        )

    def unauthorized(self, request: Request) -> Response:
        return JSONResponse({"error": "unauthorized"}, status_code=401)

    def server_error(self, request: Request) -> Response:
        return JSONResponse({"error": "internal server error"}, status_code=500)


class FaultMiddleware:
    """Pure ASGI middleware: counts each request, then applies the active fault, if any."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        controls: FaultControls,
        responder: FaultResponder | None = None,
    ) -> None:
        self.app = app
        self.controls = controls
        self.responder: FaultResponder = responder or GenericFaultResponder()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_control_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        controls = self.controls
        entry = controls.requests.record(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")
        )
        if controls.latency:
            await asyncio.sleep(controls.latency)
        fault = controls.next_fault()
        if fault is Fault.REFUSED:
            await _drop_connection(receive)
            return
        if fault is not None:
            response = self._respond(fault, Request(scope, receive))
            entry.status = response.status_code
            await response(scope, receive, send)
            return

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        await self.app(scope, receive, send_and_note)

    def _respond(self, fault: Fault, request: Request) -> Response:
        responder = self.responder
        if fault is Fault.UNAVAILABLE:
            return responder.unavailable(request)
        if fault is Fault.UNAUTHORIZED:
            return responder.unauthorized(request)
        if fault is Fault.SERVER_ERROR:
            return responder.server_error(request)
        retry_after = self.controls.retry_after
        response = responder.rate_limited(request, retry_after)
        response.headers["Retry-After"] = str(retry_after)
        return response


async def _drop_connection(receive: Receive) -> None:
    """Abort the TCP connection so the client sees a transport error, not an HTTP answer.

    Under uvicorn the ``receive`` callable is bound to the request cycle, which holds the asyncio
    transport; aborting it resets the connection. Any other server gets ``EmulatedOutage``
    raised instead (``httpx.ASGITransport`` re-raises it in the client).
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if not isinstance(transport, asyncio.Transport):
        raise EmulatedOutage("the emulated system refuses connections")
    transport.abort()
    # Let the server notice the lost connection before the app returns, so it does not try to
    # answer with a 500 on the dead socket.
    for _ in range(10):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
