"""A Plex connection's settings: the instance URL, the consumer key and tenant headers, and the
options, checked once."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import httpx

from ironbridge.connectors.errors import AuthFailed, Rejected
from ironbridge.models import VendorStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ironbridge.connectors.base import ConnectionConfig

__all__ = [
    "CALLS_PER_MINUTE",
    "DEFAULT_URL",
    "RATE_LIMIT_WAIT",
    "SYSTEM_KEY",
    "Settings",
    "parse_settings",
]

SYSTEM_KEY = "plex"
DEFAULT_URL = "https://connect.plex.com"
# "Most APIs ... limited to 200 calls per minute"
CALLS_PER_MINUTE = 200
# Plex's 429 carries no Retry-After: wait a full minute, the limit's window
RATE_LIMIT_WAIT = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    base_url: str
    api_key: str
    customer_id: str | None
    tenant_id: str | None
    api_secret: str | None
    rate_limit_wait: float
    batch_size: int
    concurrency: int
    read_lines: bool
    custom_fields: tuple[str, ...] | None
    supplier_statuses: Mapping[str, VendorStatus]

    @property
    def headers(self) -> dict[str, str]:
        """Every header but the key: the tenant and the optional secret."""
        headers = {}
        if self.customer_id:
            headers["X-Plex-Connect-Customer-Id"] = self.customer_id
        if self.tenant_id:
            headers["X-Plex-Connect-Tenant-Id"] = self.tenant_id
        return headers


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    return str(value).strip() or None if value is not None else None


def _number(system: str, options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise Rejected(system, f"option {name} must be a positive number")
    return float(value)


def _count(system: str, options: Mapping[str, Any], name: str, default: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Rejected(system, f"option {name} must be a positive integer")
    return value


def _custom_fields(system: str, options: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = options.get("custom_fields")
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Rejected(system, "option custom_fields must be a list of attribute names")
    return tuple(value)


def _supplier_statuses(system: str, options: Mapping[str, Any]) -> Mapping[str, VendorStatus]:
    value = options.get("supplier_statuses") or {}
    if not isinstance(value, dict):
        raise Rejected(system, "option supplier_statuses must map status names to statuses")
    table: dict[str, VendorStatus] = {}
    for name, status in value.items():
        try:
            table[str(name).strip().lower()] = VendorStatus(str(status).upper())
        except ValueError:
            known = ", ".join(VendorStatus)
            raise Rejected(system, f"supplier_statuses: {status!r} is not one of {known}") from None
    return MappingProxyType(table)


def parse_settings(system: str, config: ConnectionConfig) -> Settings:
    """``Rejected`` for a bad URL or option, ``AuthFailed`` without a consumer key."""
    base = (config.instance_url or DEFAULT_URL).strip().rstrip("/")
    url = httpx.URL(base)
    if url.scheme not in ("http", "https") or not url.host:
        raise Rejected(system, f"instance URL {base!r} is not an http(s) URL")
    credentials = config.credentials
    api_key = _text(credentials, "api_key")
    if api_key is None:
        raise AuthFailed(system, "missing credentials: api_key (the app's Consumer Key)")
    options = config.options
    return Settings(
        base_url=base,
        api_key=api_key,
        customer_id=_text(credentials, "customer_id"),
        tenant_id=_text(credentials, "tenant_id"),
        api_secret=_text(credentials, "api_secret"),
        rate_limit_wait=_number(system, options, "rate_limit_wait", RATE_LIMIT_WAIT),
        batch_size=_count(system, options, "batch_size", 500),
        concurrency=_count(system, options, "concurrency", 4),
        read_lines=options.get("lines", True) is not False,
        custom_fields=_custom_fields(system, options),
        supplier_statuses=_supplier_statuses(system, options),
    )
