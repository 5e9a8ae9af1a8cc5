"""The Starlette app of the Plex emulator: the API key and tenant headers, the per-minute call
limit, the Connect REST resources as bare JSON arrays, and purchase order writes."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.faults import FaultMiddleware
from ironbridge.emulators.plex import errors, writes
from ironbridge.emulators.plex.dataset import PlexDataset
from ironbridge.emulators.plex.emulator import (
    DEFAULT_API_KEY,
    DEFAULT_CUSTOMER_ID,
    DEFAULT_TENANT_ID,
    PlexEmulator,
    public,
)
from ironbridge.emulators.plex.errors import PlexError, PlexFaultResponder, error_response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
    from datetime import datetime

    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from ironbridge.emulators.plex.store import Row

__all__ = ["create_app"]


# query parameters each list understands (lower case -> field); any other is ignored
_FILTERS: Mapping[str, Mapping[str, str]] = {
    "purchase-orders": {
        "id": "id",
        "ponumber": "poNumber",
        "supplierid": "supplierId",
        "status": "status",
    },
    "suppliers": {"id": "id", "code": "code", "status": "status"},
    "parts": {"id": "id", "number": "number", "status": "status"},
    "locations": {"id": "id", "locationcode": "locationCode", "buildingcode": "buildingCode"},
    "containers": {"serialno": "serialNo", "partid": "partId", "locationid": "locationId"},
    "jobs": {"id": "id", "jobnumber": "jobNumber", "jobstatus": "jobStatus"},
}
_CHUNK = 500


def _array(rows: Iterable[Mapping[str, Any]]) -> Response:
    """A bare JSON array, streamed in chunks; Plex answers 404 when there is no data."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise errors.not_found("No data was found for the request.")

    def chunks() -> Iterator[bytes]:
        dump = json.JSONEncoder(separators=(",", ":")).encode
        yield b"[" + dump(first).encode()
        while batch := list(itertools.islice(iterator, _CHUNK)):
            yield b"".join(b"," + dump(row).encode() for row in batch)
        yield b"]"

    return StreamingResponse(chunks(), media_type="application/json; charset=utf-8")


def _matches(request: Request, resource: str) -> Callable[[Row], bool]:
    known = _FILTERS[resource]
    wanted: dict[str, set[str]] = {}
    for name, value in request.query_params.multi_items():
        field = known.get(name.lower())
        if field is not None:
            wanted.setdefault(field, set()).add(value.lower())
    if not wanted:
        return lambda _row: True
    return lambda row: all(str(row.get(f, "")).lower() in values for f, values in wanted.items())


def _list(resource: str) -> Callable[[Request, PlexEmulator], Awaitable[Response]]:
    async def handle(request: Request, emulator: PlexEmulator) -> Response:
        keep = _matches(request, resource)
        return _array(public(row) for row in emulator.table(resource).rows() if keep(row))

    return handle


def _one(
    resource: str, param: str = "id"
) -> Callable[[Request, PlexEmulator], Awaitable[Response]]:
    async def handle(request: Request, emulator: PlexEmulator) -> Response:
        row = emulator.table(resource).find(request.path_params[param])
        if row is None:
            raise errors.not_found()
        return JSONResponse(public(row))

    return handle


def _purchase_order(request: Request, emulator: PlexEmulator) -> tuple[int, Row]:
    table = emulator.table("purchase-orders")
    index = table.index_of(request.path_params["id"])
    row = None if index is None else table.get(index)
    if index is None or row is None:
        raise errors.not_found()
    return index, row


async def _statuses(request: Request, emulator: PlexEmulator) -> Response:
    return _array(emulator.dataset.statuses)


async def _line_items(request: Request, emulator: PlexEmulator) -> Response:
    _index, row = _purchase_order(request, emulator)
    lines = row.get("_lineItems") or []
    wanted = {v.lower() for k, v in request.query_params.multi_items() if k.lower() == "id"}
    return _array(line for line in lines if not wanted or str(line.get("id")).lower() in wanted)


async def _line_item(request: Request, emulator: PlexEmulator) -> Response:
    _index, row = _purchase_order(request, emulator)
    wanted = request.path_params["line"].lower()
    for line in row.get("_lineItems") or []:
        if str(line.get("id")).lower() == wanted:
            return JSONResponse(line)
    raise errors.not_found()


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except json.JSONDecodeError as exc:
        raise errors.invalid(f"The request body is not valid JSON: {exc.msg}.") from exc


async def _create(request: Request, emulator: PlexEmulator) -> Response:
    row = writes.create_purchase_order(emulator, await _body(request))
    location = f"{request.url.path.rstrip('/')}/{row['id']}"
    return JSONResponse(public(row), status_code=201, headers={"Location": location})


