"""Webhook endpoints in the API (admin only): types, the query field and the mutations.

``WebhookQuery`` and ``WebhookMutation`` are merged into the roots with ``merge_types``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import strawberry

from ironbridge.errors import bad_input, not_found
from ironbridge.events import endpoints as endpoint_store
from ironbridge.events.dispatcher import WebhookDispatcher
from ironbridge.events.outbox import EVENT_TYPES, emit, is_valid_pattern
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id, to_global_id
from ironbridge.schema.pagination import check_first
from ironbridge.schema.types.common import Node
from ironbridge.security.ssrf import UnsafeUrlError, check_url_async

if TYPE_CHECKING:
    from sqlalchemy import Row

Info = strawberry.Info

MAX_DELIVERIES = 100
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 1000
TEST_MESSAGE = "A test event from Ironbridge."


@strawberry.type(description="One try at delivering a webhook.")
class WebhookAttempt:
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = strawberry.field(description="None when no response came back.")
    error: str | None
    response_excerpt: str | None = strawberry.field(
        description="The first 500 characters of the receiver's answer."
    )


@strawberry.type(description="One event on its way to one endpoint.")
class WebhookDelivery:
    id: strawberry.ID
    event_id: str = strawberry.field(description="The `webhook-id` header; stable across retries.")
    event_type: str
    attempts: int
    status: str = strawberry.field(
        description="pending, delivering, succeeded, failed or cancelled."
    )
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    _pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", row.id)),
            event_id=row.event_key,
            event_type=row.event_type,
            attempts=row.attempts,
            status=row.status,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            _pk=row.id,
        )

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempt_log(self, info: Info[Context, Any]) -> list[WebhookAttempt]:
        info.context.require_admin()
        async with info.context.services.engine.connect() as conn:
            rows = await endpoint_store.attempts_of(conn, self._pk)
        return [
            WebhookAttempt(
                attempted_at=row.attempted_at,
                duration_ms=row.duration_ms,
                status_code=row.status_code,
                error=row.error,
                response_excerpt=row.response_excerpt,
            )
            for row in rows
        ]


@strawberry.type(description="A URL that receives signed webhook events.")
class WebhookEndpoint(Node):
    url: str
    description: str | None
    events: list[str] = strawberry.field(
        description="Event types, families such as `record.*`, or `*`."
    )
    enabled: bool
    created_at: datetime
    updated_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None = strawberry.field(
        description="The first failed attempt since the last success."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until then, deliveries are signed with the previous secret too."
    )
    _pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Row[Any]) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            url=row.url,
            description=row.description,
            events=list(row.events or []),
            enabled=row.enabled,
            created_at=row.created_at,
            updated_at=row.updated_at,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            previous_secret_expires_at=row.previous_secret_expires_at,
            _pk=row.id,
        )

    @strawberry.field(description="The newest deliveries, newest first.")
    async def deliveries(
        self, info: Info[Context, Any], first: int | None = 20
    ) -> list[WebhookDelivery]:
        info.context.require_admin()
        first = check_first(first, limit=MAX_DELIVERIES, default=20)
        async with info.context.services.engine.connect() as conn:
            rows = await endpoint_store.deliveries_of(conn, self._pk, limit=first)
        return [WebhookDelivery.from_row(row) for row in rows]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint
    secret: str = strawberry.field(description="The signing secret; shown only this once.")


@strawberry.type
class DeletePayload:
    id: strawberry.ID
    deleted: bool
    soft_deleted: bool


@strawberry.input
class WebhookEndpointInput:
    url: str
    events: list[str]
    enabled: bool = True
    description: str | None = None


async def _checked_url(url: str) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise bad_input(f"Give a URL of at most {MAX_URL_LENGTH} characters.", field="url")
    try:
        await check_url_async(url)
    except UnsafeUrlError as exc:
        raise bad_input(f"Webhooks cannot be sent to this URL: {exc.detail}.", field="url") from exc
    return url


def _checked_events(names: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(name.strip() for name in names))
    if not wanted:
        raise bad_input("Subscribe to at least one event type, or '*'.", field="events")
    unknown = [name for name in wanted if not is_valid_pattern(name)]
    if unknown:
        known = ", ".join(sorted(EVENT_TYPES))
        raise bad_input(
            f"Unknown event types: {', '.join(unknown)}. "
            f"Use '*', a family such as 'record.*', or one of: {known}.",
            field="events",
        )
    return wanted


def _checked_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise bad_input(
            f"The description may be at most {MAX_DESCRIPTION_LENGTH} characters.",
            field="description",
        )
    return description


async def _load(info: Info[Context, Any], pk: int) -> WebhookEndpoint:
    async with info.context.services.engine.connect() as conn:
        row = await endpoint_store.get_endpoint(conn, pk)
    if row is None:
        raise not_found("No such webhook endpoint.")
    return WebhookEndpoint.from_row(row)


async def load_webhook_endpoint(info: Info[Context, Any], pk: int) -> WebhookEndpoint | None:
    """For ``node(id:)``: the endpoint if the caller is an admin and it exists."""
    principal = info.context.require_principal()
    if not principal.is_admin:
        return None
    async with info.context.services.engine.connect() as conn:
        row = await endpoint_store.get_endpoint(conn, pk)
    return WebhookEndpoint.from_row(row) if row is not None else None


async def _attempt_now(info: Info[Context, Any], delivery_id: int) -> None:
    """One immediate attempt, by the app's dispatcher, or a short-lived one without it."""
    services = info.context.services
    if services.dispatcher is not None:
        await services.dispatcher.deliver_now(delivery_id)
        return
    transient = WebhookDispatcher(
        services.engine, services.secretbox, services.metrics, bus=services.bus
    )
    try:
        await transient.deliver_now(delivery_id)
    finally:
        await transient.aclose()


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Every webhook endpoint (admin).")
    async def webhook_endpoints(self, info: Info[Context, Any]) -> list[WebhookEndpoint]:
        info.context.require_admin()
        async with info.context.services.engine.connect() as conn:
            rows = await endpoint_store.list_endpoints(conn)
        return [WebhookEndpoint.from_row(row) for row in rows]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Add an endpoint; the signing secret is returned only here.")
    async def create_webhook_endpoint(
        self, info: Info[Context, Any], input: WebhookEndpointInput
    ) -> WebhookEndpointPayload:
        info.context.require_admin()
        url = await _checked_url(input.url)
        events = _checked_events(input.events)
        description = _checked_description(input.description)
        services = info.context.services
        async with services.engine.begin() as conn:
            pk, secret = await endpoint_store.create_endpoint(
                conn,
                services.secretbox,
                url=url,
                events=events,
                enabled=input.enabled,
                description=description,
                now=datetime.now(UTC),
            )
        return WebhookEndpointPayload(endpoint=await _load(info, pk), secret=secret)

    @strawberry.mutation(description="Replace an endpoint's settings; enabling clears failures.")
    async def update_webhook_endpoint(
        self, info: Info[Context, Any], id: strawberry.ID, input: WebhookEndpointInput
    ) -> WebhookEndpoint:
        info.context.require_admin()
        pk = expect_global_id(str(id), "WebhookEndpoint")
        url = await _checked_url(input.url)
        events = _checked_events(input.events)
        description = _checked_description(input.description)
        async with info.context.services.engine.begin() as conn:
            found = await endpoint_store.update_endpoint(
                conn,
                pk,
                url=url,
                events=events,
                enabled=input.enabled,
                description=description,
                now=datetime.now(UTC),
            )
        if not found:
            raise not_found("No such webhook endpoint.")
        return await _load(info, pk)

    @strawberry.mutation(description="Delete an endpoint with its deliveries and attempt log.")
    async def delete_webhook_endpoint(
        self, info: Info[Context, Any], id: strawberry.ID
    ) -> DeletePayload:
        info.context.require_admin()
        pk = expect_global_id(str(id), "WebhookEndpoint")
        async with info.context.services.engine.begin() as conn:
            deleted = await endpoint_store.delete_endpoint(conn, pk)
        if not deleted:
            raise not_found("No such webhook endpoint.")
        return DeletePayload(id=id, deleted=True, soft_deleted=False)

    @strawberry.mutation(
        description="A new signing secret, returned once; the old one keeps signing for 24 hours."
    )
    async def rotate_webhook_secret(
        self, info: Info[Context, Any], id: strawberry.ID
    ) -> WebhookEndpointPayload:
        info.context.require_admin()
        pk = expect_global_id(str(id), "WebhookEndpoint")
        services = info.context.services
        async with services.engine.begin() as conn:
            secret = await endpoint_store.rotate_secret(
                conn, services.secretbox, pk, now=datetime.now(UTC)
            )
        if secret is None:
            raise not_found("No such webhook endpoint.")
        return WebhookEndpointPayload(endpoint=await _load(info, pk), secret=secret)

    @strawberry.mutation(
        description="Send a `webhook.test` event to this endpoint only; one attempt is made now."
    )
    async def send_test_webhook(
        self, info: Info[Context, Any], id: strawberry.ID
    ) -> WebhookDelivery:
        info.context.require_admin()
        pk = expect_global_id(str(id), "WebhookEndpoint")
        endpoint = await _load(info, pk)
        if not endpoint.enabled:
            raise bad_input("The endpoint is disabled; enable it to send a test.", field="id")
        async with info.context.services.engine.begin() as conn:
            event = await emit(
                conn,
                type="webhook.test",
                data={"endpointId": str(endpoint.id), "message": TEST_MESSAGE},
                now=datetime.now(UTC),
                endpoint_ids=[pk],
            )
            row = await endpoint_store.delivery_of_event(conn, event.event_id, pk)
        if row is None:  # disabled between the check and the emit
            raise bad_input("The endpoint is disabled; enable it to send a test.", field="id")
        await _attempt_now(info, row.id)
        async with info.context.services.engine.connect() as conn:
            row = await endpoint_store.get_delivery(conn, row.id)
        if row is None:  # the endpoint was deleted meanwhile
            raise not_found("No such webhook endpoint.")
        return WebhookDelivery.from_row(row)


__all__ = [
    "DeletePayload",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointInput",
    "WebhookEndpointPayload",
    "WebhookMutation",
    "WebhookQuery",
    "load_webhook_endpoint",
]
