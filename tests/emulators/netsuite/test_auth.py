"""The NetSuite emulator's OAuth 2.0 client credentials flow and bearer tokens, over HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.emulators.netsuite import TOKEN_PATH, create_app, make_certificate
from tests.emulators.netsuite.conftest import (
    ANCHOR,
    assertion,
    emulator_of,
    error_code,
    fetch_token,
    token_form,
)
from tests.support.servers import serve

if TYPE_CHECKING:
    from ironbridge.emulators.netsuite import NetSuiteEmulator

PLANTS = "/services/rest/record/v1/location"


async def test_a_signed_assertion_gets_a_bearer_token(
    base_url: str, emulator: NetSuiteEmulator
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(TOKEN_PATH, data=token_form(assertion(base_url, emulator)))
        body = response.json()
        listed = await http.get(PLANTS, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"
    assert listed.status_code == 200
    assert emulator.login_audit[-1].status == "Success"


@pytest.mark.parametrize(
    ("overrides", "error", "reason"),
    [
        ({"key_id": "no-such-certificate"}, "invalid_grant", "InvalidCertificateId"),
        ({"private_key": make_certificate().private_key_pem}, "invalid_grant", "InvalidSignature"),
        ({"issuer": "0" * 64}, "invalid_client", "UnknownIntegration"),
        ({"audience": "https://other.example/token"}, "invalid_grant", "InvalidAudience"),
        ({"now": lambda: time.time() - 7200}, "invalid_grant", "AssertionExpired"),
        ({"lifetime": 4000.0}, "invalid_grant", "AssertionLifetimeTooLong"),
        ({"claims": {"scope": ["everything"]}}, "invalid_scope", "ScopeMismatched"),
        ({"claims": {"scope": []}}, "invalid_scope", "ScopeMismatched"),
    ],
)
async def test_bad_assertions_are_refused_like_netsuite(
    base_url: str,
    emulator: NetSuiteEmulator,
    overrides: dict[str, Any],
    error: str,
    reason: str,
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            TOKEN_PATH, data=token_form(assertion(base_url, emulator, **overrides))
        )
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert emulator.login_audit[-1].status == "Failure"
    assert emulator.login_audit[-1].detail == reason


async def test_an_algorithm_the_certificate_cannot_verify_is_refused(
    base_url: str, emulator: NetSuiteEmulator
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        hmac = await http.post(
            TOKEN_PATH,
            data=token_form(
                assertion(base_url, emulator, algorithm="HS256", private_key="secret" * 6)
            ),
        )
    assert hmac.status_code == 400
    assert hmac.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"client_assertion_type": "x", "client_assertion": "y"}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "invalid_request"),
        (
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": "not-a-jwt",
            },
            "invalid_request",
        ),
    ],
)
async def test_malformed_token_requests(base_url: str, form: dict[str, str], error: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(TOKEN_PATH, data=form)
    assert response.status_code == 400
    assert response.json() == {"error": error}


async def test_scope_as_a_comma_list_is_accepted(base_url: str, emulator: NetSuiteEmulator) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        listed = await http.post(
            TOKEN_PATH,
            data=token_form(
                assertion(base_url, emulator, claims={"scope": "restlets, rest_webservices"})
            ),
        )
        restlets_only = await http.post(
            TOKEN_PATH,
            data=token_form(assertion(base_url, emulator, claims={"scope": ["restlets"]})),
        )
        forbidden = await http.get(
            PLANTS, headers={"Authorization": f"Bearer {restlets_only.json()['access_token']}"}
        )
    assert listed.status_code == 200
    assert forbidden.status_code == 403
    assert error_code(forbidden) == "INSUFFICIENT_PERMISSION"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic dXNlcjpwYXNz"])
async def test_rest_calls_without_a_valid_token_get_invalid_login(
    base_url: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.get(PLANTS, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["title"] == "Unauthorized"
    assert body["status"] == 401
    assert body["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    assert body["o:errorDetails"][0]["detail"].startswith("Invalid login attempt.")


async def test_tokens_expire_after_their_lifetime() -> None:
    now = [datetime.now(UTC)]
    app = create_app(records=5, anchor=ANCHOR, token_ttl=60, clock=lambda: now[0])
    emulator = emulator_of(app)
    async with serve(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        token = await fetch_token(http, base_url, emulator)
        headers = {"Authorization": f"Bearer {token}"}
        fresh = await http.get(PLANTS, headers=headers)
        now[0] += timedelta(seconds=61)
        stale = await http.get(PLANTS, headers=headers)
    assert fresh.status_code == 200
    assert stale.status_code == 401


async def test_expire_tokens_and_rotate_the_certificate(
    base_url: str, emulator: NetSuiteEmulator
) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        token = await fetch_token(http, base_url, emulator)
        emulator.expire_tokens()
        expired = await http.get(PLANTS, headers={"Authorization": f"Bearer {token}"})
        old = assertion(base_url, emulator)
        certificate = emulator.rotate_certificate()
        refused = await http.post(TOKEN_PATH, data=token_form(old))
        renewed = await http.post(TOKEN_PATH, data=token_form(assertion(base_url, emulator)))
    assert expired.status_code == 401
    assert refused.json() == {"error": "invalid_grant"}
    assert renewed.status_code == 200
    assert emulator.credentials["certificate_id"] == certificate.certificate_id


async def test_an_rsa_certificate_takes_ps256() -> None:
    app = create_app(records=3, anchor=ANCHOR, key_type="rsa")
    emulator = emulator_of(app)
    async with serve(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        signed = assertion(base_url, emulator, algorithm="PS256")
        response = await http.post(TOKEN_PATH, data=token_form(signed))
    assert response.status_code == 200
    assert "BEGIN PRIVATE KEY" in emulator.credentials["private_key"]


def test_a_given_key_keeps_its_certificate_id() -> None:
    first = make_certificate()
    again = make_certificate(private_key_pem=first.private_key_pem)
    assert again.certificate_id == first.certificate_id
    assert "BEGIN CERTIFICATE" in again.certificate_pem
    app = create_app(records=1, anchor=ANCHOR, private_key_pem=first.private_key_pem)
    assert emulator_of(app).credentials["certificate_id"] == first.certificate_id
