"""Standard Webhooks signing: ``whsec_`` secrets and the three ``webhook-*`` headers."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from standardwebhooks import Webhook

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for at least 24
ROTATION_OVERLAP = timedelta(hours=24)


def generate_secret() -> str:
    """A new endpoint secret: ``whsec_`` and 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """An endpoint's current secret and, during a rotation overlap, the one it replaced."""

    current: str
    previous: str | None = None
    previous_expires_at: datetime | None = None

    def active(self, now: datetime) -> list[str]:
        """The secrets that sign a message sent at ``now``, current first."""
        keys = [self.current]
        if (
            self.previous is not None
            and self.previous_expires_at is not None
            and now < self.previous_expires_at
        ):
            keys.append(self.previous)
        return keys


def sign(secret: str, *, msg_id: str, timestamp: datetime, body: str) -> str:
    """One ``v1,<base64>`` signature of ``{msg_id}.{timestamp}.{body}``."""
    signature: str = Webhook(secret).sign(msg_id, timestamp.astimezone(UTC), body)
    return signature


def webhook_headers(
    secrets: Sequence[str], *, msg_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    """The Standard Webhooks headers; one signature per secret, space-separated."""
    if not secrets:
        raise ValueError("at least one secret is required to sign")
    signatures = [sign(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


__all__ = [
    "ROTATION_OVERLAP",
    "SECRET_PREFIX",
    "SigningKeys",
    "generate_secret",
    "sign",
    "webhook_headers",
]
