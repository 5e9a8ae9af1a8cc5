"""Plex Connect's error answers: ``{"code": ..., "message": ...}`` with the HTTP status, and
the fault answers of the shared middleware in the same shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

__all__ = [
    "ARGUMENT_INVALID",
    "NOT_AUTHENTICATED",
    "NOT_FOUND",
    "PlexError",
    "PlexFaultResponder",
    "error_response",
]

NOT_AUTHENTICATED = "REQUEST_NOT_AUTHENTICATED"
NOT_FOUND = "RESOURCE_NOT_FOUND"
ARGUMENT_INVALID = "ARGUMENT_INVALID"
CONFLICT = "RESOURCE_CONFLICT"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
PROCESSING_ERROR = "PROCESSING_ERROR"

AUTH_MESSAGE = "The request could not be authenticated."


class PlexError(Exception):
    """An answer of Plex Connect other than success."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(error: PlexError) -> Response:
    return JSONResponse({"code": error.code, "message": error.message}, status_code=error.status)


def not_authenticated() -> PlexError:
    return PlexError(401, NOT_AUTHENTICATED, AUTH_MESSAGE)


def not_found(what: str = "The requested resource was not found.") -> PlexError:
    return PlexError(404, NOT_FOUND, what)


def invalid(message: str) -> PlexError:
    return PlexError(400, ARGUMENT_INVALID, message)


def conflict(message: str) -> PlexError:
    return PlexError(409, CONFLICT, message)


def too_many_requests() -> Response:
    """What the 200 calls/minute limit answers: a 429 without ``Retry-After``."""
    message = "Rate limit exceeded: most APIs are limited to 200 calls per minute."
    return JSONResponse({"code": TOO_MANY_REQUESTS, "message": message}, status_code=429)


class PlexFaultResponder:
    """Faults in Plex's error shape (the middleware adds ``Retry-After`` to its own 429s)."""

    def unavailable(self, request: Request) -> Response:
        message = "The service is temporarily unavailable."
        return JSONResponse({"code": SERVICE_UNAVAILABLE, "message": message}, status_code=503)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return too_many_requests()

    def unauthorized(self, request: Request) -> Response:
        return error_response(not_authenticated())

    def server_error(self, request: Request) -> Response:
        message = "An error occurred while processing the request."
        return JSONResponse({"code": PROCESSING_ERROR, "message": message}, status_code=500)
