"""Connecting, reauthorizing, rotating and disconnecting, against a real emulated SAP over HTTP."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select, text

from ironbridge.demo import create_admin_key
from ironbridge.emulators.sap import create_app as create_sap
from ironbridge.store.tables import metadata
from tests.api.conftest import error_code
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ironbridge.services import Services
    from tests.conftest import GQL

CONNECT = """mutation($input: ConnectInput!) { connect(input: $input) {
  token connection { id status creditsUsed sandbox instanceUrl system { key } } } }"""


@pytest.fixture
async def sap() -> AsyncIterator[tuple[str, dict[str, str]]]:
    app = create_sap(records=30)
    async with serve(app) as base_url:
        yield base_url, dict(app.state.emulator.credentials)


@pytest.fixture
async def admin(services: Services) -> str:
    return await create_admin_key(services)


def sap_input(url: str, creds: dict[str, str], **changes: Any) -> dict[str, Any]:
    return {"systemKey": "sap-s4hana", "instanceUrl": url, "credentials": creds, **changes}


async def test_connect_then_read_with_the_new_token(
    gql: GQL, services: Services, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    data = await gql.data(
        CONNECT, {"input": sap_input(url, creds, displayName="Plant 1")}, token=admin
    )
    payload = data["connect"]
    assert payload["connection"]["status"] == "ACTIVE"
    assert payload["connection"]["creditsUsed"] == 2
    assert payload["connection"]["system"]["key"] == "sap-s4hana"
    own = await gql.data("{ connection { id displayName } }", token=payload["token"])
    assert own["connection"] == {"id": payload["connection"]["id"], "displayName": "Plant 1"}
    credits = await gql.data("{ credits { total used available } }", token=admin)
    assert credits["credits"] == {"total": 25, "used": 2, "available": 23}
    async with services.engine.connect() as conn:
        types = (await conn.execute(text("SELECT type FROM events"))).scalars().all()
    assert "connection.created" in types


async def test_a_wrong_password_says_what_the_system_said(
    gql: GQL, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    body = await gql(
        CONNECT, {"input": sap_input(url, {**creds, "password": "wrong"})}, token=admin
    )
    assert error_code(body) == "CREDENTIALS_REJECTED"
    assert "refused these credentials" in body["errors"][0]["message"]
    assert body["data"] is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("http://nonexistent-host.invalid", "SYSTEM_UNREACHABLE", "DNS"),
        ("REFUSED", "SYSTEM_UNREACHABLE", "refused the connection"),
        ("http://169.254.169.254", "BAD_USER_INPUT", "instance URL"),
        ("http://metadata.google.internal", "BAD_USER_INPUT", "instance URL"),
        ("ftp://sap.example.com", "BAD_USER_INPUT", "instance URL"),
    ],
)
async def test_unreachable_and_unsafe_addresses(
    gql: GQL, admin: str, sap: tuple[str, dict[str, str]], url: str, code: str, words: str
) -> None:
    _, creds = sap
    if url == "REFUSED":
        url = f"http://127.0.0.1:{_closed_port()}"
    body = await gql(CONNECT, {"input": sap_input(url, creds)}, token=admin)
    assert error_code(body) == code, body
    assert words in body["errors"][0]["message"]


async def test_a_missing_field_is_named(
    gql: GQL, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    partial = {k: v for k, v in creds.items() if k != "password"}
    body = await gql(CONNECT, {"input": sap_input(url, partial)}, token=admin)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "credentials.password"
    body = await gql(CONNECT, {"input": sap_input(url, {**creds, "pin": "1"})}, token=admin)
    assert body["errors"][0]["extensions"]["field"] == "credentials.pin"
    body = await gql(CONNECT, {"input": {"systemKey": "nope", "instanceUrl": url}}, token=admin)
    assert body["errors"][0]["extensions"]["field"] == "systemKey"


async def test_reauthorize_rotate_disconnect_and_delete(
    gql: GQL, services: Services, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    first = (await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=admin))["connect"]
    cid, token = first["connection"]["id"], first["token"]

    reauth = "mutation($id: ID!, $c: JSON!) { reauthorize(connectionId: $id, credentials: $c) { id status } }"
    body = await gql(reauth, {"id": cid, "c": {**creds, "password": "wrong"}}, token=admin)
    assert error_code(body) == "CREDENTIALS_REJECTED"
    data = await gql.data(reauth, {"id": cid, "c": creds}, token=token)
    assert data["reauthorize"] == {"id": cid, "status": "ACTIVE"}
    assert (await gql.raw("{ connection { id } }", token=token)).status_code == 200

    rotated = (
        await gql.data(
            "mutation($id: ID!) { rotateConnectionToken(connectionId: $id) { token } }",
            {"id": cid},
            token=admin,
        )
    )["rotateConnectionToken"]["token"]
    assert (await gql.raw("{ connection { id } }", token=token)).status_code == 401
    assert (await gql.raw("{ connection { id } }", token=rotated)).status_code == 200

    delete_data = (
        "mutation($id: ID!) { deleteConnectionData(connectionId: $id) { deletedRecords } }"
    )
    assert error_code(await gql(delete_data, {"id": cid}, token=admin)) == "CONFLICT"

    done = await gql.data(
        "mutation($id: ID!) { disconnect(connectionId: $id) { status disconnectedAt } }",
        {"id": cid},
        token=rotated,
    )
    assert done["disconnect"]["status"] == "DISCONNECTED"
    assert done["disconnect"]["disconnectedAt"]
    assert (await gql.raw("{ connection { id } }", token=rotated)).status_code == 401
    credits = await gql.data("{ credits { used } }", token=admin)
    assert credits["credits"]["used"] == 0
    still = await gql.data(
        "query($id: ID!) { connection(id: $id) { status } }", {"id": cid}, token=admin
    )
    assert still["connection"]["status"] == "DISCONNECTED"
    assert error_code(await gql(reauth, {"id": cid, "c": creds}, token=admin)) == "CONFLICT"
    deleted = await gql.data(delete_data, {"id": cid}, token=admin)
    assert deleted["deleteConnectionData"]["deletedRecords"] >= 0

    again = (await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=admin))["connect"]
    assert again["connection"]["id"] != cid
    assert again["token"] not in (token, rotated)
    async with services.engine.connect() as conn:
        statuses = (await conn.execute(text("SELECT type FROM events ORDER BY id"))).scalars().all()
    assert "connection.disconnected" in statuses
    assert "connection.status_changed" in statuses


async def test_credits_add_up(
    gql: GQL, services: Services, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    services.settings = services.settings.model_copy(update={"connection_credits": 3})
    first = (await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=admin))["connect"]
    body = await gql(CONNECT, {"input": sap_input(url, creds)}, token=admin)
    assert error_code(body) == "QUOTA_EXCEEDED"
    assert "1 of 3" in body["errors"][0]["message"]
    await gql.data(
        "mutation($id: ID!) { disconnect(connectionId: $id) { id } }",
        {"id": first["connection"]["id"]},
        token=admin,
    )
    await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=admin)


async def test_connect_session_is_single_use_and_scoped(
    gql: GQL, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    made = await gql.data(
        """mutation { createConnectSession(input: {systemKeys: ["sap-s4hana"], endUserId: "customer-42"}) {
             token url expiresAt } }""",
        token=admin,
    )
    session = made["createConnectSession"]
    assert session["token"].startswith("ib_cs_")
    assert session["url"].endswith(f"/connect?session={session['token']}")
    systems = await gql.data("{ systems { key } }", token=session["token"])
    assert systems["systems"]
    wrong_system = await gql(CONNECT, {"input": {"systemKey": "sandbox"}}, token=session["token"])
    assert error_code(wrong_system) == "FORBIDDEN"
    done = await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=session["token"])
    assert done["connect"]["token"].startswith("ib_conn_")
    spent = await gql.raw(CONNECT, {"input": sap_input(url, creds)}, token=session["token"])
    assert spent.status_code == 401
    body = await gql("{ connections { totalCount } }", token=done["connect"]["token"])
    assert error_code(body) == "FORBIDDEN"


async def test_no_secret_is_stored_in_plain_text(
    gql: GQL, services: Services, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    token = (await gql.data(CONNECT, {"input": sap_input(url, creds)}, token=admin))["connect"][
        "token"
    ]
    dump: list[str] = []
    async with services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                dump.append(repr(tuple(row)))
    everything = "\n".join(dump)
    assert creds["password"] not in everything
    assert token not in everything
    assert admin not in everything


async def test_sandbox_connections_of_any_system(gql: GQL, admin: str) -> None:
    for key in ("sandbox", "sap-s4hana"):
        data = await gql.data(CONNECT, {"input": {"systemKey": key, "sandbox": True}}, token=admin)
        assert data["connect"]["connection"]["sandbox"] is True


async def test_connection_options_reach_the_connector(
    gql: GQL, services: Services, admin: str, sap: tuple[str, dict[str, str]]
) -> None:
    url, creds = sap
    data = await gql.data(
        CONNECT,
        {"input": sap_input(url, creds, options={"odata_version": "v2", "company_code": "1710"})},
        token=admin,
    )
    from ironbridge.schema.ids import from_global_id
    from ironbridge.store import connections as connection_store

    pk = from_global_id(data["connect"]["connection"]["id"])[1]
    async with services.engine.connect() as conn:
        row = await connection_store.get_connection(conn, pk)
    assert row is not None
    assert row.options == {"odata_version": "v2", "company_code": "1710"}
    body = await gql(
        CONNECT, {"input": sap_input(url, creds, options={"odata_version": ["v2"]})}, token=admin
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "options"
