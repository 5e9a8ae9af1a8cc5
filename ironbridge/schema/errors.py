"""Every GraphQL error leaves with a code and the request id; unexpected ones are masked."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import structlog
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from ironbridge.errors import ApiError, ErrorCode

if TYPE_CHECKING:
    from graphql import GraphQLError as _GraphQLError

log = structlog.get_logger("ironbridge.graphql")

_TOO_COMPLEX = re.compile(
    r"exceeds maximum operation depth|aliases found\. Allowed|contains more than \d+ tokens"
)
MASKED_MESSAGE = "Internal error. Quote the request id to your administrator."


def is_too_complex(message: str) -> bool:
    return _TOO_COMPLEX.search(message) is not None


def _request_id(context: Any) -> str | None:
    return getattr(context, "request_id", None)


def shape_error(error: _GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    message = error.message
    if isinstance(original, ApiError):
        extensions = original.extensions()
        message = original.message
    elif error.path is None or original is None:
        # the request itself is wrong: syntax, validation, variable coercion, limits
        code = (
            ErrorCode.QUERY_TOO_COMPLEX
            if _TOO_COMPLEX.search(message)
            else ErrorCode.BAD_USER_INPUT
        )
        extensions = {"code": code.value}
    else:
        extensions = {"code": ErrorCode.INTERNAL.value}
        message = MASKED_MESSAGE
        log.error(
            "unexpected_error",
            request_id=request_id,
            path=error.path,
            exc_info=(type(original), original, original.__traceback__),
        )
    if request_id:
        extensions["requestId"] = request_id
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ShapeErrors(MaskErrors):
    """Codes every error, keeps the message of expected ones, masks and logs the rest."""

    def _process_errors(self, errors: list[_GraphQLError]) -> list[_GraphQLError]:
        request_id = _request_id(self.execution_context.context)
        return [shape_error(error, request_id) for error in errors]


__all__ = ["MASKED_MESSAGE", "ShapeErrors", "is_too_complex", "shape_error"]