async def _update(request: Request, emulator: PlexEmulator) -> Response:
    index, _row = _purchase_order(request, emulator)
    row = writes.update_purchase_order(emulator, index, await _body(request))
    return JSONResponse(public(row))


async def _no_delete(request: Request, emulator: PlexEmulator) -> Response:
    _purchase_order(request, emulator)
    message = "Purchase orders cannot be deleted; void them with a cancelled status instead."
    raise PlexError(405, errors.METHOD_NOT_ALLOWED, message)


async def _unknown(request: Request, emulator: PlexEmulator) -> Response:
    raise errors.not_found("The requested resource was not found.")


def _guarded(handler: Callable[[Request, PlexEmulator], Awaitable[Response]]) -> Any:
    async def endpoint(request: Request) -> Response:
        emulator: PlexEmulator = request.app.state.emulator
        if emulator.over_limit():
            return errors.too_many_requests()
        headers = request.headers
        authenticated = (
            emulator.check_key(headers.get("x-plex-connect-api-key"))
            and emulator.check_secret(headers.get("x-plex-connect-api-secret"))
            and emulator.check_tenant(
                headers.get("x-plex-connect-customer-id"), headers.get("x-plex-connect-tenant-id")
            )
        )
        try:
            if not authenticated:
                raise errors.not_authenticated()
            return await handler(request, emulator)
        except PlexError as error:
            return error_response(error)

    return endpoint


def _routes() -> list[BaseRoute]:
    po = "/purchasing/v1/purchase-orders"
    table: list[tuple[str, Any, list[str]]] = [
        ("/purchasing/v1/purchase-order-statuses", _statuses, ["GET"]),
        (po, _list("purchase-orders"), ["GET"]),
        (po, _create, ["POST"]),
        (po + "/{id}", _one("purchase-orders"), ["GET"]),
        (po + "/{id}", _update, ["PUT"]),
        (po + "/{id}", _no_delete, ["DELETE"]),
        (po + "/{id}/line-items", _line_items, ["GET"]),
        (po + "/{id}/line-items/{line}", _line_item, ["GET"]),
        ("/mdm/v1/suppliers", _list("suppliers"), ["GET"]),
        ("/mdm/v1/suppliers/{id}", _one("suppliers"), ["GET"]),
        ("/inventory/v1/inventory-tracking/containers", _list("containers"), ["GET"]),
        ("/inventory-tracking/v1/containers/{serial}", _one("containers", "serial"), ["GET"]),
        ("/inventory/v1/inventory-definitions/locations", _list("locations"), ["GET"]),
        ("/inventory/v1/inventory-definitions/locations/{id}", _one("locations"), ["GET"]),
        ("/scheduling/v1/jobs", _list("jobs"), ["GET"]),
        ("/scheduling/v1/jobs/{id}", _one("jobs"), ["GET"]),
    ]
    for version in ("v1", "v2"):
        table += [
            (f"/mdm/{version}/parts", _list("parts"), ["GET"]),
            (f"/mdm/{version}/parts/{{id}}", _one("parts"), ["GET"]),
        ]
    routes: list[BaseRoute] = [control_mount()]
    routes += [Route(path, _guarded(h), methods=methods) for path, h, methods in table]
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes.append(Route("/{rest:path}", _guarded(_unknown), methods=methods))
    return routes


def create_app(
    *,
    records: int = 60,
    anchor: datetime | None = None,
    span_days: int = 365,
    api_key: str = DEFAULT_API_KEY,
    customer_id: str = DEFAULT_CUSTOMER_ID,
    tenant_id: str = DEFAULT_TENANT_ID,
    api_secret: str | None = None,
    calls_per_minute: int | None = None,
    clock: Callable[[], datetime] | None = None,
    fault_seed: int = 0,
    page_size: int | None = None,
) -> Starlette:
    """A Plex emulator with ``records`` purchase orders; ``app.state.emulator`` is its
    ``PlexEmulator``. ``calls_per_minute`` switches on Plex's own limit (429, no
    ``Retry-After``). ``page_size`` is accepted for symmetry and ignored: Plex does not page."""
    del page_size
    emulator = PlexEmulator(
        dataset=PlexDataset(records=records, anchor=anchor, span_days=span_days),
        api_key=api_key,
        customer_id=customer_id,
        tenant_id=tenant_id,
        api_secret=api_secret,
        calls_per_minute=calls_per_minute,
        clock=clock,
        fault_seed=fault_seed,
    )
    middleware = [
        Middleware(FaultMiddleware, controls=emulator.faults, responder=PlexFaultResponder())
    ]
    app = Starlette(routes=_routes(), middleware=middleware)
    app.state.emulator = emulator
    return app
