"""Records and collections as Maximo's JSON API renders them: the lean form (``lean=1``) and
the namespaced OSLC form, hrefs, domain extras, child objects and paging links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from ironbridge.emulators.maximo.domains import DOMAINS
from ironbridge.emulators.maximo.query import ALL, Selection
from ironbridge.emulators.maximo.structures import encode_restid
from ironbridge.emulators.maximo.values import render_value

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from ironbridge.emulators.maximo.store import Row
    from ironbridge.emulators.maximo.structures import Child, Structure

__all__ = ["EVERYTHING", "RenderContext", "collection", "member", "page_url"]

EVERYTHING = Selection({ALL})


@dataclass(frozen=True, slots=True)
class RenderContext:
    """How one request wants records rendered."""

    collection_url: str  # e.g. http://host/maximo/oslc/os/mxwo
    zone: tzinfo
    lean: bool = True
    internal_values: bool = False
    drop_nulls: bool = True
    collection_refs: bool = True

    def key(self, name: str) -> str:
        return name if self.lean else f"spi:{name}"

    @property
    def href_key(self) -> str:
        return "href" if self.lean else "rdf:about"


def record_href(ctx: RenderContext, structure: Structure, row: Row) -> str:
    key = tuple(str(row.get(k, "")) for k in structure.keys)
    return f"{ctx.collection_url}/{quote(encode_restid(key), safe='')}"


def member(
    ctx: RenderContext, structure: Structure, row: Row, selection: Selection
) -> dict[str, Any]:
    """One record: the selected attributes (all with ``*``), then ``href`` and ``_rowstamp``."""
    href = record_href(ctx, structure, row)
    out: dict[str, Any] = {}
    wanted = structure.attrs if selection.everything else selection.attrs
    for attr in structure.attrs:
        if attr in wanted:
            _attribute(ctx, structure.status_domain, out, attr, row.get(attr))
    for name, child in structure.children.items():
        sub = selection.children.get(name) or (EVERYTHING if selection.everything else None)
        if sub is not None:
            rows = row.get(name) or []
            out[ctx.key(name)] = [
                _child(ctx, child, f"{href}/{name}/{n}-{c.get(child.uid)}", c, sub)
                for n, c in enumerate(rows)
            ]
        elif selection and ctx.collection_refs:
            out[ctx.key(f"{name}_collectionref")] = f"{href}/{name}"
    out[ctx.href_key] = href
    out[ctx.key("_rowstamp")] = str(row.get("_rowstamp", ""))
    return out


def _attribute(
    ctx: RenderContext, domain_id: str | None, out: dict[str, Any], attr: str, value: Any
) -> None:
    if value is None and ctx.drop_nulls:
        return
    out[ctx.key(attr)] = render_value(value, ctx.zone)
    domain = DOMAINS.get(domain_id or "") if attr == "status" else None
    if domain is not None and isinstance(value, str):
        description = domain.description(value)
        if description is not None:
            out[ctx.key("status_description")] = description
        if ctx.internal_values:
            out[ctx.key("status_maxvalue")] = domain.internal(value) or value


def _child(
    ctx: RenderContext, child: Child, href: str, row: Row, selection: Selection
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    wanted = child.attrs if selection.everything else selection.attrs
    for attr in child.attrs:
        if attr in wanted:
            _attribute(ctx, None, out, attr, row.get(attr))
    out[ctx.href_key] = href
    out[ctx.key("localref")] = href
    out[ctx.key("_rowstamp")] = str(row.get(child.uid, ""))
    return out


def page_url(base: str, params: Sequence[tuple[str, str]], **overrides: str | int) -> str:
    """``base`` with the request's query parameters, some of them replaced or added."""
    kept = [(k, v) for k, v in params if k not in overrides]
    kept += [(k, str(v)) for k, v in overrides.items()]
    return f"{base}?{urlencode(kept, quote_via=quote)}" if kept else base


def collection(
    ctx: RenderContext,
    members: list[dict[str, Any]],
    *,
    page_href: str,
    pagenum: int,
    next_href: str | None,
    previous_href: str | None,
    total: int | None,
    page_size: int,
) -> dict[str, Any]:
    """The envelope: ``member``, ``href``, and ``responseInfo`` with the paging links."""
    info: dict[str, Any] = {ctx.href_key: page_href}
    link = "href" if ctx.lean else "rdf:resource"
    if members:
        info["pagenum" if ctx.lean else "oslc:pagenum"] = pagenum
    if next_href is not None:
        info["nextPage" if ctx.lean else "oslc:nextPage"] = {link: next_href}
    if previous_href is not None:
        info["previousPage" if ctx.lean else "oslc:previousPage"] = {link: previous_href}
    if total is not None:
        pages = (total + page_size - 1) // page_size if page_size else 0
        info["totalCount" if ctx.lean else "oslc:totalCount"] = total
        info["totalPages" if ctx.lean else "oslc:totalPages"] = pages
    if ctx.lean:
        return {"member": members, "href": ctx.collection_url, "responseInfo": info}
    return {
        "rdfs:member": members,
        "rdf:about": ctx.collection_url,
        "oslc:responseInfo": info,
    }
