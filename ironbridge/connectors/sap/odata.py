"""OData V2 and V4 as SAP speaks them: where entities and next links sit in a response, how
literals, dates and keys are written, and where an entity keeps its ETag."""

from __future__ import annotations

import abc
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from ironbridge.connectors.pagination import Paginator, json_at
from ironbridge.connectors.sap.values import iso_instant, v2_date

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date, datetime

    import httpx

    from ironbridge.connectors.pagination import Page, PageRequest

__all__ = [
    "V2",
    "V4",
    "ODataNextLink",
    "ODataProtocol",
    "key_predicate",
    "response_etag",
    "string_literal",
]

_JSON_V4 = "application/json;IEEE754Compatible=true"


def string_literal(value: str) -> str:
    """``'it''s'``: an OData string literal (V2 and V4)."""
    return "'" + value.replace("'", "''") + "'"


def key_predicate(keys: Sequence[str], values: Sequence[str]) -> str:
    """``('4500000001')`` or ``(PurchaseOrder='4500000001',PurchaseOrderItem='10')``."""
    if len(keys) == 1:
        return f"({string_literal(values[0])})"
    return (
        "(" + ",".join(f"{k}={string_literal(v)}" for k, v in zip(keys, values, strict=True)) + ")"
    )


class ODataNextLink(Paginator):
    """Follows the next link at ``path`` as OData defines it: absolute, or relative to the
    context URL (V4 ``@odata.context``) when there is one, else to the request URL. The link
    keeps the origin we asked (credentials never leave the configured host), and the query
    parameters in ``required`` are added when the link lacks them (``sap-client``)."""

    def __init__(
        self,
        *path: str | int,
        context: tuple[str | int, ...] | None = None,
        required: Mapping[str, str] | None = None,
    ) -> None:
        if not path:
            raise ValueError("give the JSON path of the next link")
        self.path = path
        self.context = context
        self.required = dict(required or {})

    def next_request(self, page: Page) -> PageRequest | None:
        link = json_at(page.body, self.path)
        if not isinstance(link, str) or not link:
            return None
        asked = page.response.request.url
        base = asked
        if self.context is not None:
            context = json_at(page.body, self.context)
            if isinstance(context, str) and context:
                base = asked.join(context)
        url = base.join(link).copy_with(scheme=asked.scheme, host=asked.host, port=asked.port)
        missing = {k: v for k, v in self.required.items() if k not in url.params}
        if missing:
            url = url.copy_merge_params(missing)
        # the link carries the whole query (httpx would replace it by any params given)
        return replace(page.request, url=str(url), params=None)


class ODataProtocol(abc.ABC):
    """What differs between OData V2 and V4 for a client."""

    version: ClassVar[int]
    # query options every read carries
    read_params: ClassVar[Mapping[str, str]]
    # headers of reads (Accept) and of writes (Content-Type)
    read_headers: ClassVar[Mapping[str, str]]
    write_headers: ClassVar[Mapping[str, str]]

    @abc.abstractmethod
    def paginator(self, *, required: Mapping[str, str]) -> Paginator: ...

    @abc.abstractmethod
    def entities(self, body: Any) -> list[Any]:
        """The entities of a collection response."""

    @abc.abstractmethod
    def entity(self, body: Any) -> Any:
        """The entity of a single-entity response."""

    @abc.abstractmethod
    def instant_literal(self, instant: datetime) -> str:
        """An ``Edm.DateTimeOffset`` literal for ``$filter``."""

    @abc.abstractmethod
    def date_value(self, day: date) -> str:
        """A calendar date in a request body."""

    @abc.abstractmethod
    def children(self, value: Any) -> list[Any]:
        """The entities of an expanded to-many navigation property's value."""

    @abc.abstractmethod
    def etag(self, entity: Mapping[str, Any]) -> str | None:
        """The ETag an entity carries in its payload."""

    @abc.abstractmethod
    def deep_children(self, entities: list[dict[str, Any]]) -> Any:
        """The value of a to-many navigation property in a deep insert."""


class _V2(ODataProtocol):
    version = 2
    read_params: ClassVar[Mapping[str, str]] = {"$format": "json"}
    read_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/json"}
    write_headers: ClassVar[Mapping[str, str]] = {
        "Accept": "application/json",
        "Content-Type": "application/json",
    }

    def paginator(self, *, required: Mapping[str, str]) -> Paginator:
        return ODataNextLink("d", "__next", required=required)

    def entities(self, body: Any) -> list[Any]:
        found = json_at(body, ("d", "results"))
        if found is None and isinstance(json_at(body, ("d",)), list):
            found = body["d"]  # OData V1 JSON: the array is "d" itself
        if not isinstance(found, list):
            raise ValueError("no d.results array in the response")
        return found

    def entity(self, body: Any) -> Any:
        found = json_at(body, ("d",))
        if not isinstance(found, dict):
            raise ValueError("no d object in the response")
        return found

    def instant_literal(self, instant: datetime) -> str:
        return f"datetimeoffset'{iso_instant(instant)}'"

    def date_value(self, day: date) -> str:
        return v2_date(day)

    def children(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            value = value.get("results")
        return value if isinstance(value, list) else []

    def etag(self, entity: Mapping[str, Any]) -> str | None:
        found = json_at(entity, ("__metadata", "etag"))
        return found if isinstance(found, str) and found else None

    def deep_children(self, entities: list[dict[str, Any]]) -> Any:
        return {"results": entities}


class _V4(ODataProtocol):
    version = 4
    read_params: ClassVar[Mapping[str, str]] = {}
    # decimals as strings: exact, whatever their precision
    read_headers: ClassVar[Mapping[str, str]] = {"Accept": _JSON_V4}
    write_headers: ClassVar[Mapping[str, str]] = {"Accept": _JSON_V4, "Content-Type": _JSON_V4}

    def paginator(self, *, required: Mapping[str, str]) -> Paginator:
        return ODataNextLink("@odata.nextLink", context=("@odata.context",), required=required)

    def entities(self, body: Any) -> list[Any]:
        found = json_at(body, ("value",))
        if not isinstance(found, list):
            raise ValueError("no value array in the response")
        return found

    def entity(self, body: Any) -> Any:
        if not isinstance(body, dict):
            raise ValueError("the response is not a JSON object")
        return body

    def instant_literal(self, instant: datetime) -> str:
        return iso_instant(instant)

    def date_value(self, day: date) -> str:
        return day.isoformat()

    def children(self, value: Any) -> list[Any]:
        return value if isinstance(value, list) else []

    def etag(self, entity: Mapping[str, Any]) -> str | None:
        found = entity.get("@odata.etag")
        return found if isinstance(found, str) and found else None

    def deep_children(self, entities: list[dict[str, Any]]) -> Any:
        return entities


V2: ODataProtocol = _V2()
V4: ODataProtocol = _V4()


def response_etag(response: httpx.Response) -> str | None:
    """The ``ETag`` header of a response, if any."""
    return response.headers.get("etag") or None
