"""Money, quantity and clock helpers shared by the sandbox dataset builders."""

from __future__ import annotations

import contextlib
import functools
import gc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random
    from collections.abc import Iterator

DAY = 86_400
WINDOW_DAYS = 120
# master data is touched within this many days: inside the default 90-day initial sync window
MASTER_TOUCHED_DAYS = 80


def money(cents: int) -> Decimal:
    """``1250`` → ``Decimal("12.50")``: two decimals, exact."""
    return Decimal(cents).scaleb(-2)


@functools.lru_cache(maxsize=16_384)
def whole(units: int) -> Decimal:
    """``12`` → ``Decimal("12.00")`` (cached: the same few quantities recur a lot)."""
    return Decimal(units * 100).scaleb(-2)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Build many small acyclic objects without the cyclic collector rescanning them.

    For a large dataset the collector would otherwise take a third of the time, finding nothing.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def default_now() -> datetime:
    """Today, midnight UTC: stable within a day, so the same seed gives the same dataset."""
    return start_of_day(datetime.now(UTC))


class Clock:
    """Timestamps relative to the dataset's ``now``: nothing after it, nothing much older
    than the window, and a few nightly batch runs that touch many records at the same instant.
    """

    __slots__ = ("batch_runs", "now")

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.now = now.astimezone(UTC)
        midnight = start_of_day(self.now)
        self.batch_runs: tuple[datetime, ...] = tuple(
            midnight - timedelta(days=days) + timedelta(hours=2) for days in (92, 61, 30, 8, 1)
        )

    def ago(self, seconds: int) -> datetime:
        return self.now - timedelta(seconds=seconds)

    def stamps(
        self, rng: random.Random, lo_days: float, hi_days: float, *, settle: float = 0.5
    ) -> tuple[datetime, datetime]:
        """``(created_at, updated_at)``: created ``lo_days``..``hi_days`` ago, updated between
        then and now, at most ``settle`` of the way.
        """
        created = rng.randint(int(lo_days * DAY), int(hi_days * DAY))
        updated = created - int(created * settle * rng.random())
        return self.ago(created), self.ago(updated)

    def master_stamps(self, rng: random.Random) -> tuple[datetime, datetime]:
        """``(created_at, updated_at)`` of master data: set up 60 days ago or earlier, and
        touched since, recently enough for an initial sync with the default lookback to see it.
        """
        created = rng.randint(60 * DAY, WINDOW_DAYS * DAY)
        updated = int(min(created, MASTER_TOUCHED_DAYS * DAY) * rng.random())
        return self.ago(created), self.ago(updated)

    def batch_run_after(self, moment: datetime) -> datetime | None:
        """The first nightly batch run at or after ``moment`` (and not after now), if any."""
        for run in self.batch_runs:
            if moment <= run <= self.now:
                return run
        return None


__all__ = [
    "DAY",
    "MASTER_TOUCHED_DAYS",
    "WINDOW_DAYS",
    "Clock",
    "collector_paused",
    "default_now",
    "money",
    "start_of_day",
    "whole",
]
