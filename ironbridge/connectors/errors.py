"""The one error hierarchy every connector raises, translated once at the HTTP boundary.

Retriable errors may succeed later (the system is down, or asks us to slow down); fatal errors
will not succeed without a change on someone's side; a mapping error concerns one record only.
"""

from __future__ import annotations

from typing import Any


class ConnectorError(Exception):
    """Base of every error a connector raises."""

    retriable: bool = False

    def __init__(self, system: str, detail: str, *, status_code: int | None = None) -> None:
        super().__init__(f"{system}: {detail}")
        self.system = system
        self.detail = detail
        self.status_code = status_code


class RetriableError(ConnectorError):
    retriable = True


class SystemUnreachable(RetriableError):
    """The system did not answer usefully: DNS, refused, TLS, timeout, or a 5xx."""

    def __init__(
        self,
        system: str,
        detail: str,
        *,
        reason: str = "unavailable",
        status_code: int | None = None,
    ) -> None:
        super().__init__(system, detail, status_code=status_code)
        # one of: dns, refused, tls, timeout, server_error, unavailable
        self.reason = reason


class RateLimited(RetriableError):
    def __init__(self, system: str, detail: str, *, retry_after: float) -> None:
        super().__init__(system, detail, status_code=429)
        self.retry_after = retry_after


class FatalError(ConnectorError):
    pass


class AuthFailed(FatalError):
    """The system refused the credentials (401, or 403 on authentication)."""


class Rejected(FatalError):
    """The system refused the request as invalid (a 4xx that is not auth, conflict or 404)."""


class NotFoundUpstream(FatalError):
    """The system has no such record."""


class Unsupported(FatalError):
    """The system cannot do this operation on this entity."""


class Conflict(FatalError):
    """The system refused on a business rule, or the version we hold is stale."""

    def __init__(
        self, system: str, detail: str, *, status_code: int | None = None, stale: bool = False
    ) -> None:
        super().__init__(system, detail, status_code=status_code)
        self.stale = stale


class BudgetSpent(RateLimited):
    """Ironbridge's own request budget for the connection is spent: the request was not sent.
    Retriable like the system's own 429 (a sync waits and resumes)."""


class BudgetExhausted(FatalError):
    """This connection's upstream request budget for the current window is spent."""

    def __init__(self, system: str, detail: str, *, retry_after: float) -> None:
        super().__init__(system, detail)
        self.retry_after = retry_after


class RecordMappingError(Exception):
    """One record could not be mapped: it is quarantined, the run goes on."""

    def __init__(
        self, entity: str, remote_id: str | None, detail: str, *, payload: Any = None
    ) -> None:
        super().__init__(f"{entity} {remote_id}: {detail}")
        self.entity = entity
        self.remote_id = remote_id
        self.detail = detail
        self.payload = payload


__all__ = [
    "AuthFailed",
    "BudgetExhausted",
    "BudgetSpent",
    "Conflict",
    "ConnectorError",
    "FatalError",
    "NotFoundUpstream",
    "RateLimited",
    "RecordMappingError",
    "Rejected",
    "RetriableError",
    "SystemUnreachable",
    "Unsupported",
]
