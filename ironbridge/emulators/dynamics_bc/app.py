"""The Starlette app of the Business Central emulator: the Entra token endpoint, then the
standard API (v2.0) and the analytics API under ``/v2.0/{tenant}/{environment}/api/``."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.dynamics_bc import writes
from ironbridge.emulators.dynamics_bc.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_ENVIRONMENT,
    DEFAULT_TENANT,
    ENTITY_SETS,
    SCOPE,
    DynamicsBcEmulator,
    etag,
    render,
)
from ironbridge.emulators.dynamics_bc.errors import (
    ENTITY_CHANGED,
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    NOT_FOUND,
    BcError,
    BcFaultResponder,
    bad_request,
    error_response,
    token_error,
)
from ironbridge.emulators.dynamics_bc.reads import FIELDS, Options, read_page
from ironbridge.emulators.faults import FaultMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from starlette.requests import Request

    from ironbridge.emulators.dynamics_bc.emulator import Company, EntitySet
    from ironbridge.emulators.dynamics_bc.store import Row, Table

__all__ = ["create_app"]

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<key>[^)]*)\))?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_APIS = {"v2.0": "v2.0", "microsoft/analytics/v1.0": "analytics"}


def _emulator(request: Request) -> DynamicsBcEmulator:
    emulator: DynamicsBcEmulator = request.app.state.emulator
    return emulator


# -- the Entra token endpoint -----------------------------------------------------------------


async def _token(request: Request) -> Response:
    emulator = _emulator(request)
    tenant = request.path_params.get("tenant", emulator.tenant)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("latin-1")).items()}
    if tenant.lower() != emulator.tenant.lower():
        return token_error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
    if form.get("grant_type") != "client_credentials":
        return token_error(
            400,
            "unsupported_grant_type",
            "AADSTS70003: The app requested an unsupported grant type "
            f"'{form.get('grant_type', '')}'.",
        )
    client_id = form.get("client_id", "")
    if client_id.lower() != emulator.client_id.lower():
        return token_error(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{client_id}' was not found in the "
            f"directory '{tenant}'.",
        )
    if not emulator.check_client(emulator.client_id, form.get("client_secret", "")):
        return token_error(
            401,
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
            "request is the client secret value, not the client secret ID, for a secret added "
            f"to app '{client_id}'.",
        )
    if form.get("scope") != SCOPE:
        return token_error(
            400,
            "invalid_scope",
            f"AADSTS1002012: The provided value for scope {form.get('scope', '')} is not valid. "
            "Client credential flows must have a scope value with /.default suffixed to the "
            "resource identifier (application ID URI).",
        )
    lifetime = emulator.token_lifetime
    return JSONResponse(
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": emulator.issue_token(),
        }
    )


# -- the API ----------------------------------------------------------------------------------


def _segments(rest: str) -> tuple[str, list[tuple[str, str | None]]]:
    """The API (``v2.0`` or ``analytics``) and the (name, key) segments after it."""
    for prefix, api in _APIS.items():
        if rest == prefix or rest.startswith(prefix + "/"):
            parts = [p for p in rest[len(prefix) :].split("/") if p]
            parsed = []
            for part in parts:
                match = _SEGMENT.match(unquote(part))
                if match is None:
                    raise BcError(404, NOT_FOUND, f"Resource not found for the segment '{part}'.")
                parsed.append((match.group("name"), match.group("key")))
            return api, parsed
    raise BcError(404, NOT_FOUND, f"No API is published at '{rest}'.")


def _key(raw: str | None, what: str) -> str:
    key = (raw or "").strip().strip("'")
    if not key:
        raise bad_request(f"The key of {what} is missing.")
    return key.lower() if _GUID.match(key) else key


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except json.JSONDecodeError as exc:
        raise bad_request(f"The request body is not valid JSON: {exc.msg}.") from exc
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def _check_etag(request: Request, current: Row, key: str = "id") -> None:
    sent = request.headers.get("if-match")
    if not sent or not (sent == "*" or sent.startswith(('W/"', '"'))):
        raise BcError(
            400,
            INVALID_TOKEN,
            "Could not validate the client concurrency token required by the service. Please "
            "provide a valid token in the client request.",
        )
    if sent != "*" and sent != etag(current, key):
        raise BcError(412, ENTITY_CHANGED, "Another user has already changed the record.")


class _Call:
    """One authenticated request below ``/api/``."""

    def __init__(self, request: Request, emulator: DynamicsBcEmulator) -> None:
        self.request = request
        self.emulator = emulator
        self.method = request.method

    async def handle(self, api: str, segments: list[tuple[str, str | None]]) -> Response:
        if not segments or segments[0][0] != "companies":
            raise BcError(404, NOT_FOUND, "Resource not found for the segment.")
        _name, key = segments[0]
        if key is None:
            if len(segments) > 1 or self.method != "GET":
                raise BcError(405, "BadRequest_MethodNotAllowed", "The method is not allowed.")
            companies = [c.as_json() for c in self.emulator.companies]
            return JSONResponse({"@odata.context": self._context("companies"), "value": companies})
        company = self.emulator.company(_key(key, "company"))
        if company is None:
            raise BcError(404, "BadRequest_NotFound", f"The company '{key}' does not exist.")
        if len(segments) == 1:
            return JSONResponse(company.as_json())
        set_name, set_key = segments[1]
        entity = ENTITY_SETS.get(set_name)
        if entity is None or entity.api != api:
            raise BcError(404, NOT_FOUND, f"Resource not found for the segment '{set_name}'.")
        table = company.tables[entity.name]
        if set_key is None:
            if len(segments) > 2:
                raise BcError(404, NOT_FOUND, "Resource not found for the segment.")
            return await self.collection(company, entity, table)
        row_key = _key(set_key, entity.name)
        position = table.position(row_key)
        if position is None:
            raise BcError(
                404,
                "BadRequest_NotFound",
                f"The {entity.type_name.rsplit('.', 1)[-1]} with the key '{set_key}' does not "
                "exist.",
            )
        if len(segments) == 2:
            return await self.member(company, entity, table, position)
        if entity.name != "purchaseOrders" or segments[2][0] != "purchaseOrderLines":
            raise BcError(404, NOT_FOUND, f"Resource not found for the segment '{segments[2][0]}'.")
        if len(segments) > 4:
            raise BcError(404, NOT_FOUND, "Resource not found for the segment.")
        return await self.lines(company, table, position, segments[2][1])

    def _context(self, path: str) -> str:
        url = self.request.url
        return f"{url.scheme}://{url.netloc}{self.emulator.base_path}/$metadata#{path}"

    def _expand(self) -> bool:
        expand = self.request.query_params.get("$expand")
        if expand and expand.strip() != "purchaseOrderLines":
            raise bad_request(f"Could not find a property named '{expand}'.")
        return bool(expand)

    async def collection(self, company: Company, entity: EntitySet, table: Table) -> Response:
        if self.method == "GET":
            prefer = self.request.headers.get("prefer")
            options = Options(self.request.query_params, entity, prefer=prefer)
            body = read_page(
                self.emulator, table, entity, options, self.request.url, self.request.query_params
            )
            return JSONResponse(body)
        if self.method == "POST" and entity.writable:
            order = writes.create_order(
                self.emulator, company, await _json_body(self.request), set(FIELDS[entity.name])
            )
            location = f"{self.request.url.remove_query_params(list(self.request.query_params))}"
            return JSONResponse(
                render(order, expand=self._expand()),
                status_code=201,
                headers={"Location": f"{location}({order['id']})"},
            )
        raise BcError(405, "BadRequest_MethodNotAllowed", f"'{self.method}' is not allowed here.")

    async def member(
        self, company: Company, entity: EntitySet, table: Table, position: int
    ) -> Response:
        current = table.at(position)
        if self.method == "GET":
            return JSONResponse(render(current, expand=self._expand(), key=table.key))
        if not entity.writable:
            raise BcError(405, "BadRequest_MethodNotAllowed", f"'{self.method}' is not allowed.")
        if self.method == "PATCH":
            body = await _json_body(self.request)
            _check_etag(self.request, current)
            updated = writes.update_order(self.emulator, current, body, set(FIELDS[entity.name]))
            table.put(position, updated)
            return JSONResponse(render(updated, expand=self._expand()))
        if self.method == "DELETE":
            _check_etag(self.request, current)
            writes.delete_order(current)
            table.remove(position)
            return Response(status_code=204)
        raise BcError(405, "BadRequest_MethodNotAllowed", f"'{self.method}' is not allowed.")

    async def lines(
        self, company: Company, table: Table, position: int, line_key: str | None
    ) -> Response:
        order = table.at(position)
        lines: list[Row] = list(order.get("purchaseOrderLines") or [])
        if line_key is None:
            if self.method == "GET":
                return JSONResponse(
                    {
                        "@odata.context": self._context("purchaseOrderLines"),
                        "value": [render(line) for line in lines],
                    }
                )
            if self.method == "POST":
                body = await _json_body(self.request)
                updated, created = writes.create_line(self.emulator, company, order, body)
                table.put(position, updated)
                return JSONResponse(render(created), status_code=201)
            raise BcError(405, "BadRequest_MethodNotAllowed", f"'{self.method}' is not allowed.")
        wanted = _key(line_key, "purchaseOrderLine")
        line: Row | None = next((x for x in lines if str(x.get("id")).lower() == wanted), None)
        if line is None:
            raise BcError(
                404, "BadRequest_NotFound", f"The purchaseOrderLine '{line_key}' does not exist."
            )
        if self.method == "GET":
            return JSONResponse(render(line))
        if self.method == "PATCH":
            body = await _json_body(self.request)
            _check_etag(self.request, line)
            updated, changed = writes.update_line(self.emulator, company, order, wanted, body)
            table.put(position, updated)
            return JSONResponse(render(changed))
        if self.method == "DELETE":
            _check_etag(self.request, line)
            table.put(position, writes.delete_line(self.emulator, order, wanted))
            return Response(status_code=204)
        raise BcError(405, "BadRequest_MethodNotAllowed", f"'{self.method}' is not allowed.")


def _authenticated(request: Request, emulator: DynamicsBcEmulator) -> BcError | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not emulator.check_token(token.strip()):
        return BcError(401, INVALID_CREDENTIALS, "The server has rejected the client credentials.")
    if request.path_params.get("tenant", emulator.tenant).lower() != emulator.tenant.lower():
        return BcError(401, INVALID_CREDENTIALS, "The credentials provided are incorrect.")
    return None


async def _api(request: Request) -> Response:
    emulator = _emulator(request)
    failure = _authenticated(request, emulator)
    if failure is not None:
        authority = f"https://login.microsoftonline.com/{emulator.tenant}/oauth2/authorize"
        return error_response(
            failure, headers={"WWW-Authenticate": f'Bearer authorization_uri="{authority}"'}
        )
    try:
        environment = request.path_params.get("environment", emulator.environment)
        if environment != emulator.environment:
            raise BcError(404, NOT_FOUND, f"The environment '{environment}' does not exist.")
        api, segments = _segments(request.path_params["rest"].strip("/"))
        return await _Call(request, emulator).handle(api, segments)
    except BcError as error:
        return error_response(error)


def create_app(
    *,
    records: int = 30,
    anchor: datetime | None = None,
    page_size: int = 20000,
    tenant: str = DEFAULT_TENANT,
    environment: str = DEFAULT_ENVIRONMENT,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    token_lifetime: int = 3599,
    clock: Callable[[], datetime] | None = None,
    fault_seed: int = 0,
) -> Starlette:
    """A Business Central environment with ``records`` purchase orders derived from their index
    (every scenario first), stamped up to ``anchor``, paged ``page_size`` per response."""
    emulator = DynamicsBcEmulator(
        records=records,
        anchor=anchor,
        page_size=page_size,
        tenant=tenant,
        environment=environment,
        client_id=client_id,
        client_secret=client_secret,
        token_lifetime=token_lifetime,
        clock=clock,
        fault_seed=fault_seed,
    )
    routes = [
        control_mount(),
        Route("/{tenant}/oauth2/v2.0/token", _token, methods=["POST"]),
        Route(
            "/v2.0/{tenant}/{environment}/api/{rest:path}",
            _api,
            methods=["GET", "POST", "PATCH", "DELETE"],
        ),
        # the tenant and environment as a server instance serves them, at the host root
        Route("/oauth2/v2.0/token", _token, methods=["POST"]),
        Route("/api/{rest:path}", _api, methods=["GET", "POST", "PATCH", "DELETE"]),
    ]
    middleware = [
        Middleware(FaultMiddleware, controls=emulator.faults, responder=BcFaultResponder())
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.emulator = emulator
    return app
