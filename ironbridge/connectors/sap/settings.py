"""One SAP connection's settings, checked: host root, credentials, client, OData version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ironbridge.connectors.errors import AuthFailed, Rejected
from ironbridge.connectors.sap.resources import ODATA_VERSIONS

if TYPE_CHECKING:
    from ironbridge.connectors.base import ConnectionConfig

__all__ = ["EXAMPLE_URL", "SYSTEM_KEY", "SapSettings", "base_url", "parse_settings"]

SYSTEM_KEY = "sap-s4hana"
EXAMPLE_URL = "https://my401785.s4hana.cloud.sap"


@dataclass(frozen=True, slots=True)
class SapSettings:
    base_url: str
    username: str
    password: str
    client: str | None
    odata_version: str

    @property
    def params(self) -> dict[str, str]:
        """The query parameters every request carries."""
        return {} if self.client is None else {"sap-client": self.client}


def base_url(instance_url: str) -> str:
    """The host root: a pasted service URL is cut before ``/sap/opu/``."""
    try:
        url = httpx.URL(instance_url.strip())
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise Rejected(SYSTEM_KEY, f"the instance URL must be the host root, e.g. {EXAMPLE_URL}")
    path = url.path.split("/sap/opu/", 1)[0].rstrip("/")
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


def parse_settings(config: ConnectionConfig) -> SapSettings:
    """``AuthFailed`` without a user name or password, ``Rejected`` for anything malformed."""
    credentials = config.credentials
    username = (credentials.get("username") or "").strip()
    password = credentials.get("password") or ""
    if not username or not password:
        raise AuthFailed(SYSTEM_KEY, "a user name and a password are required")
    client = (credentials.get("client") or "").strip() or None
    if client is not None and not (client.isdigit() and len(client) == 3):
        raise Rejected(SYSTEM_KEY, f"client must be a three-digit number such as 100: {client!r}")
    version = str(config.options.get("odata_version", "v4")).strip().lower()
    version = version if version.startswith("v") else f"v{version}"
    if version not in ODATA_VERSIONS:
        allowed = ", ".join(ODATA_VERSIONS)
        raise Rejected(SYSTEM_KEY, f"option odata_version must be one of {allowed}")
    return SapSettings(base_url(config.instance_url), username, password, client, version)
