"""The catalog: systems, how to connect them, and what each can do per entity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from ironbridge.schema.types.enums import AuthMethod, EntityType, SystemCategory

if TYPE_CHECKING:
    from ironbridge.connectors.base import Connector


@strawberry.type
class AuthField:
    name: str
    label: str
    secret: bool
    required: bool
    placeholder: str | None
    help: str | None


@strawberry.type
class EntityCapability:
    entity: EntityType
    read: bool
    create: bool
    update: bool
    delete: bool
    incremental: bool
    required_on_create: list[str]
    updatable_fields: list[str]
    notes: str | None
    soft_delete: bool = strawberry.field(
        description="Delete is a status change in the system; the record stays, marked deleted."
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def capabilities_of(cls: type[Connector]) -> list[EntityCapability]:
    caps = []
    for entity in EntityType:
        support = cls.entities.get(entity)
        if support is None:
            continue
        caps.append(
            EntityCapability(
                entity=entity,
                read=support.read,
                create=support.create,
                update=support.update,
                delete=support.delete,
                incremental=support.incremental,
                required_on_create=[_camel(f) for f in support.required_on_create],
                updatable_fields=[_camel(f) for f in support.updatable_fields],
                notes=support.notes,
                soft_delete=support.soft_delete,
            )
        )
    return caps


@strawberry.type
class System:
    key: str
    name: str
    vendor: str | None
    categories: list[SystemCategory]
    description: str | None
    auth_method: AuthMethod
    auth_fields: list[AuthField]
    credit_cost: int
    capabilities: list[EntityCapability]
    docs_url: str | None
    sandbox_only: bool = strawberry.field(
        description="The system exists only as sample data: no instance URL, no credentials."
    )

    @classmethod
    def from_connector(cls, connector: type[Connector]) -> System:
        info = connector.system
        return cls(
            key=info.key,
            name=info.name,
            vendor=info.vendor,
            categories=list(info.categories),
            description=info.description,
            auth_method=info.auth_method,
            auth_fields=[
                AuthField(
                    name=f.name,
                    label=f.label,
                    secret=f.secret,
                    required=f.required,
                    placeholder=f.placeholder,
                    help=f.help,
                )
                for f in info.auth_fields
            ],
            credit_cost=info.credit_cost,
            capabilities=capabilities_of(connector),
            docs_url=info.docs_url,
            sandbox_only=info.sandbox_only,
        )


__all__ = ["AuthField", "EntityCapability", "System", "capabilities_of"]
