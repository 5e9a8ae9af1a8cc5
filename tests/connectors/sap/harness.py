"""The SAP S/4HANA connector under the shared contract suite: purchase orders over OData V4 and V2."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.sap import SapS4HanaConnector
from ironbridge.emulators.sap import DEFAULT_CLIENT, DEFAULT_PASSWORD, DEFAULT_USERNAME, create_app
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.emulators.sap import SapEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)

# the emulator's entity set of each unified entity; purchase orders per protocol
ENTITY_SETS: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "PurchaseOrder",
    EntityType.VENDOR: "A_Supplier",
    EntityType.INVENTORY_ITEM: "A_Product",
    EntityType.STOCK_LEVEL: "A_MatlStkInAcctMod",
    EntityType.LOCATION: "A_Plant",
    EntityType.ASSET: "Equipment",
    EntityType.WORK_ORDER: "MaintenanceOrder",
    EntityType.PRODUCTION_ORDER: "A_ProductionOrder_2",
}
V2_SETS = {**ENTITY_SETS, EntityType.PURCHASE_ORDER: "A_PurchaseOrder"}


def make_app() -> EmulatorApp:
    """40 purchase orders (every scenario), 12 maintenance and production orders, pages of 7."""
    return create_app(
        records=40, page_size=7, anchor=ANCHOR, maintenance_orders=12, production_orders=12
    )


def sap(app: EmulatorApp) -> SapEmulator:
    emulator: SapEmulator = app.state.emulator
    return emulator


def credentials(_app: EmulatorApp) -> dict[str, str]:
    return {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "client": DEFAULT_CLIENT}


def bad_credentials(_app: EmulatorApp) -> dict[str, str]:
    return {"username": DEFAULT_USERNAME, "password": "not-the-password", "client": DEFAULT_CLIENT}


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    if entity is not EntityType.PURCHASE_ORDER:
        return set()
    malformed = sap(app).dataset.scenario_po("malformed")
    return {malformed} if malformed else set()


def _harness(name: str, sets: dict[EntityType, str], options: dict[str, str]) -> ContractHarness:
    def all_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
        emulator = sap(app)
        keys = emulator.entity_set(sets[entity])[1].keys
        return {"/".join(str(r[k]) for k in keys) for r in emulator.snapshot(sets[entity])}

    def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
        return all_ids(app, entity) - malformed_ids(app, entity)

    def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
        sap(app).touch(sets[entity], ids, at=at)

    def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
        # archiving: SAP's only way for records to disappear (deletion flags are statuses)
        sap(app).delete(sets[entity], ids, hard=True)

    return ContractHarness(
        system_key=SapS4HanaConnector.system.key,
        connector=SapS4HanaConnector,
        make_app=make_app,
        credentials=credentials,
        bad_credentials=bad_credentials,
        expected_ids=expected_ids,
        malformed_ids=malformed_ids,
        touch=touch,
        delete=delete,
        options=options,
        name=name,
    )


HARNESSES = [
    _harness("sap-s4hana-v4", ENTITY_SETS, {}),
    _harness("sap-s4hana-v2", V2_SETS, {"odata_version": "v2"}),
]
