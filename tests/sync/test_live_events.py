"""recordChanged and syncStatusChanged over both websocket protocols, as a sync runs."""

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

RECORDS = """subscription { recordChanged(entities: [VENDOR]) { connectionId entity id remoteId kind at } }"""
SYNC = """subscription { syncStatusChanged { connectionId kind run { mode trigger state } } }"""
PROTOCOLS = {
    "graphql-transport-ws": WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
    "graphql-ws": WebsocketsTransport.APOLLO_SUBPROTOCOL,
}


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
async def test_record_and_sync_events_arrive_live(settings: Settings, protocol: str) -> None:
    services = create_services(settings)
    app = create_app(settings, services=services)
    async with serve(app) as base_url:
        admin = await create_admin_key(services)
        transport = WebsocketsTransport(
            url=base_url.replace("http", "ws") + "/graphql",
            init_payload={"Authorization": f"Bearer {admin}"},
            subprotocols=[PROTOCOLS[protocol]],
        )
        records: list[dict[str, Any]] = []
        syncs: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:

            async def watch_records() -> None:
                async for event in session.subscribe(GraphQLRequest(RECORDS)):
                    records.append(event["recordChanged"])
                    if len(records) == 3:
                        return

            async def watch_syncs() -> None:
                async for event in session.subscribe(GraphQLRequest(SYNC)):
                    syncs.append(event["syncStatusChanged"])
                    if event["syncStatusChanged"]["kind"] == "finished":
                        return

            tasks = [asyncio.create_task(watch_records()), asyncio.create_task(watch_syncs())]
            while services.bus.subscriber_count < 2:  # noqa: ASYNC110 - the bus has no event for it
                await asyncio.sleep(0.01)
            async with httpx.AsyncClient(base_url=base_url) as client:
                response = await client.post(
                    "/graphql",
                    json={
                        "query": 'mutation { connect(input: {systemKey: "sandbox"}) { connection { id } } }'
                    },
                    headers={"Authorization": f"Bearer {admin}"},
                )
            connection_id = response.json()["data"]["connect"]["connection"]["id"]
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
        assert {r["entity"] for r in records} == {"VENDOR"}
        assert {r["kind"] for r in records} == {"CREATED"}
        assert {r["connectionId"] for r in records} == {connection_id}
        assert all(r["remoteId"] and r["id"] for r in records)
        assert syncs[0]["kind"] == "started"
        assert syncs[-1]["kind"] == "finished"
        assert (syncs[-1]["run"]["mode"], syncs[-1]["run"]["trigger"]) == ("INITIAL", "CONNECT")
