"""OData V2 JSON rendering: ``{"d": ...}``, ``__metadata`` with the ETag, ``results``,
``__count`` as a string, ``__next``, ``__deferred`` navigation links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.emulators.sap.values import key_predicate, v2_json

if TYPE_CHECKING:
    from ironbridge.emulators.sap.model import EntitySet, Service
    from ironbridge.emulators.sap.options import Expand, RenderContext
    from ironbridge.emulators.sap.tables import Key, Record

__all__ = ["collection", "entity", "service_document", "single"]


def entity(
    ctx: RenderContext,
    entity_set: EntitySet,
    key: Key,
    record: Record,
    *,
    select: frozenset[str] | None = None,
    expand: tuple[Expand, ...] = (),
    metadata: bool = True,
) -> dict[str, Any]:
    uri = f"{ctx.service_url}/{entity_set.name}{key_predicate(entity_set.keys, record)}"
    out: dict[str, Any] = {}
    if metadata:
        meta = {
            "id": uri,
            "uri": uri,
            "type": f"{ctx.service.namespace}.{entity_set.type_name}",
        }
        tag = ctx.etag(entity_set, key, record) if entity_set.etag else None
        if tag is not None:
            meta["etag"] = tag
        out["__metadata"] = meta
    for prop in entity_set.props:
        if select is None or prop.name in select:
            out[prop.name] = v2_json(prop.type, record.get(prop.name))
    expanded = {e.name: e for e in expand}
    for nav in entity_set.navs:
        item = expanded.get(nav.name)
        if item is not None:
            target = ctx.target(nav)
            out[nav.name] = {
                "results": [
                    entity(
                        ctx,
                        target,
                        child_key,
                        child,
                        select=item.select,
                        expand=item.expand,
                        metadata=metadata,
                    )
                    for child_key, child in ctx.children(nav, key)
                ]
            }
        elif metadata and (select is None or nav.name in select):
            out[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
    return out


def collection(
    ctx: RenderContext,
    entity_set: EntitySet,
    rows: list[tuple[Key, Record]],
    *,
    count: int | None = None,
    next_url: str | None = None,
    select: frozenset[str] | None = None,
    expand: tuple[Expand, ...] = (),
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if count is not None:
        body["__count"] = str(count)
    body["results"] = [
        entity(ctx, entity_set, key, record, select=select, expand=expand) for key, record in rows
    ]
    if next_url is not None:
        body["__next"] = next_url
    return {"d": body}


def single(
    ctx: RenderContext,
    entity_set: EntitySet,
    key: Key,
    record: Record,
    *,
    select: frozenset[str] | None = None,
    expand: tuple[Expand, ...] = (),
) -> dict[str, Any]:
    return {"d": entity(ctx, entity_set, key, record, select=select, expand=expand)}


def service_document(service: Service) -> dict[str, Any]:
    return {"d": {"EntitySets": [s.name for s in service.sets]}}
