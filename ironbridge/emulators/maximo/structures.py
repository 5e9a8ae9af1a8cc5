"""The object structures the emulator serves: their MBO, key attributes, attribute types,
children, status domain and what a client may write; and Maximo's rest ids."""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "STRUCTURES",
    "Child",
    "Kind",
    "Structure",
    "decode_restid",
    "encode_restid",
    "structure_for",
]


class Kind(enum.Enum):
    """Maximo attribute types, as far as JSON and ``oslc.where`` care."""

    STRING = "ALN"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    DATETIME = "DATETIME"
    BOOLEAN = "YORN"


_LETTERS = {"S": Kind.STRING, "I": Kind.INTEGER, "D": Kind.DECIMAL, "T": Kind.DATETIME}
_LETTERS["B"] = Kind.BOOLEAN


@dataclass(frozen=True, slots=True)
class Child:
    """A child object of a structure (``poline`` of ``MXPO``), matched on ``key`` in merges."""

    name: str
    key: str
    uid: str
    attrs: Mapping[str, Kind]
    writable: frozenset[str]


@dataclass(frozen=True, slots=True)
class Structure:
    name: str  # e.g. MXWO
    aliases: tuple[str, ...]  # lower-case names accepted in URLs (the name included)
    mbo: str  # WORKORDER
    table: str  # the dataset table
    label: str  # how messages name a record: "Work Order"
    keys: tuple[str, ...]  # primary key attributes, in rest-id order
    number: str  # the key attribute users know records by
    uid: str  # the unique id attribute
    attrs: Mapping[str, Kind]
    writable: frozenset[str]
    stamp: str | None = "changedate"
    status_domain: str | None = None
    autokey: bool = False
    children: Mapping[str, Child] = field(default_factory=dict)

    def kind(self, attr: str) -> Kind | None:
        return self.attrs.get(attr)


