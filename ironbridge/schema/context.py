"""What every resolver gets: the caller, the request id, the services and fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ironbridge.errors import ApiError, ErrorCode, forbidden

if TYPE_CHECKING:
    from strawberry.types import Info

    from ironbridge.schema.loaders import Loaders
    from ironbridge.security.principal import Principal
    from ironbridge.services import Services


@dataclass(slots=True, kw_only=True)
class Context:
    services: Services
    principal: Principal | None
    request_id: str
    loaders: Loaders
    extra: dict[str, Any] = field(default_factory=dict)
    # the address this request reached us at (scheme and host), for links when no public URL
    # is configured
    base_url: str = ""
    # set by the websocket protocols from the connection_init payload
    connection_params: Any = None

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise ApiError(ErrorCode.UNAUTHENTICATED, "A credential is required.")
        return self.principal

    def require_admin(self) -> Principal:
        principal = self.require_principal()
        if not principal.is_admin:
            raise forbidden("Only an admin key may do this.")
        return principal


def ctx(info: Info[Context, Any]) -> Context:
    return info.context


__all__ = ["Context", "ctx"]
