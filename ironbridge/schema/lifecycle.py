"""Mutations that connect, reauthorize, rotate, disconnect and delete; and connect sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from ironbridge.errors import bad_input, forbidden
from ironbridge.lifecycle import service
from ironbridge.schema.context import Context
from ironbridge.schema.ids import expect_global_id
from ironbridge.schema.mutation import SyncSettingsInput, settings_values
from ironbridge.schema.types.connection import Connection, Credits

Info = strawberry.Info


@strawberry.input
class ConnectInput:
    system_key: str
    instance_url: str | None = strawberry.field(
        default=None, description="Required unless the system is sandbox-only or sandbox is true."
    )
    credentials: JSON | None = strawberry.field(
        default=None, description="Keys are the system's authFields names."
    )
    display_name: str | None = None
    sandbox: bool = False
    sync_settings: SyncSettingsInput | None = None
    options: JSON | None = strawberry.field(
        default=None,
        description="System-specific connection options, e.g. SAP's odata_version or company_code.",
    )


@strawberry.type
class ConnectPayload:
    connection: Connection
    token: str = strawberry.field(description="The connection token: shown once, keep it.")


@strawberry.input
class ConnectSessionInput:
    system_keys: list[str] | None = None
    end_user_id: str | None = None
    redirect_url: str | None = None


@strawberry.type
class ConnectSession:
    token: str
    url: str
    expires_at: datetime


@strawberry.type(description="What a connect session was made with, as its holder sees it.")
class ConnectSessionInfo:
    system_keys: list[str] | None = strawberry.field(
        description="The systems offered; null: every system."
    )
    redirect_url: str | None = strawberry.field(
        description="Where the connect page goes after connecting; its origin is the page's "
        "postMessage target."
    )
    end_user_id: str | None
    expires_at: datetime


@strawberry.type
class LifecycleQuery:
    @strawberry.field(
        description="The caller's own connect session (connect-session token only; "
        "any other credential gets FORBIDDEN)."
    )
    async def connect_session(self, info: Info[Context, Any]) -> ConnectSessionInfo | None:
        principal = info.context.require_principal()
        details = await service.connect_session_details(info.context.services, principal)
        return ConnectSessionInfo(
            system_keys=details.system_keys,
            redirect_url=details.redirect_url,
            end_user_id=details.end_user_id,
            expires_at=details.expires_at,
        )


@strawberry.type
class DeleteDataPayload:
    connection_id: strawberry.ID
    deleted_records: int


def _options(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise bad_input("options must be an object of plain values.", field="options")
    return dict(value)


def _connection_pk(
    info: Info[Context, Any], connection_id: strawberry.ID, *, admin_only: bool = False
) -> int:
    principal = info.context.require_principal()
    pk = expect_global_id(str(connection_id), "Connection", field="connectionId")
    if admin_only and not principal.is_admin:
        raise forbidden("Only an admin key may do this.")
    if not principal.may_read_connection(pk):
        raise forbidden("This credential may not act on that connection.")
    return pk


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(
        description="A short-lived, single-use token for the connect page (admin)."
    )
    async def create_connect_session(
        self, info: Info[Context, Any], input: ConnectSessionInput
    ) -> ConnectSession:
        info.context.require_admin()
        services = info.context.services
        token, expires = await service.create_connect_session(
            services,
            system_keys=input.system_keys,
            end_user_id=input.end_user_id,
            redirect_url=input.redirect_url,
        )
        # the configured public URL, else the address the caller reached us at
        base = (services.settings.public_url or info.context.base_url).rstrip("/")
        return ConnectSession(
            token=token, url=f"{base}/connect?session={token}", expires_at=expires
        )

    @strawberry.mutation(description="Connect a system: checked live, then synced.")
    async def connect(self, info: Info[Context, Any], input: ConnectInput) -> ConnectPayload:
        principal = info.context.require_principal()
        services = info.context.services
        cls = services.registry.get(input.system_key)
        if cls is None:
            raise bad_input(f"There is no system '{input.system_key}'.", field="systemKey")
        if input.credentials is not None and not isinstance(input.credentials, dict):
            raise bad_input(
                "credentials must be an object of the system's auth fields.", field="credentials"
            )
        sync_values = (
            settings_values(services, input.system_key, input.sync_settings)
            if input.sync_settings
            else {}
        )
        done = await service.connect(
            services,
            principal,
            service.ConnectRequest(
                system_key=input.system_key,
                instance_url=input.instance_url,
                credentials=input.credentials,
                display_name=input.display_name,
                sandbox=input.sandbox,
                sync_values=sync_values,
                options=_options(input.options),
            ),
        )
        return ConnectPayload(connection=Connection.from_row(done.connection), token=done.token)

    @strawberry.mutation(description="New credentials for the same connection, data and token.")
    async def reauthorize(
        self, info: Info[Context, Any], connection_id: strawberry.ID, credentials: JSON
    ) -> Connection:
        pk = _connection_pk(info, connection_id)
        if not isinstance(credentials, dict):
            raise bad_input(
                "credentials must be an object of the system's auth fields.", field="credentials"
            )
        row = await service.reauthorize(info.context.services, pk, credentials)
        return Connection.from_row(row)

    @strawberry.mutation(description="A new connection token; the old one stops working at once.")
    async def rotate_connection_token(
        self, info: Info[Context, Any], connection_id: strawberry.ID
    ) -> ConnectPayload:
        pk = _connection_pk(info, connection_id)
        done = await service.rotate_token(info.context.services, pk)
        return ConnectPayload(connection=Connection.from_row(done.connection), token=done.token)

    @strawberry.mutation(description="Tokens revoked, syncs stopped, credits back; data kept.")
    async def disconnect(
        self, info: Info[Context, Any], connection_id: strawberry.ID
    ) -> Connection:
        pk = _connection_pk(info, connection_id)
        return Connection.from_row(await service.disconnect(info.context.services, pk))

    @strawberry.mutation(description="Delete the data of a disconnected connection (admin).")
    async def delete_connection_data(
        self, info: Info[Context, Any], connection_id: strawberry.ID
    ) -> DeleteDataPayload:
        pk = _connection_pk(info, connection_id, admin_only=True)
        deleted = await service.delete_connection_data(info.context.services, pk)
        return DeleteDataPayload(connection_id=connection_id, deleted_records=deleted)


__all__ = [
    "ConnectInput",
    "ConnectPayload",
    "ConnectSessionInfo",
    "Credits",
    "LifecycleMutation",
    "LifecycleQuery",
]
