"""Fixtures of the NetSuite emulator tests: a small account served on loopback, and clients."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.auth import CLIENT_ASSERTION_TYPE, JwtClientAssertion
from ironbridge.emulators.netsuite import TOKEN_PATH, NetSuiteEmulator, create_app
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
RECORDS = 40
TRANSIENT = {"Prefer": "transient"}


def emulator_of(app: Starlette) -> NetSuiteEmulator:
    emulator: NetSuiteEmulator = app.state.emulator
    return emulator


def assertion(
    base_url: str, emulator: NetSuiteEmulator, *, algorithm: Any = "ES256", **overrides: Any
) -> str:
    """A client assertion as a NetSuite client signs it; keyword overrides change any part."""
    credentials = emulator.credentials
    claims = {"scope": ["rest_webservices"], **overrides.pop("claims", {})}
    signer = JwtClientAssertion(
        issuer=overrides.pop("issuer", credentials["client_id"]),
        audience=overrides.pop("audience", base_url + TOKEN_PATH),
        private_key=overrides.pop("private_key", credentials["private_key"]),
        algorithm=algorithm,
        key_id=overrides.pop("key_id", credentials["certificate_id"]),
        claims=claims,
        **overrides,
    )
    return signer()


def token_form(client_assertion: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion,
    }


async def fetch_token(http: httpx.AsyncClient, base_url: str, emulator: NetSuiteEmulator) -> str:
    response = await http.post(TOKEN_PATH, data=token_form(assertion(base_url, emulator)))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["o:errorDetails"][0]["o:errorCode"]
    return code


@pytest.fixture
def app() -> Starlette:
    return create_app(records=RECORDS, anchor=ANCHOR)


@pytest.fixture
def emulator(app: Starlette) -> NetSuiteEmulator:
    return emulator_of(app)


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def client(base_url: str, emulator: NetSuiteEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A client with a valid bearer token."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        token = await fetch_token(http, base_url, emulator)
        http.headers["Authorization"] = f"Bearer {token}"
        yield http
