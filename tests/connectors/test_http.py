"""ConnectorHttp: error translation, retries, request budget, counters, logging, streaming."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import stamina
import structlog

from ironbridge import __version__
from ironbridge.connectors.errors import (
    AuthFailed,
    BudgetExhausted,
    Conflict,
    ConnectorError,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    SystemUnreachable,
)
from ironbridge.connectors.http import (
    ConnectorHttp,
    RequestBudget,
    RetryPolicy,
    UpstreamCall,
    default_error_message,
    parse_retry_after,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from stamina.instrumentation import RetryDetails


class Recorder:
    """A MockTransport handler answering from a script of responses, recording requests."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_http(handler: Recorder, **options: Any) -> ConnectorHttp:
    return ConnectorHttp(
        "erp", "https://erp.example/api/v1", transport=httpx.MockTransport(handler), **options
    )


@contextlib.contextmanager
def retry_hooks() -> Iterator[list[RetryDetails]]:
    """Collect stamina's retry details (the computed waits) instead of measuring time."""
    seen: list[RetryDetails] = []

    def hook(details: RetryDetails) -> None:
        seen.append(details)

    stamina.instrumentation.set_on_retry_hooks([hook])
    try:
        yield seen
    finally:
        stamina.instrumentation.set_on_retry_hooks(None)


async def test_request_joins_base_url_and_sends_user_agent() -> None:
    handler = Recorder(httpx.Response(200, json={"ok": True}))
    async with make_http(handler) as http:
        response = await http.request("get", "orders", params={"top": 5})
    assert response.json() == {"ok": True}
    sent = handler.requests[0]
    assert str(sent.url) == "https://erp.example/api/v1/orders?top=5"
    assert sent.headers["User-Agent"] == f"ironbridge/{__version__}"


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, Rejected),
        (401, AuthFailed),
        (403, AuthFailed),
        (404, NotFoundUpstream),
        (409, Conflict),
        (412, Conflict),
        (422, Rejected),
        (302, Rejected),
    ],
)
async def test_statuses_map_to_the_hierarchy(status: int, error_type: type[ConnectorError]) -> None:
    handler = Recorder(httpx.Response(status, json={"message": "said the system"}))
    async with make_http(handler) as http:
        with pytest.raises(error_type) as caught:
            await http.request("GET", "orders/1")
    assert caught.value.status_code == status
    assert caught.value.system == "erp"
    assert "said the system" in caught.value.detail
    if isinstance(caught.value, Conflict):
        assert caught.value.stale is (status == 412)


async def test_5xx_is_server_error_and_expected_statuses_pass() -> None:
    handler = Recorder(httpx.Response(502, text="bad gateway"), httpx.Response(304))
    async with make_http(handler, retry=RetryPolicy(attempts=1)) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "orders", retry=False)
        assert (caught.value.reason, caught.value.status_code) == ("server_error", 502)
        assert "bad gateway" in caught.value.detail
        response = await http.request("GET", "orders", expected=(200, 304))
    assert response.status_code == 304


async def test_401_carries_the_systems_message() -> None:
    body = {"error": {"code": "Unauthorized", "message": "The API key is invalid."}}
    async with make_http(Recorder(httpx.Response(401, json=body))) as http:
        with pytest.raises(AuthFailed, match="The API key is invalid") as caught:
            await http.request("GET", "orders")
    assert caught.value.detail == "HTTP 401 from GET /api/v1/orders: The API key is invalid."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": {"code": "1", "message": {"lang": "en", "value": "SAP says no"}}},
            "SAP says no",
        ),
        ({"error": {"code": "BadRequest", "message": "BC says no"}}, "BC says no"),
        ({"o:errorDetails": [{"detail": "NetSuite says no"}]}, "NetSuite says no"),
        ({"Error": {"message": "BMXAA says no", "statusCode": "400"}}, "BMXAA says no"),
        ({"error": "invalid_client", "error_description": "Bad secret"}, "Bad secret"),
        ({"message": "plain"}, "plain"),
        ({"error": "just a code"}, "just a code"),
        ([1, 2], "[1,2]"),
    ],
)
def test_default_error_message_shapes(body: Any, message: str | None) -> None:
    assert default_error_message(httpx.Response(400, json=body)) == message


