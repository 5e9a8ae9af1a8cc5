"""Writes the way SAP's APIs take them: CSRF token with its cookies, ``If-Match`` ETags, business
refusals as conflicts with SAP's message, and the record read back afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.connectors.base import DeleteResult
from ironbridge.connectors.errors import Conflict, Rejected, SystemUnreachable
from ironbridge.connectors.http import default_error_message
from ironbridge.connectors.pagination import json_at
from ironbridge.connectors.sap import payloads
from ironbridge.connectors.sap.odata import response_etag
from ironbridge.connectors.sap.settings import SYSTEM_KEY
from ironbridge.models import EntityType

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Mapping

    import httpx

    from ironbridge.connectors.sap.csrf import CsrfSession
    from ironbridge.connectors.sap.payloads import Patch
    from ironbridge.connectors.sap.resources import Resource
    from ironbridge.models import Record

__all__ = ["CREATES", "SOFT_DELETES", "UPDATES", "SapWriter"]

# gateway framework messages (a malformed request); any other 400 is a business refusal
_FRAMEWORK_CODES = ("/IWBEP/", "/IWFND/")


def _create_purchase_order(
    resource: Resource, data: Any, options: Mapping[str, Any]
) -> dict[str, Any]:
    return payloads.purchase_order_body(resource.protocol, data, system=SYSTEM_KEY, options=options)


def _create_work_order(resource: Resource, data: Any, options: Mapping[str, Any]) -> dict[str, Any]:
    return payloads.work_order_body(resource.protocol, data, system=SYSTEM_KEY)


def _plan_purchase_order(
    resource: Resource, remote_id: str, raw: Mapping[str, Any], data: Any
) -> list[Patch]:
    return payloads.purchase_order_patches(
        resource.protocol, resource.service, raw, data, system=SYSTEM_KEY
    )


def _plan_work_order(
    resource: Resource, remote_id: str, raw: Mapping[str, Any], data: Any
) -> list[Patch]:
    path = resource.entity_path(resource.key_values(remote_id) or (remote_id,))
    return payloads.work_order_patch(resource.protocol, path, raw, data, system=SYSTEM_KEY)


# what can be written, and how
CREATES: Mapping[EntityType, Callable[[Resource, Any, Mapping[str, Any]], dict[str, Any]]] = {
    EntityType.PURCHASE_ORDER: _create_purchase_order,
    EntityType.WORK_ORDER: _create_work_order,
}
UPDATES: Mapping[EntityType, Callable[[Resource, str, Mapping[str, Any], Any], list[Patch]]] = {
    EntityType.PURCHASE_ORDER: _plan_purchase_order,
    EntityType.WORK_ORDER: _plan_work_order,
}
# soft deletes: the properties that mark a record deleted in SAP
SOFT_DELETES: Mapping[EntityType, Mapping[str, str]] = {
    EntityType.PURCHASE_ORDER: {"PurchasingDocumentDeletionCode": "L"},
}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def refusal(response: httpx.Response) -> Rejected | Conflict:
    """A 400 on a write, with SAP's own message and code; a business refusal is a Conflict."""
    code = json_at(_json(response), ("error", "code"))
    message = default_error_message(response) or "refused by SAP"
    if not isinstance(code, str) or not code:
        return Conflict(SYSTEM_KEY, message, status_code=400)
    detail = f"{message} ({code})"
    if code.startswith(_FRAMEWORK_CODES):
        return Rejected(SYSTEM_KEY, detail, status_code=400)
    return Conflict(SYSTEM_KEY, detail, status_code=400)


class SapWriter:
    """Creates, updates and deletes through one connection's CSRF session. ``read`` fetches one
    entity's raw payload (expanded as a sync reads it)."""

    def __init__(
        self,
        *,
        csrf: CsrfSession,
        read: Callable[[Resource, str], Awaitable[dict[str, Any]]],
        options: Mapping[str, Any],
    ) -> None:
        self._csrf = csrf
        self._read = read
        self._options = options

    async def _send(
        self,
        method: str,
        resource: Resource,
        path: str,
        *,
        json: Any,
        expected: Collection[int],
        etag: str | None = None,
    ) -> httpx.Response:
        headers = dict(resource.protocol.write_headers)
        if method != "POST":
            # SAP's SDK sends "*" for entities without an ETag
            headers["If-Match"] = etag or "*"
        response = await self._csrf.send(
            method, resource.service, path, json=json, headers=headers, expected={*expected, 400}
        )
        if response.status_code == 400:
            raise refusal(response)
        return response

    async def _read_back(self, resource: Resource, remote_id: str) -> Record:
        return resource.mapper(await self._read(resource, remote_id))

    async def create(self, resource: Resource, data: Any) -> Record:
        body = CREATES[resource.entity](resource, data, self._options)
        response = await self._send("POST", resource, resource.path, json=body, expected={200, 201})
        remote_id = resource.remote_id(resource.protocol.entity(_json(response)))
        if remote_id is None:
            raise SystemUnreachable(SYSTEM_KEY, f"{resource.path}: the created entity has no key")
        return await self._read_back(resource, remote_id)

    async def update(
        self, resource: Resource, remote_id: str, data: Any, *, version: str | None
    ) -> Record:
        """The PATCHes of the plan, in order, each with the ETag the previous one returned (or,
        when SAP returns none, after reading the record again and planning what is left)."""
        plan = UPDATES[resource.entity]
        raw = await self._read(resource, remote_id)
        patches = plan(resource, remote_id, raw, data)
        tags = {p.path: p.etag for p in patches}
        if version is not None:
            # entities sharing the record's ETag (SAP derives it from the header's change
            # stamp) are asserted at the caller's version
            header = resource.protocol.etag(raw)
            tags = {path: version if tag == header else tag for path, tag in tags.items()}
        remaining = len(patches)
        while patches:
            if remaining == 0:
                paths = ", ".join(p.path for p in patches)
                raise Conflict(SYSTEM_KEY, f"SAP did not keep the changes to {paths}")
            remaining -= 1
            patch, patches = patches[0], patches[1:]
            sent = tags.get(patch.path)
            response = await self._send(
                "PATCH", resource, patch.path, json=patch.body, etag=sent, expected={200, 204}
            )
            new = response_etag(response)
            if not patches:
                break
            if new is not None and sent is not None:
                tags = {path: new if tag == sent else tag for path, tag in tags.items()}
            else:
                patches = plan(resource, remote_id, await self._read(resource, remote_id), data)
                tags = {p.path: p.etag for p in patches}
        return await self._read_back(resource, remote_id)

    async def delete(self, resource: Resource, remote_id: str) -> DeleteResult:
        """Set the deletion flags (nothing is sent when they are set already)."""
        flags = SOFT_DELETES[resource.entity]
        raw = await self._read(resource, remote_id)
        if any(raw.get(k) != v for k, v in flags.items()):
            path = resource.entity_path(resource.key_values(remote_id) or (remote_id,))
            etag = resource.protocol.etag(raw)
            await self._send(
                "PATCH", resource, path, json=dict(flags), etag=etag, expected={200, 204}
            )
        record = await self._read_back(resource, remote_id)
        return DeleteResult(remote_id=remote_id, soft_deleted=True, record=record)
