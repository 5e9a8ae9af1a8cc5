"""A System-Link session over ``ConnectorHttp``: one ``Login`` at a time per connection, a new
one when the session has expired, XML parsed safely (no DTD entities are ever expanded), and
``hasErrors``/``actionSucceeded`` translated into the connector errors with XA's own message."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ironbridge.connectors.errors import (
    AuthFailed,
    Conflict,
    NotFoundUpstream,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.connectors.infor_xa.mappers import parse_offset

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import timedelta
    from xml.etree.ElementTree import Element

    from ironbridge.connectors.errors import ConnectorError
    from ironbridge.connectors.http import ConnectorHttp

__all__ = ["Answer", "SystemLink", "cdata", "entities", "property_xml"]

_PROLOG = (
    '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE System-Link SYSTEM "SystemLinkRequest.dtd">'
)
_ERRORS: dict[str, type[ConnectorError]] = {
    "BusinessRule": Conflict,
    "NotFound": NotFoundUpstream,
    "NotAllowed": Unsupported,
    "LoginFailed": AuthFailed,
}
SESSION_INVALID = "SessionInvalid"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def property_xml(path: str, value: str | None) -> str:
    if value is None:
        return f"<Property path={quoteattr(path)}/>"
    return f"<Property path={quoteattr(path)}><Value>{cdata(value)}</Value></Property>"


def entities(parent: Element) -> list[dict[str, str | None]]:
    """The ``DomainEntity`` children as property path → text (keys included)."""
    found = []
    for entity in parent.iterfind("DomainEntity"):
        row: dict[str, str | None] = {}
        for child in entity:
            for prop in child if child.tag == "Key" else (child,):
                if prop.tag == "Property":
                    value = prop.find("Value")
                    row[prop.get("path", "")] = None if value is None else (value.text or "")
        found.append(row)
    return found


class Answer:
    """One ``Response``: its action responses in order, and the system's clock offset."""

    def __init__(self, response: Element) -> None:
        self.offset: timedelta = parse_offset(response.get("systemTimeZoneOffset"))
        self.actions: list[Element] = [c for c in response if c.tag.endswith("Response")]


class SystemLink:
    """Sends ``Request`` documents in an open session; ``trusted`` behind the ION gateway."""

    def __init__(
        self,
        http: ConnectorHttp,
        path: str,
        *,
        user: str | None,
        password: str | None,
        trusted: bool = False,
        properties: str | None = None,
        max_idle_ms: int = 900_000,
    ) -> None:
        self.http = http
        self.path = path
        self._user = user
        self._password = password
        self._trusted = trusted
        self._properties = properties
        self._max_idle = max_idle_ms
        self._handle: str | None = None
        self._lock = asyncio.Lock()

    @property
    def system(self) -> str:
        return self.http.system

    async def _post(self, body: str, *, retry: bool | None) -> Element:
        response = await self.http.request(
            "POST",
            self.path,
            content=body.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=UTF-8", "Accept": "text/xml"},
            retry=retry,
        )
        try:
            root: Element = SafeET.fromstring(response.content)
        except DefusedXmlException as exc:
            raise SystemUnreachable(
                self.system,
                f"the answer declares XML entities or a DTD; refused to expand it ({exc!r})",
                reason="server_error",
                status_code=response.status_code,
            ) from exc
        except ParseError as exc:
            kind = response.headers.get("content-type", "no content type")
            raise SystemUnreachable(
                self.system,
                f"{self.path} did not answer System-Link XML ({kind}): {exc}",
                reason="server_error",
                status_code=response.status_code,
            ) from exc
        if root.tag != "System-Link":
            raise SystemUnreachable(
                self.system, f"{self.path} answered <{root.tag}>, not System-Link",
                reason="server_error",
            )  # fmt: skip
        login = root.find("LoginResponse")
        if login is not None and login.get("actionSucceeded") != "true":
            raise self._error(login, default=AuthFailed)
        return root

    def _error(
        self, element: Element, *, default: type[ConnectorError] = Rejected
    ) -> ConnectorError:
        exception = element.find("Exception")
        code = "" if exception is None else exception.get("code", "")
        message = None if exception is None else exception.findtext("Message")
        detail = f"{element.tag} failed: {(message or '').strip() or 'no message'}"
        if code:
            detail = f"{detail} ({code})"
        return _ERRORS.get(code, default)(self.system, detail)

    async def _login(self, stale: str | None) -> str:
        async with self._lock:
            if self._handle is not None and self._handle != stale:
                return self._handle
            fields: dict[str, str] = {"maxIdle": str(self._max_idle)}
            if self._user:
                fields["userId"] = self._user
            if self._password and not self._trusted:
                fields["password"] = self._password
            if self._properties:
                fields["properties"] = self._properties
            login = "".join(f" {k}={quoteattr(v)}" for k, v in fields.items())
            root = await self._post(
                f"{_PROLOG}<System-Link><Login{login}/></System-Link>", retry=True
            )
            handle = root.find("LoginResponse/SessionHandle")
            value = None if handle is None else handle.get("value")
            if not value:
                raise SystemUnreachable(
                    self.system, "the login answer has no session handle", reason="server_error"
                )
            self._handle = value
            return value

    async def run(self, actions: Sequence[str], *, write: bool = False) -> Answer:
        """The ``Response`` to one ``Request`` of ``actions``; a failed action raises its error.
        Reads are retried like GETs; writes are sent once."""
        stale: str | None = None
        for _ in range(2):
            handle = self._handle if self._handle and self._handle != stale else None
            handle = handle or await self._login(stale)
            request = (
                f"{_PROLOG}<System-Link><Request sessionHandle={quoteattr(handle)} "
                f'workHandle="*new" broker="EJB" maxIdle="1000">{"".join(actions)}</Request>'
                "</System-Link>"
            )
            root = await self._post(request, retry=None if write else True)
            response = root.find("Response")
            if response is None:
                raise SystemUnreachable(
                    self.system, "the answer has no Response element", reason="server_error"
                )
            direct = response.find("Exception")
            if direct is not None and direct.get("code") == SESSION_INVALID:
                stale = handle  # expired: log in again, once
                continue
            if direct is not None:
                raise self._error(response)
            answer = Answer(response)
            failed = [a for a in answer.actions if a.get("actionSucceeded") == "false"]
            if failed:
                raise self._error(failed[0])
            if response.get("hasErrors") == "true":
                raise Rejected(self.system, "the request failed (hasErrors) without a message")
            return answer
        raise AuthFailed(self.system, "the session expired again right after a new login")


def first(answer: Answer, tag: str) -> Element:
    found = next((a for a in answer.actions if a.tag == tag), None)
    if found is None:
        raise SystemUnreachable("infor-xa", f"the answer has no {tag}", reason="server_error")
    return found
