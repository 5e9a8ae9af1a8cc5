"""Standard Webhooks signatures, checked with the reference ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from ironbridge.events.signing import (
    ROTATION_OVERLAP,
    SigningKeys,
    generate_secret,
    webhook_headers,
)

BODY = json.dumps({"id": "evt_1", "type": "sync.completed", "createdAt": "x", "data": {}})


def test_secrets_are_whsec_and_long_enough() -> None:
    secrets = {generate_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24


def test_headers_verify_with_the_reference_implementation() -> None:
    secret = generate_secret()
    now = datetime.now(UTC)
    headers = webhook_headers([secret], msg_id="evt_1", timestamp=now, body=BODY)
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_a_changed_body_or_another_secret_does_not_verify() -> None:
    secret = generate_secret()
    headers = webhook_headers([secret], msg_id="evt_1", timestamp=datetime.now(UTC), body=BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("sync", "sink"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


def test_both_secrets_sign_during_a_rotation_overlap() -> None:
    old, new = generate_secret(), generate_secret()
    now = datetime.now(UTC)
    keys = SigningKeys(current=new, previous=old, previous_expires_at=now + ROTATION_OVERLAP)
    assert keys.active(now) == [new, old]
    headers = webhook_headers(keys.active(now), msg_id="evt_2", timestamp=now, body=BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    # receivers still on the old secret and those already on the new one both accept it
    assert Webhook(old).verify(BODY, headers) == json.loads(BODY)
    assert Webhook(new).verify(BODY, headers) == json.loads(BODY)


def test_the_previous_secret_stops_signing_when_the_overlap_ends() -> None:
    old, new = generate_secret(), generate_secret()
    now = datetime.now(UTC)
    keys = SigningKeys(current=new, previous=old, previous_expires_at=now - timedelta(seconds=1))
    assert keys.active(now) == [new]
    headers = webhook_headers(keys.active(now), msg_id="evt_3", timestamp=now, body=BODY)
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, headers)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        webhook_headers([], msg_id="evt_4", timestamp=datetime.now(UTC), body=BODY)


def verify_by_hand(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The recipe docs/webhooks.md gives for receivers without a library, as written there."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, entry.partition(",")[2])
        for entry in headers["webhook-signature"].split(" ")
        if entry.startswith("v1,")
    )


def test_the_documented_hmac_recipe_verifies() -> None:
    old, new = generate_secret(), generate_secret()
    now = datetime.now(UTC)
    headers = webhook_headers([new, old], msg_id="evt_5", timestamp=now, body=BODY)
    assert verify_by_hand(new, headers, BODY.encode())
    assert verify_by_hand(old, headers, BODY.encode())
    assert not verify_by_hand(generate_secret(), headers, BODY.encode())
    assert not verify_by_hand(new, headers, BODY.encode() + b" ")
