"""Maximo's ``Error`` bodies translated: reason codes that mean bad credentials whatever the
status (a bad API key is a 400), and the business-rule refusals that are conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.connectors.errors import AuthFailed, Conflict
from ironbridge.connectors.http import default_error_message
from ironbridge.connectors.pagination import json_at

if TYPE_CHECKING:
    import httpx

    from ironbridge.connectors.errors import ConnectorError
    from ironbridge.connectors.http import Classify

__all__ = ["AUTH_CODES", "BUSINESS_RULE_CODES", "STALE_CODES", "classify", "reason_code"]

# BMXAA9549E: invalid or revoked API key (a 400); BMXAA0021E: not logged in (401);
# BMXAA7901E: login refused (401)
AUTH_CODES = frozenset({"BMXAA9549E", "BMXAA0021E", "BMXAA7901E"})
# BMXAA0031E: the object is read only (a closed work order, an approved purchase order);
# BMXAA4590E: status change refused; BMXAA0024E: action not allowed on the object;
# BMXAA4129E: the record already exists
BUSINESS_RULE_CODES = frozenset({"BMXAA0031E", "BMXAA4590E", "BMXAA0024E", "BMXAA4129E"})
# BMXAA8229W: the record was updated by another user since it was read
STALE_CODES = frozenset({"BMXAA8229W"})


def reason_code(response: httpx.Response) -> str | None:
    """The ``reasonCode`` of an ``Error`` body (lean or namespaced), if there is one."""
    try:
        body: Any = response.json()
    except ValueError:
        return None
    code = json_at(body, ("Error", "reasonCode")) or json_at(body, ("oslc:Error", "spi:reasonCode"))
    return code if isinstance(code, str) else None


def classify(system: str) -> Classify:
    """The ``classify`` hook of ``ConnectorHttp`` for one connector (``system`` its key)."""

    def hook(response: httpx.Response) -> ConnectorError | None:
        if response.is_success:
            return None
        code = reason_code(response)
        status = response.status_code
        message = default_error_message(response) or code or "precondition failed"
        detail = f"HTTP {status} from {response.request.method} {response.request.url.path}"
        if status == 412 or code in STALE_CODES:
            # If-Match named a _rowstamp the record no longer has
            return Conflict(system, f"{detail}: {message}", status_code=status, stale=True)
        if code is None:
            return None
        if code in AUTH_CODES:
            return AuthFailed(system, f"{detail}: {message}", status_code=status)
        if status in (400, 409) and code in BUSINESS_RULE_CODES:
            return Conflict(system, f"{detail}: {message}", status_code=status)
        return None

    return hook
