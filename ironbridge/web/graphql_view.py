"""The ``/graphql`` endpoint: authentication first, then Strawberry, with our context."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.responses import HTMLResponse
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from ironbridge.errors import ApiError, ErrorCode
from ironbridge.ratelimit import LimitExceeded
from ironbridge.schema.context import Context
from ironbridge.schema.errors import is_too_complex
from ironbridge.schema.loaders import Loaders
from ironbridge.security.principal import authenticate
from ironbridge.web.middleware import send_json_error

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import Message, Receive, Scope, Send
    from starlette.websockets import WebSocket
    from strawberry import Schema
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.types.execution import ExecutionResult

    from ironbridge.services import Services


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Schema, services: Services) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if services.settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            allow_queries_via_get=True,
        )
        self.services = services

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        state = request.scope.get("state", {})
        return Context(
            services=self.services,
            principal=state.get("principal"),
            request_id=state.get("request_id", ""),
            loaders=Loaders(self.services.engine),
            base_url=str(request.base_url).rstrip("/"),
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Codes what escaped the schema's error shaping (syntax errors) and counts every error."""
        response = await super().process_result(request, result)
        request_id = request.scope.get("state", {}).get("request_id", "")
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                code = (
                    ErrorCode.QUERY_TOO_COMPLEX
                    if is_too_complex(error["message"])
                    else ErrorCode.BAD_USER_INPUT
                )
                extensions["code"] = code.value
            extensions.setdefault("requestId", request_id)
            self.services.metrics.graphql_errors.labels(extensions["code"]).inc()
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        from ironbridge.web.graphiql import render_graphiql

        headers = '{"Authorization": "Bearer <your admin key or connection token>"}'
        return HTMLResponse(render_graphiql(endpoint="/graphql", default_headers=headers))

    async def on_ws_connect(self, context: Context) -> Any:
        """Subscriptions authenticate with ``{"Authorization": "Bearer …"}`` in connection_init."""
        params = context.connection_params or {}
        if context.principal is None:
            header = None
            if isinstance(params, dict):
                header = params.get("Authorization") or params.get("authorization")
                if header is None and isinstance(params.get("token"), str):
                    header = f"Bearer {params['token']}"
            try:
                context.principal = await authenticate(self.services.engine, header)
            except ApiError:
                return False
        return None


_META_FIELDS = frozenset({"__schema", "__type", "__typename"})


def is_introspection_only(body: bytes) -> bool:
    """True for a POSTed query that asks only for the schema: it is public, like our source."""
    try:
        payload = json.loads(body)
        document = parse(payload["query"])
    except (ValueError, KeyError, TypeError, GraphQLError):
        return False
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            return False
        if definition.operation is not OperationType.QUERY:
            return False
        for selection in definition.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.name.value not in _META_FIELDS:
                return False
    return True


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _wants_ide(scope: Scope) -> bool:
    if scope["method"] != "GET" or scope.get("query_string"):
        return False
    accept = next((v for k, v in scope["headers"] if k == b"accept"), b"")
    return b"text/html" in accept


class AuthenticatedGraphQL:
    """Answers 401 with a GraphQL error body before Strawberry sees an unauthenticated request."""

    def __init__(self, view: GraphQLView) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] != "OPTIONS" and not _wants_ide(scope):
            header = next(
                (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
            )
            state = scope.setdefault("state", {})
            try:
                state["principal"] = await authenticate(self.view.services.engine, header)
            except ApiError as exc:
                if scope["method"] == "POST":
                    body = await _read_body(receive)
                    if is_introspection_only(body):
                        await self.view(scope, _replay(body, receive), send)
                        return
                request_id = state.get("request_id", "")
                self.view.services.metrics.graphql_errors.labels(exc.code.value).inc()
                await send_json_error(send, 401, ErrorCode.UNAUTHENTICATED, exc.message, request_id)
                return
            if not await self._within_limit(state, send):
                return
        await self.view(scope, receive, send)

    async def _within_limit(self, state: dict[str, Any], send: Send) -> bool:
        """Ironbridge's own limit per credential; answers 429 RATE_LIMITED when spent."""
        services = self.view.services
        settings = services.settings
        principal = state["principal"]
        if settings.rate_limit_per_minute <= 0:
            return True
        try:
            await services.limiter.reserve(
                f"credential:{principal.kind.value}:{principal.token_id}",
                per_minute=settings.rate_limit_per_minute,
                burst=settings.rate_limit_burst,
            )
        except LimitExceeded as exc:
            retry_after = max(1, math.ceil(exc.retry_after))
            services.metrics.rate_limited.inc()
            services.metrics.graphql_errors.labels(ErrorCode.RATE_LIMITED.value).inc()
            message = (
                f"This credential may make {settings.rate_limit_per_minute} requests per minute "
                f"(bursts of {settings.rate_limit_burst}); retry after {retry_after} s."
            )
            await send_json_error(
                send,
                429,
                ErrorCode.RATE_LIMITED,
                message,
                state.get("request_id", ""),
                retry_after=retry_after,
            )
            return False
        return True


__all__ = ["AuthenticatedGraphQL", "GraphQLView"]