def test_default_error_message_text_and_html() -> None:
    text = httpx.Response(500, text="  Service\n   unavailable  ")
    assert default_error_message(text) == "Service unavailable"
    html = httpx.Response(
        503,
        text="<html><head><title>503 Service Temporarily Unavailable</title></head></html>",
        headers={"content-type": "text/html"},
    )
    assert default_error_message(html) == "503 Service Temporarily Unavailable"
    assert default_error_message(httpx.Response(500)) is None


async def test_classify_hook_runs_first_and_custom_extractor() -> None:
    def classify(response: httpx.Response) -> ConnectorError | None:
        if response.headers.get("x-csrf-token") == "Required":
            return Rejected("sap", "CSRF token required", status_code=403)
        if response.status_code == 200 and "errors" in response.json():
            return Rejected("sap", "errors in a 200")
        return None

    handler = Recorder(
        httpx.Response(403, headers={"x-csrf-token": "Required"}),
        httpx.Response(200, json={"errors": ["x"]}),
        httpx.Response(403, text="forbidden"),
    )
    async with make_http(
        handler, classify=classify, error_message=lambda response: f"<{response.text}>"
    ) as http:
        with pytest.raises(Rejected, match="CSRF token required"):
            await http.request("POST", "orders", json={})
        with pytest.raises(Rejected, match="errors in a 200"):
            await http.request("GET", "orders")
        with pytest.raises(AuthFailed, match="<forbidden>"):
            await http.request("GET", "orders")


# retries ---------------------------------------------------------------------------------------


async def test_503_then_200_is_retried() -> None:
    handler = Recorder(httpx.Response(503), httpx.Response(200, json=[]))
    async with make_http(handler) as http:
        response = await http.request("GET", "orders")
    assert response.status_code == 200
    assert len(handler.requests) == 2


async def test_real_backoff_path_is_taken() -> None:
    handler = Recorder(httpx.Response(503), httpx.Response(500), httpx.Response(200))
    policy = RetryPolicy(attempts=5, wait_initial=0.01, wait_max=0.02, wait_jitter=0)
    with stamina.set_testing(False), retry_hooks() as retries:
        async with make_http(handler, retry=policy) as http:
            response = await http.request("GET", "orders")
    assert response.status_code == 200
    assert len(handler.requests) == 3
    assert [r.retry_num for r in retries] == [1, 2]
    assert [r.wait_for for r in retries] == pytest.approx([0.01, 0.02])
    assert all(isinstance(r.caused_by, SystemUnreachable) for r in retries)


async def test_retries_stop_after_the_policy_attempts() -> None:
    handler = Recorder(httpx.Response(503))
    with stamina.set_testing(True, attempts=100, cap=True):
        async with make_http(handler, retry=RetryPolicy(attempts=4)) as http:
            with pytest.raises(SystemUnreachable):
                await http.request("GET", "orders")
    assert len(handler.requests) == 4


async def test_post_is_not_retried_by_default_but_is_when_asked() -> None:
    handler = Recorder(httpx.Response(503), httpx.Response(201))
    async with make_http(handler) as http:
        with pytest.raises(SystemUnreachable):
            await http.request("POST", "orders", json={"a": 1})
        assert len(handler.requests) == 1
        handler.script = [httpx.Response(503), httpx.Response(201)]
        response = await http.request("POST", "orders", json={"a": 1}, retry=True)
    assert response.status_code == 201
    assert len(handler.requests) == 3
    assert handler.requests[2].content == b'{"a":1}'


async def test_post_is_resent_when_the_connection_never_opened() -> None:
    handler = Recorder(httpx.ConnectError("[Errno 111] Connection refused"), httpx.Response(201))
    async with make_http(handler) as http:
        response = await http.request("POST", "orders", json={})
    assert response.status_code == 201
    assert len(handler.requests) == 2


async def test_retry_false_sends_once_and_fatal_errors_are_not_retried() -> None:
    handler = Recorder(httpx.Response(503))
    async with make_http(handler) as http:
        with pytest.raises(SystemUnreachable):
            await http.request("GET", "orders", retry=False)
        assert len(handler.requests) == 1
        handler.script = [httpx.Response(400)]
        with pytest.raises(Rejected):
            await http.request("GET", "orders")
    assert len(handler.requests) == 2


