"""Maximo's synonym domains (displayed value → internal value) and the status transitions
allowed between internal values, as the status handlers of WORKORDER, PO, ASSET and ITEM do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DOMAINS", "TRANSITIONS", "Synonym", "SynonymDomain"]


@dataclass(frozen=True, slots=True)
class Synonym:
    """One row of SYNONYMDOMAIN: ``value`` is what users see, ``maxvalue`` what Maximo means."""

    value: str
    maxvalue: str
    description: str
    defaults: bool = True


class SynonymDomain:
    """A synonym domain: every value, and the default value of each internal value."""

    def __init__(self, domainid: str, synonyms: tuple[Synonym, ...]) -> None:
        self.domainid = domainid
        self.synonyms = synonyms
        self._by_value = {s.value: s for s in synonyms}

    def get(self, value: str) -> Synonym | None:
        return self._by_value.get(value)

    def internal(self, value: str) -> str | None:
        synonym = self._by_value.get(value)
        return None if synonym is None else synonym.maxvalue

    def description(self, value: str) -> str | None:
        synonym = self._by_value.get(value)
        return None if synonym is None else synonym.description

    def default_for(self, maxvalue: str) -> str:
        """The value Maximo sets when asked for an internal value (the ``defaults`` row)."""
        for synonym in self.synonyms:
            if synonym.maxvalue == maxvalue and synonym.defaults:
                return synonym.value
        return maxvalue

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.synonyms)


WOSTATUS = SynonymDomain(
    "WOSTATUS",
    (
        Synonym("WAPPR", "WAPPR", "Waiting on approval"),
        Synonym("APPR", "APPR", "Approved"),
        Synonym("WSCH", "WSCH", "Waiting to be scheduled"),
        Synonym("WMATL", "WMATL", "Waiting on material"),
        Synonym("WPCOND", "WPCOND", "Waiting on plant cond"),
        Synonym("INPRG", "INPRG", "In progress"),
        Synonym("COMP", "COMP", "Completed"),
        Synonym("CLOSE", "CLOSE", "Closed"),
        Synonym("CAN", "CAN", "Canceled"),
        # a customer's own synonym: shown as WAITPARTS, means WMATL to every business rule
        Synonym("WAITPARTS", "WMATL", "Waiting on spare parts", defaults=False),
    ),
)
POSTATUS = SynonymDomain(
    "POSTATUS",
    (
        Synonym("WAPPR", "WAPPR", "Waiting on approval"),
        Synonym("APPR", "APPR", "Approved"),
        Synonym("INPRG", "INPRG", "In progress"),
        Synonym("HOLD", "HOLD", "On hold"),
        Synonym("PNDREV", "PNDREV", "Pending revision"),
        Synonym("REVISE", "REVISE", "Revised"),
        Synonym("CLOSE", "CLOSE", "Closed"),
        Synonym("CAN", "CAN", "Canceled"),
        Synonym("SENT", "APPR", "Approved and sent to vendor", defaults=False),
    ),
)
LOCASSETSTATUS = SynonymDomain(
    "LOCASSETSTATUS",
    (
        Synonym("OPERATING", "OPERATING", "Operating"),
        Synonym("NOT READY", "NOT READY", "Not ready"),
        Synonym("DECOMMISSIONED", "DECOMMISSIONED", "Decommissioned"),
        Synonym("STANDBY", "NOT READY", "Standby spare", defaults=False),
    ),
)
ITEMSTATUS = SynonymDomain(
    "ITEMSTATUS",
    (
        Synonym("ACTIVE", "ACTIVE", "Active"),
        Synonym("PENDOBS", "PENDOBS", "Pending obsolescence"),
        Synonym("OBSOLETE", "OBSOLETE", "Obsolete"),
        Synonym("PLANNING", "PLANNING", "Planning"),
    ),
)

DOMAINS: Mapping[str, SynonymDomain] = {
    d.domainid: d for d in (WOSTATUS, POSTATUS, LOCASSETSTATUS, ITEMSTATUS)
}

_APPROVED_LIKE = frozenset({"WAPPR", "APPR", "WSCH", "WMATL", "WPCOND", "INPRG", "COMP", "CLOSE"})
# internal value -> internal values it may change to
TRANSITIONS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "WOSTATUS": {
        "WAPPR": _APPROVED_LIKE | {"CAN"},
        "APPR": _APPROVED_LIKE | {"CAN"},
        "WSCH": _APPROVED_LIKE | {"CAN"},
        "WMATL": _APPROVED_LIKE | {"CAN"},
        "WPCOND": _APPROVED_LIKE | {"CAN"},
        "INPRG": frozenset({"WAPPR", "WMATL", "INPRG", "COMP", "CLOSE"}),
        "COMP": frozenset({"CLOSE"}),
        "CLOSE": frozenset(),
        "CAN": frozenset(),
    },
    "POSTATUS": {
        "WAPPR": frozenset({"APPR", "INPRG", "HOLD", "CAN"}),
        "INPRG": frozenset({"WAPPR", "APPR", "HOLD", "CAN"}),
        "HOLD": frozenset({"WAPPR", "INPRG", "APPR", "CAN"}),
        "PNDREV": frozenset({"APPR", "CAN"}),
        "APPR": frozenset({"APPR", "CLOSE", "CAN", "HOLD"}),
        "REVISE": frozenset(),
        "CLOSE": frozenset(),
        "CAN": frozenset(),
    },
    "LOCASSETSTATUS": {
        "OPERATING": frozenset({"OPERATING", "NOT READY", "DECOMMISSIONED"}),
        "NOT READY": frozenset({"OPERATING", "NOT READY", "DECOMMISSIONED"}),
        "DECOMMISSIONED": frozenset(),
    },
    "ITEMSTATUS": {
        "ACTIVE": frozenset({"PENDOBS", "OBSOLETE", "PLANNING"}),
        "PENDOBS": frozenset({"ACTIVE", "OBSOLETE"}),
        "OBSOLETE": frozenset({"ACTIVE"}),
        "PLANNING": frozenset({"ACTIVE", "OBSOLETE"}),
    },
}
