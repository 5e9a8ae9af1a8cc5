"""The Business Central connector under the shared contract suite, against its emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.dynamics_bc import DynamicsBcConnector
from ironbridge.emulators.dynamics_bc import PO_SCENARIOS, create_app, guid
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.emulators.dynamics_bc import DynamicsBcEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
PAGE_SIZE = 7
# the emulator's entity set of each unified entity
SETS: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "purchaseOrders",
    EntityType.VENDOR: "vendors",
    EntityType.INVENTORY_ITEM: "items",
    EntityType.STOCK_LEVEL: "items",
    EntityType.LOCATION: "locations",
    EntityType.PRODUCTION_ORDER: "manufacturingProductionOrders",
}
UNKNOWN_IDS: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: guid(5, 0xFFFFFF),
    EntityType.VENDOR: guid(2, 0xFFFFFF),
    EntityType.INVENTORY_ITEM: guid(3, 0xFFFFFF),
    EntityType.STOCK_LEVEL: guid(3, 0xFFFFFF),
    EntityType.LOCATION: guid(4, 0xFFFFFF),
    EntityType.PRODUCTION_ORDER: "999999",
}


def make_app() -> EmulatorApp:
    """30 purchase orders (every scenario); the master data as generated."""
    return create_app(records=30, anchor=ANCHOR, page_size=PAGE_SIZE)


def bc(app: EmulatorApp) -> DynamicsBcEmulator:
    emulator: DynamicsBcEmulator = app.state.emulator
    return emulator


def instance_url(base_url: str) -> str:
    emulator = bc(make_app())
    return f"{base_url}/v2.0/{emulator.tenant}/{emulator.environment}"


def credentials(app: EmulatorApp) -> dict[str, str]:
    return dict(bc(app).credentials)


def bad_credentials(app: EmulatorApp) -> dict[str, str]:
    return {"client_id": bc(app).client_id, "client_secret": "not-the-secret"}


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    if entity is not EntityType.PURCHASE_ORDER:
        return set()
    return {guid(5, PO_SCENARIOS.index("malformed"))}


def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    rows = bc(app).snapshot(SETS[entity])
    if entity is EntityType.STOCK_LEVEL:
        rows = [r for r in rows if r["type"] == "Inventory"]
    key = "no" if entity is EntityType.PRODUCTION_ORDER else "id"
    return {str(r[key]) for r in rows} - malformed_ids(app, entity)


def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
    if entity is EntityType.STOCK_LEVEL:
        emulator = bc(app)
        for item in ids:
            row = emulator.table("items").get(item)
            assert row is not None
            emulator.touch("items", [item], changes={"inventory": row["inventory"] + 1})
        return
    bc(app).touch(SETS[entity], ids, at=at)


def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
    bc(app).delete(SETS[entity], ids)


HARNESS = ContractHarness(
    system_key=DynamicsBcConnector.system.key,
    connector=DynamicsBcConnector,
    make_app=make_app,
    credentials=credentials,
    bad_credentials=bad_credentials,
    expected_ids=expected_ids,
    malformed_ids=malformed_ids,
    touch=touch,
    delete=delete,
    instance_url=instance_url,
    unknown_id=UNKNOWN_IDS.__getitem__,
)