async def test_429_waits_for_retry_after_and_succeeds() -> None:
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200))
    with stamina.set_testing(False), retry_hooks() as retries:
        async with make_http(handler) as http:
            response = await http.request("GET", "orders")
    assert response.status_code == 200
    assert len(handler.requests) == 2
    assert [r.wait_for for r in retries] == [1.0]


async def test_429_beyond_the_max_wait_goes_to_the_caller() -> None:
    handler = Recorder(
        httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "slow"})
    )
    async with make_http(handler) as http:
        with pytest.raises(RateLimited) as caught:
            await http.request("GET", "orders")
    assert caught.value.retry_after == 3600
    assert "slow" in caught.value.detail
    assert len(handler.requests) == 1


async def test_429_without_retry_after_uses_the_default() -> None:
    handler = Recorder(httpx.Response(429))
    policy = RetryPolicy(default_retry_after=30, max_retry_after=10)
    async with make_http(handler, retry=policy) as http:
        with pytest.raises(RateLimited) as caught:
            await http.request("GET", "orders")
    assert caught.value.retry_after == 30


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 02 Nov 2026 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Mon, 02 Nov 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# budget, counters, hooks, logs -----------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_budget_waits_briefly_for_a_token() -> None:
    clock = FakeClock()
    budget = RequestBudget(60, burst=2, max_wait=1.5, clock=clock, sleep=clock.sleep)
    await budget.acquire(system="erp")
    await budget.acquire(system="erp")
    assert clock.slept == []
    await budget.acquire(system="erp")  # the bucket is empty: one token comes in a second
    assert clock.slept == [pytest.approx(1.0)]


async def test_budget_refuses_beyond_the_max_wait() -> None:
    clock = FakeClock()

    async def concurrent_wait(seconds: float) -> None:
        clock.slept.append(seconds)  # other callers arrive while this one waits

    budget = RequestBudget(60, burst=1, max_wait=1.5, clock=clock, sleep=concurrent_wait)
    await budget.acquire(system="erp")
    await budget.acquire(system="erp")  # reserves the next token, due in 1 s
    with pytest.raises(BudgetExhausted) as caught:
        await budget.acquire(system="erp")  # would wait 2 s, behind the reservation
    assert clock.slept == [pytest.approx(1.0)]
    assert caught.value.retry_after == pytest.approx(2.0)
    assert caught.value.system == "erp"
    clock.now += 2
    await budget.acquire(system="erp")


def test_plex_limits_are_expressible() -> None:
    budget = RequestBudget(200)
    assert (budget.rate_per_minute, budget.burst) == (200, 33)


async def test_budget_is_shared_between_clients_of_one_connection() -> None:
    clock = FakeClock()
    budget = RequestBudget(60, burst=2, max_wait=0, clock=clock, sleep=clock.sleep)
    handler = Recorder(httpx.Response(200))
    async with make_http(handler, budget=budget) as sync, make_http(handler, budget=budget) as live:
        await sync.request("GET", "orders")
        await live.request("GET", "orders/1")
        with pytest.raises(BudgetExhausted):
            await sync.request("GET", "orders")
        assert sync.counts.total == 1
    assert len(handler.requests) == 2


async def test_counts_hooks_and_reset() -> None:
    calls: list[UpstreamCall] = []
    handler = Recorder(
        httpx.Response(200), httpx.Response(404), httpx.ConnectError("boom"), httpx.Response(200)
    )
    async with make_http(handler, hooks=[calls.append]) as http:
        await http.request("GET", "a")
        with pytest.raises(NotFoundUpstream):
            await http.request("DELETE", "b")
        await http.request("GET", "c")
        counts = http.reset_count()
        assert (counts.total, dict(counts.by_class)) == (4, {"2xx": 2, "4xx": 1, "error": 1})
        assert http.counts.total == 0
    assert [(c.system, c.method, c.status_code) for c in calls] == [
        ("erp", "GET", 200),
        ("erp", "DELETE", 404),
        ("erp", "GET", None),
        ("erp", "GET", 200),
    ]


