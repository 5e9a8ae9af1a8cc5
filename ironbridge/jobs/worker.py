"""``ironbridge worker``: runs sync jobs, the scheduler's tick and webhook deliveries.

Any number of workers share one queue (the store's PostgreSQL). Each beats a heartbeat; the
jobs of a worker that stops beating (killed, lost) are put back in the queue by the others and
resume from the stored checkpoints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from typing import TYPE_CHECKING

import structlog
from procrastinate import jobs as procrastinate_jobs
from procrastinate.exceptions import ProcrastinateException

from ironbridge.jobs import recovery
from ironbridge.jobs.queue import QUEUE, Handlers, create_queue
from ironbridge.jobs.runner import ProcrastinateRunner

if TYPE_CHECKING:
    from procrastinate import App

    from ironbridge.services import Services
    from ironbridge.settings import Settings
    from ironbridge.sync.engine import SyncEngine
    from ironbridge.sync.runner import SyncRequest

log = structlog.get_logger(__name__)

# missed heartbeats after which a worker's jobs are taken over
STALLED_AFTER_BEATS = 3
# seconds a stopping worker lets running syncs finish before cancelling them (they resume)
SHUTDOWN_GRACE = 10.0


async def retry_stalled(app: App, seconds_since_heartbeat: float) -> list[int]:
    """Put the jobs of workers that stopped beating back in the queue; returns their ids.

    A stalled sync whose connection already has a waiting job cannot go back (one waiting job
    per connection): it is failed instead, and the waiting job resumes from the checkpoint.
    """
    manager = app.job_manager
    taken: list[int] = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        assert job.id is not None
        try:
            await manager.retry_job(job)
        except ProcrastinateException:
            with contextlib.suppress(ProcrastinateException):
                await manager.finish_job_by_id_async(
                    job.id, status=procrastinate_jobs.Status.FAILED, delete_job=False
                )
            continue
        log.warning("jobs.stalled_job_retried", job_id=job.id, task=job.task_name)
        taken.append(job.id)
    return taken


def sync_handler(services: Services, engine: SyncEngine) -> Handlers:
    async def run(request: SyncRequest, scheduled: bool) -> None:
        # this job holds the connection's lock: no other sync of it runs anywhere
        now = engine.clock()
        await recovery.fail_interrupted(
            services.engine, request.connection_id, keep=request.run_id, now=now
        )
        if scheduled and not await recovery.still_due(services.engine, request.connection_id, now):
            return  # a run ended after the scheduler saw the connection due: nothing to do
        await engine.run(request)

    return Handlers(sync=run)


async def run_worker(settings: Settings, *, concurrency: int | None = None) -> None:
    """Run until SIGINT/SIGTERM: sync jobs, the scheduler's tick, webhook deliveries."""
    from ironbridge.app import close_services, create_services, start_dispatcher
    from ironbridge.store.engine import migrate
    from ironbridge.sync.engine import SyncEngine
    from ironbridge.sync.scheduler import Scheduler

    services = create_services(settings)
    if settings.auto_migrate:
        await migrate(services.engine, jobs=True)
    await services.bus.start()
    start_dispatcher(services)
    engine = SyncEngine(services)
    handlers = sync_handler(services, engine)
    concurrency = concurrency or settings.worker_concurrency
    app = create_queue(
        settings.resolved_database_url,
        handlers=handlers,
        tick_seconds=settings.scheduler_tick_seconds,
        pool_size=concurrency + 3,
    )
    beat = settings.worker_heartbeat_seconds
    stalled = beat * STALLED_AFTER_BEATS
    sweeper: asyncio.Task[None] | None = None
    try:
        async with app.open_async():
            runner = ProcrastinateRunner(app, owns_app=False)
            runner.start()
            scheduler = Scheduler(services, runner, clock=engine.clock)
            services.sync_engine, services.jobs = engine, runner
            services.on_connected = scheduler.on_connected
            services.on_disconnected = scheduler.on_disconnected
            handlers.tick = scheduler.tick

            async def sweep() -> None:
                while True:
                    try:
                        await retry_stalled(app, stalled)
                    except Exception:  # a failed sweep is logged; the next one tries again
                        log.exception("jobs.stalled_sweep_failed")
                    await asyncio.sleep(beat)

            sweeper = asyncio.create_task(sweep(), name="stalled-jobs")
            log.info("worker.started", pid=os.getpid(), concurrency=concurrency)
            await app.run_worker_async(
                queues=[QUEUE],
                name=f"ironbridge-{socket.gethostname()}-{os.getpid()}",
                concurrency=concurrency,
                update_heartbeat_interval=beat,
                stalled_worker_timeout=stalled,
                abort_job_polling_interval=1.0,
                shutdown_graceful_timeout=SHUTDOWN_GRACE,
                install_signal_handlers=True,
            )
            await runner.aclose()
    finally:
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        services.jobs = services.sync_engine = None
        await close_services(services)
        log.info("worker.stopped", pid=os.getpid())


__all__ = ["SHUTDOWN_GRACE", "STALLED_AFTER_BEATS", "retry_stalled", "run_worker", "sync_handler"]
