"""The Starlette app of the Maximo emulator: authentication, then the JSON API's object
structure resources (``/maximo/oslc/os/...`` and ``/maximo/api/os/...``), reads and writes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.faults import FaultMiddleware
from ironbridge.emulators.maximo import errors, writes
from ironbridge.emulators.maximo.dataset import MaximoDataset
from ironbridge.emulators.maximo.emulator import (
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    MaximoEmulator,
)
from ironbridge.emulators.maximo.errors import MaximoError, MaximoFaultResponder, error_response
from ironbridge.emulators.maximo.reads import (
    read_collection,
    read_member,
    record_url,
    render_one,
)
from ironbridge.emulators.maximo.structures import decode_restid, structure_for

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from ironbridge.emulators.maximo.structures import Structure

__all__ = ["create_app"]

_CONTEXTS = ("oslc", "api")
_SESSION_COOKIE = "JSESSIONID"


def _public_base(request: Request) -> str:
    """Where hrefs point: ``x-public-uri`` when sent, else the URL the client used."""
    public = request.headers.get("x-public-uri")
    base = public.rstrip("/") if public else str(request.base_url).rstrip("/")
    return base.removesuffix("/maximo")


def _lean(request: Request) -> bool:
    return request.query_params.get("lean") == "1"


def _fail(request: Request, error: MaximoError) -> Response:
    return error_response(error, base_url=_public_base(request), lean=_lean(request))


def _authenticate(request: Request, emulator: MaximoEmulator) -> tuple[str | None, Response | None]:
    """The user of the request, or the answer Maximo gives instead."""
    session = request.cookies.get(_SESSION_COOKIE)
    if session is not None:
        user = emulator.sessions.get(session)
        if user is not None:
            return user, None
        # a stale session cookie wins over an API key: Maximo tries the session and fails
        message = "User name and password combination are not valid. Try again."
        return None, _fail(request, MaximoError(401, errors.NOT_AUTHENTICATED, message))
    key = request.headers.get("apikey") or request.query_params.get("apikey")
    if key is not None:
        if emulator.check_api_key(key):
            return emulator.username, None
        message = (
            "The API key token is invalid. Either the token may have expired or the token has "
            "been revoked by the administrator."
        )
        return None, _fail(request, MaximoError(400, errors.BAD_API_KEY, message))
    maxauth = request.headers.get("maxauth")
    if maxauth is not None:
        user = emulator.check_maxauth(maxauth)
        if user is not None:
            return user, None
        message = "You cannot log in at this time. Contact the system administrator."
        return None, _fail(request, MaximoError(401, errors.LOGIN_FAILED, message))
    message = "User name and password combination are not valid. Try again."
    return None, _fail(request, MaximoError(401, errors.NOT_AUTHENTICATED, message))


def _segments(request: Request) -> tuple[str, list[str]]:
    """The context (``oslc``/``api``) and the decoded segments after ``/os/``, from the raw
    path: a rest id may hold an encoded ``/``."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    parts = path.strip("/").split("/")
    context = parts[1] if len(parts) > 1 else ""
    return context, [unquote(p) for p in parts[3:] if p]


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        message = f"The request body is not valid JSON: {exc.msg} at position {exc.pos}."
        raise MaximoError(400, errors.BAD_BODY, message) from exc


def _not_found(structure: Structure, restid: str) -> MaximoError:
    return MaximoError(
        404,
        errors.NOT_FOUND,
        f"The OSLC resource {structure.name} with the ID {restid} was not found as it does not "
        "exist in the system. In the database, verify whether the resource for the ID exists.",
    )


def _member_uid(emulator: MaximoEmulator, structure: Structure, restid: str) -> int:
    decoded = decode_restid(restid)
    uid = None if decoded is None else emulator.uid_of(structure, decoded)
    if uid is None:
        raise _not_found(structure, restid)
    return uid


