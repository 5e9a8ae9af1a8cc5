"""Work orders and production orders of the sandbox plant, with times that fit their status."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from ironbridge.connectors.sandbox.catalog import COST_CENTERS, TECHNICIANS
from ironbridge.connectors.sandbox.payloads import (
    attach,
    production_order_payload,
    work_order_payload,
)
from ironbridge.connectors.sandbox.values import DAY, money, whole
from ironbridge.models import (
    AssetStatus,
    InventoryItemType,
    LocationType,
    ProductionOrder,
    ProductionOrderStatus,
    WorkOrder,
    WorkOrderPriority,
    WorkOrderStatus,
    WorkOrderType,
)

if TYPE_CHECKING:
    import random
    from collections.abc import Sequence
    from datetime import datetime

    from ironbridge.connectors.sandbox.values import Clock
    from ironbridge.models import Asset, InventoryItem, Location

E = TypeVar("E", bound=StrEnum)
W = WorkOrderStatus
P = ProductionOrderStatus
WORK_ORDERS = 180
PRODUCTION_ORDERS = 72

# status → (share, created from .. to days ago, how far towards now it was last updated)
_WO_PROFILE: dict[WorkOrderStatus, tuple[int, float, float, float]] = {
    W.REQUESTED: (8, 0.0, 10.0, 0.3),
    W.APPROVED: (8, 0.0, 15.0, 0.5),
    W.SCHEDULED: (14, 1.0, 30.0, 0.6),
    W.IN_PROGRESS: (10, 1.0, 20.0, 0.9),
    W.ON_HOLD: (6, 3.0, 40.0, 0.8),
    W.COMPLETED: (14, 2.0, 40.0, 0.9),
    W.CLOSED: (32, 10.0, 120.0, 0.95),
    W.CANCELLED: (5, 3.0, 120.0, 0.8),
}
WO_REMOTE_STATUS: dict[WorkOrderStatus, str] = {
    W.REQUESTED: "Work Request",
    W.APPROVED: "Approved",
    W.SCHEDULED: "Scheduled",
    W.IN_PROGRESS: "In Progress",
    W.ON_HOLD: "Waiting on Parts",
    W.COMPLETED: "Completed",
    W.CLOSED: "Closed",
    W.CANCELLED: "Cancelled",
}
_WO_STARTED = frozenset({W.IN_PROGRESS, W.ON_HOLD, W.COMPLETED, W.CLOSED})
_WO_FINISHED = frozenset({W.COMPLETED, W.CLOSED})
_WO_PRIORITY_WEIGHTS = (6, 20, 40, 24, 10)
_WO_TYPE_WEIGHTS = (30, 34, 8, 16, 6, 6)
_WO_TITLES: dict[WorkOrderType, tuple[str, ...]] = {
    WorkOrderType.CORRECTIVE: (
        "Repair hydraulic leak on {}",
        "Replace worn bearing on {}",
        "Abnormal noise reported on {}",
        "Fault alarm keeps tripping on {}",
    ),
    WorkOrderType.PREVENTIVE: (
        "Monthly PM - {}",
        "Quarterly lubrication - {}",
        "Replace filters - {}",
        "Annual overhaul - {}",
    ),
    WorkOrderType.PREDICTIVE: (
        "Vibration analysis route - {}",
        "Oil sample analysis - {}",
        "Thermography scan - {}",
    ),
    WorkOrderType.INSPECTION: (
        "Safety inspection - {}",
        "Guard and interlock check - {}",
        "Pre-audit inspection - {}",
    ),
    WorkOrderType.EMERGENCY: ("Breakdown: {} stopped", "Emergency repair - {}"),
    WorkOrderType.OTHER: ("5S clean-up - {}", "Install new workbench in {}", "Relocate rack in {}"),
}
_WO_NOTES: dict[WorkOrderType, str] = {
    WorkOrderType.CORRECTIVE: "Reported by the operator. Find the cause, repair, test run.",
    WorkOrderType.PREVENTIVE: "Per PM schedule. Follow the checklist and record the readings.",
    WorkOrderType.PREDICTIVE: "Condition monitoring route. Attach readings and trend.",
    WorkOrderType.INSPECTION: "Inspect per plant safety procedure; report every finding.",
    WorkOrderType.EMERGENCY: "Line down. Tell the shift supervisor when production restarts.",
    WorkOrderType.OTHER: "Facilities request.",
}
_WO_HOURS = (50, 100, 150, 200, 300, 400, 600, 800, 1200, 1600)

_PO_PROFILE: dict[ProductionOrderStatus, tuple[int, float, float, float]] = {
    P.PLANNED: (12, 0.0, 14.0, 0.3),
    P.RELEASED: (12, 1.0, 20.0, 0.5),
    P.IN_PROGRESS: (10, 1.0, 15.0, 0.9),
    P.COMPLETED: (14, 3.0, 40.0, 0.9),
    P.CLOSED: (36, 10.0, 120.0, 0.95),
    P.CANCELLED: (5, 3.0, 120.0, 0.7),
}
PRODUCTION_REMOTE_STATUS: dict[ProductionOrderStatus, str] = {
    P.PLANNED: "Planned",
    P.RELEASED: "Released",
    P.IN_PROGRESS: "Started",
    P.COMPLETED: "Completed",
    P.CLOSED: "Closed",
    P.CANCELLED: "Cancelled",
}
# which line builds which product family (by part number prefix)
_WORK_CENTER: dict[str, str] = {
    "FG-GBX": "LOC-1230",
    "FG-PMP": "LOC-2130",
    "FG-VLV": "LOC-1130",
    "FG-CNV": "LOC-1230",
    "FG-BRKT": "LOC-1140",
}


def _spread(rng: random.Random, values: Sequence[E], weights: Sequence[int], count: int) -> list[E]:
    """``count`` weighted draws, the first ones covering every value once, then shuffled."""
    drawn = rng.choices(list(values), weights, k=count)
    drawn[: len(values)] = list(values)[:count]
    rng.shuffle(drawn)
    return drawn


def _phases(rng: random.Random, created: datetime, updated: datetime) -> tuple[datetime, datetime]:
    """A start and a finish between ``created`` and ``updated``, in that order."""
    span = (updated - created).total_seconds()
    started = created + timedelta(seconds=int(span * rng.uniform(0.05, 0.5)))
    finish_span = (updated - started).total_seconds()
    finished = started + timedelta(seconds=int(finish_span * rng.uniform(0.3, 1.0)))
    return started, finished


def _priorities(rng: random.Random, kinds: Sequence[WorkOrderType]) -> list[WorkOrderPriority]:
    """Emergencies are urgent, routine work rarely is; every priority occurs at least once."""
    levels = list(WorkOrderPriority)
    priorities = [
        rng.choice((WorkOrderPriority.URGENT, WorkOrderPriority.URGENT, WorkOrderPriority.HIGH))
        if kind is WorkOrderType.EMERGENCY
        else rng.choices(levels, _WO_PRIORITY_WEIGHTS)[0]
        for kind in kinds
    ]
    routine = [i for i, kind in enumerate(kinds) if kind is not WorkOrderType.EMERGENCY]
    for level in levels:
        if level not in priorities and routine:
            priorities[routine.pop(rng.randrange(len(routine)))] = level
    return priorities


def _wo_times(
    rng: random.Random,
    status: WorkOrderStatus,
    *,
    urgent: bool,
    created: datetime,
    updated: datetime,
) -> tuple[datetime, datetime | None, datetime | None, datetime | None]:
    """(due, scheduled start, started, completed) as the status implies."""
    started = finished = scheduled = None
    if status in _WO_STARTED:
        started, finished = _phases(rng, created, updated)
        lead = (started - created).total_seconds()
        scheduled = created + timedelta(seconds=int(lead * rng.uniform(0.2, 0.9)))
    elif status is W.SCHEDULED:
        later = rng.randint(1800, 4 * 3600) if urgent else rng.randint(DAY // 2, 14 * DAY)
        scheduled = created + timedelta(seconds=later)
    slack = rng.randint(4 * 3600, DAY) if urgent else rng.randint(DAY, 14 * DAY)
    due = (scheduled or created) + timedelta(seconds=slack)
    return due, scheduled, started, finished if status in _WO_FINISHED else None


def work_orders(
    rng: random.Random,
    clock: Clock,
    assets: tuple[Asset, ...],
    locations: tuple[Location, ...],
    count: int = WORK_ORDERS,
) -> tuple[WorkOrder, ...]:
    serviceable = [
        a for a in assets if a.parent_remote_id and a.status is not AssetStatus.DECOMMISSIONED
    ]
    retired = [a for a in assets if a.status is AssetStatus.DECOMMISSIONED]
    areas = [loc for loc in locations if loc.type in (LocationType.AREA, LocationType.WAREHOUSE)]
    statuses = _spread(rng, list(_WO_PROFILE), [p[0] for p in _WO_PROFILE.values()], count)
    kinds = _spread(rng, list(WorkOrderType), _WO_TYPE_WEIGHTS, count)
    priorities = _priorities(rng, kinds)
    drafts: list[tuple[datetime, datetime, WorkOrderStatus, WorkOrderPriority, WorkOrderType]] = []
    for status, priority, kind in zip(statuses, priorities, kinds, strict=True):
        _, lo, hi, settle = _WO_PROFILE[status]
        created, updated = clock.stamps(rng, lo, hi, settle=settle)
        drafts.append((created, updated, status, priority, kind))
    drafts.sort(key=lambda draft: draft[0])
    records: list[WorkOrder] = []
    for seq, (created, updated, status, priority, kind) in enumerate(drafts, start=1):
        asset: Asset | None = None
        location_id: str | None
        if kind is WorkOrderType.OTHER:
            location = rng.choice(areas)
            subject, location_id = location.name, location.remote_id
        else:
            pool = (
                retired if status is W.CANCELLED and retired and rng.random() < 0.3 else serviceable
            )
            asset = rng.choice(pool)
            subject, location_id = asset.name, asset.location_remote_id
        urgent = kind is WorkOrderType.EMERGENCY
        due, scheduled, started, finished = _wo_times(
            rng, status, urgent=urgent, created=created, updated=updated
        )
        estimate = money(rng.choice(_WO_HOURS))
        actual = None
        if status in _WO_FINISHED:
            actual = money(int(rng.choice(_WO_HOURS) * rng.uniform(0.6, 1.5)) // 25 * 25 or 25)
        elif status in _WO_STARTED:
            actual = money(rng.choice(_WO_HOURS) // 2)
        work_order = WorkOrder(
            remote_id=f"WO-{seq:06d}",
            created_at=created,
            updated_at=updated,
            custom_fields={"costCenter": rng.choice(COST_CENTERS)} if rng.random() < 0.3 else {},
            number=str(40000 + seq),
            title=rng.choice(_WO_TITLES[kind]).format(subject),
            status=status,
            description=_WO_NOTES[kind] if rng.random() < 0.8 else None,
            remote_status=WO_REMOTE_STATUS[status],
            priority=priority,
            type=kind,
            asset_remote_id=asset.remote_id if asset else None,
            location_remote_id=location_id,
            assignee=None if status is W.REQUESTED else rng.choice(TECHNICIANS),
            due_at=due,
            scheduled_start_at=scheduled,
            started_at=started,
            completed_at=finished,
            estimated_hours=estimate,
            actual_hours=actual,
        )
        records.append(attach(work_order, work_order_payload))
    return tuple(records)


def production_orders(
    rng: random.Random,
    clock: Clock,
    items: tuple[InventoryItem, ...],
    count: int = PRODUCTION_ORDERS,
) -> tuple[ProductionOrder, ...]:
    products = [i for i in items if i.type is InventoryItemType.FINISHED_GOOD]
    current = [i for i in products if i.active]
    statuses = _spread(rng, list(_PO_PROFILE), [p[0] for p in _PO_PROFILE.values()], count)
    drafts: list[tuple[datetime, datetime, ProductionOrderStatus]] = []
    for status in statuses:
        _, lo, hi, settle = _PO_PROFILE[status]
        created, updated = clock.stamps(rng, lo, hi, settle=settle)
        drafts.append((created, updated, status))
    drafts.sort(key=lambda draft: draft[0])
    records: list[ProductionOrder] = []
    for seq, (created, updated, status) in enumerate(drafts, start=1):
        item = rng.choice(products if status in (P.CLOSED, P.CANCELLED) else current)
        lot = 5 * rng.randint(4, 60)
        planned_start = created + timedelta(seconds=rng.randint(DAY // 2, 10 * DAY))
        planned_end = planned_start + timedelta(seconds=rng.randint(DAY, 5 * DAY))
        actual_start = actual_end = None
        done = 0
        if status in (P.IN_PROGRESS, P.COMPLETED, P.CLOSED):
            actual_start, actual_end = _phases(rng, created, updated)
            done = (
                lot - rng.randint(0, 3) if status is not P.IN_PROGRESS else rng.randint(1, lot - 1)
            )
        prefix = "-".join(item.number.split("-")[:2])
        order = ProductionOrder(
            remote_id=f"MO-{seq:06d}",
            created_at=created,
            updated_at=updated,
            number=str(1_000_000 + seq),
            quantity_planned=whole(lot),
            status=status,
            item_remote_id=item.remote_id,
            quantity_completed=whole(done),
            unit_of_measure=item.unit_of_measure,
            remote_status=PRODUCTION_REMOTE_STATUS[status],
            planned_start_at=planned_start,
            planned_end_at=planned_end,
            actual_start_at=actual_start,
            actual_end_at=actual_end if status is not P.IN_PROGRESS else None,
            location_remote_id=_WORK_CENTER.get(prefix, "LOC-1230"),
        )
        records.append(attach(order, production_order_payload))
    return tuple(records)
