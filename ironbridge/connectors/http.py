"""The one HTTP layer every connector uses: a pooled client per connection, errors translated
once into the connector hierarchy, retries with backoff, a shared request budget and counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

import httpx
import stamina
import structlog

from ironbridge import __version__
from ironbridge.connectors.auth import TokenRequestError
from ironbridge.connectors.errors import (
    AuthFailed,
    BudgetExhausted,
    Conflict,
    ConnectorError,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    RetriableError,
    SystemUnreachable,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping

USER_AGENT = f"ironbridge/{__version__}"
DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# a bad certificate or an unknown host name does not heal within one request's retries; the
# sync scheduler's own backoff covers the rare transient case
NOT_RETRIED_REASONS = frozenset({"dns", "tls"})

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    """One HTTP exchange with the system, as request hooks (metrics) see it."""

    system: str
    method: str
    status_code: int | None  # None: no response (a transport error)
    duration: float


RequestHook: TypeAlias = "Callable[[UpstreamCall], None]"
ErrorMessage: TypeAlias = "Callable[[httpx.Response], str | None]"
Classify: TypeAlias = "Callable[[httpx.Response], ConnectorError | None]"
Params: TypeAlias = "httpx.QueryParams | Mapping[str, Any] | None"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How one request is retried on retriable errors (seconds throughout)."""

    attempts: int = 4
    timeout: float = 90.0  # total time spent on one request, retries included
    wait_initial: float = 0.5
    wait_max: float = 10.0
    wait_jitter: float = 1.0
    # a 429 is retried after its Retry-After only up to this wait; beyond, the caller gets it
    max_retry_after: float = 60.0
    default_retry_after: float = 30.0


@dataclass(frozen=True, slots=True)
class RequestCounts:
    """Upstream requests sent: total, and per status class ("2xx" ... "5xx", "error")."""

    total: int = 0
    by_class: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


