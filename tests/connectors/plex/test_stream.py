"""Reading a JSON array as it arrives: every element once, whatever the chunk boundaries, and
anything that is not one well-formed array refused."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.base import ConnectionConfig
from ironbridge.connectors.errors import SystemUnreachable
from ironbridge.connectors.plex import PlexConnector
from ironbridge.connectors.plex.stream import NotAnArray, array_elements, array_items
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DOCUMENT: list[Any] = [
    {"id": "a", "quantity": 12345, "note": 'comma, bracket ] and "quote"'},
    [1, 2, {"nested": [3]}],
    1234567,
    -0.5,
    "text",
    None,
    True,
    {},
]


async def chunked(text: str, size: int) -> AsyncIterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


async def read(text: str, size: int) -> list[Any]:
    return [item async for item in array_items(chunked(text, size))]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 100_000])
async def test_every_element_whatever_the_chunks(size: int) -> None:
    text = json.dumps(DOCUMENT, indent=1)
    assert await read(text, size) == DOCUMENT
    assert await read(json.dumps(DOCUMENT, separators=(",", ":")), size) == DOCUMENT


@pytest.mark.parametrize("text", ["[]", " [ ] ", "[\n]\n"])
async def test_empty_arrays(text: str) -> None:
    assert await read(text, 1) == []


@pytest.mark.parametrize(
    "text",
    ['{"items": []}', "<html></html>", "[1, 2", "[1 2]", "[1,]", "[1] [2]", "", '[{"a": }]'],
)
async def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(NotAnArray):
        await read(text, 3)


async def test_a_list_that_is_not_an_array_is_unreachable_not_a_crash() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"jobs": [')

    config = ConnectionConfig(
        connection_id="plex-mock",
        instance_url="https://connect.plex.test",
        credentials={"api_key": "k"},
    )
    made = PlexConnector(config, transport=httpx.MockTransport(answer))
    try:
        with pytest.raises(SystemUnreachable, match="did not answer a JSON array"):
            [b async for b in made.fetch_changes(EntityType.PRODUCTION_ORDER, None)]
    finally:
        await made.aclose()


@pytest.mark.parametrize("size", [1, 5, 4096])
async def test_each_element_comes_with_its_own_text(size: int) -> None:
    text = json.dumps(DOCUMENT, indent=2)
    elements = [pair async for pair in array_elements(chunked(text, size))]
    assert [value for value, _text in elements] == DOCUMENT
    assert [json.loads(element_text) for _value, element_text in elements] == DOCUMENT
