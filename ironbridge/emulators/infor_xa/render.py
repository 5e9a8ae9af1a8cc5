"""System-Link XML as the emulator writes it: values in CDATA, entities with their key."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ironbridge.emulators.infor_xa.store import TableSpec

__all__ = ["attrs", "cdata", "entity_xml", "exception_xml", "text_of"]


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def attrs(**values: str | None) -> str:
    return "".join(f" {name}={quoteattr(v)}" for name, v in values.items() if v is not None)


@lru_cache(maxsize=1024)
def _path_attr(path: str) -> str:
    return attrs(path=path)


def _property(path: str, value: Any) -> str:
    text = text_of(value)
    if text is None:
        return f"<Property{_path_attr(path)}/>"
    return f"<Property{_path_attr(path)}><Value>{cdata(text)}</Value></Property>"


def entity_xml(spec: TableSpec, row: Mapping[str, Any], select: Iterable[str]) -> str:
    keys = "".join(_property(k, row.get(k)) for k in spec.keys)
    rest = "".join(_property(p, row.get(p)) for p in select if p not in spec.keys)
    return (
        f"<DomainEntity{attrs(domainClass=spec.domain_class)}><Key>{keys}</Key>{rest}"
        "</DomainEntity>"
    )


def exception_xml(code: str, message: str) -> str:
    return f"<Exception{attrs(code=code)}><Message>{cdata(message)}</Message></Exception>"