class _Call:
    """One authenticated request against one object structure."""

    def __init__(self, request: Request, emulator: MaximoEmulator, context: str) -> None:
        self.request = request
        self.emulator = emulator
        self.context = context
        self.params = request.query_params
        self.override = request.headers.get("x-method-override", "").upper()

    def collection_url(self, name: str) -> str:
        path = f"{self.context}/os/{name.lower()}"
        if self.params.get("relativeuri") == "1":
            return path
        return f"{_public_base(self.request)}/maximo/{path}"

    async def handle(self, segments: list[str]) -> Response:
        structure = structure_for(segments[0]) if segments else None
        if structure is None:
            name = segments[0].upper() if segments else ""
            message = f"The object structure {name} was not found. Verify the name."
            raise MaximoError(404, errors.NOT_FOUND, message)
        url = self.collection_url(segments[0])
        method = self.request.method
        if len(segments) == 1:
            if method == "GET":
                return read_collection(self.emulator, structure, self.request, url)
            if method == "POST" and not self.override:
                return await self.create(structure, url)
            raise errors.not_allowed(self.override or method, structure.mbo)
        if len(segments) > 2:
            raise _not_found(structure, "/".join(segments[1:]))
        uid = _member_uid(self.emulator, structure, segments[1])
        if method == "GET":
            return read_member(self.emulator, structure, self.request, url, uid)
        if method == "DELETE" or (method == "POST" and self.override == "DELETE"):
            self.check_transaction()
            writes.delete(self.emulator, structure, uid)
            return Response(status_code=200)
        if method == "PATCH" or (method == "POST" and self.override == "PATCH"):
            return await self.update(structure, url, uid)
        raise errors.not_allowed(self.override or method, structure.mbo)

    def check_transaction(self) -> None:
        transaction = self.request.headers.get("transactionid")
        if transaction and not self.emulator.remember_transaction(transaction):
            message = (
                f"The transaction ID {transaction} already exists in the OSLC transaction table. "
                "The request is a duplicate and was not processed."
            )
            raise MaximoError(409, errors.DUPLICATE_TRANSACTION, message)

    async def object_body(self) -> dict[str, Any]:
        body = await _body(self.request)
        if not isinstance(body, dict):
            message = "The request body must be a JSON object."
            raise MaximoError(400, errors.BAD_BODY, message)
        return body

    def answer(self, structure: Structure, url: str, uid: int, *, status: int) -> Response:
        """The record in the body when ``properties`` asks for it, else no body."""
        properties = self.request.headers.get("properties")
        location = record_url(self.emulator, structure, self.request, url, uid)
        headers = {"Location": location} if status == 201 else {}
        if not properties:
            return Response(status_code=201 if status == 201 else 204, headers=headers)
        body = render_one(self.emulator, structure, self.request, url, uid, properties)
        return JSONResponse(body, status_code=status, headers=headers)

    async def create(self, structure: Structure, url: str) -> Response:
        body = await self.object_body()
        self.check_transaction()
        uid = writes.create(self.emulator, structure, body)
        return self.answer(structure, url, uid, status=201)

    def check_version(self, structure: Structure, uid: int) -> None:
        """``If-Match``: the ``_rowstamp`` the client read; a record changed since is 412."""
        wanted = self.request.headers.get("if-match")
        if not wanted:
            return
        row = self.emulator.table(structure).get(uid) or {}
        tag = wanted.strip().removeprefix("W/").strip('"')
        if tag != "*" and tag != str(row.get("_rowstamp")):
            raise errors.stale(f"{structure.label} {row.get(structure.number)}")

    async def update(self, structure: Structure, url: str, uid: int) -> Response:
        body = await self.object_body()
        self.check_version(structure, uid)
        self.check_transaction()
        action = self.params.get("action", "")
        table = self.emulator.table(structure)
        if action.lower() == "wsmethod:changestatus":
            row = dict(table.get(uid) or {})
            writes.change_status(self.emulator, structure, row, str(body.get("status", "")))
            self.emulator.save(structure, row, uid=uid)
        elif action.lower() == "wsmethod:revisepo":
            revision = writes.revise(self.emulator, structure, uid)
            return self.answer(structure, url, revision, status=201)
        elif action:
            raise errors.not_allowed(action.upper(), structure.mbo)
        elif str(body.get("_action", "")).lower() == "delete":
            writes.delete(self.emulator, structure, uid)
            return Response(status_code=200)
        else:
            merge = self.request.headers.get("patchtype", "").upper() == "MERGE"
            writes.update(self.emulator, structure, uid, body, merge=merge)
        return self.answer(structure, url, uid, status=200)