def _spec(text: str) -> dict[str, Kind]:
    """``"wonum siteid statusdate:T wopriority:I"``: names with a type letter (S, I, D, T, B);
    a bare name is text."""
    kinds: dict[str, Kind] = {}
    for word in text.split():
        name, _, letter = word.partition(":")
        kinds[name] = _LETTERS[letter or "S"]
    return kinds


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORKORDER = Structure(
    name="MXWO",
    aliases=("mxwo", "mxwodetail", "mxapiwo", "mxapiwodetail"),
    mbo="WORKORDER",
    table="workorder",
    label="Work Order",
    keys=("siteid", "wonum"),
    number="wonum",
    uid="workorderid",
    status_domain="WOSTATUS",
    autokey=True,
    attrs=_spec(
        "wonum siteid orgid description description_longdescription status statusdate:T "
        "worktype wopriority:I assetnum location lead supervisor reportedby reportdate:T "
        "schedstart:T schedfinish:T targstartdate:T targcompdate:T actstart:T actfinish:T "
        "estdur:D actlabhrs:D changedate:T changeby workorderid:I woclass istask:B parent "
        "historyflag:B cust_costcenter cust_permitrequired:B"
    ),
    writable=_names(
        "siteid description description_longdescription status worktype wopriority assetnum "
        "location lead supervisor reportedby schedstart schedfinish targstartdate targcompdate "
        "estdur parent cust_costcenter cust_permitrequired"
    ),
)
ASSET = Structure(
    name="MXASSET",
    aliases=("mxasset", "mxapiasset"),
    mbo="ASSET",
    table="asset",
    label="Asset",
    keys=("assetnum", "siteid"),
    number="assetnum",
    uid="assetuid",
    status_domain="LOCASSETSTATUS",
    attrs=_spec(
        "assetnum siteid orgid description status statusdate:T assettype assettag serialnum "
        "manufacturer vendor location parent priority:I installdate:T changedate:T changeby "
        "assetuid:I"
    ),
    writable=_names(
        "assetnum siteid description status assettype assettag serialnum manufacturer vendor "
        "location parent priority installdate"
    ),
)
LOCATIONS = Structure(
    name="MXOPERLOC",
    aliases=("mxoperloc", "mxapioperloc", "mxlocation", "mxlocations"),
    mbo="LOCATIONS",
    table="locations",
    label="Location",
    keys=("location", "siteid"),
    number="location",
    uid="locationsid",
    status_domain="LOCASSETSTATUS",
    attrs=_spec(
        "location siteid orgid description type status changedate:T changeby locationsid:I"
    ),
    writable=_names("location siteid description type status"),
    children={
        "lochierarchy": Child(
            name="lochierarchy",
            key="systemid",
            uid="lochierarchyid",
            attrs=_spec("systemid parent children:B lochierarchyid:I"),
            writable=_names("systemid parent"),
        )
    },
)
INVENTORY = Structure(
    name="MXINVENTORY",
    aliases=("mxinventory", "mxapiinventory"),
    mbo="INVENTORY",
    table="inventory",
    label="Inventory",
    keys=("itemnum", "itemsetid", "location", "siteid"),
    number="itemnum",
    uid="inventoryid",
    stamp=None,
    status_domain="ITEMSTATUS",
    attrs=_spec(
        "itemnum itemsetid location siteid orgid status curbaltotal:D avblbalance:D "
        "reservedqty:D minlevel:D orderqty:D issueunit orderunit avgcost:D lastcost:D binnum "
        "inventoryid:I"
    ),
    writable=_names("itemnum itemsetid location siteid minlevel orderqty binnum"),
    children={
        "invbalances": Child(
            name="invbalances",
            key="binnum",
            uid="invbalancesid",
            attrs=_spec("binnum lotnum curbal:D physcnt:D invbalancesid:I"),
            writable=frozenset(),
        )
    },
)
ITEM = Structure(
    name="MXITEM",
    aliases=("mxitem", "mxapiitem"),
    mbo="ITEM",
    table="item",
    label="Item",
    keys=("itemnum", "itemsetid"),
    number="itemnum",
    uid="itemid",
    status_domain="ITEMSTATUS",
    attrs=_spec(
        "itemnum itemsetid description description_longdescription itemtype status rotating:B "
        "issueunit orderunit commoditygroup changedate:T changeby itemid:I"
    ),
    writable=_names(
        "itemnum itemsetid description description_longdescription itemtype status rotating "
        "issueunit orderunit commoditygroup"
    ),
)
PURCHASE_ORDER = Structure(
    name="MXPO",
    aliases=("mxpo", "mxapipo"),
    mbo="PO",
    table="po",
    label="Purchase Order",
    keys=("ponum", "revisionnum", "siteid"),
    number="ponum",
    uid="poid",
    status_domain="POSTATUS",
    autokey=True,
    attrs=_spec(
        "ponum revisionnum:I siteid orgid description status statusdate:T vendor orderdate:T "
        "requireddate:T currencycode totalcost:D receipts potype purchaseagent changedate:T "
        "changeby poid:I historyflag:B cust_projectcode cust_receivingdock"
    ),
    writable=_names(
        "siteid description status vendor orderdate requireddate currencycode potype "
        "purchaseagent cust_projectcode cust_receivingdock"
    ),
    children={
        "poline": Child(
            name="poline",
            key="polinenum",
            uid="polineid",
            attrs=_spec(
                "polinenum:I linetype itemnum itemsetid description orderqty:D orderunit "
                "unitcost:D linecost:D receivedqty:D reqdeliverydate:T storeloc polineid:I"
            ),
            writable=_names(
                "polinenum linetype itemnum description orderqty orderunit unitcost "
                "reqdeliverydate storeloc"
            ),
        )
    },
)
COMPANIES = Structure(
    name="MXVENDOR",
    aliases=("mxvendor", "mxapivendor", "mxcompanies"),
    mbo="COMPANIES",
    table="companies",
    label="Company",
    keys=("company", "orgid"),
    number="company",
    uid="companiesid",
    attrs=_spec(
        "company orgid name type disabled:B currencycode address1 address2 address3 address4 "
        "country phone fax homepage paymentterms changedate:T changeby companiesid:I"
    ),
    writable=_names(
        "company orgid name type disabled currencycode address1 address2 address3 address4 "
        "country phone fax homepage paymentterms"
    ),
)

STRUCTURES: tuple[Structure, ...] = (
    WORKORDER,
    ASSET,
    LOCATIONS,
    INVENTORY,
    ITEM,
    PURCHASE_ORDER,
    COMPANIES,
)
_BY_ALIAS = {alias: s for s in STRUCTURES for alias in s.aliases}


def structure_for(name: str) -> Structure | None:
    """The structure served under ``name`` (case-insensitive, any alias)."""
    return _BY_ALIAS.get(name.lower())


def encode_restid(key: tuple[str, ...]) -> str:
    """``_`` + base64 of the key values joined by ``/``, ``=`` padding written as ``-``.

    Standard base64 may hold ``/`` and ``+``: hrefs carry them percent-encoded.
    """
    raw = base64.b64encode("/".join(key).encode()).decode("ascii")
    return "_" + raw.replace("=", "-")


def decode_restid(restid: str) -> str | None:
    """The key values joined by ``/`` of a rest id, or None if it is not one."""
    if not restid.startswith("_"):
        return None
    try:
        return base64.b64decode(restid[1:].replace("-", "="), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
