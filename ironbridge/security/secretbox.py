"""Credential encryption at rest: MultiFernet over a key list, newest key first.

Each ciphertext binds the connection it belongs to, so a ciphertext copied onto another row
does not decrypt there.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path


class SecretBoxError(Exception):
    pass


class SecretBox:
    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise SecretBoxError("at least one encryption key is required")
        try:
            self._fernet = MultiFernet([Fernet(k) for k in keys])
        except ValueError as exc:
            raise SecretBoxError("an encryption key is not a valid Fernet key") from exc

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, owner: str, secrets: Mapping[str, Any]) -> str:
        payload = json.dumps({"owner": owner, "secrets": dict(secrets)}, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode()).decode()

    def decrypt(self, owner: str, ciphertext: str) -> dict[str, Any]:
        try:
            payload = json.loads(self._fernet.decrypt(ciphertext.encode()))
        except InvalidToken as exc:
            raise SecretBoxError(
                "credentials cannot be decrypted with the configured keys"
            ) from exc
        if payload.get("owner") != owner:
            raise SecretBoxError("credentials belong to another connection")
        secrets: dict[str, Any] = payload["secrets"]
        return secrets

    def rotate(self, ciphertext: str) -> str:
        """The same plaintext, encrypted under the newest key."""
        return self._fernet.rotate(ciphertext.encode()).decode()


def load_or_create_key_file(path: Path) -> str:
    """The embedded default's key: read from ``path``, created with mode 0600 on first run."""
    if path.exists():
        return path.read_text().strip().splitlines()[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SecretBox.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


__all__ = ["SecretBox", "SecretBoxError", "load_or_create_key_file"]
