"""Server-driven paging of an SAP entity set, one page ahead: the next page is on its way while
the caller maps and stores the current one."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import SystemUnreachable
from ironbridge.connectors.pagination import Page, PageRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from ironbridge.connectors.http import ConnectorHttp
    from ironbridge.connectors.sap.resources import Resource

__all__ = ["pages"]


async def _fetch(http: ConnectorHttp, request: PageRequest) -> Page:
    response = await http.request(
        request.method, request.url, params=request.params, headers=request.headers
    )
    try:
        body = response.json()
    except ValueError as exc:
        kind = response.headers.get("content-type", "no content type")
        raise SystemUnreachable(
            http.system, f"a page of {request.url} is not JSON ({kind})", reason="server_error"
        ) from exc
    return Page(request, response, body)


async def pages(
    http: ConnectorHttp,
    resource: Resource,
    params: Mapping[str, str],
    *,
    required: Mapping[str, str],
) -> AsyncIterator[tuple[list[Any], bool]]:
    """Every page of a query on ``resource`` as ``(entities, is_last)``. ``required`` are the
    query parameters every request carries (``sap-client``), added to next links lacking them."""
    protocol = resource.protocol
    paginator = protocol.paginator(required=required)
    first = PageRequest(
        resource.path,
        params={**required, **protocol.read_params, **params},
        headers=protocol.read_headers,
    )
    followed: set[str] = set()
    pending: asyncio.Task[Page] | None = asyncio.create_task(_fetch(http, first))
    try:
        while pending is not None:
            task, pending = pending, None
            page = await task
            try:
                entities = protocol.entities(page.body)
            except ValueError as exc:
                raise SystemUnreachable(
                    http.system, f"{resource.path}: {exc}", reason="server_error"
                ) from exc
            following = paginator.next_request(page)
            if following is not None:
                if following.url in followed:  # a server sending pages in a circle
                    raise SystemUnreachable(
                        http.system, f"paging loops back to {following.url}", reason="server_error"
                    )
                followed.add(following.url)
                pending = asyncio.create_task(_fetch(http, following))
            yield entities, following is None
    finally:
        if pending is not None:  # the caller stopped early, or failed
            pending.cancel()
            pending.add_done_callback(_forget)


def _forget(task: asyncio.Task[Page]) -> None:
    """Retrieve a dropped prefetch's outcome, so that asyncio does not report it."""
    if not task.cancelled():
        task.exception()
