"""The Infor XA connector under the shared contract suite: System-Link with a user, and through
the ION API gateway with an ``.ionapi`` file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.infor_xa import InforXaConnector
from ironbridge.emulators.infor_xa import create_app
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.emulators.infor_xa import XaEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)
CLASSES: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "PurchaseOrder",
    EntityType.VENDOR: "Vendor",
    EntityType.INVENTORY_ITEM: "Item",
    EntityType.STOCK_LEVEL: "ItemWarehouse",
    EntityType.PRODUCTION_ORDER: "ManufacturingOrder",
    EntityType.LOCATION: "Warehouse",
}
KEYS: dict[EntityType, tuple[str, ...]] = {
    EntityType.PURCHASE_ORDER: ("order",),
    EntityType.VENDOR: ("vendor",),
    EntityType.INVENTORY_ITEM: ("item",),
    EntityType.STOCK_LEVEL: ("item", "warehouse"),
    EntityType.PRODUCTION_ORDER: ("order",),
    EntityType.LOCATION: ("warehouse",),
}
UNKNOWN: dict[EntityType, str] = {
    EntityType.STOCK_LEVEL: "ITEM-9999/W9",
    EntityType.LOCATION: "W9",
}


def make_app() -> EmulatorApp:
    """30 purchase orders (every scenario), pages of 7, the system five hours behind UTC."""
    return create_app(records=30, anchor=ANCHOR, page_size=7, utc_offset_hours=-5)


def xa(app: EmulatorApp) -> XaEmulator:
    emulator: XaEmulator = app.state.emulator
    return emulator


def credentials(app: EmulatorApp) -> dict[str, str]:
    return dict(xa(app).credentials)


def bad_credentials(app: EmulatorApp) -> dict[str, str]:
    return {**xa(app).credentials, "password": "not-the-password"}


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    if entity is not EntityType.PURCHASE_ORDER:
        return set()
    found = xa(app).dataset.scenario_id("malformed")
    return {found} if found else set()


def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    rows = xa(app).snapshot(CLASSES[entity])
    ids = {"/".join(str(r[k]) for k in KEYS[entity]) for r in rows}
    return ids - malformed_ids(app, entity)


def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
    xa(app).touch(CLASSES[entity], ids, at=at)


def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
    xa(app).delete(CLASSES[entity], ids, hard=True)


def unknown_id(entity: EntityType) -> str:
    return UNKNOWN.get(entity, "Z999999")


def ion_credentials(app: EmulatorApp, base_url: str) -> dict[str, str]:
    """The ``.ionapi`` file of a backend-service client, naming the emulator as the gateway."""
    return {"ionapi": json.dumps(xa(app).ionapi(base_url))}


def bad_ion_credentials(app: EmulatorApp, base_url: str) -> dict[str, str]:
    """The same file with a wrong service account secret: the gateway refuses the grant."""
    return {"ionapi": json.dumps({**xa(app).ionapi(base_url), "sask": "not-the-secret"})}


_COMMON = {
    "system_key": InforXaConnector.system.key,
    "connector": InforXaConnector,
    "make_app": make_app,
    "expected_ids": expected_ids,
    "malformed_ids": malformed_ids,
    "touch": touch,
    "delete": delete,
    "unknown_id": unknown_id,
    "options": {"page_size": 7},
}

HARNESSES = [
    ContractHarness(credentials=credentials, bad_credentials=bad_credentials, **_COMMON),  # type: ignore[arg-type]
    # through the ION API gateway: token from the .ionapi file, System-Link behind it
    ContractHarness(
        name="infor-xa-ion",
        credentials=credentials,
        bad_credentials=bad_credentials,
        credentials_for_url=ion_credentials,
        bad_credentials_for_url=bad_ion_credentials,
        **_COMMON,  # type: ignore[arg-type]
    ),
]
