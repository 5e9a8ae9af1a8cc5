"""The HTTP surface: request ids, error shapes, limits, GET rules, GraphiQL, health, metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ironbridge.app import close_services, create_app, create_services
from ironbridge.connectors.sandbox import SandboxConnector
from ironbridge.schema.errors import MASKED_MESSAGE
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from tests.api.conftest import error_code

if TYPE_CHECKING:
    from pathlib import Path

    from ironbridge.services import Services
    from tests.api.conftest import Seeded
    from tests.conftest import GQL


async def test_request_id_is_kept_when_sane_and_made_otherwise(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    auth = {"Authorization": f"Bearer {seeded.token}"}
    mine = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={**auth, "X-Request-ID": "trace-42"}
    )
    assert mine.headers["x-request-id"] == "trace-42"
    odd = await client.post(
        "/graphql", json={"query": "{ nope }"}, headers={**auth, "X-Request-ID": "bad id\twith tab"}
    )
    assert odd.headers["x-request-id"] != "bad id\twith tab"
    assert odd.json()["errors"][0]["extensions"]["requestId"] == odd.headers["x-request-id"]


async def test_validation_errors_are_bad_input_without_suggestions(
    gql: GQL, seeded: Seeded
) -> None:
    body = await gql("{ connection { purchaseOrderz { totalCount } } }", token=seeded.token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert "Did you mean" not in body["errors"][0]["message"]


async def test_bad_variable_values_are_bad_input(gql: GQL, seeded: Seeded) -> None:
    body = await gql(
        "query($f: PurchaseOrderFilter) { connection { purchaseOrders(filter: $f) { totalCount } } }",
        {"f": {"updatedAfter": "not a date"}},
        token=seeded.token,
    )
    assert error_code(body) == "BAD_USER_INPUT"
    body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": "%%%"}, token=seeded.token)
    assert error_code(body) == "BAD_USER_INPUT"


class BrokenConnector(SandboxConnector):
    entities: ClassVar[Any] = None  # capabilities cannot be computed: an unexpected failure


async def test_unexpected_errors_are_masked(gql: GQL, services: Services, seeded: Seeded) -> None:
    services.registry._classes["sandbox"] = BrokenConnector
    body = await gql("{ connection { capabilities { entity } } }", token=seeded.token)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["message"] == MASKED_MESSAGE
    assert "NoneType" not in str(body)
    assert error["extensions"]["requestId"]


async def test_depth_aliases_and_tokens_are_limited(gql: GQL, seeded: Seeded) -> None:
    deep = "{ connection { assets { nodes { " + "parent { " * 14 + "name" + " }" * 14 + " } } } }"
    body = await gql(deep, token=seeded.token)
    assert error_code(body) == "QUERY_TOO_COMPLEX"

    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }"
    body = await gql(aliases, token=seeded.token)
    assert error_code(body) == "QUERY_TOO_COMPLEX"

    tokens = "{ " + " ".join("__typename" for _ in range(6000)) + " }"
    body = await gql(tokens, token=seeded.token)
    assert error_code(body) == "QUERY_TOO_COMPLEX"


async def test_large_bodies_are_refused(client: httpx.AsyncClient, seeded: Seeded) -> None:
    padding = "x" * 1_100_000
    response = await client.post(
        "/graphql",
        json={"query": "{ __typename }", "variables": {"pad": padding}},
        headers={"Authorization": f"Bearer {seeded.token}"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_queries_over_get_work_and_mutations_do_not(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    auth = {"Authorization": f"Bearer {seeded.token}"}
    ok = await client.get("/graphql", params={"query": "{ connection { id } }"}, headers=auth)
    assert ok.status_code == 200
    assert ok.json()["data"]["connection"]["id"] == seeded.connection_id
    mutation = "mutation { updateSyncSettings(input: {paused: true}) { id } }"
    refused = await client.get("/graphql", params={"query": mutation}, headers=auth)
    assert refused.status_code in (400, 405)
    state = await client.post(
        "/graphql", json={"query": "{ connection { syncSettings { paused } } }"}, headers=auth
    )
    assert state.json()["data"]["connection"]["syncSettings"]["paused"] is False


async def test_graphiql_is_served_from_the_package(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert "https://" not in page.text
    assert "http://" not in page.text
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js"):
        assert asset in page.text
        served = await client.get(f"/static/graphiql/{asset}")
        assert served.status_code == 200


async def test_health_readiness_and_metrics(client: httpx.AsyncClient, seeded: Seeded) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["store"] == "ok"
    await client.post("/graphql", json={"query": "{ credits { total } }"})  # a 401, counted
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert (
        'ironbridge_http_requests_total{method="POST",route="/graphql",status="401"}'
        in metrics.text
    )
    assert 'ironbridge_graphql_errors_total{code="UNAUTHENTICATED"}' in metrics.text


async def test_update_sync_settings(gql: GQL, seeded: Seeded) -> None:
    m = """mutation($id: ID, $input: SyncSettingsInput!) {
        updateSyncSettings(connectionId: $id, input: $input) { syncSettings { intervalMinutes paused entities } } }"""
    data = await gql.data(
        m,
        {"input": {"intervalMinutes": 30, "entities": ["PURCHASE_ORDER", "VENDOR"]}},
        token=seeded.token,
    )
    assert data["updateSyncSettings"]["syncSettings"] == {
        "intervalMinutes": 30,
        "paused": False,
        "entities": ["PURCHASE_ORDER", "VENDOR"],
    }
    body = await gql(m, {"input": {"intervalMinutes": 0}}, token=seeded.token)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "intervalMinutes"
    body = await gql(
        m, {"id": seeded.other_connection_id, "input": {"paused": True}}, token=seeded.token
    )
    assert error_code(body) == "FORBIDDEN"
    data = await gql.data(
        m, {"id": seeded.other_connection_id, "input": {"paused": True}}, token=seeded.admin_key
    )
    assert data["updateSyncSettings"]["syncSettings"]["paused"] is True


async def test_the_schema_is_public_but_nothing_else_is(client: httpx.AsyncClient) -> None:
    schema = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert schema.status_code == 200
    assert schema.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    sneaky = [
        "{ __typename connections { totalCount } }",
        "{ ...F } fragment F on Query { connections { totalCount } }",
        "{ ... on Query { credits { total } } }",
        "mutation { __typename }",
    ]
    for query in sneaky:
        response = await client.post("/graphql", json={"query": query})
        assert response.status_code == 401, query


async def test_readiness_reports_an_unreachable_redis_as_degraded(tmp_path: Path) -> None:
    """The cache and the bus degrade (misses, no cross-process events): reported, yet ready."""
    settings = Settings(data_dir=tmp_path / "data", redis_url="redis://127.0.0.1:1/0")
    services = create_services(settings)
    await migrate(services.engine)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://ib.test") as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"store": "ok", "cache": "degraded", "bus": "degraded"}
    finally:
        await close_services(services)
