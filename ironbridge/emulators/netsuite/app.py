"""The Starlette app of the NetSuite emulator: the token endpoint, the record API and SuiteQL."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.faults import FaultMiddleware
from ironbridge.emulators.netsuite import writes
from ironbridge.emulators.netsuite.auth import TOKEN_PATH
from ironbridge.emulators.netsuite.dataset import NetSuiteDataset
from ironbridge.emulators.netsuite.emulator import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_CLIENT_ID,
    DEFAULT_CONCURRENCY_LIMIT,
    NetSuiteEmulator,
)
from ironbridge.emulators.netsuite.errors import (
    INSUFFICIENT_PERMISSION,
    INVALID_CONTENT,
    INVALID_HEADER,
    INVALID_PARAMETER,
    NetSuiteError,
    NetSuiteFaultResponder,
    OAuthError,
    concurrency_exceeded,
    invalid_login,
)
from ironbridge.emulators.netsuite.query import STAMP, run
from ironbridge.emulators.netsuite.records import (
    RECORD_ROOT,
    RECORD_TYPES,
    RecordType,
    collection,
    paging,
    parse_q,
    q_matches,
    render,
)
from ironbridge.emulators.netsuite.suiteql import SuiteQLError, parse

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from starlette.requests import Request

    from ironbridge.emulators.netsuite.auth import KeyType

__all__ = ["SUITEQL_PATH", "create_app"]

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
# SuiteQL returns at most 100,000 rows of a query
SUITEQL_MAX_ROWS = 100_000
_JSON_HEADERS = {"content-type": "application/vnd.oracle.resource+json; type=collection"}


def _emulator(request: Request) -> NetSuiteEmulator:
    emulator: NetSuiteEmulator = request.app.state.emulator
    return emulator


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NetSuiteError(
            400, INVALID_CONTENT, f"Invalid JSON in the request body: {exc}"
        ) from exc


async def _token(request: Request) -> Response:
    emulator = _emulator(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        body = emulator.tokens.issue(fields, token_url=_base(request) + TOKEN_PATH)
    except OAuthError as error:
        return error.response()
    return JSONResponse(body, headers={"cache-control": "no-store"})


def _governed(handler: Callable[[Request, NetSuiteEmulator], Awaitable[Response]]) -> Any:
    """Concurrency governance, bearer authentication and NetSuite's error bodies."""

    async def endpoint(request: Request) -> Response:
        emulator = _emulator(request)
        async with emulator.slot() as admitted:
            if not admitted:
                return concurrency_exceeded(emulator.concurrency_limit)
            scopes = emulator.tokens.authenticate(request.headers.get("authorization"))
            if scopes is None:
                return invalid_login()
            try:
                if "rest_webservices" not in scopes:
                    raise NetSuiteError(
                        403,
                        INSUFFICIENT_PERMISSION,
                        "The access token's scope does not include REST web services.",
                    )
                return await handler(request, emulator)
            except NetSuiteError as error:
                return error.response()

    return endpoint


def _spec(request: Request, *, write: bool = False) -> RecordType:
    name = request.path_params["record_type"]
    spec = RECORD_TYPES.get(name)
    if spec is None:
        raise NetSuiteError(
            404, INVALID_PARAMETER, f"Record type '{name}' does not exist or is not supported."
        )
    if write and not spec.writable:
        raise NetSuiteError(405, "METHOD_NOT_ALLOWED", f"The record type {name} is read-only.")
    return spec


def _record_id(request: Request) -> str:
    record_id: str = request.path_params["record_id"]
    if not record_id.isdigit():
        raise writes.not_found()
    return record_id


async def _list(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request)
    limit, offset = paging(request.query_params)
    store = emulator.dataset.stores[spec.name]
    ids = list(store.ids())
    if (q := request.query_params.get("q")) is not None:
        terms = parse_q(q, emulator.zone)
        fast = store.fast.get(STAMP)
        kept = []
        for record_id in ids:
            index = store.index_of(record_id)
            if fast is not None and index is not None and store.is_plain_base(index):
                stamp = fast(index)
            else:
                stamp = _stamp_of(store.get(record_id))
            if q_matches(terms, stamp, emulator.zone):
                kept.append(record_id)
        ids = kept
    root = _base(request) + RECORD_ROOT
    items = [
        {"links": [{"rel": "self", "href": f"{root}/{spec.name}/{i}"}], "id": i}
        for i in ids[offset : offset + limit]
    ]
    body = collection(
        items,
        total=len(ids),
        limit=limit,
        offset=offset,
        url=_base(request) + request.url.path,
        params=request.query_params.multi_items(),
    )
    return JSONResponse(body, headers=_JSON_HEADERS)


def _stamp_of(record: dict[str, Any] | None) -> datetime | None:
    value = (record or {}).get("lastModifiedDate")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


async def _get(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request)
    record = emulator.dataset.stores[spec.name].get(_record_id(request))
    if record is None:
        raise writes.not_found()
    params = request.query_params
    expand = params.get("expandSubResources", "false").lower() == "true"
    fields = [f.strip() for f in params["fields"].split(",")] if "fields" in params else None
    body = render(spec, record, root=_base(request) + RECORD_ROOT, expand=expand, fields=fields)
    return JSONResponse(body, headers={"content-type": "application/vnd.oracle.resource+json"})


