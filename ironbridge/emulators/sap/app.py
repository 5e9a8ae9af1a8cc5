"""The Starlette app of the SAP emulator: authentication, CSRF, reads and writes per service."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.faults import FaultMiddleware
from ironbridge.emulators.sap import v2, v4, writes
from ironbridge.emulators.sap.dataset import SapDataset
from ironbridge.emulators.sap.emulator import (
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SapEmulator,
)
from ironbridge.emulators.sap.errors import (
    ODataError,
    SapFaultResponder,
    csrf_required,
    error_response,
    logon_failed,
)
from ironbridge.emulators.sap.metadata import metadata_document
from ironbridge.emulators.sap.model import SERVICES, V2_ROOT, V4_PO_ROOT, EntitySet, Service
from ironbridge.emulators.sap.options import Expand, page_url, parse_options
from ironbridge.emulators.sap.query import run_query
from ironbridge.emulators.sap.resources import not_found, parse_key, parse_resource
from ironbridge.emulators.sap.tables import ChildTable
from ironbridge.emulators.sap.values import key_predicate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from starlette.requests import Request

    from ironbridge.emulators.sap.options import RenderContext
    from ironbridge.emulators.sap.tables import Key, Record

__all__ = ["create_app"]

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "MERGE", "DELETE"]
_NO_SERVICE = "/IWFND/MED/170"
_FORMAT = "/IWBEP/CM_MGW_RT/052"
_V2_HEADERS = {"dataserviceversion": "2.0"}
_V4_HEADERS = {"odata-version": "4.0"}


def _service(request: Request) -> Service | None:
    if request.url.path.startswith(V4_PO_ROOT):
        return next(s for s in SERVICES if s.version == 4)
    name = request.path_params.get("service", "")
    return next((s for s in SERVICES if s.version == 2 and s.name == name), None)


def _json(service: Service, body: Any, *, status: int = 200, ieee754: bool = False) -> Response:
    if service.version == 2:
        return JSONResponse(body, status_code=status, headers=_V2_HEADERS)
    media = f"application/json;odata.metadata=minimal;IEEE754Compatible={str(ieee754).lower()}"
    return JSONResponse(body, status_code=status, headers=_V4_HEADERS, media_type=media)


def _wants_ieee754(request: Request) -> bool:
    accept = f"{request.headers.get('accept', '')};{request.query_params.get('$format', '')}"
    return "ieee754compatible=true" in accept.replace(" ", "").lower()


def _check_json_format(request: Request, service: Service) -> None:
    """SAP V2 answers Atom XML unless JSON is asked for; the emulator only speaks JSON."""
    fmt = request.query_params.get("$format")
    if fmt is not None:
        if fmt.split(";")[0].strip().lower() not in ("json", "application/json"):
            raise ODataError(406, _FORMAT, f"The emulator serves JSON only, not $format={fmt}")
        return
    if service.version == 2 and "json" not in request.headers.get("accept", "").lower():
        raise ODataError(
            406,
            _FORMAT,
            "Only JSON is served: send $format=json or Accept: application/json "
            "(the real service would answer Atom XML)",
        )


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _full_expand(service: Service, entity_set: EntitySet) -> tuple[Expand, ...]:
    items = []
    for nav in entity_set.navs:
        target = service.entity_set(nav.target)
        assert target is not None
        items.append(Expand(nav.name, None, _full_expand(service, target)))
    return tuple(items)


class _Handler:
    """One request against one service."""

    def __init__(self, request: Request, emulator: SapEmulator, service: Service) -> None:
        self.request = request
        self.emulator = emulator
        self.service = service
        self.ieee754 = _wants_ieee754(request)
        self.ctx: RenderContext = emulator.context(
            service, _base_url(request), ieee754=self.ieee754
        )
        self.path = request.path_params.get("path", "")

    def entity_set(self, name: str) -> EntitySet:
        found = self.service.entity_set(name)
        if found is None:
            raise not_found(name)
        return found

    def record(self, entity_set: EntitySet, key_text: str) -> tuple[Key, Record]:
        key = parse_key(entity_set, key_text)
        record = self.emulator.dataset.tables[entity_set.table].get(key)
        if record is None:
            raise not_found(entity_set.type_name)
        return key, record

    def json(self, body: Any, *, status: int = 200) -> Response:
        return _json(self.service, body, status=status, ieee754=self.ieee754)

    # -- reads -----------------------------------------------------------------------------

    def read(self) -> Response:
        path = self.path.strip("/")
        if path == "$metadata":
            return Response(metadata_document(self.service), media_type="application/xml")
        if self.request.method != "HEAD" and not path.endswith("$count"):
            _check_json_format(self.request, self.service)
        if path == "":
            render = v2.service_document if self.service.version == 2 else v4.service_document
            return self.json(render(self.service))
        if path == "$batch":
            raise ODataError(501, writes.NOT_IMPLEMENTED, "$batch is not supported by the emulator")
        resource = parse_resource(path)
        entity_set = self.entity_set(resource.entity_set)
        if resource.key is None:
            if resource.navigation is not None:
                raise not_found(resource.navigation)
            rows = self.emulator.dataset.tables[entity_set.table]
            return self.collection(entity_set, rows.keys(), count_only=resource.count)
        key, record = self.record(entity_set, resource.key)
        if resource.navigation is None:
            if resource.count:
                raise not_found("$count")
            return self.single(entity_set, key, record)
        nav = entity_set.nav(resource.navigation)
        if nav is None:
            raise not_found(resource.navigation)
        target = self.ctx.target(nav)
        children = self.emulator.dataset.tables[target.table]
        assert isinstance(children, ChildTable)
        return self.collection(target, children.child_keys(key), count_only=resource.count)

    def single(self, entity_set: EntitySet, key: Key, record: Record) -> Response:
        options = parse_options(self.request.query_params, self.service, entity_set)
        render = v2.single if self.service.version == 2 else v4.single
        body = render(
            self.ctx, entity_set, key, record, select=options.select, expand=options.expand
        )
        response = self.json(body)
        tag = self.emulator.etag(entity_set, key, record, self.service.version)
        if tag is not None:
            response.headers["etag"] = tag
        return response

    def collection(
        self, entity_set: EntitySet, keys: Iterable[Key], *, count_only: bool
    ) -> Response:
        options = parse_options(self.request.query_params, self.service, entity_set)
        rows = self.emulator.dataset.tables[entity_set.table]
        if count_only:
            predicate = options.predicate
            total = sum(
                1 for k in keys if predicate is None or predicate(functools.partial(rows.value, k))
            )
            return PlainTextResponse(str(total))
        page = run_query(
            keys,
            rows,
            entity_set,
            predicate=options.predicate,
            orderby=options.orderby,
            top=options.top,
            skip=options.skip,
            skiptoken=options.skiptoken,
            count=options.count,
            page_size=self.emulator.page_size,
        )
        found = [(k, r) for k in page.keys if (r := rows.get(k)) is not None]
        next_url = None
        if page.next_skiptoken is not None:
            url = _base_url(self.request) + self.request.url.path
            next_url = page_url(url, self.request.query_params.multi_items(), page.next_skiptoken)
        render = v2.collection if self.service.version == 2 else v4.collection
        body = render(
            self.ctx,
            entity_set,
            found,
            count=page.count,
            next_url=next_url,
            select=options.select,
            expand=options.expand,
        )
        return self.json(body)

    # -- writes ----------------------------------------------------------------------------

    async def body(self) -> Any:
        raw = await self.request.body()
        try:
            return json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise ODataError(
                400, writes.INVALID_PROPERTY, f"The request body is not valid JSON: {exc.msg}"
            ) from exc

    async def write(self, method: str, user: str) -> Response:
        resource = parse_resource(self.path)
        if not resource.entity_set or resource.navigation or resource.count:
            raise ODataError(
                405, writes.NOT_IMPLEMENTED, f"{method} is not allowed on this resource"
            )
        entity_set = self.entity_set(resource.entity_set)
        if method == "POST":
            if resource.key is not None:
                raise ODataError(405, writes.NOT_IMPLEMENTED, "POST needs an entity set")
            key = writes.create(
                self.emulator, self.service, entity_set, await self.body(), user=user
            )
            return self.created(entity_set, key)
        if resource.key is None:
            raise ODataError(405, writes.NOT_IMPLEMENTED, f"{method} needs an entity key")
        key, _record = self.record(entity_set, resource.key)
        if method == "DELETE":
            raise writes.not_implemented(entity_set, "DELETE")
        if method not in ("PATCH", "MERGE", "PUT"):
            raise ODataError(405, writes.NOT_IMPLEMENTED, f"Method {method} is not allowed")
        writes.update(
            self.emulator,
            self.service,
            entity_set,
            key,
            await self.body(),
            if_match=self.request.headers.get("if-match"),
        )
        response = Response(status_code=204)
        record = self.emulator.dataset.tables[entity_set.table].get(key)
        assert record is not None
        tag = self.emulator.etag(entity_set, key, record, self.service.version)
        if tag is not None:
            response.headers["etag"] = tag
        return response

    def created(self, entity_set: EntitySet, key: Key) -> Response:
        record = self.emulator.dataset.tables[entity_set.table].get(key)
        assert record is not None
        render = v2.single if self.service.version == 2 else v4.single
        expand = _full_expand(self.service, entity_set)
        response = self.json(render(self.ctx, entity_set, key, record, expand=expand), status=201)
        location = f"{self.ctx.service_url}/{entity_set.name}"
        response.headers["location"] = location + key_predicate(entity_set.keys, record)
        tag = self.emulator.etag(entity_set, key, record, self.service.version)
        if tag is not None:
            response.headers["etag"] = tag
        return response


def _fetch_csrf(emulator: SapEmulator, response: Response) -> None:
    token, session = emulator.issue_csrf()
    response.headers["x-csrf-token"] = token
    response.set_cookie(emulator.session_cookie, session, path="/", httponly=True)
    response.set_cookie(emulator.xsrf_cookie, token, path="/", httponly=True)


async def _endpoint(request: Request) -> Response:
    emulator: SapEmulator = request.app.state.emulator
    service = _service(request)
    version = service.version if service is not None else 2
    sap_client = request.query_params.get("sap-client")
    if sap_client is not None and sap_client != emulator.client:
        return logon_failed(sap_client)
    user = emulator.authenticate(request.headers.get("authorization"))
    if user is None:
        return logon_failed(emulator.client)
    method = request.method
    override = request.headers.get("x-http-method")
    if method == "POST" and override:
        method = override.upper()
    fetch = method in ("GET", "HEAD") and request.headers.get("x-csrf-token", "").lower() == "fetch"
    try:
        if service is None:
            name = request.path_params.get("service", "")
            raise ODataError(
                404,
                _NO_SERVICE,
                f"No service found for namespace '/SAP/', name '{name}', version '0001'",
            )
        handler = _Handler(request, emulator, service)
        if method in ("GET", "HEAD"):
            response = handler.read()
        elif not emulator.csrf_valid(request.headers.get("x-csrf-token"), request.cookies):
            return csrf_required()
        else:
            response = await handler.write(method, user)
    except ODataError as error:
        name = service.name if service is not None else ""
        component = service.component if service is not None else ""
        response = error_response(error, version=version, service=name, component=component)
    if fetch:
        _fetch_csrf(emulator, response)
    return response


def create_app(
    *,
    records: int = 250,
    seed: int = 1,
    page_size: int = 100,
    anchor: datetime | None = None,
    span_days: int = 365,
    maintenance_orders: int = 40,
    production_orders: int = 40,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    client: str = DEFAULT_CLIENT,
    bearer_token: str | None = DEFAULT_BEARER_TOKEN,
    csrf_ttl: float = 1800.0,
    clock: Callable[[], datetime] | None = None,
    fault_seed: int = 0,
) -> Starlette:
    """An SAP S/4HANA emulator with ``records`` purchase orders; ``app.state.emulator`` is
    its ``SapEmulator``."""
    dataset = SapDataset(
        records=records,
        seed=seed,
        anchor=anchor,
        span_days=span_days,
        maintenance_orders=maintenance_orders,
        production_orders=production_orders,
    )
    emulator = SapEmulator(
        dataset=dataset,
        username=username,
        password=password,
        client=client,
        bearer_token=bearer_token,
        page_size=page_size,
        csrf_ttl=csrf_ttl,
        clock=clock,
        fault_seed=fault_seed,
    )
    routes = [
        control_mount(),
        Route(V4_PO_ROOT, _endpoint, methods=_METHODS),
        Route(V4_PO_ROOT + "/{path:path}", _endpoint, methods=_METHODS),
        Route(V2_ROOT + "/{service}", _endpoint, methods=_METHODS),
        Route(V2_ROOT + "/{service}/{path:path}", _endpoint, methods=_METHODS),
    ]
    middleware = [
        Middleware(
            FaultMiddleware, controls=emulator.faults, responder=SapFaultResponder(client=client)
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.emulator = emulator
    return app