class RequestBudget:
    """A token bucket of upstream requests, shared by everything that uses one connection.
    ``RequestBudget(200)`` is Plex's 200 calls per minute. A caller waits at most ``max_wait``
    for a token, otherwise gets ``BudgetExhausted`` with the time until one frees."""

    def __init__(
        self,
        rate_per_minute: float,
        burst: int | None = None,
        *,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self.rate_per_minute = rate_per_minute
        # default burst: ten seconds' worth, so a fresh bucket cannot double the rate
        self.burst = burst if burst is not None else max(1, int(rate_per_minute / 6))
        self.max_wait = max_wait
        self._rate = rate_per_minute / 60.0
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    async def acquire(self, *, system: str = "upstream") -> None:
        self._refill()
        wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
        if wait > self.max_wait:
            raise BudgetExhausted(
                system,
                f"request budget of {self.rate_per_minute:g}/min is spent",
                retry_after=wait,
            )
        # reserve now (tokens may go negative) so concurrent callers queue up behind us
        self._tokens -= 1
        if wait > 0:
            await self._sleep(wait)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    if (value := value.strip()).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# error payload shapes seen across systems, tried in order
_MESSAGE_PATHS: tuple[tuple[str | int, ...], ...] = (
    ("error", "message", "value"),  # OData V2 (SAP)
    ("error", "message"),  # OData V4 (Business Central, SAP)
    ("o:errorDetails", 0, "detail"),  # NetSuite
    ("Error", "message"),  # Maximo
    ("error_description",),  # OAuth 2.0
    ("message",),
    ("detail",),  # RFC 9457 problem details
    ("error",),
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MAX_MESSAGE = 300


def _dig(body: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(key, int):
            body = body[key] if isinstance(body, list) and len(body) > key else None
        else:
            body = body.get(key) if isinstance(body, dict) else None
    return body


def default_error_message(response: httpx.Response) -> str | None:
    """The system's own words from an error response: common JSON shapes, else trimmed text."""
    try:
        body = response.json()
    except ValueError:
        body = None
    for path in _MESSAGE_PATHS:
        if isinstance(found := _dig(body, path), str) and found.strip():
            return found.strip()[:_MAX_MESSAGE]
    text = response.text
    if "html" in response.headers.get("content-type", ""):
        title = _TITLE.search(text)
        text = title.group(1) if title else ""
    text = " ".join(text.split())
    return text[:_MAX_MESSAGE] or None


def _transport_reason(exc: httpx.RequestError) -> str:
    """timeout; dns, refused or tls from the exception chain or the message; else unavailable."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if not isinstance(exc, httpx.ConnectError):
        return "unavailable"
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        for kind, reason in _CAUSE_REASONS:
            if isinstance(node, kind):
                return reason
        node = node.__cause__ or node.__context__
    text = str(exc).lower()
    return next((reason for needle, reason in _CONNECT_MESSAGES if needle in text), "unavailable")


_CAUSE_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (socket.gaierror, "dns"),
    (ssl.SSLError, "tls"),
    (ConnectionRefusedError, "refused"),
)
# for errors whose cause was lost (a mock transport, a proxy): needle in the message → reason
_CONNECT_MESSAGES = (
    ("name or service not known", "dns"),
    ("nodename nor servname", "dns"),
    ("name resolution", "dns"),
    ("connection refused", "refused"),
    ("certificate", "tls"),
    ("ssl", "tls"),
)
_REASON_TEXT = {
    "dns": "cannot resolve the host name",
    "refused": "connection refused",
    "tls": "TLS handshake failed",
    "timeout": "timed out",
    "unavailable": "connection failed",
}
_STATUS_ERRORS = {401: AuthFailed, 403: AuthFailed, 404: NotFoundUpstream, 409: Conflict}


class _MeteredTransport(httpx.AsyncBaseTransport):
    """Every exchange (token fetches, replays) spends budget, is counted, logged and hooked."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, system: str, budget: RequestBudget | None
    ) -> None:
        self._inner, self._system, self._budget = inner, system, budget
        self.hooks: list[RequestHook] = []
        self.by_class: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._budget is not None:
            await self._budget.acquire(system=self._system)
        started = time.perf_counter()
        status: int | None = None
        try:
            response = await self._inner.handle_async_request(request)
            status = response.status_code
            return response
        finally:
            duration = time.perf_counter() - started
            status_class = f"{status // 100}xx" if status is not None else "error"
            self.by_class[status_class] += 1
            # the path only: query strings may carry keys (Maximo accepts ?apikey=)
            log.debug(
                "upstream.request",
                system=self._system,
                method=request.method,
                path=request.url.path,
                status=status,
                duration_ms=round(duration * 1000, 1),
            )
            call = UpstreamCall(self._system, request.method, status, duration)
            for hook in self.hooks:
                hook(call)

    async def aclose(self) -> None:
        await self._inner.aclose()


class ConnectorHttp:
    """One connection's HTTP client: ``request`` (or ``stream``) gives a response or raises a
    ``ConnectorError``. Paths are relative to ``base_url``. ``classify`` sees each loaded response
    before the default mapping; ``error_message`` extracts the system's own words."""

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        write_timeout: float = 60.0,
        pool_timeout: float = 10.0,
        limits: httpx.Limits = DEFAULT_LIMITS,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
        follow_redirects: bool = False,
        retry: RetryPolicy | None = None,
        budget: RequestBudget | None = None,
        classify: Classify | None = None,
        error_message: ErrorMessage = default_error_message,
        hooks: Iterable[RequestHook] = (),
    ) -> None:
        self.system = system
        self.retry_policy = retry or RetryPolicy()
        self.budget = budget
        self._classify = classify
        self._error_message = error_message
        if transport is None:
            # pool limits apply to our own transport; an injected one manages its own
            transport = httpx.AsyncHTTPTransport(verify=verify, proxy=proxy, limits=limits)
        self._transport = _MeteredTransport(transport, system, budget)
        # the app appends metric hooks here (system, method, status); no prometheus import
        self.hooks = self._transport.hooks
        self.hooks.extend(hooks)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
            ),
            transport=self._transport,
            follow_redirects=follow_redirects,
            trust_env=False,
        )

    @property
    def counts(self) -> RequestCounts:
        by_class = self._transport.by_class
        return RequestCounts(by_class.total(), MappingProxyType(dict(by_class)))

    def reset_count(self) -> RequestCounts:
        """Start counting afresh (per sync run); returns the counts until now."""
        counts = self.counts
        self._transport.by_class.clear()
        return counts

    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Params = None,
        json: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        expected: Collection[int] | None = None,
        retry: bool | None = None,
    ) -> httpx.Response:
        """The response, if its status is ``expected`` (default: any 2xx). ``retry``: ``None``
        retries idempotent methods only, ``True`` POST and PATCH too, ``False`` sends once."""
        request = self._client.build_request(
            method.upper(), url, params=params, json=json, content=content, data=data,
            headers=headers,
        )  # fmt: skip
        return await self._open(request, expected=expected, retry=retry, stream=False)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Params = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        expected: Collection[int] | None = None,
        retry: bool | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Like ``request`` but the body is left unread: iterate it inside the block. Errors while
        reading the body are mapped too; only opening the response is retried."""
        request = self._client.build_request(
            method.upper(), url, params=params, json=json, headers=headers
        )
        response = await self._open(request, expected=expected, retry=retry, stream=True)
        try:
            yield response
        except httpx.RequestError as exc:
            raise self._transport_error(exc) from exc
        finally:
            await response.aclose()

    async def _open(
        self, request: httpx.Request, *, expected: Collection[int] | None, retry: bool | None,
        stream: bool,
    ) -> httpx.Response:  # fmt: skip
        # stamina's backoff hook decides per error; returning a float replaces the jittered
        # exponential wait by exactly that many seconds: Retry-After without a hand-written loop
        replayable = request.method in IDEMPOTENT_METHODS if retry is None else retry
        policy = self.retry_policy

        def decide(exc: Exception) -> bool | float:
            if retry is False or not isinstance(exc, RetriableError):
                return False
            if isinstance(exc, RateLimited):
                fits = exc.retry_after <= policy.max_retry_after
                return max(exc.retry_after, 0.0) if replayable and fits else False
            if isinstance(exc, SystemUnreachable) and exc.reason in NOT_RETRIED_REASONS:
                return False
            return replayable or _never_sent(exc)

        attempts = stamina.retry_context(
            on=decide, attempts=policy.attempts, timeout=policy.timeout,
            wait_initial=policy.wait_initial, wait_max=policy.wait_max,
            wait_jitter=policy.wait_jitter,
        )  # fmt: skip
        # resending one request is safe: its body is bytes, and the auth flow resets its headers
        async for attempt in attempts:
            with attempt:
                return await self._send(request, expected=expected, stream=stream)
        raise AssertionError("unreachable")

    async def _send(
        self, request: httpx.Request, *, expected: Collection[int] | None, stream: bool
    ) -> httpx.Response:
        try:
            response = await self._client.send(request, stream=stream)
        except TokenRequestError as exc:
            raise self._token_error(exc) from exc
        except httpx.RequestError as exc:
            raise self._transport_error(exc) from exc
        is_expected = response.is_success if expected is None else response.status_code in expected
        if stream and is_expected:
            return response
        try:
            if stream:
                await response.aread()
            error = self._classify(response) if self._classify is not None else None
            if error is None and not is_expected:
                error = self.error_for(response)
        except httpx.RequestError as exc:
            await response.aclose()
            raise self._transport_error(exc) from exc
        if error is not None:
            await response.aclose()
            raise error
        return response

    def error_for(self, response: httpx.Response) -> ConnectorError:
        """The default translation of an unwanted response into the error hierarchy."""
        status = response.status_code
        detail = f"HTTP {status} from {response.request.method} {response.request.url.path}"
        if message := self._error_message(response):
            detail = f"{detail}: {message}"
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            wait = self.retry_policy.default_retry_after if wait is None else wait
            return RateLimited(self.system, detail, retry_after=wait)
        if status >= 500:
            return SystemUnreachable(self.system, detail, reason="server_error", status_code=status)
        if status == 412:
            return Conflict(self.system, detail, status_code=status, stale=True)
        if status < 400:
            detail = f"unexpected {detail}"
        return _STATUS_ERRORS.get(status, Rejected)(self.system, detail, status_code=status)

    def _transport_error(self, exc: httpx.RequestError) -> SystemUnreachable:
        reason = _transport_reason(exc)
        host = self._client.base_url.host or "the system"
        detail = f"{_REASON_TEXT[reason]} ({host}): {str(exc) or type(exc).__name__}"
        return SystemUnreachable(self.system, detail, reason=reason)

    def _token_error(self, exc: TokenRequestError) -> ConnectorError:
        error = None if exc.response.is_success else self.error_for(exc.response)
        if isinstance(error, RetriableError):
            return error
        # any other answer of the token endpoint (400 invalid_client too) is an auth failure
        detail = f"{exc.detail}: {error.detail}" if error else exc.detail
        return AuthFailed(self.system, detail, status_code=exc.response.status_code)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ConnectorHttp:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _never_sent(exc: Exception) -> bool:
    """True when the request surely did not reach the system, so even a POST may be resent."""
    return isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


__all__ = [
    "IDEMPOTENT_METHODS",
    "Classify",
    "ConnectorHttp",
    "ErrorMessage",
    "RequestBudget",
    "RequestCounts",
    "RequestHook",
    "RetryPolicy",
    "UpstreamCall",
    "default_error_message",
    "parse_retry_after",
]
