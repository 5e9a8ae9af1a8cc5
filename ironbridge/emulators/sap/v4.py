"""OData V4 JSON rendering: ``@odata.context``, ``@odata.etag``, ``value``, ``@odata.count``,
``@odata.nextLink``; decimals as numbers, or strings under ``IEEE754Compatible=true``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ironbridge.emulators.sap.values import v4_json

if TYPE_CHECKING:
    from ironbridge.emulators.sap.model import EntitySet, Service
    from ironbridge.emulators.sap.options import Expand, RenderContext
    from ironbridge.emulators.sap.tables import Key, Record

__all__ = ["collection", "context_url", "entity", "service_document", "single"]


def context_url(entity_set: EntitySet, select: frozenset[str] | None, *, single: bool) -> str:
    projection = ""
    if select is not None:
        projection = "(" + ",".join(p.name for p in entity_set.props if p.name in select) + ")"
    return f"$metadata#{entity_set.name}{projection}{'/$entity' if single else ''}"


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
    out: dict[str, Any] = {}
    tag = ctx.etag(entity_set, key, record) if metadata and entity_set.etag else None
    if tag is not None:
        out["@odata.etag"] = tag
    for prop in entity_set.props:
        if select is None or prop.name in select or prop.key:
            out[prop.name] = v4_json(prop.type, record.get(prop.name), ieee754=ctx.ieee754)
    for item in expand:
        nav = entity_set.nav(item.name)
        assert nav is not None
        target = ctx.target(nav)
        out[nav.name] = [
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
    body: dict[str, Any] = {"@odata.context": context_url(entity_set, select, single=False)}
    if count is not None:
        body["@odata.count"] = count
    body["value"] = [
        entity(ctx, entity_set, key, record, select=select, expand=expand) for key, record in rows
    ]
    if next_url is not None:
        body["@odata.nextLink"] = next_url
    return body


def single(
    ctx: RenderContext,
    entity_set: EntitySet,
    key: Key,
    record: Record,
    *,
    select: frozenset[str] | None = None,
    expand: tuple[Expand, ...] = (),
) -> dict[str, Any]:
    return {
        "@odata.context": context_url(entity_set, select, single=True),
        **entity(ctx, entity_set, key, record, select=select, expand=expand),
    }


def service_document(service: Service) -> dict[str, Any]:
    return {
        "@odata.context": "$metadata",
        "value": [{"name": s.name, "url": s.name} for s in service.sets],
    }
