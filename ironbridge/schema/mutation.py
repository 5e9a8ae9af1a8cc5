"""The mutation root."""

from __future__ import annotations

from typing import Any

import strawberry

from ironbridge.errors import bad_input, forbidden
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id
from ironbridge.schema.query import load_visible_connection
from ironbridge.schema.types.connection import Connection
from ironbridge.schema.types.enums import EntityType
from ironbridge.services import Services
from ironbridge.store import connections as connection_store

Info = strawberry.Info

MAX_INTERVAL_MINUTES = 7 * 24 * 60
MAX_LOOKBACK_DAYS = 3650


@strawberry.input
class SyncSettingsInput:
    interval_minutes: int | None = None
    initial_lookback_days: int | None = None
    entities: list[EntityType] | None = None
    paused: bool | None = None


def target_connection_id(info: Info[Context, Any], connection_id: strawberry.ID | None) -> int:
    """The connection a data mutation acts on: the id given, or the caller's own."""
    principal = info.context.require_principal()
    if connection_id is None:
        if principal.connection_id is None:
            raise bad_input("Give 'connectionId'.", field="connectionId")
        return principal.connection_id
    pk = expect_global_id(str(connection_id), "Connection", field="connectionId")
    if not principal.may_read_connection(pk):
        raise forbidden("This credential may not act on that connection.")
    return pk


def settings_values(services: Services, system_key: str, data: SyncSettingsInput) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.interval_minutes is not None:
        if not 1 <= data.interval_minutes <= MAX_INTERVAL_MINUTES:
            raise bad_input(
                f"intervalMinutes must be between 1 and {MAX_INTERVAL_MINUTES}.",
                field="intervalMinutes",
            )
        values["sync_interval_minutes"] = data.interval_minutes
    if data.initial_lookback_days is not None:
        if not 1 <= data.initial_lookback_days <= MAX_LOOKBACK_DAYS:
            raise bad_input(
                f"initialLookbackDays must be between 1 and {MAX_LOOKBACK_DAYS}.",
                field="initialLookbackDays",
            )
        values["sync_initial_lookback_days"] = data.initial_lookback_days
    if data.entities is not None:
        connector = services.registry.get(system_key)
        supported = set(connector.entities) if connector else set()
        unsupported = [e.value for e in data.entities if e not in supported]
        if unsupported:
            raise bad_input(
                f"This system does not provide {', '.join(unsupported)}.", field="entities"
            )
        if not data.entities:
            raise bad_input("Sync at least one entity, or pause the sync.", field="entities")
        values["sync_entities"] = sorted({e.value for e in data.entities})
    if data.paused is not None:
        values["sync_paused"] = data.paused
    return values


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Change how and what a connection syncs.")
    async def update_sync_settings(
        self,
        info: Info[Context, Any],
        input: SyncSettingsInput,
        connection_id: strawberry.ID | None = None,
    ) -> Connection:
        pk = target_connection_id(info, connection_id)
        current = await load_visible_connection(info, pk)
        values = settings_values(info.context.services, current._system_key, input)
        async with info.context.services.engine.begin() as conn:
            await connection_store.update_sync_settings(conn, pk, values)
        return await load_visible_connection(info, pk)


__all__ = ["Mutation", "SyncSettingsInput", "target_connection_id"]
