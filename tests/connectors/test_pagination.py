"""Paginators over ConnectorHttp: next links (OData V4/V2, Link header), offsets, cursors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.connectors.errors import SystemUnreachable
from ironbridge.connectors.http import ConnectorHttp
from ironbridge.connectors.pagination import (
    CursorPaginator,
    LinkHeaderPaginator,
    NextLinkPaginator,
    OffsetPaginator,
    Page,
    PageRequest,
    Paginator,
    json_at,
    paginate,
)

if TYPE_CHECKING:
    from collections.abc import Callable

SAP_ROOT = "https://sap.example/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"


class Pages:
    """Answers each request with the next scripted page, recording what was asked."""

    def __init__(self, *pages: Callable[[httpx.Request], httpx.Response]) -> None:
        self.pages = list(pages)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.pages[len(self.requests) - 1](request)

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.requests]


def page(body: Any, **options: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=body, **options)


async def collect(
    pages: Pages, base_url: str, first: PageRequest, paginator: Paginator, **options: Any
) -> list[Page]:
    async with ConnectorHttp("erp", base_url, transport=httpx.MockTransport(pages)) as http:
        return [p async for p in paginate(http, first, paginator, **options)]


async def test_odata_v4_next_link_is_followed_as_is() -> None:
    next_link = "https://bc.example/api/v2.0/purchaseOrders?$skiptoken=abc&$filter=x"
    pages = Pages(
        page({"value": [1, 2], "@odata.nextLink": next_link}),
        page({"value": [3]}),
    )
    first = PageRequest("purchaseOrders", params={"$filter": "x"})
    got = await collect(
        pages, "https://bc.example/api/v2.0", first, NextLinkPaginator("@odata.nextLink")
    )
    assert [p.body["value"] for p in got] == [[1, 2], [3]]
    assert pages.urls == [
        "https://bc.example/api/v2.0/purchaseOrders?%24filter=x",
        next_link,
    ]
    assert got[1].request.url == next_link
    assert got[1].request.params is None


async def test_odata_v2_relative_next_resolves_against_the_request_url() -> None:
    pages = Pages(
        page({"d": {"results": [1], "__next": "A_PurchaseOrder?$skiptoken=1"}}),
        page({"d": {"results": [2], "__next": "/sap/other/A_PurchaseOrder?$skiptoken=2"}}),
        page({"d": {"results": [3]}}),
    )
    first = PageRequest("A_PurchaseOrder", params={"$format": "json"})
    got = await collect(pages, SAP_ROOT, first, NextLinkPaginator("d", "__next"))
    assert len(got) == 3
    assert pages.urls[1:] == [
        f"{SAP_ROOT}/A_PurchaseOrder?$skiptoken=1",
        "https://sap.example/sap/other/A_PurchaseOrder?$skiptoken=2",
    ]


async def test_next_links_stay_on_the_configured_origin() -> None:
    internal = "http://sapint01.corp:8000/sap/opu/odata/sap/X/A?$skiptoken=1"
    pages = Pages(page({"d": {"__next": internal}}), page({"d": {}}))
    await collect(pages, SAP_ROOT, PageRequest("A"), NextLinkPaginator("d", "__next"))
    assert pages.urls[1] == "https://sap.example/sap/opu/odata/sap/X/A?$skiptoken=1"

    pages = Pages(page({"d": {"__next": internal}}), page({"d": {}}))
    paginator = NextLinkPaginator("d", "__next", same_origin=False)
    await collect(pages, SAP_ROOT, PageRequest("A"), paginator)
    assert pages.urls[1] == internal


async def test_link_header() -> None:
    pages = Pages(
        page([1], headers={"Link": '</api/items?page=2>; rel="next"'}),
        page([2]),
    )
    got = await collect(
        pages, "https://cmms.example/api", PageRequest("items"), LinkHeaderPaginator()
    )
    assert [p.body for p in got] == [[1], [2]]
    assert pages.urls[1] == "https://cmms.example/api/items?page=2"


async def test_offset_paging_counts_what_came_not_what_was_asked() -> None:
    pages = Pages(
        page({"items": [1, 2], "hasMore": True, "offset": 0}),
        page({"items": [3, 4], "hasMore": True, "offset": 2}),
        page({"items": [5], "hasMore": False, "offset": 4}),
    )
    got = await collect(
        pages,
        "https://ns.example/services/rest",
        PageRequest("record/v1/purchaseOrder", params={"q": "x"}),
        OffsetPaginator(limit=1000),
    )
    assert [p.body["items"] for p in got] == [[1, 2], [3, 4], [5]]
    offsets = [(r.url.params["offset"], r.url.params["limit"]) for r in pages.requests]
    assert offsets == [("0", "1000"), ("2", "1000"), ("4", "1000")]
    assert all(r.url.params["q"] == "x" for r in pages.requests)


async def test_offset_paging_stops_on_an_empty_page_without_has_more() -> None:
    pages = Pages(page({"rows": [1, 2, 3]}), page({"rows": []}))
    paginator = OffsetPaginator(items_path=("rows",), has_more_path=None, offset_param="skip")
    got = await collect(pages, "https://x.example", PageRequest("rows"), paginator)
    assert len(got) == 2
    assert [r.url.params["skip"] for r in pages.requests] == ["0", "3"]


async def test_suiteql_post_pages_keep_their_body_and_are_retried_when_asked() -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"items": [{"id": 1}], "hasMore": False})

    pages = Pages(flaky, flaky)
    first = PageRequest("query/v1/suiteql", method="POST", json={"q": "SELECT id FROM transaction"})
    got = await collect(
        pages, "https://ns.example/services/rest", first, OffsetPaginator(limit=500), retry=True
    )
    assert len(got) == 1
    assert [r.content for r in pages.requests] == [b'{"q":"SELECT id FROM transaction"}'] * 2


async def test_cursor_paging() -> None:
    pages = Pages(
        page({"workOrders": [1], "nextCursor": "c2"}),
        page({"workOrders": [2], "nextCursor": None}),
    )
    got = await collect(
        pages,
        "https://mx.example/v1",
        PageRequest("workorders", params={"limit": 100}),
        CursorPaginator("nextCursor"),
    )
    assert len(got) == 2
    assert dict(pages.requests[1].url.params) == {"limit": "100", "cursor": "c2"}


async def test_a_page_that_repeats_itself_stops_the_run() -> None:
    pages = Pages(page({"next": "https://x.example/a"}), page({"next": "https://x.example/a"}))
    with pytest.raises(SystemUnreachable, match="does not advance"):
        await collect(pages, "https://x.example", PageRequest("a"), NextLinkPaginator("next"))


async def test_a_page_that_is_not_json() -> None:
    pages = Pages(lambda request: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(SystemUnreachable, match="not JSON"):
        await collect(pages, "https://x.example", PageRequest("a"), NextLinkPaginator("next"))


async def test_max_pages() -> None:
    pages = Pages(*(page({"next": f"https://x.example/a?p={n}"}) for n in range(1, 5)))
    got = await collect(
        pages, "https://x.example", PageRequest("a"), NextLinkPaginator("next"), max_pages=2
    )
    assert len(got) == 2


def test_json_at() -> None:
    body = {"a": [{"b": 1}], "o:errorDetails": [{"detail": "d"}]}
    assert json_at(body, ("a", 0, "b")) == 1
    assert json_at(body, ("a", -1, "b")) == 1
    assert json_at(body, ("a", 1, "b")) is None
    assert json_at(body, ("o:errorDetails", 0, "detail")) == "d"
    assert json_at([1], ("a",)) is None


def test_paginators_need_a_path() -> None:
    with pytest.raises(ValueError, match="next link"):
        NextLinkPaginator()
    with pytest.raises(ValueError, match="cursor"):
        CursorPaginator()
