"""The ``ironbridge`` command: serve, demo, migrate, admin keys, the catalog, the schema."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from ironbridge.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
admin_key_app = typer.Typer(no_args_is_help=True, help="Admin keys.")
app.add_typer(admin_key_app, name="admin-key")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Overrides IRONBRIDGE_DATA_DIR.", show_default=False),
]


def _settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)  # type: ignore[arg-type]


def _serve(settings: Settings) -> None:
    from ironbridge.app import create_app
    from ironbridge.observability import configure_logging

    configure_logging(fmt=settings.log_format, level=settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        proxy_headers=True,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides IRONBRIDGE_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides IRONBRIDGE_PORT.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the gateway."""
    _serve(_settings(data_dir, host=host, port=port))


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="Overrides IRONBRIDGE_PORT.")] = None,
    data_dir: DataDir = None,
    records: Annotated[int, typer.Option(help="How many sample purchase orders.")] = 240,
) -> None:
    """Run the gateway on the embedded default with a sandbox connection full of sample data."""
    from ironbridge.app import create_services
    from ironbridge.demo import seed_demo
    from ironbridge.store.engine import migrate

    settings = _settings(data_dir, port=port)

    async def prepare() -> tuple[str, str, str, int]:
        services = create_services(settings)
        try:
            await migrate(services.engine)
            info = await seed_demo(services, records=records)
        finally:
            await services.engine.dispose()
        return info.admin_key, info.connection_id, info.connection_token, info.records

    admin_key, connection_id, token, count = asyncio.run(prepare())
    url = f"http://{settings.host}:{settings.port}/graphql"
    query = (
        "{ connection { purchaseOrders(first: 3) { nodes { number status vendor { name } } } } }"
    )
    typer.echo(
        f"""
Ironbridge demo: {count} sample records in a sandbox connection.

  GraphiQL:          {url}
  Admin key:         {admin_key}
  Connection id:     {connection_id}
  Connection token:  {token}

Try it:
  curl -s {url} -H 'Authorization: Bearer {token}' \\
    -H 'Content-Type: application/json' \\
    -d '{json.dumps({"query": query})}'
"""
    )
    _serve(settings)


@app.command("migrate")
def migrate_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    data_dir: DataDir = None,
) -> None:
    """Apply the database migrations."""
    from ironbridge.jobs.factory import scale_out
    from ironbridge.store.engine import create_engine, migrate

    settings = _settings(data_dir)

    async def run() -> None:
        engine = create_engine(settings.resolved_database_url)
        try:
            await migrate(engine, revision, jobs=scale_out(settings))
        finally:
            await engine.dispose()

    asyncio.run(run())
    typer.echo(f"database at {revision}")


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Overrides IRONBRIDGE_WORKER_CONCURRENCY.", min=1)
    ] = None,
) -> None:
    """Run a sync worker (IRONBRIDGE_JOBS=procrastinate): syncs, schedule, webhooks."""
    from ironbridge.jobs.factory import scale_out
    from ironbridge.jobs.worker import run_worker
    from ironbridge.observability import configure_logging

    settings = _settings()
    if not scale_out(settings):
        typer.echo("the worker needs IRONBRIDGE_JOBS=procrastinate", err=True)
        raise typer.Exit(2)
    configure_logging(fmt=settings.log_format, level=settings.log_level)
    asyncio.run(run_worker(settings, concurrency=concurrency))


@admin_key_app.command("create")
def admin_key_create(
    name: Annotated[str | None, typer.Option(help="A label to recognise the key by.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create an admin key; it is printed once and only its hash is kept."""
    from ironbridge.app import create_services
    from ironbridge.demo import create_admin_key
    from ironbridge.store.engine import migrate

    settings = _settings(data_dir)

    async def run() -> str:
        services = create_services(settings)
        try:
            await migrate(services.engine)
            return await create_admin_key(services, name=name)
        finally:
            await services.engine.dispose()

    typer.echo(asyncio.run(run()))


@app.command("rotate-keys")
def rotate_keys_command(data_dir: DataDir = None) -> None:
    """Re-encrypt every stored secret under the newest key of IRONBRIDGE_ENCRYPTION_KEYS."""
    from ironbridge.app import make_secretbox
    from ironbridge.security.rotation import rotate_keys
    from ironbridge.store.engine import create_engine, migrate

    settings = _settings(data_dir)

    async def run() -> dict[str, int]:
        engine = create_engine(settings.resolved_database_url)
        try:
            await migrate(engine)
            return await rotate_keys(engine, make_secretbox(settings))
        finally:
            await engine.dispose()

    counts = asyncio.run(run())
    typer.echo(
        f"re-encrypted {counts['credentials']} connection credentials and "
        f"{counts['webhook_secrets']} webhook secrets under the newest key"
    )


@app.command()
def systems(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """List the systems that can be connected."""
    from ironbridge.connectors.registry import ConnectorRegistry

    registry = ConnectorRegistry.default()
    rows: list[dict[str, Any]] = [
        {
            "key": c.system.key,
            "name": c.system.name,
            "categories": [x.value for x in c.system.categories],
            "auth": c.system.auth_method.value,
            "credits": c.system.credit_cost,
            "entities": [e.value for e in c.entities],
        }
        for c in registry.all()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(
            f"{row['key']:<14} {row['name']:<28} {','.join(row['categories']):<14} "
            f"{row['auth']:<28} credits={row['credits']}"
        )


@app.command()
def emulator(
    system: Annotated[str, typer.Argument(help="The system key, e.g. sap-s4hana.")],
    port: Annotated[int, typer.Option(help="Port to listen on (127.0.0.1).")] = 8900,
    records: Annotated[int | None, typer.Option(help="How many purchase orders.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Run a system's emulator; print, as one JSON line, the instance URL and credentials."""
    from ironbridge.emulators.server import EMULATORS, announcement, create_emulator, run_emulator

    if system not in EMULATORS:
        typer.echo(f"no emulator for {system!r}; known: {', '.join(sorted(EMULATORS))}", err=True)
        raise typer.Exit(2)
    options = {} if records is None else {"records": records}
    emulator_app = create_emulator(system, **options)
    typer.echo(announcement(emulator_app, host=host, port=port))
    run_emulator(emulator_app, host=host, port=port)


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from ironbridge.schema.build import build_schema

    typer.echo(str(build_schema(Settings())))


def main() -> None:
    app()


__all__ = ["app", "main"]
