"""The one place settings pick the implementations: embedded (memory bus, jobs in the gateway)
or scale-out (Redis bus, procrastinate jobs in workers). Everything else is one code path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ironbridge.events.bus import EventBus, MemoryBus
from ironbridge.sync.runner import InProcessRunner, JobRunner

if TYPE_CHECKING:
    from ironbridge.settings import Settings
    from ironbridge.sync.engine import SyncEngine


def create_bus(settings: Settings) -> EventBus:
    """Redis pub/sub when ``IRONBRIDGE_REDIS_URL`` is set, otherwise in memory."""
    if settings.redis_url:
        from ironbridge.events.redis_bus import RedisBus

        return RedisBus(settings.redis_url)
    return MemoryBus()


def scale_out(settings: Settings) -> bool:
    """Whether sync jobs go to worker processes (``IRONBRIDGE_JOBS=procrastinate``)."""
    return settings.jobs == "procrastinate"


async def open_runner(settings: Settings, sync_engine: SyncEngine) -> JobRunner:
    """The started job runner of a gateway: in-process, or a client of the shared queue."""
    runner: JobRunner
    if scale_out(settings):
        from ironbridge.jobs.queue import create_queue
        from ironbridge.jobs.runner import ProcrastinateRunner

        queue = create_queue(
            settings.resolved_database_url, tick_seconds=settings.scheduler_tick_seconds
        )
        procrastinate = ProcrastinateRunner(queue)
        await procrastinate.open()
        runner = procrastinate
    else:
        runner = InProcessRunner(sync_engine.run)
    runner.start()
    return runner


__all__ = ["create_bus", "open_runner", "scale_out"]
