"""Subscriptions over a real websocket, with both protocols, against a real uvicorn."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from ironbridge.app import create_app, create_services
from ironbridge.demo import create_admin_key
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.settings import Settings

WATCH = """subscription($id: ID) { connectionStatusChanged(connectionId: $id) {
  connection { id status } previousStatus status reason at } }"""

PROTOCOLS = {
    "graphql-transport-ws": WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
    "graphql-ws": WebsocketsTransport.APOLLO_SUBPROTOCOL,
}


async def _post(
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


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
async def test_connection_status_changes_arrive_live(settings: Settings, protocol: str) -> None:
    services = create_services(settings)
    app = create_app(settings, services=services)
    async with serve(app) as base_url:
        admin = await create_admin_key(services)
        made = await _post(
            base_url,
            admin,
            'mutation { connect(input: {systemKey: "sandbox"}) { token connection { id } } }',
        )
        connection_id = made["connect"]["connection"]["id"]
        other = await _post(
            base_url,
            admin,
            'mutation { connect(input: {systemKey: "sandbox"}) { connection { id } } }',
        )
        transport = WebsocketsTransport(
            url=base_url.replace("http", "ws") + "/graphql",
            init_payload={"Authorization": f"Bearer {made['connect']['token']}"},
            subprotocols=[PROTOCOLS[protocol]],
        )
        received: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:

            async def listen() -> None:
                async for event in session.subscribe(
                    GraphQLRequest(WATCH, variable_values={"id": None})
                ):
                    received.append(event["connectionStatusChanged"])
                    return

            task = asyncio.create_task(listen())
            while services.bus.subscriber_count == 0:  # noqa: ASYNC110 - the bus has no event for it
                await asyncio.sleep(0.01)
            # another connection's change must not reach this subscriber
            await _post(
                base_url,
                admin,
                "mutation($id: ID!) { disconnect(connectionId: $id) { id } }",
                {"id": other["connect"]["connection"]["id"]},
            )
            await _post(
                base_url,
                admin,
                "mutation($id: ID!) { disconnect(connectionId: $id) { id } }",
                {"id": connection_id},
            )
            await asyncio.wait_for(task, timeout=10)
        [event] = received
        assert event["connection"] == {"id": connection_id, "status": "DISCONNECTED"}
        assert event["previousStatus"] == "ACTIVE"
        assert event["status"] == "DISCONNECTED"
        assert event["reason"] == "disconnected"


async def test_a_subscription_needs_a_valid_credential(settings: Settings) -> None:
    services = create_services(settings)
    app = create_app(settings, services=services)
    async with serve(app) as base_url:
        transport = WebsocketsTransport(
            url=base_url.replace("http", "ws") + "/graphql",
            init_payload={"Authorization": "Bearer ib_conn_nope"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )

        async def attempt() -> None:
            async with Client(transport=transport) as session:
                async for _ in session.subscribe(GraphQLRequest(WATCH)):
                    break

        with pytest.raises(Exception) as refused:  # noqa: PT011 - gql raises per transport
            await attempt()
        assert services.bus.subscriber_count == 0
        assert refused.value is not None