async def _os_endpoint(request: Request) -> Response:
    emulator: MaximoEmulator = request.app.state.emulator
    context, segments = _segments(request)
    if context not in _CONTEXTS:
        return Response(status_code=404)
    user, refusal = _authenticate(request, emulator)
    if refusal is not None:
        return refusal
    try:
        response = await _Call(request, emulator, context).handle(segments)
    except MaximoError as error:
        return _fail(request, error)
    # native authentication opens a session, as a login would
    native = request.headers.get("maxauth") and _SESSION_COOKIE not in request.cookies
    if user is not None and native:
        response.set_cookie(_SESSION_COOKIE, emulator.open_session(user), path="/maximo")
    return response


async def _login(request: Request) -> Response:
    emulator: MaximoEmulator = request.app.state.emulator
    user = emulator.check_maxauth(request.headers.get("maxauth", ""))
    if user is None:
        message = "You cannot log in at this time. Contact the system administrator."
        return _fail(request, MaximoError(401, errors.LOGIN_FAILED, message))
    response = JSONResponse({"userid": user}, status_code=200)
    response.set_cookie(_SESSION_COOKIE, emulator.open_session(user), path="/maximo")
    return response


async def _whoami(request: Request) -> Response:
    emulator: MaximoEmulator = request.app.state.emulator
    user, refusal = _authenticate(request, emulator)
    if refusal is not None:
        return refusal
    return JSONResponse(
        {
            "userName": user,
            "personid": user,
            "insertSite": emulator.default_site,
            "insertOrg": "EAGLENA",
            "langcode": "EN",
        }
    )


def create_app(
    *,
    records: int = 250,
    seed: int = 1,
    anchor: datetime | None = None,
    span_days: int = 365,
    work_orders: int | None = None,
    purchase_orders: int | None = None,
    page_size: int = 1000,
    max_page_size: int = 1000,
    utc_offset: str = "+00:00",
    api_key: str = DEFAULT_API_KEY,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    clock: Callable[[], datetime] | None = None,
    fault_seed: int = 0,
) -> Starlette:
    """A Maximo emulator with ``records`` work orders and as many purchase orders;
    ``app.state.emulator`` is its ``MaximoEmulator``."""
    dataset = MaximoDataset(
        records=records,
        seed=seed,
        anchor=anchor,
        span_days=span_days,
        work_orders=work_orders,
        purchase_orders=purchase_orders,
    )
    emulator = MaximoEmulator(
        dataset=dataset,
        api_key=api_key,
        username=username,
        password=password,
        page_size=page_size,
        max_page_size=max_page_size,
        utc_offset=utc_offset,
        clock=clock,
        fault_seed=fault_seed,
    )
    routes: list[BaseRoute] = [control_mount()]
    for context in _CONTEXTS:
        routes += [
            Route(f"/maximo/{context}/login", _login, methods=["POST"]),
            Route(f"/maximo/{context}/whoami", _whoami, methods=["GET"]),
            Route(
                f"/maximo/{context}/os/{{rest:path}}",
                _os_endpoint,
                methods=["GET", "POST", "PATCH", "DELETE"],
            ),
        ]
    middleware = [
        Middleware(FaultMiddleware, controls=emulator.faults, responder=MaximoFaultResponder())
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.emulator = emulator
    return app