async def _get_sublist(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request)
    name = request.path_params["sublist"]
    record = emulator.dataset.stores[spec.name].get(_record_id(request))
    if record is None:
        raise writes.not_found()
    if name not in spec.sublists and name not in spec.subrecords:
        raise NetSuiteError(404, INVALID_PARAMETER, f"Sub-resource '{name}' does not exist.")
    body = render(spec, record, root=_base(request) + RECORD_ROOT, expand=True, fields=[name])
    return JSONResponse(body.get(name, {}))


async def _create(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request, write=True)
    record_id = writes.create(emulator, spec.name, await _json_body(request))
    location = f"{_base(request)}{RECORD_ROOT}/{spec.name}/{record_id}"
    return Response(status_code=204, headers={"location": location})


async def _update(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request, write=True)
    replace = {p.strip() for p in request.query_params.get("replace", "").split(",") if p.strip()}
    body = await _json_body(request)
    writes.update(emulator, spec.name, _record_id(request), body, replace=replace)
    return Response(status_code=204)


async def _delete(request: Request, emulator: NetSuiteEmulator) -> Response:
    spec = _spec(request, write=True)
    writes.delete(emulator, spec.name, _record_id(request))
    return Response(status_code=204)


async def _suiteql(request: Request, emulator: NetSuiteEmulator) -> Response:
    preferences = {p.strip().lower() for p in request.headers.get("prefer", "").split(",")}
    if "transient" not in preferences:
        raise NetSuiteError(
            400,
            INVALID_HEADER,
            "Invalid 'Prefer' header. SuiteQL queries require the header 'Prefer: transient'.",
        )
    limit, offset = paging(request.query_params)
    if offset >= SUITEQL_MAX_ROWS:
        raise NetSuiteError(
            400,
            INVALID_PARAMETER,
            f"Invalid value for query parameter offset: {offset}. SuiteQL returns at most "
            f"{SUITEQL_MAX_ROWS} results.",
        )
    body = await _json_body(request)
    text = body.get("q") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise NetSuiteError(
            400, INVALID_CONTENT, 'The request body must be a JSON object {"q": "SELECT ..."}.'
        )
    try:
        result = run(
            emulator.dataset,
            parse(text),
            limit=min(limit, SUITEQL_MAX_ROWS - offset),
            offset=offset,
            zone=emulator.zone,
        )
    except SuiteQLError as error:
        raise NetSuiteError(
            400,
            INVALID_PARAMETER,
            f"Invalid search query. Detailed unprocessed description follows. {error}",
        ) from error
    envelope = collection(
        result.items,
        total=min(result.total, SUITEQL_MAX_ROWS),
        limit=limit,
        offset=offset,
        url=_base(request) + request.url.path,
        params=request.query_params.multi_items(),
    )
    return JSONResponse(envelope, headers=_JSON_HEADERS)


def create_app(
    *,
    records: int = 250,
    seed: int = 1,
    anchor: datetime | None = None,
    span_days: int = 365,
    work_orders: int = 40,
    account_id: str = DEFAULT_ACCOUNT_ID,
    client_id: str = DEFAULT_CLIENT_ID,
    key_type: KeyType = "ec",
    private_key_pem: str | None = None,
    token_ttl: int = 3600,
    concurrency_limit: int = DEFAULT_CONCURRENCY_LIMIT,
    timezone: str = "UTC",
    clock: Callable[[], datetime] | None = None,
    fault_seed: int = 0,
) -> Starlette:
    """A NetSuite emulator with ``records`` purchase orders; ``app.state.emulator`` is its
    ``NetSuiteEmulator``."""
    dataset = NetSuiteDataset(
        records=records, seed=seed, anchor=anchor, span_days=span_days, work_orders=work_orders
    )
    emulator = NetSuiteEmulator(
        dataset=dataset,
        account_id=account_id,
        client_id=client_id,
        key_type=key_type,
        private_key_pem=private_key_pem,
        token_ttl=token_ttl,
        concurrency_limit=concurrency_limit,
        timezone=timezone,
        clock=clock,
        fault_seed=fault_seed,
    )
    record = RECORD_ROOT + "/{record_type}"
    routes = [
        control_mount(),
        Route(TOKEN_PATH, _token, methods=["POST"]),
        Route(SUITEQL_PATH, _governed(_suiteql), methods=["POST"]),
        Route(record, _governed(_list), methods=["GET"]),
        Route(record, _governed(_create), methods=["POST"]),
        Route(record + "/{record_id}", _governed(_get), methods=["GET"]),
        Route(record + "/{record_id}", _governed(_update), methods=["PATCH"]),
        Route(record + "/{record_id}", _governed(_delete), methods=["DELETE"]),
        Route(record + "/{record_id}/{sublist}", _governed(_get_sublist), methods=["GET"]),
    ]
    middleware = [
        Middleware(FaultMiddleware, controls=emulator.faults, responder=NetSuiteFaultResponder())
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.emulator = emulator
    return app
