"""The connector contract: what a system declares and what it can do.

A connector is a small class that *declares* its system (auth, fields, credit cost) and its
per-entity capabilities, and implements reads (``fetch_changes``, ``list_ids``, ``get``) and,
where declared, writes. It never imports the store or the schema.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ironbridge.connectors.errors import Unsupported

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from datetime import datetime

    import httpx

    from ironbridge.connectors.errors import RecordMappingError
    from ironbridge.models import AuthMethod, EntityType, Record, SystemCategory


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthField:
    """One field of the connect form, in order."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    placeholder: str | None = None
    help: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemInfo:
    key: str
    name: str
    vendor: str | None
    categories: tuple[SystemCategory, ...]
    description: str
    auth_method: AuthMethod
    auth_fields: tuple[AuthField, ...]
    credit_cost: int = 1
    docs_url: str | None = None
    # True for systems that exist only as sample data (no instance URL, no credentials)
    sandbox_only: bool = False
    # the system's own documented request limit per connection (e.g. Plex's 200 a minute);
    # the connection's shared upstream budget never goes faster than this
    requests_per_minute: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitySupport:
    """What a connector can do with one entity of its system."""

    read: bool = True
    create: bool = False
    update: bool = False
    delete: bool = False
    # delete is a status change in the system (Maximo CAN, SAP deletion code)
    soft_delete: bool = False
    # False: the system has no change stamp; synced by snapshot and diff
    incremental: bool = True
    # True: the system reports deletions itself (otherwise ids are reconciled)
    delete_signal: bool = False
    required_on_create: tuple[str, ...] = ()
    updatable_fields: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionConfig:
    """Everything a connector needs to reach one customer's system."""

    connection_id: str
    instance_url: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    sandbox: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """Where an entity's sync stands: the highest change stamp seen, plus the id as tie-breaker.

    ``state`` carries connector-specific resume data (a next-page link, a snapshot digest).
    """

    updated_at: datetime | None = None
    remote_id: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Batch:
    """One page of changes: unified records, the records that failed to map, and deletions."""

    records: Sequence[Record]
    checkpoint: Checkpoint | None = None
    failures: Sequence[RecordMappingError] = ()
    deleted_remote_ids: Sequence[str] = ()
    # True for the last page of a snapshot: every record of the entity has been sent
    complete_snapshot: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteResult:
    remote_id: str
    soft_deleted: bool
    record: Record | None = None


def last_checkpoint(
    raws: Sequence[Any],
    *,
    remote_id: Callable[[Any], str | None],
    stamp: Callable[[Any], datetime | None],
) -> Checkpoint | None:
    """The checkpoint of the last raw record with a readable stamp and id: read from the raw
    payloads, so that a page of records that fail to map still advances the sync."""
    for raw in reversed(raws):
        key = remote_id(raw)
        try:
            value = stamp(raw)
        except ValueError:
            continue
        if value is not None and key is not None:
            return Checkpoint(updated_at=value, remote_id=key)
    return None


class Connector(abc.ABC):
    """One customer's system, reached over HTTP (or, for the sandbox, from sample data)."""

    system: ClassVar[SystemInfo]
    entities: ClassVar[Mapping[EntityType, EntitySupport]]

    def __init__(
        self,
        config: ConnectionConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.transport = transport

    @classmethod
    def supports(cls, entity: EntityType) -> EntitySupport | None:
        return cls.entities.get(entity)

    @classmethod
    def version_of(cls, entity: EntityType, remote_data: Mapping[str, Any] | None) -> str | None:
        """The system's version of a record as it was read (from its raw payload), passed
        back to ``update`` so that a record changed since is a stale ``Conflict``; None when
        the system keeps no version the connector can check."""
        return None

    @abc.abstractmethod
    async def check(self) -> None:
        """Validate the instance URL and the credentials; raise a typed error otherwise."""

    @abc.abstractmethod
    def fetch_changes(
        self,
        entity: EntityType,
        since: Checkpoint | None,
        *,
        not_before: datetime | None = None,
    ) -> AsyncIterator[Batch]:
        """Pages of records changed since the checkpoint (or since ``not_before`` at first)."""

    @abc.abstractmethod
    def list_ids(self, entity: EntityType) -> AsyncIterator[list[str]]:
        """Every remote id of the entity, in pages, for deletion reconciliation."""

    @abc.abstractmethod
    async def get(self, entity: EntityType, remote_ids: Sequence[str]) -> list[Record | None]:
        """The current records, in the order asked, ``None`` where there is none."""

    async def create(self, entity: EntityType, data: Mapping[str, Any]) -> Record:
        raise Unsupported(self.system.key, f"cannot create {entity.value}")

    async def update(
        self,
        entity: EntityType,
        remote_id: str,
        data: Mapping[str, Any],
        *,
        version: str | None = None,
    ) -> Record:
        raise Unsupported(self.system.key, f"cannot update {entity.value}")

    async def delete(self, entity: EntityType, remote_id: str) -> DeleteResult:
        raise Unsupported(self.system.key, f"cannot delete {entity.value}")

    async def validate(  # noqa: B027 - a hook; connectors without own checks keep it
        self, entity: EntityType, data: Mapping[str, Any], *, remote_id: str | None = None
    ) -> None:
        """The connector's own checks of a create (``remote_id`` None) or an update, for a
        dry run: raise ``Rejected`` as the write would. It may read, never write."""

    @property
    def upstream_requests(self) -> int:
        """How many HTTP requests this connector has sent so far."""
        return 0

    async def aclose(self) -> None:  # noqa: B027 - a hook; most connectors hold nothing
        """Release the connector's HTTP client and anything else it holds."""


__all__ = [
    "AuthField",
    "Batch",
    "Checkpoint",
    "ConnectionConfig",
    "Connector",
    "DeleteResult",
    "EntitySupport",
    "SystemInfo",
    "last_checkpoint",
]
