"""Maximo's error answers: the ``Error`` body with its BMXAA reason codes (lean and namespaced),
and how an emulated Maximo (or the ingress in front of it) answers injected faults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, Response

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = [
    "ACTION_NOT_ALLOWED",
    "BAD_API_KEY",
    "BAD_BODY",
    "DUPLICATE_KEY",
    "DUPLICATE_TRANSACTION",
    "INVALID_VALUE",
    "LOGIN_FAILED",
    "NOT_AUTHENTICATED",
    "NOT_FOUND",
    "PAGE_SIZE",
    "QUERY_NOT_PARSED",
    "READ_ONLY",
    "REQUIRED",
    "SAME_STATUS",
    "STABLE_EXPIRED",
    "STATUS_CHANGE_FAILED",
    "STATUS_NOT_ALLOWED",
    "MaximoError",
    "MaximoFaultResponder",
    "duplicate",
    "error_body",
    "error_response",
    "invalid",
    "not_allowed",
    "read_only",
    "required",
    "status_failed",
]

NOT_AUTHENTICATED = "BMXAA0021E"
LOGIN_FAILED = "BMXAA7901E"
BAD_API_KEY = "BMXAA9549E"
NOT_FOUND = "BMXAA8727E"
QUERY_NOT_PARSED = "BMXAA8744E"
STATUS_CHANGE_FAILED = "BMXAA4590E"
SAME_STATUS = "BMXAA0032E"
STATUS_NOT_ALLOWED = "BMXAA4638E"
READ_ONLY = "BMXAA0031E"
ACTION_NOT_ALLOWED = "BMXAA0024E"
REQUIRED = "BMXAA4195E"
INVALID_VALUE = "BMXAA4153E"
DUPLICATE_KEY = "BMXAA4129E"
BAD_BODY = "BMXAA1882E"
PAGE_SIZE = "BMXAA8771E"
STABLE_EXPIRED = "BMXAA8780E"
DUPLICATE_TRANSACTION = "BMXAA9524E"
DB_ERROR = "BMXAA6713E"
UPDATED_BY_ANOTHER_USER = "BMXAA8229W"


class MaximoError(Exception):
    """An error the emulated Maximo answers with an ``Error`` body."""

    def __init__(
        self,
        status: int,
        reason_code: str,
        message: str,
        *,
        attribute: str | None = None,
        object_path: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason_code = reason_code
        # the message as Maximo words it: the reason code first
        self.message = message if message.startswith(reason_code) else f"{reason_code} - {message}"
        self.attribute = attribute
        self.object_path = object_path
        self.headers = headers or {}


def read_only(mbo: str, detail: str = "") -> MaximoError:
    message = (
        f"The {mbo} object is read only. Verify the business rules for the MBO or MBOSET object."
    )
    return MaximoError(400, READ_ONLY, f"{message} {detail}".strip())


def not_allowed(action: str, mbo: str, detail: str | None = None) -> MaximoError:
    message = f"The action {action} is not allowed on object {mbo}."
    detail = detail or (
        "Verify the business rules for the object and define the appropriate action for the object."
    )
    return MaximoError(400, ACTION_NOT_ALLOWED, f"{message} {detail}")


def status_failed(record: str, value: str, code: str, detail: str) -> MaximoError:
    """``BMXAA4590E - Could not change <record> status to <value>.`` with the cause nested."""
    nested = f"{code} - {detail}"
    return MaximoError(
        400, STATUS_CHANGE_FAILED, f"Could not change {record} status to {value}.\n\t{nested}"
    )


def stale(record: str) -> MaximoError:
    """``If-Match`` named a ``_rowstamp`` the record no longer has."""
    message = (
        f"Record {record} has been updated by another user. Your changes have not been saved. "
        "Refresh the record and try again."
    )
    return MaximoError(412, UPDATED_BY_ANOTHER_USER, message)


def required(attr: str, mbo: str) -> MaximoError:
    message = f"A value is required for the {attr.upper()} field on the {mbo} object."
    return MaximoError(400, REQUIRED, message, attribute=attr, object_path=mbo.lower())


def invalid(attr: str, message: str, mbo: str) -> MaximoError:
    return MaximoError(400, INVALID_VALUE, message, attribute=attr, object_path=mbo.lower())


def duplicate(pairs: str) -> MaximoError:
    message = (
        f"Record already exists for {pairs}. "
        "Ensure that the key value for the given record is unique."
    )
    return MaximoError(400, DUPLICATE_KEY, message)


def error_body(error: MaximoError, *, base_url: str = "", lean: bool = True) -> dict[str, Any]:
    more_info = f"{base_url}/maximo/oslc/error/messages/{error.reason_code}"
    if lean:
        body: dict[str, Any] = {
            "extendedError": {"moreInfo": {"href": more_info}},
            "reasonCode": error.reason_code,
            "message": error.message,
            "statusCode": str(error.status),
        }
        if error.attribute is not None:
            body["errorattrname"] = error.attribute
            body["errorobjpath"] = error.object_path or ""
        return {"Error": body}
    namespaced: dict[str, Any] = {
        "oslc:extendedError": {"oslc:moreInfo": {"rdf:resource": more_info}},
        "spi:reasonCode": error.reason_code,
        "oslc:message": error.message,
        "oslc:statusCode": str(error.status),
    }
    return {"oslc:Error": namespaced}


def error_response(error: MaximoError, *, base_url: str = "", lean: bool = True) -> Response:
    return JSONResponse(
        error_body(error, base_url=base_url, lean=lean),
        status_code=error.status,
        headers=error.headers,
    )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _lean(request: Request) -> bool:
    return request.query_params.get("lean") == "1"


class MaximoFaultResponder:
    """Faults as a Maximo Manage deployment shows them.

    A revoked API key is Maximo's own 400 ``BMXAA9549E``; an outage and a rate limit come from
    the ingress (router or load balancer) in front of Manage, not from Maximo, so they carry no
    ``Error`` body; a server error is a failed database fetch.
    """

    def unavailable(self, request: Request) -> Response:
        page = (
            "<html><head><title>Application is not available</title></head><body>"
            "<h1>Application is not available</h1>"
            "<p>The application is currently not serving requests at this endpoint.</p>"
            "</body></html>"
        )
        return HTMLResponse(page, status_code=503)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        page = "<html><body><h1>429 Too Many Requests</h1></body></html>"
        return HTMLResponse(page, status_code=429, headers={"Retry-After": str(retry_after)})

    def unauthorized(self, request: Request) -> Response:
        error = MaximoError(
            400,
            BAD_API_KEY,
            "The API key token is invalid. Either the token may have expired or the token has "
            "been revoked by the administrator.",
        )
        return error_response(error, base_url=_base(request), lean=_lean(request))

    def server_error(self, request: Request) -> Response:
        error = MaximoError(
            500,
            DB_ERROR,
            "The MBO fetch operation failed in the mboset with the SQL error code -4499. The "
            "record could not be retrieved from the database.",
        )
        return error_response(error, base_url=_base(request), lean=_lean(request))
