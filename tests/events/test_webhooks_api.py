"""The webhook part of the GraphQL API, through a schema merged from its query and mutation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import strawberry
from standardwebhooks import Webhook
from strawberry.tools import merge_types

from ironbridge.events.dispatcher import WebhookDispatcher
from ironbridge.schema.context import Context
from ironbridge.schema.errors import ShapeErrors
from ironbridge.schema.ids import to_global_id
from ironbridge.schema.loaders import Loaders
from ironbridge.schema.webhooks import WebhookMutation, WebhookQuery
from ironbridge.security.principal import Principal
from ironbridge.security.tokens import TokenKind
from tests.events.helpers import FakeClock

if TYPE_CHECKING:
    from ironbridge.services import Services
    from tests.events.helpers import Receiver

schema = strawberry.Schema(
    query=merge_types("Query", (WebhookQuery,)),
    mutation=merge_types("Mutation", (WebhookMutation,)),
    extensions=[ShapeErrors],
)

ADMIN = Principal(kind=TokenKind.ADMIN, token_id=1)
ENDPOINT = "id url description events enabled createdAt disabledAt disabledReason"
CREATE = f"""
mutation($input: WebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{ secret endpoint {{ {ENDPOINT} }} }}
}}"""
UPDATE = f"""
mutation($id: ID!, $input: WebhookEndpointInput!) {{
  updateWebhookEndpoint(id: $id, input: $input) {{ {ENDPOINT} failingSince }}
}}"""
DELIVERY = """
  id eventId eventType attempts status lastStatusCode lastError nextAttemptAt createdAt
  deliveredAt attemptLog { statusCode error responseExcerpt durationMs attemptedAt }
