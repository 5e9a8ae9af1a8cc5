"""Webhooks end to end: gateway and receiver on real sockets, the receiver down for a while and
the gateway restarted in between; every event still arrives, signed, and every attempt is logged."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from ironbridge.app import create_app, create_services
from ironbridge.demo import create_admin_key
from ironbridge.events.dispatcher import WebhookDispatcher
from tests.support.servers import free_port, serve

if TYPE_CHECKING:
    from starlette.requests import Request

    from ironbridge.services import Services
    from ironbridge.settings import Settings

FAST = (timedelta(0),) + (timedelta(seconds=0.2),) * 9


def receiver(received: list[tuple[dict[str, str], bytes]]) -> Starlette:
    async def hook(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])])


def gateway(settings: Settings) -> tuple[Services, Starlette]:
    services = create_services(settings)
    services.dispatcher = WebhookDispatcher(
        services.engine,
        services.secretbox,
        services.metrics,
        bus=services.bus,
        schedule=FAST,
        poll_interval=0.1,
    )
    return services, create_app(settings, services=services)


async def gql(
    base_url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> Any:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def wait_for(condition: Any) -> None:
    async with asyncio.timeout(15):
        while not condition():  # noqa: ASYNC110 - polling what a server received
            await asyncio.sleep(0.05)


async def test_every_event_arrives_across_an_outage_and_a_restart(settings: Settings) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    hook_port = free_port()
    hook_url = f"http://127.0.0.1:{hook_port}/hook"

    services, app = gateway(settings)
    async with serve(app) as base_url:
        admin = await create_admin_key(services)
        made = await gql(
            base_url,
            admin,
            "mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id } } }",
            {"i": {"url": hook_url, "events": ["connection.*"]}},
        )
        secret = made["createWebhookEndpoint"]["secret"]
        endpoint_id = made["createWebhookEndpoint"]["endpoint"]["id"]
        async with serve(receiver(received), port=hook_port):
            connected = await gql(
                base_url,
                admin,
                'mutation { connect(input: {systemKey: "sandbox"}) { connection { id } } }',
            )
            await wait_for(lambda: len(received) == 1)
        # the receiver is down: these events wait in the outbox
        connection_id = connected["connect"]["connection"]["id"]
        await gql(
            base_url,
            admin,
            "mutation($id: ID!) { disconnect(connectionId: $id) { id } }",
            {"id": connection_id},
        )
        await asyncio.sleep(0.5)  # a few failed attempts
    await services.engine.dispose()

    # the gateway restarts, the receiver comes back
    services, app = gateway(settings)
    async with serve(receiver(received), port=hook_port), serve(app) as base_url:
        await wait_for(lambda: len(received) >= 3)
        data = await gql(
            base_url,
            admin,
            "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { deliveries(first: 10) { eventType status attempts } } } }",
            {"id": endpoint_id},
        )
    await services.engine.dispose()

    verifier = Webhook(secret)
    events = [verifier.verify(body, headers) for headers, body in received]
    assert events[0]["type"] == "connection.created"
    assert sorted(e["type"] for e in events) == [
        "connection.created",
        "connection.disconnected",
        "connection.status_changed",
    ]
    assert all(e["data"]["connectionId"] == connection_id for e in events)
    ids = [headers["webhook-id"] for headers, _ in received]
    assert len(set(ids)) == 3
    deliveries = data["node"]["deliveries"]
    assert len(deliveries) == 3
    assert {d["status"] for d in deliveries} == {"succeeded"}
    assert max(d["attempts"] for d in deliveries) > 1  # the outage was retried, and logged
