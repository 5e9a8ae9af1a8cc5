"""``connectSession``: a connect-session token reads what its session was made with, and no
other credential reads any session's details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from ironbridge.demo import create_admin_key
from ironbridge.store import tokens as token_store
from ironbridge.store.tables import api_tokens
from tests.api.conftest import error_code

if TYPE_CHECKING:
    from ironbridge.services import Services
    from tests.conftest import GQL

CREATE = """mutation($input: ConnectSessionInput!) {
  createConnectSession(input: $input) { token expiresAt } }"""
READ = "{ connectSession { systemKeys redirectUrl endUserId expiresAt } }"
CONNECT_SANDBOX = 'mutation { connect(input: {systemKey: "sandbox"}) { token } }'


@pytest.fixture
async def admin(services: Services) -> str:
    return await create_admin_key(services)


async def _session(gql: GQL, admin: str, **options: Any) -> dict[str, Any]:
    made = await gql.data(CREATE, {"input": options}, token=admin)
    session: dict[str, Any] = made["createConnectSession"]
    return session


async def test_the_holder_reads_what_the_session_was_made_with(gql: GQL, admin: str) -> None:
    session = await _session(
        gql,
        admin,
        systemKeys=["sap-s4hana", "netsuite"],
        endUserId="customer-42",
        redirectUrl="https://app.example.com/erp/done?step=2",
    )

    data = await gql.data(READ, token=session["token"])

    assert data["connectSession"] == {
        "systemKeys": ["sap-s4hana", "netsuite"],
        "redirectUrl": "https://app.example.com/erp/done?step=2",
        "endUserId": "customer-42",
        "expiresAt": session["expiresAt"],
    }


async def test_a_session_without_options_offers_every_system(gql: GQL, admin: str) -> None:
    session = await _session(gql, admin)

    data = await gql.data(READ, token=session["token"])

    info = data["connectSession"]
    assert info["systemKeys"] is None
    assert info["redirectUrl"] is None
    assert info["endUserId"] is None
    assert datetime.fromisoformat(info["expiresAt"]) > datetime.now(UTC)


async def test_an_admin_key_or_a_connection_token_cannot_read_it(gql: GQL, admin: str) -> None:
    session = await _session(gql, admin, redirectUrl="https://app.example.com/done")
    connected = await gql.data(CONNECT_SANDBOX, token=admin)
    connection_token = connected["connect"]["token"]

    for token in (admin, connection_token):
        body = await gql(READ, token=token)
        assert error_code(body) == "FORBIDDEN"
        assert body["data"] == {"connectSession": None}
        assert "app.example.com" not in str(body)
    # and the session itself is untouched by those attempts
    still = await gql.data(READ, token=session["token"])
    assert still["connectSession"]["redirectUrl"] == "https://app.example.com/done"


async def test_a_spent_session_is_unauthenticated(gql: GQL, admin: str) -> None:
    session = await _session(gql, admin, redirectUrl="https://app.example.com/done")
    await gql.data(CONNECT_SANDBOX, token=session["token"])

    response = await gql.raw(READ, token=session["token"])

    assert response.status_code == 401
    assert error_code(response.json()) == "UNAUTHENTICATED"
    assert "app.example.com" not in response.text


async def test_an_expired_session_is_unauthenticated(
    gql: GQL, admin: str, services: Services
) -> None:
    session = await _session(gql, admin, redirectUrl="https://app.example.com/done")
    async with services.engine.begin() as conn:
        row = await token_store.find_token(conn, session["token"])
        assert row is not None
        await conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == row.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    response = await gql.raw(READ, token=session["token"])

    assert response.status_code == 401
    assert error_code(response.json()) == "UNAUTHENTICATED"
    assert "app.example.com" not in response.text


@pytest.mark.parametrize("token", [None, "ib_cs_unknown"])
async def test_no_or_an_unknown_credential_is_unauthenticated(gql: GQL, token: str | None) -> None:
    response = await gql.raw(READ, token=token)

    assert response.status_code == 401
    assert error_code(response.json()) == "UNAUTHENTICATED"