"""
SEND_TEST = f"mutation($id: ID!) {{ sendTestWebhook(id: $id) {{ {DELIVERY} }} }}"
ROTATE = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { id } } }"
LIST = f"{{ webhookEndpoints {{ {ENDPOINT} deliveries(first: 5) {{ {DELIVERY} }} }} }}"


class Api:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal | None = ADMIN,
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        # the context the GraphQL view builds for every request
        context = Context(
            services=self.services,
            principal=principal,
            request_id="req-test",
            loaders=Loaders(self.services.engine),
        )
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [{"message": e.message, **(e.extensions or {})} for e in result.errors or []]
        return result.data, errors

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        data, errors = await self(query, variables)
        assert not errors, errors
        assert data is not None
        return data

    async def create(self, url: str, events: list[str] | None = None) -> dict[str, Any]:
        variables = {"input": {"url": url, "events": events or ["*"], "description": "ours"}}
        payload: dict[str, Any] = (await self.data(CREATE, variables))["createWebhookEndpoint"]
        return payload


@pytest.fixture
def api(services: Services) -> Api:
    return Api(services)


async def test_create_returns_the_secret_once_and_lists_the_endpoint(
    api: Api, receiver: Receiver
) -> None:
    created = await api.create(receiver.hook("a"), ["record.*", "sync.completed"])
    assert created["secret"].startswith("whsec_")
    endpoint = created["endpoint"]
    assert endpoint["url"] == receiver.hook("a")
    assert endpoint["events"] == ["record.*", "sync.completed"]
    assert endpoint["enabled"] is True
    assert endpoint["description"] == "ours"
    listed = (await api.data(LIST))["webhookEndpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert listed[0]["deliveries"] == []
    assert created["secret"] not in json.dumps(listed)


async def test_send_test_webhook_delivers_a_signed_test_event_now(
    api: Api, receiver: Receiver
) -> None:
    created = await api.create(receiver.hook("a"), ["record.created"])
    delivery = (await api.data(SEND_TEST, {"id": created["endpoint"]["id"]}))["sendTestWebhook"]

    assert delivery["eventType"] == "webhook.test"
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "succeeded",
        1,
        200,
    )
    assert delivery["eventId"].startswith("evt_")
    assert delivery["deliveredAt"] is not None
    [attempt] = delivery["attemptLog"]
    assert (attempt["statusCode"], attempt["error"], attempt["responseExcerpt"]) == (
        200,
        None,
        "ok",
    )
    [received] = receiver.to("a")
    body = Webhook(created["secret"]).verify(received.body, received.headers)
    assert body["id"] == delivery["eventId"]
    assert body["type"] == "webhook.test"
    assert body["data"]["endpointId"] == created["endpoint"]["id"]
    listed = (await api.data(LIST))["webhookEndpoints"][0]["deliveries"]
    assert [d["id"] for d in listed] == [delivery["id"]]


async def test_a_failed_test_is_scheduled_for_retry(api: Api, receiver: Receiver) -> None:
    created = await api.create(receiver.hook("down"))
    receiver.reply("down", 500)
    delivery = (await api.data(SEND_TEST, {"id": created["endpoint"]["id"]}))["sendTestWebhook"]
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "pending",
        1,
        500,
    )
    assert delivery["nextAttemptAt"] is not None
    assert delivery["lastError"] == "HTTP 500"


async def test_rotation_signs_with_both_secrets_for_a_while(api: Api, receiver: Receiver) -> None:
    created = await api.create(receiver.hook("a"))
    endpoint_id = created["endpoint"]["id"]
    rotated = (await api.data(ROTATE, {"id": endpoint_id}))["rotateWebhookSecret"]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]

    await api.data(SEND_TEST, {"id": endpoint_id})

    [received] = receiver.to("a")
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    Webhook(created["secret"]).verify(received.body, received.headers)
    Webhook(rotated["secret"]).verify(received.body, received.headers)


async def test_update_replaces_settings_and_disabling_is_reversible(
    api: Api, receiver: Receiver
) -> None:
    created = await api.create(receiver.hook("a"))
    endpoint_id = created["endpoint"]["id"]
    variables: dict[str, Any] = {
        "id": endpoint_id,
        "input": {"url": receiver.hook("b"), "events": ["sync.*"], "enabled": False},
    }
    updated = (await api.data(UPDATE, variables))["updateWebhookEndpoint"]
    assert (updated["url"], updated["events"], updated["enabled"]) == (
        receiver.hook("b"),
        ["sync.*"],
        False,
    )
    assert updated["description"] is None
    assert updated["disabledAt"] is not None
    assert updated["disabledReason"] == "Disabled by an admin."
    _, errors = await api(SEND_TEST, {"id": endpoint_id})
    assert (errors[0]["code"], errors[0]["field"]) == ("BAD_USER_INPUT", "id")

    variables["input"]["enabled"] = True
    updated = (await api.data(UPDATE, variables))["updateWebhookEndpoint"]
    assert updated["enabled"] is True
    assert (updated["disabledAt"], updated["disabledReason"], updated["failingSince"]) == (
        None,
        None,
        None,
    )


async def test_delete_removes_the_endpoint(api: Api, receiver: Receiver) -> None:
    created = await api.create(receiver.hook("a"))
    endpoint_id = created["endpoint"]["id"]
    await api.data(SEND_TEST, {"id": endpoint_id})
    mutation = "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id deleted softDeleted } }"
    deleted = (await api.data(mutation, {"id": endpoint_id}))["deleteWebhookEndpoint"]
    assert deleted == {"id": endpoint_id, "deleted": True, "softDeleted": False}
    assert (await api.data(LIST))["webhookEndpoints"] == []
    _, errors = await api(mutation, {"id": endpoint_id})
    assert errors[0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/",
        "http://[fe80::1]:8080/",
        "ftp://127.0.0.1/hooks",
        "http://does-not-exist.invalid/hooks",
        "",
    ],
)
async def test_unsafe_urls_are_refused(api: Api, url: str) -> None:
    variables = {"input": {"url": url, "events": ["*"]}}
    data, errors = await api(CREATE, variables)
    assert data is None
    assert (errors[0]["code"], errors[0]["field"]) == ("BAD_USER_INPUT", "url")
    assert errors[0]["requestId"] == "req-test"


@pytest.mark.parametrize(
    "events", [[], ["record.exploded"], ["records.*"], ["*.created"], ["sync.completed", "nope"]]
)
async def test_unknown_event_names_are_refused(
    api: Api, receiver: Receiver, events: list[str]
) -> None:
    variables = {"input": {"url": receiver.hook("a"), "events": events}}
    _, errors = await api(CREATE, variables)
    assert (errors[0]["code"], errors[0]["field"]) == ("BAD_USER_INPUT", "events")


@pytest.mark.parametrize(
    ("principal", "code"),
    [
        (Principal(kind=TokenKind.CONNECTION, token_id=2, connection_id=1), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ],
)
async def test_only_admins_manage_webhooks(
    api: Api, receiver: Receiver, principal: Principal | None, code: str
) -> None:
    created = await api.create(receiver.hook("a"))
    endpoint_id = created["endpoint"]["id"]
    for query, variables in [
        (LIST, None),
        (CREATE, {"input": {"url": receiver.hook("b"), "events": ["*"]}}),
        (ROTATE, {"id": endpoint_id}),
        (SEND_TEST, {"id": endpoint_id}),
        ("mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { deleted } }", {"id": endpoint_id}),
    ]:
        _, errors = await api(query, variables, principal=principal)
        assert errors[0]["code"] == code
    assert receiver.requests == []


async def test_ids_of_other_types_and_unknown_ids_are_refused(api: Api) -> None:
    _, errors = await api(ROTATE, {"id": to_global_id("Connection", 1)})
    assert (errors[0]["code"], errors[0]["field"]) == ("BAD_USER_INPUT", "id")
    _, errors = await api(ROTATE, {"id": to_global_id("WebhookEndpoint", 999)})
    assert errors[0]["code"] == "NOT_FOUND"
    _, errors = await api(SEND_TEST, {"id": "not-an-id"})
    assert errors[0]["code"] == "BAD_USER_INPUT"


async def test_deliveries_first_is_bounded(api: Api, receiver: Receiver) -> None:
    await api.create(receiver.hook("a"))
    _, errors = await api("{ webhookEndpoints { deliveries(first: 1000) { id } } }")
    assert (errors[0]["code"], errors[0]["field"]) == ("BAD_USER_INPUT", "first")


async def test_send_test_webhook_uses_the_apps_dispatcher(
    api: Api, services: Services, receiver: Receiver
) -> None:
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30))
    services.dispatcher = WebhookDispatcher(
        services.engine, services.secretbox, services.metrics, clock=clock
    )
    try:
        created = await api.create(receiver.hook("a"))
        delivery = (await api.data(SEND_TEST, {"id": created["endpoint"]["id"]}))["sendTestWebhook"]
    finally:
        await services.dispatcher.aclose()
        services.dispatcher = None
    assert delivery["status"] == "succeeded"
    assert datetime.fromisoformat(delivery["deliveredAt"]) == clock.now
