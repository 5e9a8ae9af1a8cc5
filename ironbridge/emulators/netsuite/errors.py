"""NetSuite's error answers: the REST problem body with ``o:errorDetails``, the OAuth 2.0 token
endpoint's errors, and NetSuite's answers to injected faults (``NetSuiteFaultResponder``)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = [
    "BUSINESS_RULE",
    "CONCURRENCY_LIMIT_EXCEEDED",
    "INSUFFICIENT_PERMISSION",
    "INVALID_CONTENT",
    "INVALID_HEADER",
    "INVALID_LOGIN",
    "INVALID_PARAMETER",
    "NONEXISTENT_ID",
    "NetSuiteError",
    "NetSuiteFaultResponder",
    "OAuthError",
    "error_body",
    "invalid_login",
]

INVALID_LOGIN = "INVALID_LOGIN"
INVALID_CONTENT = "INVALID_CONTENT"
INVALID_PARAMETER = "INVALID_PARAMETER"
INVALID_HEADER = "INVALID_HEADER"
NONEXISTENT_ID = "NONEXISTENT_ID"
INSUFFICIENT_PERMISSION = "INSUFFICIENT_PERMISSION"
CONCURRENCY_LIMIT_EXCEEDED = "CONCURRENCY_LIMIT_EXCEEDED"
BUSINESS_RULE = "USER_ERROR"
UNEXPECTED_ERROR = "UNEXPECTED_ERROR"

_RFC = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"
_TYPES = {
    400: (f"{_RFC}#sec10.4.1", "Bad Request"),
    401: (_RFC, "Unauthorized"),
    403: (f"{_RFC}#sec10.4.4", "Forbidden"),
    404: (f"{_RFC}#sec10.4.5", "Not Found"),
    405: (f"{_RFC}#sec10.4.6", "Method Not Allowed"),
    415: (f"{_RFC}#sec10.4.16", "Unsupported Media Type"),
    429: ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
    500: (f"{_RFC}#sec10.5.1", "Internal Server Error"),
    503: (f"{_RFC}#sec10.5.4", "Service Unavailable"),
}
_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


class NetSuiteError(Exception):
    """An error the REST service answers with its problem body."""

    def __init__(self, status: int, code: str, detail: str, *, path: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path

    def response(self) -> Response:
        return JSONResponse(
            error_body(self.status, self.code, self.detail, path=self.path),
            status_code=self.status,
            media_type="application/vnd.oracle.resource+json; type=error",
        )


class OAuthError(Exception):
    """An error of the token endpoint: 400 and ``{"error": ...}`` (RFC 6749 section 5.2).

    NetSuite says no more than the error code; why is in the account's Login Audit Trail,
    which the emulator keeps as ``NetSuiteEmulator.login_audit``.
    """

    def __init__(self, error: str, reason: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {reason}")
        self.error = error
        self.reason = reason
        self.status = status

    def response(self) -> Response:
        return JSONResponse({"error": self.error}, status_code=self.status)


def error_body(status: int, code: str, detail: str, *, path: str | None = None) -> dict[str, Any]:
    kind, title = _TYPES.get(status, (_RFC, "Error"))
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    return {"type": kind, "title": title, "status": status, "o:errorDetails": [item]}


def invalid_login() -> Response:
    return NetSuiteError(401, INVALID_LOGIN, _LOGIN_DETAIL).response()


def concurrency_exceeded(limit: int) -> Response:
    """The answer to a request beyond the account's concurrency limit: no ``Retry-After``."""
    return NetSuiteError(
        429,
        CONCURRENCY_LIMIT_EXCEEDED,
        f"Concurrent request limit exceeded. The limit for this account is {limit}. "
        "Request blocked.",
    ).response()


class NetSuiteFaultResponder:
    """How NetSuite answers each injected fault."""

    def unavailable(self, request: Request) -> Response:
        return NetSuiteError(
            503,
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable. NetSuite may be undergoing maintenance.",
        ).response()

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return concurrency_exceeded(15)

    def unauthorized(self, request: Request) -> Response:
        if request.url.path.endswith("/auth/oauth2/v1/token"):
            return OAuthError("invalid_grant", "credentials revoked").response()
        return invalid_login()

    def server_error(self, request: Request) -> Response:
        return NetSuiteError(
            500,
            UNEXPECTED_ERROR,
            f"An unexpected error occurred. Error ID: {secrets.token_hex(6)}",
        ).response()
