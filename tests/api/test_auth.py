"""Credentials: who may call, and what each credential may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ironbridge.schema.ids import to_global_id
from ironbridge.security.tokens import TokenKind, new_token
from tests.api.conftest import error_code, issue, revoke

if TYPE_CHECKING:
    import httpx

    from ironbridge.services import Services
    from tests.api.conftest import Seeded
    from tests.conftest import GQL

OWN = "{ connection { id displayName } }"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic abc",
        "Bearer not-a-token",
        # well formed, valid checksum, but never issued
        "Bearer " + new_token(TokenKind.ADMIN),
    ],
)
async def test_missing_or_bad_credentials_get_401_with_a_graphql_body(
    client: httpx.AsyncClient, seeded: Seeded, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.post("/graphql", json={"query": OWN}, headers=headers)
    assert response.status_code == 401
    body = response.json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert body["data"] is None


async def test_a_revoked_token_stops_working_at_once(
    gql: GQL, services: Services, seeded: Seeded
) -> None:
    assert (await gql.data(OWN, token=seeded.token))["connection"]["id"] == seeded.connection_id
    await revoke(services, seeded.token)
    response = await gql.raw(OWN, token=seeded.token)
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


async def test_a_token_with_a_broken_checksum_is_refused(gql: GQL, seeded: Seeded) -> None:
    tampered = seeded.token[:-1] + ("A" if seeded.token[-1] != "A" else "B")
    response = await gql.raw(OWN, token=tampered)
    assert response.status_code == 401


async def test_connection_token_sees_its_own_connection(gql: GQL, seeded: Seeded) -> None:
    data = await gql.data(OWN, token=seeded.token)
    assert data["connection"]["id"] == seeded.connection_id
    data = await gql.data(
        "query($id: ID!) { connection(id: $id) { id } }",
        {"id": seeded.connection_id},
        token=seeded.token,
    )
    assert data["connection"]["id"] == seeded.connection_id


async def test_connection_token_cannot_reach_another_connection(gql: GQL, seeded: Seeded) -> None:
    body = await gql(
        "query($id: ID!) { connection(id: $id) { id purchaseOrders { totalCount } } }",
        {"id": seeded.other_connection_id},
        token=seeded.token,
    )
    assert error_code(body) == "FORBIDDEN"
    assert body["data"]["connection"] is None


async def test_node_does_not_leak_records_of_another_connection(gql: GQL, seeded: Seeded) -> None:
    other = await gql.data(
        "{ connection { purchaseOrders(first: 1) { nodes { id } } vendors(first: 1) { nodes { id } } } }",
        token=seeded.other_token,
    )
    other_po = other["connection"]["purchaseOrders"]["nodes"][0]["id"]
    for node_id in (other_po, seeded.other_connection_id):
        body = await gql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=seeded.token
        )
        assert error_code(body) == "NOT_FOUND"
        assert body["data"]["node"] is None
    # a record id that does not exist answers exactly the same
    missing = await gql(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": to_global_id("PurchaseOrder", 999999)},
        token=seeded.token,
    )
    assert missing["errors"][0]["message"] == body["errors"][0]["message"]
    # the admin sees it
    data = await gql.data(
        "query($id: ID!) { node(id: $id) { id ... on PurchaseOrder { number } } }",
        {"id": other_po},
        token=seeded.admin_key,
    )
    assert data["node"]["id"] == other_po


async def test_single_record_fields_do_not_cross_connections(gql: GQL, seeded: Seeded) -> None:
    other = await gql.data(
        "{ connection { purchaseOrders(first: 1) { nodes { id remoteId } } } }",
        token=seeded.other_token,
    )
    other_po = other["connection"]["purchaseOrders"]["nodes"][0]
    data = await gql.data(
        "query($id: ID!) { connection { purchaseOrder(id: $id) { id } } }",
        {"id": other_po["id"]},
        token=seeded.token,
    )
    assert data["connection"]["purchaseOrder"] is None


async def test_filters_by_id_do_not_cross_connections(gql: GQL, seeded: Seeded) -> None:
    other = await gql.data(
        "{ connection { purchaseOrders(first: 1) { nodes { vendor { id } } } } }",
        token=seeded.other_token,
    )
    vendor_id = other["connection"]["purchaseOrders"]["nodes"][0]["vendor"]["id"]
    data = await gql.data(
        "query($v: ID!) { connection { purchaseOrders(filter: {vendorId: $v}) { totalCount nodes { id } } } }",
        {"v": vendor_id},
        token=seeded.token,
    )
    assert data["connection"]["purchaseOrders"] == {"totalCount": 0, "nodes": []}


async def test_lists_and_relations_stay_inside_the_connection(gql: GQL, seeded: Seeded) -> None:
    query = """{ connection { id
        purchaseOrders(first: 500) { nodes { id vendor { id } lines { item { id } } } }
        workOrders(first: 500) { nodes { id asset { id } location { id } } } } }"""
    mine = await gql.data(query, token=seeded.token)
    theirs = await gql.data(query, token=seeded.other_token)

    def ids(data: dict[str, object]) -> set[str]:
        found: set[str] = set()

        def walk(value: object) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "id" and isinstance(item, str):
                        found.add(item)
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(data)
        return found

    assert ids(mine).isdisjoint(ids(theirs))


async def test_admin_only_fields_refuse_connection_tokens(gql: GQL, seeded: Seeded) -> None:
    for query in ("{ connections { totalCount } }", "{ credits { total } }"):
        body = await gql(query, token=seeded.token)
        assert error_code(body) == "FORBIDDEN"
    data = await gql.data(
        "{ connections { totalCount nodes { id } } credits { total used available } }",
        token=seeded.admin_key,
    )
    assert data["connections"]["totalCount"] == 2
    assert {n["id"] for n in data["connections"]["nodes"]} == {
        seeded.connection_id,
        seeded.other_connection_id,
    }
    assert data["credits"]["total"] == 25


async def test_admin_without_id_is_asked_for_one(gql: GQL, seeded: Seeded) -> None:
    body = await gql(OWN, token=seeded.admin_key)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "id"


async def test_connect_session_token_may_list_systems_only(
    gql: GQL, services: Services, seeded: Seeded
) -> None:
    token = await issue(services, TokenKind.CONNECT_SESSION)
    data = await gql.data("{ systems { key } }", token=token)
    assert "sandbox" in {s["key"] for s in data["systems"]}
    body = await gql(
        "query($id: ID!) { connection(id: $id) { id } }", {"id": seeded.connection_id}, token=token
    )
    assert error_code(body) == "FORBIDDEN"
