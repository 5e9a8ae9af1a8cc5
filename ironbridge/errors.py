"""The error codes of the public API, and the one exception type resolvers raise for them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNSUPPORTED_OPERATION = "UNSUPPORTED_OPERATION"
    CONFLICT = "CONFLICT"
    CREDENTIALS_REJECTED = "CREDENTIALS_REJECTED"
    REAUTH_REQUIRED = "REAUTH_REQUIRED"
    SYSTEM_UNREACHABLE = "SYSTEM_UNREACHABLE"
    RATE_LIMITED = "RATE_LIMITED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL = "INTERNAL"


class ApiError(Exception):
    """An error the caller may see, with its code and the data that helps them act on it."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        retry_after: float | None = None,
        connection_id: str | None = None,
        entity: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.connection_id = connection_id
        self.entity = entity
        self.field = field

    def extensions(self) -> dict[str, Any]:
        ext: dict[str, Any] = {"code": self.code.value}
        if self.retry_after is not None:
            ext["retryAfter"] = max(1, round(self.retry_after))
        if self.connection_id is not None:
            ext["connectionId"] = self.connection_id
        if self.entity is not None:
            ext["entity"] = self.entity
        if self.field is not None:
            ext["field"] = self.field
        return ext


def bad_input(message: str, *, field: str | None = None) -> ApiError:
    return ApiError(ErrorCode.BAD_USER_INPUT, message, field=field)


def not_found(message: str = "No such object.") -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, message)


def forbidden(message: str = "This credential may not do that.") -> ApiError:
    return ApiError(ErrorCode.FORBIDDEN, message)


__all__ = ["ApiError", "ErrorCode", "bad_input", "forbidden", "not_found"]