async def test_logs_carry_no_query_and_no_credentials() -> None:
    handler = Recorder(httpx.Response(200))
    headers = {"Authorization": "Basic c2VjcmV0"}
    with structlog.testing.capture_logs() as logs:
        async with make_http(handler, headers=headers) as http:
            await http.request("GET", "orders", params={"apikey": "s3cret"})
    entry = next(e for e in logs if e["event"] == "upstream.request")
    assert entry["path"] == "/api/v1/orders"
    assert (entry["method"], entry["status"], entry["system"]) == ("GET", 200, "erp")
    assert "s3cret" not in repr(logs)
    assert "c2VjcmV0" not in repr(logs)


# transport errors over real loopback sockets ---------------------------------------------------


@contextlib.asynccontextmanager
async def tcp_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    """A raw TCP server on loopback; its connections are closed and awaited on exit."""
    tasks: set[asyncio.Task[Any]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if (task := asyncio.current_task()) is not None:
            tasks.add(task)
        try:
            await handle(reader, writer)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the client gives up and closes


async def answer_plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
    await writer.drain()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def fail(url: str, **options: Any) -> SystemUnreachable:
    async with ConnectorHttp("erp", url, **options) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "ping", retry=False)
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    return caught.value


async def test_refused_port() -> None:
    error = await fail(f"http://127.0.0.1:{closed_port()}")
    assert error.reason == "refused"
    assert "connection refused" in error.detail


async def test_unresolvable_host() -> None:
    error = await fail("http://nonexistent.invalid")
    assert error.reason == "dns"
    assert "nonexistent.invalid" in error.detail


async def test_server_that_never_answers_times_out() -> None:
    async with tcp_server(never_answer) as port:
        error = await fail(f"http://127.0.0.1:{port}", read_timeout=0.2)
    assert error.reason == "timeout"


async def test_tls_failure() -> None:
    async with tcp_server(answer_plain_http) as port:
        error = await fail(f"https://127.0.0.1:{port}")
    assert error.reason == "tls"


async def test_dns_and_tls_are_not_retried_in_request() -> None:
    handler = Recorder(httpx.ConnectError("[Errno 8] nodename nor servname provided, or not known"))
    async with make_http(handler) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "orders")
    assert caught.value.reason == "dns"
    assert len(handler.requests) == 1


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ReadTimeout("read"), "timeout"),
        (httpx.ConnectError("Connection refused"), "refused"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), "tls"),
        (httpx.RemoteProtocolError("peer closed"), "unavailable"),
        (httpx.ReadError("reset"), "unavailable"),
    ],
)
async def test_transport_errors_from_a_mock(error: Exception, reason: str) -> None:
    async with make_http(Recorder(error)) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "orders", retry=False)
    assert caught.value.reason == reason
    assert caught.value.__cause__ is error


# streaming -------------------------------------------------------------------------------------


class BrokenStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"[1,"
        raise httpx.ReadError("connection reset")


async def test_stream_reads_lazily_and_maps_errors() -> None:
    handler = Recorder(
        httpx.Response(200, content=b"[1,2,3]"),
        httpx.Response(500, json={"message": "stream failed"}),
        httpx.Response(200, stream=BrokenStream()),
    )
    async with make_http(handler) as http:
        async with http.stream("GET", "items", retry=False) as response:
            body = b"".join([chunk async for chunk in response.aiter_bytes()])
        assert body == b"[1,2,3]"
        with pytest.raises(SystemUnreachable, match="stream failed"):
            async with http.stream("GET", "items", retry=False):
                pass
        with pytest.raises(SystemUnreachable) as caught:
            await drain(http, "items")
    assert caught.value.reason == "unavailable"


async def drain(http: ConnectorHttp, url: str) -> None:
    async with http.stream("GET", url, retry=False) as response:
        async for _ in response.aiter_bytes():
            pass


async def test_closed_client_refuses_requests() -> None:
    http = make_http(Recorder(httpx.Response(200)))
    await http.aclose()
    with pytest.raises(RuntimeError):
        await http.request("GET", "orders")
