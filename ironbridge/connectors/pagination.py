"""Paginators: small objects that tell, from one page's response, how to ask for the next one.

``paginate`` drives any of them over ``ConnectorHttp``. No paginator assumes a page size: the
system decides how many records a page holds, and the next offset counts what actually came.
"""

from __future__ import annotations

import abc
from dataclasses import KW_ONLY, dataclass, replace
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import SystemUnreachable

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Collection, Mapping

    import httpx

    from ironbridge.connectors.http import ConnectorHttp


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page's request; also what a checkpoint keeps to resume a sync mid-way."""

    url: str
    _: KW_ONLY
    method: str = "GET"
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page: the request that fetched it, the response and its parsed JSON body."""

    request: PageRequest
    response: httpx.Response
    body: Any


def json_at(body: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` (keys and list indexes) in a JSON document, or ``None``."""
    for key in path:
        if isinstance(key, int):
            body = body[key] if isinstance(body, list) and -len(body) <= key < len(body) else None
        else:
            body = body.get(key) if isinstance(body, dict) else None
    return body


class Paginator(abc.ABC):
    """From the request and response of one page, the request of the next page, or ``None``."""

    def first_request(self, request: PageRequest) -> PageRequest:
        """The first page's request: a paginator may add its parameters (offset, limit)."""
        return request

    @abc.abstractmethod
    def next_request(self, page: Page) -> PageRequest | None: ...


class NextLinkPaginator(Paginator):
    """Follows a next link found in the body at ``path``: OData V4 ``@odata.nextLink``
    (``NextLinkPaginator("@odata.nextLink")``), OData V2 ``d.__next`` (``"d", "__next"``).

    Relative links are resolved against the URL of the page's request (RFC 3986). With
    ``same_origin`` (the default) an absolute link keeps the path and query but goes to the
    origin we asked: credentials never leave the configured host, and a reverse proxy in front
    of the system often reports its internal host name in these links.
    """

    def __init__(self, *path: str | int, same_origin: bool = True) -> None:
        if not path:
            raise ValueError("give the JSON path of the next link")
        self.path = path
        self.same_origin = same_origin

    def next_request(self, page: Page) -> PageRequest | None:
        link = json_at(page.body, self.path)
        if not isinstance(link, str) or not link:
            return None
        return follow_link(page, link, same_origin=self.same_origin)


class LinkHeaderPaginator(Paginator):
    """Follows the ``Link: <...>; rel="next"`` response header (RFC 8288)."""

    def __init__(self, *, same_origin: bool = True) -> None:
        self.same_origin = same_origin

    def next_request(self, page: Page) -> PageRequest | None:
        link = page.response.links.get("next", {}).get("url")
        return follow_link(page, link, same_origin=self.same_origin) if link else None


def follow_link(page: Page, link: str, *, same_origin: bool = True) -> PageRequest:
    """The request for ``link``, resolved against the URL of the page's request (RFC 3986)."""
    asked = page.response.request.url
    url = asked.join(link)
    if same_origin:
        url = url.copy_with(scheme=asked.scheme, host=asked.host, port=asked.port)
    # the link carries the whole query: the first request's parameters are not sent again
    return replace(page.request, url=str(url), params=None)


class OffsetPaginator(Paginator):
    """``offset``/``limit`` paging that stops when the system says there is no more
    (NetSuite ``hasMore``) or a page comes back empty. The offset advances by the number of
    items received, never by the limit asked for: systems cap page sizes as they please.
    """

    def __init__(
        self,
        *,
        limit: int | None = None,
        offset_param: str = "offset",
        limit_param: str = "limit",
        items_path: tuple[str | int, ...] = ("items",),
        has_more_path: tuple[str | int, ...] | None = ("hasMore",),
        start: int = 0,
    ) -> None:
        self.limit = limit
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.items_path = items_path
        self.has_more_path = has_more_path
        self.start = start

    def first_request(self, request: PageRequest) -> PageRequest:
        params = dict(request.params or {})
        params.setdefault(self.offset_param, self.start)
        if self.limit is not None:
            params.setdefault(self.limit_param, self.limit)
        return replace(request, params=params)

    def next_request(self, page: Page) -> PageRequest | None:
        items = json_at(page.body, self.items_path)
        if not isinstance(items, list) or not items:
            return None
        if self.has_more_path is not None and json_at(page.body, self.has_more_path) is False:
            return None
        params = dict(page.request.params or {})
        params[self.offset_param] = int(params.get(self.offset_param, self.start)) + len(items)
        return replace(page.request, params=params)


class CursorPaginator(Paginator):
    """An opaque cursor from the body sent back as a query parameter (MaintainX
    ``nextCursor`` → ``?cursor=``); stops when the cursor is absent or empty."""

    def __init__(self, *cursor_path: str | int, param: str = "cursor") -> None:
        if not cursor_path:
            raise ValueError("give the JSON path of the cursor")
        self.cursor_path = cursor_path
        self.param = param

    def next_request(self, page: Page) -> PageRequest | None:
        cursor = json_at(page.body, self.cursor_path)
        if cursor is None or cursor == "":
            return None
        return replace(page.request, params={**(page.request.params or {}), self.param: cursor})


async def paginate(
    http: ConnectorHttp,
    first: PageRequest,
    paginator: Paginator,
    *,
    expected: Collection[int] | None = None,
    retry: bool | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[Page]:
    """Every page from ``first`` on, one request at a time, each parsed once.

    ``retry=True`` lets read-only POST queries (NetSuite SuiteQL) be retried like GETs.
    """
    request: PageRequest | None = paginator.first_request(first)
    count = 0
    while request is not None and (max_pages is None or count < max_pages):
        response = await http.request(
            request.method,
            request.url,
            params=request.params,
            json=request.json,
            headers=request.headers,
            expected=expected,
            retry=retry,
        )
        try:
            body = response.json()
        except ValueError as exc:
            kind = response.headers.get("content-type", "no content type")
            raise SystemUnreachable(
                http.system,
                f"page of {request.url} is not JSON ({kind})",
                status_code=response.status_code,
            ) from exc
        page = Page(request, response, body)
        count += 1
        yield page
        following = paginator.next_request(page)
        if following == request:
            raise SystemUnreachable(
                http.system,
                f"paging does not advance: the system sent {request.url} again",
                reason="server_error",
            )
        request = following


__all__ = [
    "CursorPaginator",
    "LinkHeaderPaginator",
    "NextLinkPaginator",
    "OffsetPaginator",
    "Page",
    "PageRequest",
    "Paginator",
    "follow_link",
    "json_at",
    "paginate",
]
