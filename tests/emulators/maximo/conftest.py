"""A small emulated Maximo on a loopback port, and a client that signs in with its API key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.maximo import DEFAULT_API_KEY, MaximoEmulator, create_app
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
RECORDS = 40
WO = "/maximo/api/os/mxwo"
PO = "/maximo/api/os/mxpo"
LEAN = {"lean": "1"}


@pytest.fixture
def app() -> Starlette:
    return create_app(records=RECORDS, anchor=ANCHOR, page_size=10)


@pytest.fixture
def emulator(app: Starlette) -> MaximoEmulator:
    found: MaximoEmulator = app.state.emulator
    return found


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    async with serve(app) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, headers={"apikey": DEFAULT_API_KEY}) as http:
        yield http


def members(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["member"]
    return found


def error(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["Error"]
    assert body["statusCode"] == str(response.status_code)
    assert body["message"].startswith(body["reasonCode"] + " - ")
    return body


async def follow(
    client: httpx.AsyncClient, url: str, params: dict[str, str]
) -> list[dict[str, Any]]:
    """Every member of a query, following ``responseInfo.nextPage``."""
    response = await client.get(url, params=params)
    seen: list[dict[str, Any]] = []
    while True:
        seen += members(response)
        following = response.json()["responseInfo"].get("nextPage")
        if following is None:
            return seen
        response = await client.get(following["href"])
