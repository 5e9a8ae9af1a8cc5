"""The composition root: ``create_app(settings)`` wires every part; the lifespan owns them."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from ironbridge.cache import create_cache
from ironbridge.connectors.registry import ConnectorRegistry
from ironbridge.events.dispatcher import WebhookDispatcher
from ironbridge.jobs.factory import create_bus, open_runner, scale_out
from ironbridge.observability import Metrics
from ironbridge.ratelimit import create_limiter
from ironbridge.schema.build import build_schema
from ironbridge.security.secretbox import SecretBox, load_or_create_key_file
from ironbridge.services import Services
from ironbridge.settings import Settings
from ironbridge.store.engine import create_engine, migrate
from ironbridge.sync.engine import SyncEngine
from ironbridge.sync.scheduler import Scheduler
from ironbridge.web.graphql_view import AuthenticatedGraphQL, GraphQLView
from ironbridge.web.middleware import (
    BodySizeLimitMiddleware,
    MetricsMiddleware,
    RequestIdMiddleware,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request


def make_secretbox(settings: Settings) -> SecretBox:
    keys = [k.get_secret_value() for k in settings.encryption_keys]
    if not keys:
        keys = [load_or_create_key_file(settings.data_dir / "encryption.key")]
    return SecretBox(keys)


def create_services(settings: Settings) -> Services:
    return Services(
        settings=settings,
        engine=create_engine(settings.resolved_database_url),
        registry=ConnectorRegistry.default(),
        secretbox=make_secretbox(settings),
        metrics=Metrics(),
        bus=create_bus(settings),
        cache=create_cache(settings.redis_url),
        limiter=create_limiter(settings.redis_url),
    )


def start_dispatcher(services: Services) -> WebhookDispatcher:
    """The webhook dispatcher of this process, made on first use and started."""
    if services.dispatcher is None:
        services.dispatcher = WebhookDispatcher(
            services.engine,
            services.secretbox,
            services.metrics,
            bus=services.bus,
            allow_private=services.settings.allow_private_networks,
        )
    services.dispatcher.start()
    return services.dispatcher


async def close_services(services: Services) -> None:
    """Close what ``create_services`` opened, and the dispatcher if one was started."""
    if services.dispatcher is not None:
        await services.dispatcher.aclose()
        services.dispatcher = None
    await services.bus.aclose()
    await services.cache.aclose()
    await services.limiter.aclose()
    await services.engine.dispose()


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> Starlette:
    settings = settings or Settings()
    services = services or create_services(settings)
    view = GraphQLView(build_schema(settings), services)
    graphql = AuthenticatedGraphQL(view)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            async with services.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["store"] = "ok"
        except Exception as exc:  # any failure means not ready; say which part
            checks["store"] = f"unavailable: {type(exc).__name__}"
        # the cache degrades to misses, so its outage is reported but does not fail readiness
        checks["cache"] = "ok" if await services.cache.ping() else "degraded"
        # a bus reconnecting after a Redis restart: this process misses other processes' events
        checks["bus"] = "ok" if services.bus.connected else "degraded"
        ready = checks["store"] == "ok"
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await migrate(services.engine, jobs=scale_out(settings))
        await services.bus.start()
        start_dispatcher(services)
        sync_engine = services.sync_engine or SyncEngine(services)
        if not scale_out(settings):
            # scale-out: workers fail a dead worker's runs per connection, under its lock
            await sync_engine.recover()
        runner = await open_runner(settings, sync_engine)
        scheduler = Scheduler(
            services, runner, clock=sync_engine.clock, tick=settings.scheduler_tick_seconds
        )
        services.sync_engine, services.jobs = sync_engine, runner
        services.on_connected = scheduler.on_connected
        services.on_disconnected = scheduler.on_disconnected
        if not scale_out(settings):  # scale-out: the workers' periodic tick schedules
            scheduler.start()
        try:
            yield
        finally:
            await scheduler.aclose()
            await runner.aclose()
            services.on_connected = services.on_disconnected = None
            services.jobs = None
            await close_services(services)

    from ironbridge.web.graphiql import graphiql_static_files
    from ironbridge.web.pages import page_routes

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Mount("/static/graphiql", app=graphiql_static_files(), name="graphiql"),
        *page_routes(services),
    ]
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(MetricsMiddleware, metrics=services.metrics),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.services = services
    return app


__all__ = ["create_app", "create_services", "make_secretbox"]
