"""The elements of a JSON array read as the body arrives: a Plex list can be tens of megabytes,
and a sync keeps only the few records that changed, so it never needs the whole list at once."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator

__all__ = ["NotAnArray", "array_elements", "array_items"]

_SPACE = " \t\r\n"


class NotAnArray(ValueError):
    """The body is not one well-formed JSON array."""


class _Reader:
    """A text buffer over the chunks, compacted as elements are consumed."""

    def __init__(self, chunks: AsyncIterable[str]) -> None:
        self._chunks = chunks.__aiter__()
        self.text = ""
        self.pos = 0
        self.exhausted = False

    async def more(self) -> bool:
        """Append the next chunk; False once the body is over."""
        if self.exhausted:
            return False
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self.exhausted = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    async def next_char(self) -> str | None:
        """The next character that is not white space (not consumed), None at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not await self.more():
                return None

    async def expect(self, allowed: str) -> str:
        char = await self.next_char()
        if char is None or char not in allowed:
            found = "the end of the body" if char is None else repr(char)
            raise NotAnArray(f"expected one of {allowed!r}, found {found}")
        self.pos += 1
        return char


async def _element(reader: _Reader, decoder: json.JSONDecoder) -> tuple[Any, str]:
    """One complete element: taken only once the separator after it has arrived, so that a
    number cut by a chunk boundary is not taken for a shorter one."""
    while True:
        try:
            value, end = decoder.raw_decode(reader.text, reader.pos)
        except json.JSONDecodeError as exc:
            if await reader.more():
                continue
            raise NotAnArray(f"malformed element: {exc.msg}") from exc
        rest = end
        while rest < len(reader.text) and reader.text[rest] in _SPACE:
            rest += 1
        # complete when a separator follows; else more may extend it (``-0`` of ``-0.5``)
        ended = rest < len(reader.text) and reader.text[rest] in ",]"
        if ended or reader.exhausted or not await reader.more():
            text = reader.text[reader.pos : end]
            reader.pos = end
            return value, text


async def array_items(chunks: AsyncIterable[str]) -> AsyncIterator[Any]:
    """Each element of the array the chunks spell, in order; ``NotAnArray`` otherwise."""
    async for value, _text in array_elements(chunks):
        yield value


async def array_elements(chunks: AsyncIterable[str]) -> AsyncIterator[tuple[Any, str]]:
    """Each element with its JSON text: keeping the text of a record is a few times smaller
    than keeping the parsed record."""
    reader = _Reader(chunks)
    decoder = json.JSONDecoder()
    await reader.expect("[")
    if await reader.next_char() == "]":
        reader.pos += 1
    else:
        while True:
            await reader.next_char()
            yield await _element(reader, decoder)
            if await reader.expect(",]") == "]":
                break
    if await reader.next_char() is not None:
        raise NotAnArray("data after the end of the array")
