"""A guard against server-side request forgery for URLs users give us.

Link-local and cloud-metadata addresses are always refused. Loopback and private ranges are
allowed by default, since self-hosted systems and receivers live there.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = frozenset({"http", "https"})
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
# metadata services that do not sit in a link-local range
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    }
)


class Reason(StrEnum):
    INVALID = "invalid"
    SCHEME = "scheme"
    METADATA = "metadata"
    LINK_LOCAL = "link_local"
    PRIVATE = "private"
    NOT_ROUTABLE = "not_routable"
    UNRESOLVABLE = "unresolvable"


class UnsafeUrlError(ValueError):
    """A URL we will not send requests to; ``reason`` says why, ``url`` which."""

    def __init__(self, url: str, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.url = url
        self.reason = reason
        self.detail = detail


def _split(url: str) -> tuple[str, int]:
    """``(host, port)`` of an http(s) URL, or UnsafeUrlError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrlError(url, Reason.INVALID, f"'{url}' is not a valid URL") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeUrlError(url, Reason.SCHEME, "only http and https URLs are allowed")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeUrlError(url, Reason.INVALID, "the URL has no host")
    if host in METADATA_HOSTS:
        raise UnsafeUrlError(url, Reason.METADATA, f"'{host}' is a cloud metadata service")
    return host, port or (443 if parts.scheme.lower() == "https" else 80)


def check_address(url: str, address: IPAddress, *, allow_private: bool = True) -> None:
    """Refuse ``address`` (resolved from ``url``) when it is not a safe destination."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        raise UnsafeUrlError(url, Reason.METADATA, f"{address} is a cloud metadata service")
    if address.is_link_local:
        raise UnsafeUrlError(url, Reason.LINK_LOCAL, f"{address} is a link-local address")
    if address.is_unspecified or address.is_multicast:
        raise UnsafeUrlError(url, Reason.NOT_ROUTABLE, f"{address} is not a host address")
    if not allow_private and (address.is_private or address.is_loopback or address.is_reserved):
        raise UnsafeUrlError(url, Reason.PRIVATE, f"{address} is a private address")


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _parse_all(url: str, host: str, found: Iterable[str]) -> list[IPAddress]:
    addresses = []
    for text in found:
        address = _literal(text.split("%", 1)[0])  # drop an IPv6 zone id
        if address is not None:
            addresses.append(address)
    if not addresses:
        raise UnsafeUrlError(url, Reason.UNRESOLVABLE, f"'{host}' does not resolve")
    return addresses


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def check_url(
    url: str,
    *,
    allow_private: bool = True,
    resolver: Callable[[str], Iterable[str]] | None = None,
) -> None:
    """Refuse ``url`` unless it is http(s) and every address its host resolves to is safe.

    Blocks on DNS; in async code use :func:`check_url_async`.
    """
    host, port = _split(url)
    literal = _literal(host)
    if literal is not None:
        check_address(url, literal, allow_private=allow_private)
        return
    found = resolver(host) if resolver is not None else _system_resolve(host, port)
    for address in _parse_all(url, host, found):
        check_address(url, address, allow_private=allow_private)


async def check_url_async(
    url: str,
    *,
    allow_private: bool = True,
    resolver: Callable[[str], Awaitable[Iterable[str]]] | None = None,
) -> None:
    """:func:`check_url` resolving on the event loop instead of blocking it."""
    host, port = _split(url)
    literal = _literal(host)
    if literal is not None:
        check_address(url, literal, allow_private=allow_private)
        return
    if resolver is not None:
        found = await resolver(host)
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError):
            infos = []
        found = [str(info[4][0]) for info in infos]
    for address in _parse_all(url, host, found):
        check_address(url, address, allow_private=allow_private)


__all__ = [
    "METADATA_ADDRESSES",
    "METADATA_HOSTS",
    "Reason",
    "UnsafeUrlError",
    "check_address",
    "check_url",
    "check_url_async",
]
