"""SAP's error answers: OData error bodies (V2 and V4 shape), the logon 401, the CSRF 403.

Also the SAP answers to injected faults (``SapFaultResponder``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from ironbridge.emulators.sap.model import V4_PO_ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.requests import Request

__all__ = [
    "ODataError",
    "SapFaultResponder",
    "csrf_required",
    "error_response",
    "logon_failed",
]

SYSTEM_ID = "S4H"


class ODataError(Exception):
    """An error the emulated service answers with an OData error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})


def _transaction() -> tuple[str, datetime]:
    return uuid.uuid4().hex.upper(), datetime.now(UTC)


def v2_error_body(error: ODataError, *, service: str, component: str) -> dict[str, Any]:
    transaction, now = _transaction()
    return {
        "error": {
            "code": error.code,
            "message": {"lang": "en", "value": error.message},
            "innererror": {
                "application": {
                    "component_id": component,
                    "service_namespace": "/SAP/",
                    "service_id": service,
                    "service_version": "0001",
                },
                "transactionid": transaction,
                "timestamp": f"{now:%Y%m%d%H%M%S}.{now.microsecond:06d}0",
                "Error_Resolution": {
                    "SAP_Transaction": (
                        "For backend administrators: use ADT feed reader "
                        "'SAP Gateway Error Log' or run transaction /IWFND/ERROR_LOG on SAP "
                        "Gateway hub system and search for entries with the timestamp above "
                        "for more details"
                    ),
                    "SAP_Note": "See SAP Note 1797736 for error analysis "
                    "(https://service.sap.com/sap/support/notes/1797736)",
                },
                "errordetails": [
                    {
                        "code": error.code,
                        "message": error.message,
                        "propertyref": error.target,
                        "severity": "error",
                        "target": error.target,
                        "transition": False,
                    }
                ],
            },
        }
    }


def v4_error_body(error: ODataError) -> dict[str, Any]:
    transaction, now = _transaction()
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "target": error.target,
            "details": [],
            "innererror": {
                "ErrorDetails": {
                    "@Common.TransactionID": transaction,
                    "@Common.Timestamp": f"{now:%Y%m%d%H%M%S}.{now.microsecond:06d}0",
                    "@Common.ExceptionCategory": "Client_Error"
                    if error.status < 500
                    else "Server_Error",
                }
            },
        }
    }


def error_response(
    error: ODataError, *, version: int, service: str, component: str = "MM-PUR-PO"
) -> Response:
    body = (
        v2_error_body(error, service=service, component=component)
        if version == 2
        else v4_error_body(error)
    )
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def logon_failed(client: str) -> Response:
    """The ICF logon answer: 401, a Basic challenge and an HTML page, never JSON."""
    page = (
        "<html><head><title>Logon Error Message</title></head><body>"
        "<h1>Anmeldung fehlgeschlagen / Logon failed</h1>"
        "<p>Logon performed in system S4H.</p>"
        "<p>Error: Logon failed (user, password or client incorrect)</p>"
        "</body></html>"
    )
    return Response(
        page,
        status_code=401,
        media_type="text/html; charset=utf-8",
        headers={
            "WWW-Authenticate": (
                f'Basic realm="SAP NetWeaver Application Server [{SYSTEM_ID}/{client}]"'
            ),
            "sap-system": SYSTEM_ID,
        },
    )


def csrf_required() -> Response:
    return Response(
        "CSRF token validation failed",
        status_code=403,
        media_type="text/plain; charset=utf-8",
        headers={"x-csrf-token": "Required"},
    )


class SapFaultResponder:
    """How an SAP system (or the API gateway in front of it) answers each injected fault."""

    def __init__(self, *, client: str) -> None:
        self.client = client

    @staticmethod
    def _version(request: Request) -> int:
        return 4 if request.url.path.startswith(V4_PO_ROOT) else 2

    def _error(self, request: Request, error: ODataError) -> Response:
        segments = request.url.path.split("/")
        service = segments[5] if len(segments) > 5 else ""
        return error_response(error, version=self._version(request), service=service)

    def unavailable(self, request: Request) -> Response:
        error = ODataError(
            503,
            "/IWFND/CM_BEC/026",
            "SAP backend system is not available. Try again later.",
        )
        return self._error(request, error)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        # S/4HANA itself has no throttling; 429 comes from API Management in front of it.
        body = {
            "fault": {
                "faultstring": "Rate limit quota violation. Quota limit exceeded.",
                "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
            }
        }
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(retry_after)})

    def unauthorized(self, request: Request) -> Response:
        return logon_failed(self.client)

    def server_error(self, request: Request) -> Response:
        error = ODataError(
            500,
            "/IWBEP/CM_MGW_RT/000",
            "In the context of Data Services an unknown internal server error occurred",
        )
        return self._error(request, error)
