"""API tokens: prefixed, checksummed, random; only their SHA-256 is ever stored.

Format: ``ib_<kind>_`` + 32 base62 characters (190 bits) + a 6-character base62 CRC32 of the
rest, so a scanner can tell a real token offline and a typo is refused without a lookup.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from enum import StrEnum

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 32
_CHECK_LEN = 6


class TokenKind(StrEnum):
    ADMIN = "admin"
    CONNECTION = "connection"
    CONNECT_SESSION = "connect_session"


PREFIXES: dict[TokenKind, str] = {
    TokenKind.ADMIN: "ib_admin_",
    TokenKind.CONNECTION: "ib_conn_",
    TokenKind.CONNECT_SESSION: "ib_cs_",
}


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rem = divmod(number, 62)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def _checksum(text: str) -> str:
    return _base62(zlib.crc32(text.encode()), _CHECK_LEN)


def new_token(kind: TokenKind) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LEN))
    head = PREFIXES[kind] + body
    return head + _checksum(head)


def parse_token(token: str) -> TokenKind | None:
    """The kind of a well-formed token with a valid checksum, else ``None``."""
    for kind, prefix in PREFIXES.items():
        if not token.startswith(prefix):
            continue
        rest = token[len(prefix) :]
        if len(rest) != _BODY_LEN + _CHECK_LEN or any(c not in _ALPHABET for c in rest):
            return None
        head, check = token[:-_CHECK_LEN], token[-_CHECK_LEN:]
        return kind if secrets.compare_digest(_checksum(head), check) else None
    return None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """What a person may see of a token to recognise it: its prefix and last four characters."""
    kind = parse_token(token)
    prefix = PREFIXES[kind] if kind else ""
    return f"{prefix}…{token[-4:]}"


__all__ = ["PREFIXES", "TokenKind", "display_prefix", "hash_token", "new_token", "parse_token"]
