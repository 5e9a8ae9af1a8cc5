"""Authentication objects plugged into ``ConnectorHttp``: small ``httpx.Auth`` subclasses.

Token requests are yielded from the auth flow, so they travel through the same client, transport,
request budget and request counters as every other upstream call.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from typing import TYPE_CHECKING, Any, Literal

import httpx
import jwt

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Generator, Mapping

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenRequestError(Exception):
    """The token endpoint did not hand out a token; ``ConnectorHttp`` maps it to ``AuthFailed``."""

    def __init__(self, detail: str, response: httpx.Response) -> None:
        super().__init__(detail)
        self.detail = detail
        self.response = response


class BasicAuth(httpx.BasicAuth):
    """HTTP Basic authentication (username and password), as most on-premise systems use."""


class HeaderApiKey(httpx.Auth):
    """An API key sent in a header: Maximo ``apikey``, Plex ``X-Plex-Connect-Api-Key``."""

    def __init__(self, header_name: str, key: str) -> None:
        self.header_name = header_name
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header_name] = self._key
        yield request


class BearerTokenAuth(httpx.Auth):
    """A fixed bearer token (a personal access token, an API token)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class JwtClientAssertion:
    """Signs a client-assertion JWT (RFC 7523) with the client's certificate key, per call.

    NetSuite: ``issuer`` is the client id, ``audience`` the token URL, ``key_id`` the certificate
    id, ``claims={"scope": ["rest_webservices"]}``.
    """

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        private_key: str | bytes,
        algorithm: Literal["PS256", "RS256", "ES256"] = "PS256",
        key_id: str | None = None,
        subject: str | None = None,
        lifetime: float = 300.0,
        claims: Mapping[str, Any] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithm = algorithm
        self.key_id = key_id
        self.subject = subject
        self.lifetime = lifetime
        self.claims = dict(claims or {})
        self._private_key = private_key
        self._now = now

    def __call__(self) -> str:
        issued_at = int(self._now())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued_at,
            "exp": issued_at + int(self.lifetime),
            "jti": uuid.uuid4().hex,
            **self.claims,
        }
        if self.subject is not None:
            payload["sub"] = self.subject
        headers: dict[str, Any] = {"typ": "JWT"}
        if self.key_id is not None:
            headers["kid"] = self.key_id
        return jwt.encode(payload, self._private_key, algorithm=self.algorithm, headers=headers)


class OAuth2ClientCredentials(httpx.Auth):
    """The OAuth 2.0 client-credentials grant, with a client secret or a signed client assertion.

    The token is cached until shortly before ``expires_in``; concurrent requests share one token
    fetch; a 401 on a request sent with a cached token refreshes it and replays the request once.
    """

    def __init__(
        self,
        token_url: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        client_assertion: Callable[[], str] | None = None,
        client_auth: Literal["post", "basic"] = "post",
        scope: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        refresh_margin: float = 60.0,
        default_expires_in: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # (client_id, client_secret), or a callable signing a fresh client assertion
        self._credential: tuple[str, str] | Callable[[], str]
        if client_assertion is not None and client_secret is None:
            self._credential = client_assertion
        elif client_assertion is None and client_id and client_secret:
            self._credential = (client_id, client_secret)
        else:
            raise ValueError("give client_id with client_secret, or client_assertion")
        self.token_url = token_url
        self.client_id = client_id
        self.scope = scope
        self.client_auth = client_auth
        self.extra_params = dict(extra_params or {})
        self.refresh_margin = refresh_margin
        self.default_expires_in = default_expires_in
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.token_requests = 0

    def _fresh_token(self) -> str | None:
        return self._token if self._clock() < self._expires_at else None

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        form = {"grant_type": "client_credentials", **self.extra_params}
        headers = {"Accept": "application/json"}
        if user_agent := request.headers.get("User-Agent"):
            headers["User-Agent"] = user_agent
        if not isinstance(self._credential, tuple):
            form["client_assertion_type"] = CLIENT_ASSERTION_TYPE
            form["client_assertion"] = self._credential()
        elif self.client_auth == "basic":
            pair = ":".join(self._credential).encode()
            headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
        else:
            form["client_id"], form["client_secret"] = self._credential
        if self.scope is not None:
            form["scope"] = self.scope
        # a relative token URL is resolved against the API request (RFC 3986)
        url = request.url.join(self.token_url)
        return httpx.Request("POST", url, data=form, headers=headers)

    def _store(self, response: httpx.Response) -> str:
        if response.status_code != 200:
            raise TokenRequestError("token request refused", response)
        try:
            body = response.json()
        except ValueError:
            raise TokenRequestError("token response is not JSON", response) from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenRequestError("token response has no access_token", response)
        expires_in = body.get("expires_in", self.default_expires_in)
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            lifetime = self.default_expires_in
        # short-lived tokens get a margin of at most half their life
        margin = min(self.refresh_margin, lifetime / 2)
        self._token = token
        self._expires_at = self._clock() + lifetime - margin
        return token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()  # the body must be replayable after a refresh
        stale: str | None = None
        for _ in range(2):  # the request, and at most one replay with a refreshed token
            token = self._fresh_token()
            fetched = False
            if token is None or token == stale:
                # one task fetches; the others wait here and then reuse its token
                async with self._lock:
                    token = self._fresh_token()
                    if token is None or token == stale:
                        self.token_requests += 1
                        token_response = yield self._token_request(request)
                        await token_response.aread()
                        token = self._store(token_response)
                        fetched = True
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            # a 401 on a token fetched just now is a real refusal, not an expired token
            if response.status_code != 401 or fetched:
                return
            stale = token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("OAuth2ClientCredentials works with httpx.AsyncClient only")


__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "BasicAuth",
    "BearerTokenAuth",
    "HeaderApiKey",
    "JwtClientAssertion",
    "OAuth2ClientCredentials",
    "TokenRequestError",
]
