"""Connector errors as the API's errors, in words a person can act on."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ironbridge.connectors.errors import (
    AuthFailed,
    BudgetExhausted,
    BudgetSpent,
    Conflict,
    ConnectorError,
    NotFoundUpstream,
    RateLimited,
    Rejected,
    SystemUnreachable,
    Unsupported,
)
from ironbridge.errors import ApiError, ErrorCode

_UNREACHABLE = {
    "dns": "The address {host} could not be found (DNS lookup failed). Check the instance URL "
    "for typos, and that the Ironbridge server can resolve that name.",
    "refused": "{host} refused the connection. Check the port in the instance URL and that "
    "the system is running and reachable from the Ironbridge server (firewall, VPN).",
    "tls": "A secure (TLS) connection to {host} could not be established: the certificate "
    "was not accepted. Check the instance URL, or ask your IT team about the certificate.",
    "timeout": "{host} did not answer in time. The system may be down or overloaded, or a "
    "firewall may be dropping the connection; try again in a few minutes.",
    "server_error": "{host} answered with a server error. The system may be under "
    "maintenance; try again later.",
    "unavailable": "{host} could not be reached. Check the instance URL and that the system "
    "is running.",
}


def _host(instance_url: str | None) -> str:
    if not instance_url:
        return "The system"
    parts = urlsplit(instance_url)
    return parts.netloc or instance_url


# "HTTP 401 from GET /sap/opu/...: " - our own preface to the system's words, noise to a person
_HTTP_PREFACE = re.compile(r"^HTTP \d{3} from [A-Z]+ \S+?(?::\s*|$)")


def _said(exc: ConnectorError) -> str:
    detail = _HTTP_PREFACE.sub("", exc.detail.strip()).strip()
    if not detail:
        return ""
    # the system's own words end a sentence of ours: close it
    return f" The system said: {detail}" + ("" if detail[-1] in ".!?" else ".")


def api_error(
    exc: ConnectorError,
    *,
    system_name: str,
    instance_url: str | None = None,
    credentials_step: bool = False,
    connection_id: str | None = None,
) -> ApiError:
    """The API error for ``exc``; ``credentials_step`` for connect and reauthorize."""
    host = _host(instance_url)
    if isinstance(exc, AuthFailed):
        if credentials_step:
            return ApiError(
                ErrorCode.CREDENTIALS_REJECTED,
                f"{system_name} refused these credentials.{_said(exc)} Check them and try again.",
                connection_id=connection_id,
            )
        return ApiError(
            ErrorCode.REAUTH_REQUIRED,
            f"{system_name} no longer accepts the stored credentials; reauthorize the "
            f"connection.{_said(exc)}",
            connection_id=connection_id,
        )
    if isinstance(exc, SystemUnreachable):
        template = _UNREACHABLE.get(exc.reason, _UNREACHABLE["unavailable"])
        message = template.format(host=host)
        if exc.status_code:
            message += f" (HTTP {exc.status_code})"
        return ApiError(
            ErrorCode.SYSTEM_UNREACHABLE, message, retry_after=60, connection_id=connection_id
        )
    if isinstance(exc, BudgetSpent):
        return ApiError(
            ErrorCode.RATE_LIMITED,
            f"Ironbridge's request budget for this connection to {system_name} is spent (it is "
            "shared by syncs, live reads and writes); nothing was sent. Try again in "
            f"{max(1, round(exc.retry_after))} seconds.",
            retry_after=exc.retry_after,
            connection_id=connection_id,
        )
    if isinstance(exc, RateLimited | BudgetExhausted):
        return ApiError(
            ErrorCode.RATE_LIMITED,
            f"{system_name} asks us to slow down; try again in {round(exc.retry_after)} seconds.",
            retry_after=exc.retry_after,
            connection_id=connection_id,
        )
    if isinstance(exc, Unsupported):
        return ApiError(ErrorCode.UNSUPPORTED_OPERATION, exc.detail, connection_id=connection_id)
    if isinstance(exc, Conflict):
        return ApiError(ErrorCode.CONFLICT, exc.detail, connection_id=connection_id)
    if isinstance(exc, NotFoundUpstream):
        if credentials_step:
            return ApiError(
                ErrorCode.BAD_USER_INPUT,
                f"{host} answered, but not as {system_name} would: the instance URL may point to "
                f"the wrong address or service.{_said(exc)}",
                field="instanceUrl",
            )
        return ApiError(ErrorCode.NOT_FOUND, exc.detail, connection_id=connection_id)
    if isinstance(exc, Rejected):
        return ApiError(
            ErrorCode.BAD_USER_INPUT,
            f"{system_name} refused the request.{_said(exc)}",
            connection_id=connection_id,
        )
    return ApiError(ErrorCode.SYSTEM_UNREACHABLE, f"{system_name}: {exc.detail}")


__all__ = ["api_error"]
