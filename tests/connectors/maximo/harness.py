"""The IBM Maximo connector under the shared contract suite, against the Maximo emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.maximo import MaximoConnector
from ironbridge.connectors.maximo.mappers import KEYS
from ironbridge.emulators.maximo import create_app
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.emulators.maximo import MaximoEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
PAGE_SIZE = 7

# the emulator's object structure of each unified entity
STRUCTURES: dict[EntityType, str] = {
    EntityType.WORK_ORDER: "mxwo",
    EntityType.ASSET: "mxasset",
    EntityType.LOCATION: "mxoperloc",
    EntityType.INVENTORY_ITEM: "mxitem",
    EntityType.STOCK_LEVEL: "mxinventory",
    EntityType.PURCHASE_ORDER: "mxpo",
    EntityType.VENDOR: "mxvendor",
}
_TABLES = {EntityType.WORK_ORDER: "workorder", EntityType.PURCHASE_ORDER: "po"}
UNKNOWN_IDS: dict[EntityType, str] = {
    EntityType.WORK_ORDER: "BEDFORD/9999999",
    EntityType.ASSET: "99999/BEDFORD",
    EntityType.LOCATION: "NOWHERE/BEDFORD",
    EntityType.INVENTORY_ITEM: "0-9999/SET1",
    EntityType.STOCK_LEVEL: "0-9999/SET1/CENTRAL/BEDFORD",
    EntityType.PURCHASE_ORDER: "2999999/0/BEDFORD",
    EntityType.VENDOR: "NOBODY/EAGLENA",
}


def make_app() -> EmulatorApp:
    """30 work orders and 30 purchase orders (every scenario); the master data as generated."""
    return create_app(records=30, anchor=ANCHOR)


def maximo(app: EmulatorApp) -> MaximoEmulator:
    emulator: MaximoEmulator = app.state.emulator
    return emulator


def credentials(app: EmulatorApp) -> dict[str, str]:
    return {"api_key": maximo(app).api_key}


def bad_credentials(_app: EmulatorApp) -> dict[str, str]:
    return {"api_key": "not-the-key"}


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    table = _TABLES.get(entity)
    found = None if table is None else maximo(app).dataset.scenario_id(table, "malformed")
    return {found} if found else set()


def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    rows = maximo(app).snapshot(STRUCTURES[entity])
    ids = {"/".join(str(r[k]) for k in KEYS[entity]) for r in rows if not r.get("istask")}
    return ids - malformed_ids(app, entity)


def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
    maximo(app).touch(STRUCTURES[entity], ids, at=at)


def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
    # gone for good (Maximo itself cancels work orders: the connector reads those as CANCELLED)
    maximo(app).delete(STRUCTURES[entity], ids, hard=True)


HARNESS = ContractHarness(
    system_key=MaximoConnector.system.key,
    connector=MaximoConnector,
    make_app=make_app,
    credentials=credentials,
    bad_credentials=bad_credentials,
    expected_ids=expected_ids,
    malformed_ids=malformed_ids,
    touch=touch,
    delete=delete,
    options={"page_size": PAGE_SIZE},
    unknown_id=UNKNOWN_IDS.__getitem__,
)
