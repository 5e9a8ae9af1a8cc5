"""The Plex connector under the shared contract suite, against the Plex emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ironbridge.connectors.plex import PlexConnector
from ironbridge.connectors.plex.resources import RESOURCES
from ironbridge.emulators.plex import create_app
from ironbridge.models import EntityType
from tests.connectors.contract.harness import ContractHarness

if TYPE_CHECKING:
    from ironbridge.emulators.control import EmulatorApp
    from ironbridge.emulators.plex import PlexEmulator

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)

# the emulator's resource of each unified entity
RESOURCE_NAMES: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "purchase-orders",
    EntityType.VENDOR: "suppliers",
    EntityType.INVENTORY_ITEM: "parts",
    EntityType.LOCATION: "locations",
    EntityType.STOCK_LEVEL: "containers",
    EntityType.PRODUCTION_ORDER: "jobs",
}
UNKNOWN_IDS: dict[EntityType, str] = {
    EntityType.PURCHASE_ORDER: "6f0c0001-0000-4000-8000-00000fffffff",
    EntityType.VENDOR: "1b2c0002-0000-4000-8000-00000fffffff",
    EntityType.INVENTORY_ITEM: "9a7e0003-0000-4000-8000-00000fffffff",
    EntityType.LOCATION: "10c40004-0000-4000-8000-00000fffffff",
    EntityType.STOCK_LEVEL: "S9999999",
    EntityType.PRODUCTION_ORDER: "70b00005-0000-4000-8000-00000fffffff",
}
OPTIONS = {"batch_size": 7}


def make_app() -> EmulatorApp:
    """30 purchase orders (every scenario) and the master data that goes with them."""
    return create_app(records=30, anchor=ANCHOR)


def plex(app: EmulatorApp) -> PlexEmulator:
    emulator: PlexEmulator = app.state.emulator
    return emulator


def credentials(app: EmulatorApp) -> dict[str, str]:
    return dict(plex(app).credentials)


def bad_credentials(app: EmulatorApp) -> dict[str, str]:
    return {**plex(app).credentials, "api_key": "not-the-consumer-key"}


def malformed_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    if entity is not EntityType.PURCHASE_ORDER:
        return set()
    found = plex(app).dataset.scenario_id("malformed")
    return {found} if found else set()


def expected_ids(app: EmulatorApp, entity: EntityType) -> set[str]:
    key = RESOURCES[entity].key
    rows = plex(app).snapshot(RESOURCE_NAMES[entity])
    return {str(row[key]) for row in rows} - malformed_ids(app, entity)


def touch(app: EmulatorApp, entity: EntityType, ids: list[str], at: datetime | None) -> None:
    plex(app).touch(RESOURCE_NAMES[entity], ids, at=at)


def delete(app: EmulatorApp, entity: EntityType, ids: list[str]) -> None:
    # gone for good (Plex itself voids orders: the connector reads those as CANCELLED)
    plex(app).delete(RESOURCE_NAMES[entity], ids, hard=True)


HARNESS = ContractHarness(
    system_key=PlexConnector.system.key,
    connector=PlexConnector,
    make_app=make_app,
    credentials=credentials,
    bad_credentials=bad_credentials,
    expected_ids=expected_ids,
    malformed_ids=malformed_ids,
    touch=touch,
    delete=delete,
    options=OPTIONS,
    unknown_id=UNKNOWN_IDS.__getitem__,
)
