"""The Starlette app of the Infor XA emulator: the System-Link servlet (XML posted, or sent as
``?SystemLinkRequest=`` on a GET), and the ION API gateway's token endpoint and route."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ironbridge.emulators.control import control_mount
from ironbridge.emulators.faults import FaultMiddleware
from ironbridge.emulators.infor_xa.emulator import (
    ION_CLIENT_ID,
    ION_CLIENT_SECRET,
    ION_SERVICE_KEY,
    ION_SERVICE_SECRET,
    ION_TOKEN_LIFETIME,
    XaEmulator,
)
from ironbridge.emulators.infor_xa.render import attrs, exception_xml
from ironbridge.emulators.infor_xa.verbs import VERBS, ActionError, UnitOfWork, run_action

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from starlette.requests import Request

__all__ = ["SERVLET", "XaFaultResponder", "create_app"]

SERVLET = "/SystemLink/servlet/SystemLinkServlet"
_XML = "text/xml; charset=UTF-8"
_HEADER = '<?xml version="1.0" encoding="UTF-8"?>'
_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE System-Link [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + ']><System-Link version="1.0"><Response hasErrors="false">&lol9;</Response></System-Link>'
)


def _emulator(request: Request) -> XaEmulator:
    emulator: XaEmulator = request.app.state.emulator
    return emulator


def _document(body: str) -> Response:
    text = f'{_HEADER}<System-Link version="1.0" hostVersion="1.0">{body}</System-Link>'
    return Response(text, media_type=_XML)


def _failed_request(code: str, message: str) -> str:
    head = attrs(hasErrors="true", hasWarnings="false")
    return f"<Response{head}>{exception_xml(code, message)}</Response>"


def _offset_text(emulator: XaEmulator) -> str:
    minutes = int(emulator.utc_offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"


def _login(emulator: XaEmulator, element: Element, *, trusted: bool) -> tuple[str, str | None]:
    try:
        max_idle = int(element.get("maxIdle") or 0)
    except ValueError:
        max_idle = 0
    try:
        if trusted:
            handle = emulator.trusted_login(element.get("userId"), max_idle_ms=max_idle)
        else:
            handle = emulator.login(
                element.get("userId"), element.get("password"), max_idle_ms=max_idle
            )
    except PermissionError:
        refusal = exception_xml(
            "LoginFailed", "Login failed: the user ID or password is not valid."
        )
        return f"<LoginResponse{attrs(actionSucceeded='false')}>{refusal}</LoginResponse>", None
    value = f"<SessionHandle{attrs(value=handle)}/>"
    return f"<LoginResponse{attrs(actionSucceeded='true')}>{value}</LoginResponse>", handle


def _request(emulator: XaEmulator, element: Element, current: str | None) -> str:
    asked = element.get("sessionHandle") or ""
    handle = current if asked == "*current" else asked
    if not handle or emulator.session_user(handle) is None:
        return _failed_request(
            "SessionInvalid", f"Session {asked or '(none)'} is not valid or has expired."
        )
    now = emulator.now()
    work = UnitOfWork(emulator.dataset, now)
    parts: list[str] = []
    failed = False
    for action in element:
        if failed:
            break
        try:
            if action.tag not in VERBS:
                raise ActionError("InvalidRequest", f"{action.tag} is not a System-Link verb.")
            if action.tag == "QueryList":
                limit = int(action.get("maxReturned", "-1") or -1)
                if limit < 0 or limit > emulator.page_size:
                    action.set("maxReturned", str(emulator.page_size))
            parts.append(run_action(work, action))
        except (ActionError, ValueError) as exc:
            code, message = (
                (exc.code, exc.message)
                if isinstance(exc, ActionError)
                else ("InvalidRequest", str(exc))
            )
            work.rollback()
            failed = True
            head = attrs(name=action.get("name"), actionSucceeded="false")
            parts.append(
                f"<{action.tag}Response{head}>{exception_xml(code, message)}</{action.tag}Response>"
            )
    if not failed:
        emulator.writes += work.writes
    local = (now.astimezone(UTC) + emulator.utc_offset).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    head = attrs(
        sessionHandle=handle,
        workHandle=element.get("workHandle") if element.get("workHandle") not in (None, "*new")
        else f"w{secrets.token_hex(4)}",
        systemTimestamp=local,
        systemTimeZoneOffset=_offset_text(emulator),
        hasErrors="true" if failed else "false",
        hasWarnings="false",
    )  # fmt: skip
    return f"<Response{head}>{''.join(parts)}</Response>"


def system_link(emulator: XaEmulator, text: str, *, trusted: bool) -> Response:
    if emulator.hostile_xml:
        return Response(_LAUGHS, media_type=_XML)
    try:
        root = SafeET.fromstring(text)
    except (ParseError, DefusedXmlException) as exc:
        return _document(_failed_request("InvalidRequest", f"The request is not valid XML: {exc}"))
    if root.tag != "System-Link":
        return _document(_failed_request("InvalidRequest", "The root element must be System-Link."))
    parts: list[str] = []
    current: str | None = None
    for child in root:
        if child.tag == "Login":
            answer, current = _login(emulator, child, trusted=trusted)
            parts.append(answer)
        elif child.tag == "Request":
            parts.append(_request(emulator, child, current))
        elif child.tag == "Logout":
            asked = child.get("sessionHandle") or ""
            emulator.sessions.pop(current if asked == "*current" and current else asked, None)
            parts.append(f"<LogoutResponse{attrs(actionSucceeded='true')}/>")
        else:
            parts.append(_failed_request("InvalidRequest", f"Unknown element {child.tag}."))
    return _document("".join(parts))


async def _servlet(request: Request) -> Response:
    if request.method == "GET":
        text = request.query_params.get("SystemLinkRequest", "")
    else:
        text = (await request.body()).decode("utf-8", errors="replace")
    return system_link(_emulator(request), text, trusted=False)


def _bearer_ok(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and _emulator(request).token_valid(token.strip())


async def _ion_servlet(request: Request) -> Response:
    if not _bearer_ok(request):
        return JSONResponse(
            {"error": "invalid_token", "error_description": "Access token is invalid or expired"},
            status_code=401,
        )
    text = (await request.body()).decode("utf-8", errors="replace")
    return system_link(_emulator(request), text, trusted=True)


async def _token(request: Request) -> Response:
    form = await request.form()
    fields: dict[str, Any] = {k: form.get(k) for k in form}
    if fields.get("grant_type") != "password":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    client = (fields.get("client_id"), fields.get("client_secret"))
    if client != (ION_CLIENT_ID, ION_CLIENT_SECRET):
        return JSONResponse(
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            status_code=401,
        )
    if (fields.get("username"), fields.get("password")) != (ION_SERVICE_KEY, ION_SERVICE_SECRET):
        return JSONResponse(
            {"error": "invalid_grant", "error_description": "Invalid service account credentials"},
            status_code=400,
        )
    token = _emulator(request).issue_token()
    body = {"access_token": token, "token_type": "Bearer", "expires_in": ION_TOKEN_LIFETIME}
    return JSONResponse(body)


async def _hostile(request: Request) -> Response:
    body = await request.json() if (await request.body()).strip() else {}
    enabled = body.get("enabled", True) if isinstance(body, dict) else True
    if not isinstance(enabled, bool):
        return JSONResponse({"error": "'enabled' must be a boolean"}, status_code=400)
    _emulator(request).hostile_xml = enabled
    return JSONResponse({"entityExpansion": enabled})


class XaFaultResponder:
    """Faults as XA answers them: the IBM i HTTP server's pages for outages and overload, a
    refused login inside a 200 System-Link document, a 401 from the ION API gateway."""

    def unavailable(self, request: Request) -> Response:
        return HTMLResponse(
            "<html><head><title>503 Service Unavailable</title></head></html>", status_code=503
        )

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return PlainTextResponse(
            "Too many requests", status_code=429, headers={"Retry-After": str(retry_after)}
        )

    def unauthorized(self, request: Request) -> Response:
        if not request.url.path.endswith(SERVLET) or request.url.path != SERVLET:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        refusal = exception_xml(
            "LoginFailed", "Login failed: the user profile is disabled or its password expired."
        )
        body = f"<LoginResponse{attrs(actionSucceeded='false')}>{refusal}</LoginResponse>"
        return _document(body + _failed_request("SessionInvalid", "The session is not valid."))

    def server_error(self, request: Request) -> Response:
        return HTMLResponse(
            "<html><head><title>500 Internal Server Error</title></head></html>", status_code=500
        )


def create_app(
    *,
    records: int = 200,
    anchor: datetime | None = None,
    page_size: int = 1000,
    utc_offset_hours: float = 0,
) -> Starlette:
    """An emulator with ``records`` purchase orders, derived from ``anchor`` (default: now);
    a QueryList answers at most ``page_size`` entities."""
    emulator = XaEmulator(
        records=records, anchor=anchor, page_size=page_size, utc_offset_hours=utc_offset_hours
    )
    app = Starlette(
        routes=[
            Route("/_emulator/entity-expansion", _hostile, methods=["POST"]),
            control_mount(),
            Route(SERVLET, _servlet, methods=["GET", "POST"]),
            Route("/{tenant}/as/token.oauth2", _token, methods=["POST"]),
            Route("/{tenant}/XA" + SERVLET, _ion_servlet, methods=["POST"]),
        ],
        middleware=[
            Middleware(FaultMiddleware, controls=emulator.faults, responder=XaFaultResponder())
        ],
    )
    app.state.emulator = emulator
    return app
