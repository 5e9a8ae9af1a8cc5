"""Business Central's error answers (``{"error": {"code", "message"}}`` with a correlation id
in the message), Entra's token errors, and how the emulated service answers injected faults."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = [
    "BAD_REQUEST",
    "DIALOG",
    "ENTITY_CHANGED",
    "FIELD_VALIDATION",
    "INVALID_CREDENTIALS",
    "INVALID_TOKEN",
    "NOT_FOUND",
    "RECORD_NOT_FOUND",
    "REQUIRED",
    "BcError",
    "BcFaultResponder",
    "bad_request",
    "error_response",
    "token_error",
]

BAD_REQUEST = "BadRequest"
NOT_FOUND = "BadRequest_ResourceNotFound"
RECORD_NOT_FOUND = "Internal_RecordNotFound"
INVALID_TOKEN = "BadRequest_InvalidToken"
ENTITY_CHANGED = "Request_EntityChanged"
REQUIRED = "BadRequest_RequiredParamNotProvided"
DIALOG = "Application_DialogException"
FIELD_VALIDATION = "Application_FieldValidationException"
INVALID_CREDENTIALS = "Authentication_InvalidCredentials"
TOO_MANY_REQUESTS = "Application_TooManyRequests"
_AADSTS = re.compile(r"^AADSTS(\d+):")


class BcError(Exception):
    """An error answer of the API: HTTP status, Business Central's code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str) -> BcError:
    return BcError(400, BAD_REQUEST, message)


def error_response(error: BcError, *, headers: dict[str, str] | None = None) -> Response:
    message = f"{error.message}  CorrelationId:  {uuid.uuid4()}."
    return JSONResponse(
        {"error": {"code": error.code, "message": message}},
        status_code=error.status,
        headers=headers,
    )


def token_error(status: int, error: str, description: str) -> Response:
    """An Entra token endpoint refusal (``AADSTS`` codes in the description)."""
    body = {
        "error": error,
        "error_description": f"{description}\r\nTrace ID: {uuid.uuid4()}\r\n"
        f"Correlation ID: {uuid.uuid4()}",
        "error_codes": [int(code) for code in _AADSTS.findall(description)[:1]],
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    return JSONResponse(body, status_code=status)


class BcFaultResponder:
    """Faults as the Business Central service (and its front door) answers them."""

    def unavailable(self, request: Request) -> Response:
        return error_response(
            BcError(503, "ServiceUnavailable", "The service is temporarily unavailable.")
        )

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        message = "Too many requests reached.  Actual (6001).  Maximum (6000)."
        return error_response(BcError(429, TOO_MANY_REQUESTS, message))

    def unauthorized(self, request: Request) -> Response:
        message = "The server has rejected the client credentials."
        return error_response(
            BcError(401, INVALID_CREDENTIALS, message),
            headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
        )

    def server_error(self, request: Request) -> Response:
        message = "An unexpected error occurred while processing the request."
        return error_response(BcError(500, "Internal_ServerError", message))
