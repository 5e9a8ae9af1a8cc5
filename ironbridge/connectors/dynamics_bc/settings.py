"""One Business Central connection's settings, checked: the API root with its tenant and
environment, the Entra app's credentials, the token endpoint and the company to read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ironbridge.connectors.errors import AuthFailed, Rejected

if TYPE_CHECKING:
    from ironbridge.connectors.base import ConnectionConfig

__all__ = [
    "EXAMPLE_URL",
    "SAAS_HOST",
    "SCOPE",
    "SYSTEM_KEY",
    "BcSettings",
    "parse_settings",
]

SYSTEM_KEY = "dynamics-bc"
SAAS_HOST = "api.businesscentral.dynamics.com"
EXAMPLE_URL = f"https://{SAAS_HOST}/v2.0/<tenant id>/Production"
SCOPE = "https://api.businesscentral.dynamics.com/.default"
LOGIN = "https://login.microsoftonline.com"
MAX_PAGE_SIZE = 20000


@dataclass(frozen=True, slots=True)
class BcSettings:
    root: str  # {origin}/v2.0/{tenant}/{environment}, or a server instance's service root
    tenant: str | None
    environment: str | None
    client_id: str
    client_secret: str
    token_url: str
    company_id: str | None
    company_name: str | None
    page_size: int | None

    @property
    def read_headers(self) -> dict[str, str]:
        """``Prefer: odata.maxpagesize`` when the connection asks for smaller pages."""
        if self.page_size is None:
            return {}
        return {"Prefer": f"odata.maxpagesize={self.page_size}"}


def _root(instance_url: str) -> tuple[str, str | None, str | None, str]:
    """(root, tenant, environment, host). Online: a URL holding ``/v2.0/{tenant}/
    {environment}``, cut after the environment. Any other host without that path is the
    service root of a server instance (on-premises), cut before ``/api/``."""
    try:
        url = httpx.URL(instance_url.strip())
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise Rejected(SYSTEM_KEY, f"the instance URL must look like {EXAMPLE_URL}")
    parts = [p for p in url.path.split("/") if p]
    # the service root ends before "/api/" (the API's own "v2.0" comes after it)
    cut = next((n for n, p in enumerate(parts) if p.lower() == "api"), len(parts))
    marker = next((n for n, p in enumerate(parts[:cut]) if p.lower() == "v2.0"), None)
    if marker is None and url.host.lower() != SAAS_HOST:
        root = str(url.copy_with(path="/" + "/".join(parts[:cut]), query=None, fragment=None))
        return root.rstrip("/"), None, None, url.host
    if marker is None or len(parts) < marker + 3 or parts[marker + 2].lower() == "api":
        raise Rejected(
            SYSTEM_KEY,
            f"the instance URL must name the tenant and the environment, e.g. {EXAMPLE_URL}",
        )
    tenant, environment = parts[marker + 1], parts[marker + 2]
    path = "/" + "/".join(parts[: marker + 3])
    root = str(url.copy_with(path=path, query=None, fragment=None))
    return root, tenant, environment, url.host


def _page_size(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        size = int(str(value))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Rejected(SYSTEM_KEY, f"option page_size must be between 1 and {MAX_PAGE_SIZE}")
    return size


def _token_url(host: str, url_tenant: str | None, option_tenant: str | None) -> str:
    """Entra ID for Business Central online and for a server instance given a ``tenant``
    option; otherwise the instance's own host serves the token endpoint (the emulator)."""
    if host.lower() == SAAS_HOST:
        return f"{LOGIN}/{url_tenant}/oauth2/v2.0/token"
    if url_tenant:
        return f"/{url_tenant}/oauth2/v2.0/token"
    if option_tenant:
        return f"{LOGIN}/{option_tenant}/oauth2/v2.0/token"
    return "/oauth2/v2.0/token"


def parse_settings(config: ConnectionConfig) -> BcSettings:
    """``AuthFailed`` without the app's id or secret, ``Rejected`` for anything malformed."""
    credentials = config.credentials
    client_id = (credentials.get("client_id") or "").strip()
    client_secret = credentials.get("client_secret") or ""
    if not client_id or not client_secret:
        raise AuthFailed(SYSTEM_KEY, "the Entra application's client id and secret are required")
    root, tenant, environment, host = _root(config.instance_url)
    options = config.options
    option_tenant = str(options.get("tenant") or "").strip() or None
    token_url = str(options.get("token_url") or "").strip()
    if not token_url:
        token_url = _token_url(host, tenant, option_tenant)
    company_id = str(options.get("company_id") or "").strip().lower() or None
    company_name = str(options.get("company_name") or "").strip() or None
    return BcSettings(
        root=root,
        tenant=tenant or option_tenant,
        environment=environment,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        company_id=company_id,
        company_name=company_name,
        page_size=_page_size(options.get("page_size")),
    )
