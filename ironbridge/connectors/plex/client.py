"""Plex Connect over HTTP: the consumer key header, the 200 calls/minute budget, the 60-second
wait on a 429 without ``Retry-After``, and Plex's ``{code, message}`` errors kept verbatim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.connectors.errors import NotFoundUpstream, SystemUnreachable
from ironbridge.connectors.http import ConnectorHttp, RequestBudget, RetryPolicy
from ironbridge.connectors.pagination import json_at
from ironbridge.connectors.plex.stream import NotAnArray, array_elements

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Generator, Mapping, Sequence

    from ironbridge.connectors.plex.settings import Settings

__all__ = ["ApiKeyAuth", "PlexClient", "plex_message"]


class ApiKeyAuth(httpx.Auth):
    """``X-Plex-Connect-Api-Key`` (and the secret, when one is configured) on every request."""

    def __init__(self, key: str, secret: str | None = None) -> None:
        self._key = key
        self._secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Plex-Connect-Api-Key"] = self._key
        if self._secret:
            request.headers["X-Plex-Connect-Api-Secret"] = self._secret
        yield request


def plex_message(response: httpx.Response) -> str | None:
    """Plex's own words: ``message (CODE)``, else the trimmed body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message, code = json_at(body, ("message",)), json_at(body, ("code",))
    if isinstance(message, str) and message.strip():
        text = message.strip()
        return f"{text} ({code})" if isinstance(code, str) and code else text
    text = " ".join(response.text.split())
    return text[:300] or None


class PlexClient:
    """One tenant's Connect API through one ``ConnectorHttp``; reads answer parsed JSON."""

    def __init__(
        self,
        system: str,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        self.system = system
        wait = settings.rate_limit_wait
        # Plex's 200 calls a minute is the connection's shared upstream budget (its
        # SystemInfo.requests_per_minute); ``budget`` is for callers driving the client alone
        self.budget = budget
        self.http = ConnectorHttp(
            system,
            settings.base_url,
            auth=ApiKeyAuth(settings.api_key, settings.api_secret),
            headers=settings.headers,
            transport=transport,
            retry=RetryPolicy(default_retry_after=wait, max_retry_after=max(wait, 60.0)),
            budget=self.budget,
            error_message=plex_message,
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise SystemUnreachable(
                self.system,
                f"{response.request.url.path} did not answer JSON",
                reason="server_error",
                status_code=response.status_code,
            ) from exc

    async def list(
        self, path: str, params: Sequence[tuple[str, str]] = (), *, missing_ok: bool = True
    ) -> list[Any]:
        """A bare JSON array; Plex's 404 for "no data" is an empty list (unless not
        ``missing_ok``). ``params`` may repeat a name for several values (``?id=a&id=b``)."""
        try:
            response = await self.http.request("GET", path, params=httpx.QueryParams(list(params)))
        except NotFoundUpstream:
            if not missing_ok:
                raise
            return []
        body = self._json(response)
        if not isinstance(body, list):
            raise SystemUnreachable(
                self.system,
                f"{path} did not answer a JSON array, as Plex Connect does",
                reason="server_error",
            )
        return body

    async def items(self, path: str) -> AsyncIterator[tuple[Any, str]]:
        """The elements of a list, each with its JSON text, as the body arrives: for lists too
        large to hold whole. Plex's 404 for "no data" is no element."""
        try:
            async with self.http.stream("GET", path) as response:
                try:
                    async for item in array_elements(response.aiter_text()):
                        yield item
                except NotAnArray as exc:
                    raise SystemUnreachable(
                        self.system,
                        f"{path} did not answer a JSON array, as Plex Connect does: {exc}",
                        reason="server_error",
                    ) from exc
        except NotFoundUpstream:
            return

    async def one(self, path: str) -> dict[str, Any] | None:
        try:
            response = await self.http.request("GET", path)
        except NotFoundUpstream:
            return None
        body = self._json(response)
        return body if isinstance(body, dict) else None

    async def send(self, method: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A write, sent once (a retried POST could create the order twice)."""
        response = await self.http.request(
            method, path, json=dict(body), expected=(200, 201), retry=False
        )
        answer = self._json(response)
        if not isinstance(answer, dict):
            raise SystemUnreachable(
                self.system, f"{method} {path} answered without the record", reason="server_error"
            )
        return answer

    async def aclose(self) -> None:
        await self.http.aclose()
