"""What a worker checks before a sync job, while it holds the connection's lock.

The lock means no other sync of the connection runs anywhere, so a run still in progress that
no waiting job will continue was left by a worker that died (or a deferral that failed): it is
failed here, per connection, instead of by a start-up sweep that cannot tell a dead worker's
runs from a live one's. The job then resumes from the stored checkpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select, text

from ironbridge.jobs.queue import lock_of
from ironbridge.store.tables import connection_sync, connections
from ironbridge.sync import state
from ironbridge.sync.scheduler import SCHEDULED_STATUSES

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncEngine

_WAITING_RUNS = text(
    "SELECT (args->>'run_id')::bigint FROM procrastinate_jobs "
    "WHERE lock = :lock AND status = 'todo' AND args->>'run_id' IS NOT NULL"
)


async def fail_interrupted(
    engine: AsyncEngine, connection_id: int, *, keep: int | None, now: datetime
) -> list[int]:
    """Fail the connection's runs left in progress, but ``keep`` and those jobs still wait for."""
    async with state.writing(engine) as conn:
        found = await conn.execute(_WAITING_RUNS, {"lock": lock_of(connection_id)})
        waiting = {int(r) for r in found.scalars()}
        spared = waiting | ({keep} if keep is not None else set())
        return await state.fail_abandoned_runs(
            conn, now=now, connection_id=connection_id, spare=spared
        )


async def still_due(engine: AsyncEngine, connection_id: int, now: datetime) -> bool:
    """Whether the connection is still due, as the scheduler decides it; a scheduled job that
    waited while another run ended (and set the next time) finds it is not."""
    c, s = connections.c, connection_sync.c
    stmt = (
        select(c.id)
        .select_from(connections.outerjoin(connection_sync, s.connection_id == c.id))
        .where(
            c.id == connection_id,
            c.status.in_(SCHEDULED_STATUSES),
            c.sync_paused.is_(False),
            or_(s.next_scheduled_sync_at.is_(None), s.next_scheduled_sync_at <= now),
            or_(s.backoff_until.is_(None), s.backoff_until <= now),
        )
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).first() is not None


__all__ = ["fail_interrupted", "still_due"]
