"""Auth objects: basic, API-key header, bearer, OAuth 2.0 client credentials (secret or JWT)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ironbridge.connectors.auth import (
    CLIENT_ASSERTION_TYPE,
    BasicAuth,
    BearerTokenAuth,
    HeaderApiKey,
    JwtClientAssertion,
    OAuth2ClientCredentials,
)
from ironbridge.connectors.errors import AuthFailed, SystemUnreachable
from ironbridge.connectors.http import ConnectorHttp


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=dict(request.headers))


def client(auth: httpx.Auth, handler: Any = echo) -> ConnectorHttp:
    return ConnectorHttp(
        "erp", "https://erp.example/api", auth=auth, transport=httpx.MockTransport(handler)
    )


@pytest.mark.parametrize(
    ("auth", "header", "value"),
    [
        (
            BasicAuth("ada", "s3cret"),
            "authorization",
            "Basic " + base64.b64encode(b"ada:s3cret").decode(),
        ),
        (HeaderApiKey("apikey", "k-123"), "apikey", "k-123"),
        (HeaderApiKey("X-Plex-Connect-Api-Key", "p-9"), "x-plex-connect-api-key", "p-9"),
        (BearerTokenAuth("tok"), "authorization", "Bearer tok"),
    ],
)
async def test_simple_auth_headers(auth: httpx.Auth, header: str, value: str) -> None:
    async with client(auth) as http:
        sent = (await http.request("GET", "me")).json()
    assert sent[header] == value


class TokenServer:
    """A token endpoint and an API behind it, as one MockTransport handler."""

    def __init__(self, *, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.issued: list[str] = []
        self.forms: list[dict[str, list[str]]] = []
        self.token_headers: list[httpx.Headers] = []
        self.revoked: set[str] = set()
        self.api_calls: list[str | None] = []
        self.token_response: httpx.Response | None = None
        self.token_failure: Exception | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            self.forms.append(parse_qs(request.content.decode()))
            self.token_headers.append(request.headers)
            await asyncio.sleep(0)  # let concurrent requests pile up behind the lock
            if self.token_failure is not None:
                raise self.token_failure
            if self.token_response is not None:
                return self.token_response
            token = f"t{len(self.issued) + 1}"
            self.issued.append(token)
            body = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
            return httpx.Response(200, json=body)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.api_calls.append(bearer)
        if bearer not in self.issued or bearer in self.revoked:
            return httpx.Response(401, json={"error": {"message": "token rejected"}})
        return httpx.Response(200, json={"token": bearer, "body": request.content.decode()})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def oauth(**options: Any) -> OAuth2ClientCredentials:
    options.setdefault("client_id", "cid")
    options.setdefault("client_secret", "csecret")
    return OAuth2ClientCredentials("https://login.example/oauth2/token", **options)


async def test_client_secret_form_and_bearer() -> None:
    server = TokenServer()
    async with client(oauth(scope="api://erp/.default"), server) as http:
        response = await http.request("GET", "orders")
    assert response.json()["token"] == "t1"
    assert server.forms == [
        {
            "grant_type": ["client_credentials"],
            "client_id": ["cid"],
            "client_secret": ["csecret"],
            "scope": ["api://erp/.default"],
        }
    ]
    assert server.token_headers[0]["user-agent"].startswith("ironbridge/")


async def test_client_secret_basic() -> None:
    server = TokenServer()
    async with client(oauth(client_auth="basic"), server) as http:
        await http.request("GET", "orders")
    assert server.forms == [{"grant_type": ["client_credentials"]}]
    expected = "Basic " + base64.b64encode(b"cid:csecret").decode()
    assert server.token_headers[0]["authorization"] == expected


async def test_concurrent_requests_fetch_one_token() -> None:
    server = TokenServer()
    auth = oauth()
    async with client(auth, server) as http:
        responses = await asyncio.gather(*(http.request("GET", f"o/{i}") for i in range(10)))
        assert {r.json()["token"] for r in responses} == {"t1"}
        # the token request travels through the same transport and is counted
        assert http.counts.total == 11
    assert server.issued == ["t1"]
    assert auth.token_requests == 1


async def test_token_is_refreshed_shortly_before_expiry() -> None:
    server = TokenServer(expires_in=600)
    clock = Clock()
    async with client(oauth(clock=clock, refresh_margin=60), server) as http:
        await http.request("GET", "orders")
        clock.now = 539
        assert (await http.request("GET", "orders")).json()["token"] == "t1"
        clock.now = 541
        assert (await http.request("GET", "orders")).json()["token"] == "t2"
    assert server.issued == ["t1", "t2"]


async def test_401_refreshes_once_and_replays_the_request() -> None:
    server = TokenServer()
    auth = oauth()
    async with client(auth, server) as http:
        await http.request("GET", "orders")
        server.revoked.add("t1")
        response = await http.request("POST", "orders", json={"n": 1})
    assert response.json() == {"token": "t2", "body": '{"n":1}'}
    assert server.api_calls == ["t1", "t1", "t2"]
    assert auth.token_requests == 2


async def test_concurrent_401s_share_one_refresh() -> None:
    server = TokenServer()
    auth = oauth()
    async with client(auth, server) as http:
        await http.request("GET", "orders")
        server.revoked.add("t1")
        responses = await asyncio.gather(*(http.request("GET", f"o/{i}") for i in range(5)))
    assert {r.json()["token"] for r in responses} == {"t2"}
    assert server.issued == ["t1", "t2"]


async def test_a_failed_token_fetch_does_not_hold_the_lock() -> None:
    server = TokenServer()
    server.token_failure = httpx.ConnectError("[Errno 111] Connection refused")
    async with client(oauth(), server) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "orders", retry=False)
        assert caught.value.reason == "refused"
        server.token_failure = None
        assert (await http.request("GET", "orders")).json()["token"] == "t1"


async def test_401_after_refresh_is_auth_failed() -> None:
    server = TokenServer()
    async with client(oauth(), server) as http:
        await http.request("GET", "orders")
        server.revoked.update({"t1", "t2", "t3"})
        with pytest.raises(AuthFailed, match="token rejected"):
            await http.request("GET", "orders")
    assert server.api_calls == ["t1", "t1", "t2"]
    assert server.issued == ["t1", "t2"]


async def test_401_with_a_token_fetched_just_now_does_not_refresh() -> None:
    server = TokenServer()
    server.revoked.add("t1")
    async with client(oauth(), server) as http:
        with pytest.raises(AuthFailed):
            await http.request("GET", "orders")
    assert server.issued == ["t1"]


async def test_token_endpoint_refusal_is_auth_failed_with_its_message() -> None:
    server = TokenServer()
    server.token_response = httpx.Response(
        400, json={"error": "invalid_client", "error_description": "Client secret is wrong"}
    )
    async with client(oauth(), server) as http:
        with pytest.raises(AuthFailed, match="Client secret is wrong") as caught:
            await http.request("GET", "orders")
    assert caught.value.status_code == 400
    assert server.api_calls == []


async def test_token_response_without_token_is_auth_failed() -> None:
    server = TokenServer()
    server.token_response = httpx.Response(200, json={"token_type": "Bearer"})
    async with client(oauth(), server) as http:
        with pytest.raises(AuthFailed, match="no access_token"):
            await http.request("GET", "orders")


async def test_token_endpoint_outage_is_retriable() -> None:
    server = TokenServer()
    server.token_response = httpx.Response(503, text="maintenance")
    async with client(oauth(), server) as http:
        with pytest.raises(SystemUnreachable) as caught:
            await http.request("GET", "orders", retry=False)
    assert caught.value.reason == "server_error"
    assert "maintenance" in caught.value.detail


async def test_relative_token_url_resolves_against_the_api() -> None:
    server = TokenServer()
    auth = OAuth2ClientCredentials("/oauth2/token", client_id="cid", client_secret="x")
    async with client(auth, server) as http:
        assert (await http.request("GET", "orders")).json()["token"] == "t1"


def es256_key() -> tuple[bytes, Any]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, key.public_key()


async def test_client_assertion_flow_netsuite_style() -> None:
    pem, public_key = es256_key()
    token_url = "https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
    assertion = JwtClientAssertion(
        issuer="ns-client",
        audience=token_url,
        private_key=pem,
        algorithm="ES256",
        key_id="cert-1",
        claims={"scope": ["rest_webservices"]},
        lifetime=300,
        now=lambda: 1_700_000_000,
    )
    server = TokenServer()
    auth = OAuth2ClientCredentials(token_url, client_assertion=assertion)
    async with client(auth, server) as http:
        assert (await http.request("GET", "record/v1/purchaseOrder")).json()["token"] == "t1"
    form = server.forms[0]
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_assertion_type"] == [CLIENT_ASSERTION_TYPE]
    token = form["client_assertion"][0]
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "cert-1", "typ": "JWT"}
    claims = jwt.decode(
        token, public_key, algorithms=["ES256"], audience=token_url, options={"verify_exp": False}
    )
    assert claims["iss"] == "ns-client"
    assert claims["scope"] == ["rest_webservices"]
    assert claims["exp"] - claims["iat"] == 300
    assert "client_secret" not in form


def test_ps256_assertion_verifies_with_the_certificate_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assertion = JwtClientAssertion(issuer="c", audience="https://t", private_key=pem, subject="c")
    first, second = assertion(), assertion()
    claims = jwt.decode(first, key.public_key(), algorithms=["PS256"], audience="https://t")
    assert claims["sub"] == "c"
    assert (
        jwt.decode(second, key.public_key(), algorithms=["PS256"], audience="https://t")["jti"]
        != claims["jti"]
    )


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"client_id": "cid"},
        {"client_secret": "x"},
        {"client_id": "cid", "client_secret": "x", "client_assertion": lambda: "jwt"},
    ],
)
def test_credentials_are_validated(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="client_id with client_secret"):
        OAuth2ClientCredentials("https://t", **options)


def test_sync_clients_are_refused() -> None:
    with (
        httpx.Client(auth=oauth(), transport=httpx.MockTransport(echo)) as sync_client,
        pytest.raises(RuntimeError, match="AsyncClient"),
    ):
        sync_client.get("https://erp.example/")
