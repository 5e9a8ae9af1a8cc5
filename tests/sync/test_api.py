"""Sync through the API: triggerSync, syncStatus and syncRuns, and live sync events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from ironbridge.app import create_app, create_services
from ironbridge.demo import create_admin_key
from ironbridge.schema.ids import to_global_id
from ironbridge.security.tokens import TokenKind
from ironbridge.store import tokens as token_store
from ironbridge.sync.runner import InProcessRunner
from tests.support.servers import serve
from tests.sync.support import make_engine, store_connection

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.services import Services
    from ironbridge.settings import Settings
    from tests.conftest import GQL

import pytest

TRIGGER = """mutation($id: ID, $entities: [EntityType!], $mode: SyncMode) {
  triggerSync(connectionId: $id, entities: $entities, mode: $mode) {
    id mode trigger state entities } }"""
STATUS = """query($id: ID) { connection(id: $id) {
  syncStatus { state lastSuccessfulSyncAt consecutiveFailures nextScheduledSyncAt errors { code }
    entities { entity state recordCount } }
  syncRuns(first: 5) { totalCount nodes { id mode trigger state recordsCreated upstreamRequests } }
  vendors { totalCount } } }"""


@pytest.fixture
async def runner(services: Services) -> AsyncIterator[InProcessRunner]:
    engine = make_engine(services)
    jobs = InProcessRunner(engine.run)
    jobs.start()
    services.sync_engine, services.jobs = engine, jobs
    yield jobs
    await jobs.aclose()
    services.sync_engine = services.jobs = None


async def _sandbox(services: Services) -> tuple[int, str]:
    cid = await store_connection(
        services,
        "sandbox",
        instance_url="sandbox://t",
        credentials={},
        options={"records": 20},
        sandbox=True,
    )
    async with services.engine.begin() as conn:
        _, token = await token_store.issue_token(
            conn, TokenKind.CONNECTION, now=datetime.now(UTC), connection_id=cid
        )
    return cid, token


async def test_trigger_sync_runs_and_reports(
    services: Services, gql: GQL, runner: InProcessRunner
) -> None:
    cid, token = await _sandbox(services)
    gid = to_global_id("Connection", cid)
    made = (await gql.data(TRIGGER, {"mode": "INITIAL"}, token=token))["triggerSync"]
    assert (made["mode"], made["trigger"], made["state"]) == ("INITIAL", "MANUAL", "IN_PROGRESS")
    assert "VENDOR" in made["entities"]
    # a second trigger while it runs returns the same run
    again = (await gql.data(TRIGGER, {}, token=token))["triggerSync"]
    assert again["id"] == made["id"]
    await runner.join()

    status = (await gql.data(STATUS, {"id": gid}, token=token))["connection"]
    sync = status["syncStatus"]
    assert sync["state"] == "COMPLETED"
    assert sync["lastSuccessfulSyncAt"] is not None
    assert sync["nextScheduledSyncAt"] is not None
    assert sync["consecutiveFailures"] == 0
    vendors = next(e for e in sync["entities"] if e["entity"] == "VENDOR")
    assert vendors["state"] == "COMPLETED"
    assert vendors["recordCount"] == status["vendors"]["totalCount"] > 0
    runs = status["syncRuns"]
    assert runs["totalCount"] == 1
    assert runs["nodes"][0]["id"] == made["id"]
    assert runs["nodes"][0]["state"] == "COMPLETED"
    assert runs["nodes"][0]["recordsCreated"] > 0

    one = (await gql.data(TRIGGER, {"entities": ["VENDOR"]}, token=token))["triggerSync"]
    assert one["entities"] == ["VENDOR"]
    assert one["mode"] == "INCREMENTAL"
    await runner.join()


async def test_trigger_sync_is_authorized_and_checks_entities(
    services: Services, gql: GQL, runner: InProcessRunner
) -> None:
    cid, _ = await _sandbox(services)
    _, other_token = await _sandbox(services)
    body = await gql(TRIGGER, {"id": to_global_id("Connection", cid)}, token=other_token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    netsuite = await store_connection(
        services, "netsuite", instance_url="http://127.0.0.1:9", credentials={}
    )
    admin = await create_admin_key(services)
    body = await gql(
        TRIGGER, {"id": to_global_id("Connection", netsuite), "entities": ["ASSET"]}, token=admin
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UNSUPPORTED_OPERATION"
    assert error["extensions"]["field"] == "entities"
    body = await gql(TRIGGER, {"id": to_global_id("Connection", cid), "entities": []}, token=admin)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await runner.join()


WATCH = """subscription { syncStatusChanged { connectionId kind run { id mode trigger state } } }"""


async def test_sync_events_arrive_over_a_websocket(settings: Settings) -> None:
    services = create_services(settings)
    app = create_app(settings, services=services)
    async with serve(app) as base_url:
        admin = await create_admin_key(services)
        transport = WebsocketsTransport(
            url=base_url.replace("http", "ws") + "/graphql",
            init_payload={"Authorization": f"Bearer {admin}"},
        )
        received: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:

            async def listen() -> None:
                async for event in session.subscribe(GraphQLRequest(WATCH)):
                    received.append(event["syncStatusChanged"])
                    if event["syncStatusChanged"]["kind"] == "finished":
                        return

            task = asyncio.create_task(listen())
            while services.bus.subscriber_count == 0:  # noqa: ASYNC110 - the bus has no event for it
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
            await asyncio.wait_for(task, timeout=30)
        kinds = [e["kind"] for e in received]
        assert kinds[0] == "started"
        assert kinds[-1] == "finished"
        assert {e["connectionId"] for e in received} == {connection_id}
        last = received[-1]["run"]
        assert (last["mode"], last["trigger"]) == ("INITIAL", "CONNECT")
        assert last["state"] in ("COMPLETED", "COMPLETED_WITH_WARNINGS")
