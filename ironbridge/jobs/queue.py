"""The job queue: procrastinate on the store's PostgreSQL, and the tasks gateways and workers
share. Gateways only defer; ``ironbridge worker`` processes run the jobs.

One running and at most one waiting sync per connection: every sync job carries
``lock=sync:<id>`` (procrastinate runs jobs sharing a lock one at a time) and
``queueing_lock=sync:<id>`` (a second waiting job is refused with ``AlreadyEnqueued``).
The scheduler's tick is a periodic task: every worker offers each tick, the database keeps one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procrastinate import App, PsycopgConnector
from sqlalchemy import make_url

from ironbridge.models import EntityType, SyncMode, SyncTrigger
from ironbridge.sync.runner import SyncRequest

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

QUEUE = "ironbridge"
SYNC_TASK = "ironbridge.sync"
TICK_TASK = "ironbridge.scheduler_tick"
TICK_LOCK = "scheduler-tick"


def lock_of(connection_id: int) -> str:
    """The lock and queueing lock of a connection's sync jobs."""
    return f"sync:{connection_id}"


def conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy one (``postgresql+asyncpg://...`` -> ``postgresql://...``)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the job queue needs a PostgreSQL database URL")
    rendered: str = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return rendered


def tick_cron(seconds: int) -> str:
    """A cron (with croniter's seconds field) firing every ``seconds`` seconds."""
    if not 1 <= seconds <= 60:
        raise ValueError("the scheduler tick must be 1 to 60 seconds")
    return "* * * * *" if seconds == 60 else f"* * * * * */{seconds}"


@dataclass(slots=True)
class Handlers:
    """What a worker does with each job; gateways leave them unset (they only defer)."""

    # the request, and whether the scheduler queued it (it runs only if still due)
    sync: Callable[[SyncRequest, bool], Awaitable[object]] | None = None
    tick: Callable[[], Awaitable[object]] | None = None


def request_of(kwargs: dict[str, Any]) -> SyncRequest:
    entities = kwargs.get("entities")
    return SyncRequest(
        connection_id=int(kwargs["connection_id"]),
        mode=SyncMode(kwargs["mode"]),
        trigger=SyncTrigger(kwargs["trigger"]),
        entities=tuple(EntityType(e) for e in entities) if entities is not None else None,
        run_id=kwargs.get("run_id"),
    )


def create_queue(
    database_url: str,
    *,
    handlers: Handlers | None = None,
    tick_seconds: int = 15,
    pool_size: int = 4,
) -> App:
    """The procrastinate app on ``database_url`` with Ironbridge's tasks registered."""
    wired = handlers or Handlers()
    app = App(
        connector=PsycopgConnector(
            conninfo=conninfo(database_url), min_size=1, max_size=max(pool_size, 2)
        )
    )

    @app.task(name=SYNC_TASK, queue=QUEUE)
    async def sync(**kwargs: Any) -> None:
        if wired.sync is None:
            raise RuntimeError("this process runs no sync jobs")
        await wired.sync(request_of(kwargs), bool(kwargs.get("scheduled", False)))

    @app.periodic(cron=tick_cron(tick_seconds), periodic_id="scheduler")
    @app.task(name=TICK_TASK, queue=QUEUE, queueing_lock=TICK_LOCK)
    async def tick(timestamp: int) -> None:
        if wired.tick is None:
            raise RuntimeError("this process runs no scheduler ticks")
        await wired.tick()

    return app


__all__ = [
    "QUEUE",
    "SYNC_TASK",
    "TICK_LOCK",
    "TICK_TASK",
    "Handlers",
    "conninfo",
    "create_queue",
    "lock_of",
    "request_of",
    "tick_cron",
]
