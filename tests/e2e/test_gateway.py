"""The gateway over a real socket: uvicorn on loopback and the gql client, as a user runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from ironbridge.app import create_app, create_services
from ironbridge.demo import seed_demo
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.settings import Settings

PURCHASE_ORDERS = """query Orders($first: Int!) { connection {
        displayName
        purchaseOrders(first: $first, filter: {status: [APPROVED, PARTIALLY_RECEIVED]}) {
          totalCount
          nodes { number status totalAmount vendor { name } lines { lineNumber quantity item { name } } }
        } } }"""


async def test_a_user_queries_the_demo_over_http(settings: Settings) -> None:
    services = create_services(settings)
    app = create_app(settings, services=services)
    async with serve(app) as base_url:  # the lifespan migrates the fresh store
        demo = await seed_demo(services, records=80)
        transport = HTTPXAsyncTransport(
            url=f"{base_url}/graphql", headers={"Authorization": f"Bearer {demo.connection_token}"}
        )
        async with Client(transport=transport) as session:
            result = await session.execute(
                GraphQLRequest(PURCHASE_ORDERS, variable_values={"first": 20})
            )
        orders = result["connection"]["purchaseOrders"]
        assert result["connection"]["displayName"]
        assert 0 < len(orders["nodes"]) <= 20
        assert orders["totalCount"] >= len(orders["nodes"])
        assert {o["status"] for o in orders["nodes"]} <= {"APPROVED", "PARTIALLY_RECEIVED"}
        assert all(o["lines"] for o in orders["nodes"])

        bad = HTTPXAsyncTransport(
            url=f"{base_url}/graphql", headers={"Authorization": "Bearer nope"}
        )
        with pytest.raises(TransportQueryError) as caught:
            async with Client(transport=bad) as session:
                await session.execute(GraphQLRequest(PURCHASE_ORDERS, variable_values={"first": 1}))
        assert caught.value.errors is not None
        assert caught.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"

        admin = HTTPXAsyncTransport(
            url=f"{base_url}/graphql", headers={"Authorization": f"Bearer {demo.admin_key}"}
        )
        with pytest.raises(TransportQueryError) as refused:
            async with Client(transport=admin) as session:
                await session.execute(
                    GraphQLRequest(PURCHASE_ORDERS, variable_values={"first": 501})
                )
        assert refused.value.errors is not None
        assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"

        async with httpx.AsyncClient(base_url=base_url) as plain:
            page = await plain.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert (await plain.get("/readyz")).status_code == 200
