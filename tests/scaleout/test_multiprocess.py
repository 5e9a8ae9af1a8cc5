"""Scale-out mode as it runs in production: two gateway processes and two worker processes on
one PostgreSQL database and one Redis server (each test has its own of both)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import TYPE_CHECKING, Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from ironbridge.emulators.sap import create_app as create_sap
from ironbridge.models import EntityType, SyncState
from tests.connectors.sap.harness import malformed_ids, sap
from tests.scaleout.cluster import cluster
from tests.support.servers import serve

if TYPE_CHECKING:
    from pathlib import Path

    from tests.scaleout.cluster import Cluster, Process

pytestmark = [pytest.mark.scaleout, pytest.mark.postgres, pytest.mark.redis]

CONNECT = """mutation($input: ConnectInput!) {
  connect(input: $input) { token connection { id } } }"""
TRIGGER = """mutation($id: ID!) { triggerSync(connectionId: $id) { id } }"""
WATCH = """subscription { syncStatusChanged { kind run { id state } } }"""
DONE = (SyncState.COMPLETED.value, SyncState.COMPLETED_WITH_WARNINGS.value)
# bounds of the waits (seconds); never assertions on how long anything takes
BOUND = 60.0
POLL = 0.1
ATTEMPT = 3.0


async def connect(c: Cluster, gateway: Process, **input: Any) -> tuple[str, str]:
    data = await c.graphql(gateway, CONNECT, {"input": input}, token=c.admin_key)
    return data["connect"]["connection"]["id"], data["connect"]["token"]


async def settled(c: Cluster, runs_each: int, connections: int) -> list[Any]:
    """Wait until every connection has ``runs_each`` finished runs and none in progress."""
    sql = (
        "SELECT connection_id, count(*) FILTER (WHERE state <> 'IN_PROGRESS') AS finished, "
        "count(*) FILTER (WHERE state = 'IN_PROGRESS') AS running "
        "FROM sync_runs GROUP BY connection_id ORDER BY connection_id"
    )
    rows: list[Any] = []
    for _ in range(int(BOUND / POLL)):
        rows = await c.rows(sql)
        if len(rows) == connections and all(
            r.finished >= runs_each and r.running == 0 for r in rows
        ):
            return rows
        await asyncio.sleep(POLL)
    raise AssertionError(f"runs did not settle: {rows}\n{c.logs()}")


async def test_a_subscription_on_one_gateway_hears_syncs_caused_through_another_and_survives_a_redis_restart(
    tmp_path: Path,
) -> None:
    async with cluster(tmp_path) as c:
        (a, b), _ = await c.start(gateways=2, workers=2)
        connection_id, token = await connect(c, b, systemKey="sandbox")
        await settled(c, 1, 1)
        assert a.url is not None
        received: list[dict[str, Any]] = []
        failures: list[str] = []

        async def watch() -> None:
            transport = WebsocketsTransport(
                url=a.url.replace("http", "ws") + "/graphql",  # type: ignore[union-attr]
                init_payload={"Authorization": f"Bearer {token}"},
                subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            )
            async with Client(transport=transport) as session:
                async for event in session.subscribe(GraphQLRequest(WATCH)):
                    received.append(event["syncStatusChanged"])

        async def hear_a_sync() -> None:
            """Trigger syncs through gateway B until the subscriber on A has heard one."""
            seen = len(received)
            for _ in range(int(BOUND / ATTEMPT)):
                await c.graphql(b, TRIGGER, {"id": connection_id}, token=token)
                for _ in range(int(ATTEMPT / POLL)):
                    if len(received) > seen:
                        return
                    await asyncio.sleep(POLL)
            raise AssertionError(f"no event reached gateway A\n{c.logs()}")

        async def subscribed() -> None:
            """Watch until the subscription ends (a Redis restart ends it with an error)."""
            try:
                await watch()
            except Exception as exc:  # gql raises per transport; kept to check
                failures.append(str(exc))

        listener = asyncio.create_task(subscribed())
        try:
            await hear_a_sync()
            assert {e["kind"] for e in received} <= {"started", "progress", "completed"}
            await c.redis.restart()
            # the subscriber is told it missed events and must resync
            async with asyncio.timeout(BOUND):
                await listener
            assert any("missed" in f and "subscribe again" in f for f in failures), failures
            # subscribing again after the restart hears syncs caused through B again
            listener = asyncio.create_task(subscribed())
            await hear_a_sync()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


async def test_scheduled_rounds_run_each_connection_once_and_a_killed_worker_loses_nothing(
    tmp_path: Path,
) -> None:
    connections, rounds = 4, 3
    records, page_size, latency = 400, 20, 0.15
    emulator = create_sap(records=records, page_size=page_size, maintenance_orders=4)
    async with serve(emulator) as instance_url, cluster(tmp_path) as c:
        (a, b), (worker_1, worker_2) = await c.start(gateways=2, workers=2)
        for n in range(connections):
            await connect(c, (a, b)[n % 2], systemKey="sandbox")
        await settled(c, 1, connections)
        # each round: every connection falls due; the workers' tick must run each exactly once
        for done in range(1, rounds + 1):
            await c.execute(
                "UPDATE connection_sync SET next_scheduled_sync_at = now(), backoff_until = NULL"
            )
            await settled(c, 1 + done, connections)
        per_connection = await c.rows(
            "SELECT connection_id, trigger, state, count(*) AS n FROM sync_runs "
            "GROUP BY connection_id, trigger, state ORDER BY connection_id, trigger"
        )
        assert len(per_connection) == 2 * connections, per_connection
        for row in per_connection:
            assert row.state in DONE, per_connection
            assert row.n == (1 if row.trigger == "CONNECT" else rounds), per_connection

        # a worker killed in the middle of a sync: the other takes its job over
        sap(emulator).faults.latency = latency
        os.kill(worker_2.popen.pid, signal.SIGSTOP)  # worker 1 is the one that takes the job
        try:
            await connect(
                c,
                a,
                systemKey="sap-s4hana",
                instanceUrl=instance_url,
                credentials=dict(sap(emulator).credentials),
                syncSettings={"initialLookbackDays": 3650, "entities": ["PURCHASE_ORDER"]},
            )
            sql = (
                "SELECT r.id, r.state, r.records_fetched FROM sync_runs r "
                "JOIN connections c ON c.id = r.connection_id "
                "WHERE c.system_key = 'sap-s4hana' ORDER BY r.id"
            )
            for _ in range(int(BOUND / POLL)):
                runs = await c.rows(sql)
                if runs and runs[-1].state == "IN_PROGRESS" and runs[-1].records_fetched > 0:
                    break
                await asyncio.sleep(POLL)
            else:
                raise AssertionError(f"no sync in progress\n{c.logs()}")
            killed_run = runs[-1].id
        finally:
            os.kill(worker_2.popen.pid, signal.SIGCONT)
        os.kill(worker_1.popen.pid, signal.SIGKILL)
        worker_1.popen.wait()
        assert runs[-1].records_fetched < records
        for _ in range(int(BOUND / POLL)):
            runs = await c.rows(sql)
            if any(r.id > killed_run and r.state in DONE for r in runs):
                break
            await asyncio.sleep(POLL)
        else:
            raise AssertionError(f"the sync was not resumed: {runs}\n{c.logs()}")
        states = {r.id: r.state for r in runs}
        assert states[killed_run] == SyncState.FAILED.value
        resumed = [r.records_fetched for r in runs if r.id > killed_run and r.state in DONE]
        assert resumed[0] < records  # it went on from the checkpoint
        live = {
            r.remote_id
            for r in await c.rows(
                "SELECT p.remote_id FROM purchase_orders p "
                "JOIN connections c ON c.id = p.connection_id "
                "WHERE c.system_key = 'sap-s4hana' AND p.deleted_at IS NULL"
            )
        }
        listed = {str(r["PurchaseOrder"]) for r in sap(emulator).snapshot("PurchaseOrder")}
        expected = listed - malformed_ids(emulator, EntityType.PURCHASE_ORDER)
        assert live == expected
        assert len(live) == records - len(malformed_ids(emulator, EntityType.PURCHASE_ORDER))
