"""The Oracle NetSuite connector under the shared contract suite, against its emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.netsuite import NetSuiteConnector
from ironbridge.emulators.netsuite import STOCK, NetSuiteEmulator, create_app
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)

# the emulator's record type of each unified entity
RECORD_TYPES: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "purchaseOrder",
    EntityType.PRODUCTION_ORDER: "workOrder",
    EntityType.VENDOR: "vendor",
    EntityType.INVENTORY_ITEM: "inventoryItem",
    EntityType.LOCATION: "location",
    EntityType.STOCK_LEVEL: STOCK,
}


def make_app() -> EmulatorApp:
    """40 purchase orders (every scenario), 12 work orders; the connector reads pages of 5."""
    return create_app(records=40, work_orders=12, anchor=ANCHOR)


def netsuite(app: EmulatorApp) -> NetSuiteEmulator:
    emulator: NetSuiteEmulator = app.state.emulator
    return emulator


def credentials(app: EmulatorApp) -> dict[str, str]:
    return dict(netsuite(app).credentials)


def bad_credentials(app: EmulatorApp) -> dict[str, str]:
    """A certificate id the account does not know (as after a certificate was revoked)."""
    return {**credentials(app), "certificate_id": "revoked-certificate"}


def _ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    emulator = netsuite(app)
    if entity is EntityType.STOCK_LEVEL:
        return {f"{r['item']}:{r['location']}" for r in emulator.snapshot(STOCK)}
    return set(emulator.dataset.stores[RECORD_TYPES[entity]].ids())


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    if entity is not EntityType.PURCHASE_ORDER:
        return set()
    malformed = netsuite(app).dataset.scenario_id("malformed")
    return {malformed} if malformed else set()


def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    return _ids(app, entity) - malformed_ids(app, entity)


def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
    netsuite(app).touch(RECORD_TYPES[entity], ids, at=at)


def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
    netsuite(app).delete(RECORD_TYPES[entity], ids, hard=True)


def unknown_id(entity: EntityType) -> str:
    return "9999:9999" if entity is EntityType.STOCK_LEVEL else "999999999"


HARNESS = ContractHarness(
    system_key=NetSuiteConnector.system.key,
    connector=NetSuiteConnector,
    make_app=make_app,
    credentials=credentials,
    bad_credentials=bad_credentials,
    expected_ids=expected_ids,
    malformed_ids=malformed_ids,
    touch=touch,
    delete=delete,
    unknown_id=unknown_id,
    options={"page_size": 5},
)
