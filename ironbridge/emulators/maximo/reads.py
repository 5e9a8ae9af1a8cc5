"""Reads of the JSON API: a collection page (where, select, orderBy, paging, counts, stable
paging) and a single resource, rendered for the request's options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response

from ironbridge.emulators.maximo import errors
from ironbridge.emulators.maximo.domains import DOMAINS
from ironbridge.emulators.maximo.errors import MaximoError
from ironbridge.emulators.maximo.query import (
    Condition,
    parse_order,
    parse_select,
    parse_where,
    run_query,
)
from ironbridge.emulators.maximo.render import (
    EVERYTHING,
    RenderContext,
    collection,
    member,
    page_url,
    record_href,
)

if TYPE_CHECKING:
    from typing import Any

    from starlette.datastructures import QueryParams
    from starlette.requests import Request

    from ironbridge.emulators.maximo.emulator import MaximoEmulator
    from ironbridge.emulators.maximo.query import Selection
    from ironbridge.emulators.maximo.structures import Structure

__all__ = ["read_collection", "read_member", "record_url", "render_one"]

_EVERY_ROW = 10**9


def _context(emulator: MaximoEmulator, params: QueryParams, url: str) -> RenderContext:
    return RenderContext(
        collection_url=url,
        zone=emulator.zone,
        lean=params.get("lean") == "1",
        internal_values=params.get("internalvalues") == "1",
        drop_nulls=params.get("_dropnulls") != "0",
        collection_refs=params.get("ignorecollectionref") != "1",
    )


def _whole(params: QueryParams, name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or int(text) < 1:
        raise MaximoError(400, errors.QUERY_NOT_PARSED, f"{name} must be a positive number.")
    return int(text)


def _internal_where(structure: Structure, text: str | None) -> list[Condition]:
    """``domaininternalwhere=status=APPR,INPRG``: every synonym of those internal values."""
    if not text:
        return []
    domain = DOMAINS.get(structure.status_domain or "")
    attr, _, values = text.partition("=")
    if domain is None or attr.strip().lower() != "status":
        message = f"domaininternalwhere {text} is not valid for {structure.name}."
        raise MaximoError(400, errors.QUERY_NOT_PARSED, message)
    wanted = {v.strip().upper() for v in values.split(",")}
    synonyms = tuple(s.value for s in domain.synonyms if s.maxvalue in wanted)
    return [Condition("status", "in", synonyms or ("",))]


def read_collection(
    emulator: MaximoEmulator, structure: Structure, request: Request, url: str
) -> Response:
    params = request.query_params
    if params.get("savedQuery"):
        message = "Saved queries are not supported by the emulator."
        raise MaximoError(400, errors.QUERY_NOT_PARSED, message)
    ctx = _context(emulator, params, url)
    conditions = parse_where(params.get("oslc.where"), structure, emulator.zone)
    conditions += _internal_where(structure, params.get("domaininternalwhere"))
    orders = parse_order(params.get("oslc.orderBy"), structure)
    selection = parse_select(params.get("oslc.select"))
    size = _whole(params, "oslc.pageSize", emulator.page_size)
    if size > emulator.max_page_size:
        message = (
            f"The page size {size} exceeds the maximum page size {emulator.max_page_size} "
            "set in the mxe.oslc.maxpagesize property."
        )
        raise MaximoError(400, errors.PAGE_SIZE, message)
    pageno = _whole(params, "pageno", 1)
    table = emulator.table(structure)
    if params.get("count") == "1":
        counted = run_query(table, structure, conditions, orders, skip=0, limit=0, count=True)
        return JSONResponse({"totalCount": counted.total or 0})
    items = params.multi_items()
    overrides: dict[str, str | int] = {}
    stable_id = params.get("stableId")
    if stable_id is not None:
        everything = emulator.stable_uids(stable_id)
        if everything is None:
            message = f"The stable paging set {stable_id} has expired. Query again."
            raise MaximoError(400, errors.STABLE_EXPIRED, message)
        overrides["stableId"] = stable_id
    elif params.get("stablepaging") == "1":
        found = run_query(
            table, structure, conditions, orders, skip=0, limit=_EVERY_ROW, count=False
        )
        everything = found.uids
        overrides["stableId"] = emulator.stable_set(everything)
    else:
        everything = None
    skip = (pageno - 1) * size
    total: int | None
    if everything is not None:
        uids, total = everything[skip : skip + size], len(everything)
        more = skip + size < len(everything)
    else:
        count = params.get("collectioncount") == "1"
        result = run_query(table, structure, conditions, orders, skip=skip, limit=size, count=count)
        uids, total, more = result.uids, result.total, result.more
    rows = (table.get(uid) for uid in uids)
    members = [member(ctx, structure, row, selection) for row in rows if row is not None]
    next_href = page_url(url, items, **overrides, pageno=pageno + 1) if more else None
    previous_href = page_url(url, items, **overrides, pageno=pageno - 1) if pageno > 1 else None
    body = collection(
        ctx,
        members,
        page_href=page_url(url, items),
        pagenum=pageno,
        next_href=next_href,
        previous_href=previous_href,
        total=total if params.get("collectioncount") == "1" else None,
        page_size=size,
    )
    return JSONResponse(body)


def render_one(
    emulator: MaximoEmulator,
    structure: Structure,
    request: Request,
    url: str,
    uid: int,
    select: str | None,
) -> dict[str, Any]:
    """One record; ``select`` as ``oslc.select`` or the ``properties`` header (all if None)."""
    row = emulator.table(structure).get(uid)
    assert row is not None
    selection: Selection = EVERYTHING if select is None else parse_select(select)
    return member(_context(emulator, request.query_params, url), structure, row, selection)


def record_url(
    emulator: MaximoEmulator, structure: Structure, request: Request, url: str, uid: int
) -> str:
    row = emulator.table(structure).get(uid)
    assert row is not None
    return record_href(_context(emulator, request.query_params, url), structure, row)


def read_member(
    emulator: MaximoEmulator, structure: Structure, request: Request, url: str, uid: int
) -> Response:
    """A single resource: every attribute unless ``oslc.select`` says otherwise."""
    return JSONResponse(
        render_one(emulator, structure, request, url, uid, request.query_params.get("oslc.select"))
    )
