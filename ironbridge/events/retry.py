"""When to try a webhook delivery again: the Standard Webhooks schedule, jitter, Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

# the wait before each attempt; the first is immediate, the last about three days in
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_RETRY_AFTER = timedelta(hours=24)
THROTTLE_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """The schedule with ±``jitter`` applied; ``max_attempts`` is the schedule's length."""

    schedule: Sequence[timedelta] = RETRY_SCHEDULE
    jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random)

    @property
    def max_attempts(self) -> int:
        return len(self.schedule)

    def next_delay(
        self, attempts: int, *, retry_after: timedelta | None = None
    ) -> timedelta | None:
        """The wait after ``attempts`` failed attempts; ``None`` once the schedule is spent."""
        if attempts >= len(self.schedule):
            return None
        base = self.schedule[attempts]
        delay = base * self.rng.uniform(1 - self.jitter, 1 + self.jitter)
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
        return delay


def parse_retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a wait, ``None`` when unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


__all__ = [
    "MAX_RETRY_AFTER",
    "RETRY_SCHEDULE",
    "THROTTLE_STATUSES",
    "RetryPolicy",
    "parse_retry_after",
]
