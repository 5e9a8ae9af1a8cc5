"""Settings, read once from ``IRONBRIDGE_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Everything configurable. Defaults give the embedded mode: one process, one SQLite file."""

    model_config = SettingsConfigDict(
        env_prefix="IRONBRIDGE_", env_file=None, extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=Path("./.ironbridge"), description="Where the embedded mode keeps its files."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL. Unset: a SQLite file in the data dir. "
        "Scale-out: postgresql+asyncpg://...",
    )
    redis_url: str | None = Field(default=None, description="Unset: cache and events in memory.")
    jobs: Literal["inprocess", "procrastinate"] = Field(
        default="inprocess",
        description="Where syncs run: in the gateway, or in `ironbridge worker` processes "
        "(procrastinate on the PostgreSQL store).",
    )
    scheduler_tick_seconds: int = Field(
        default=15, ge=1, le=60, description="How often due syncs are looked for."
    )
    worker_concurrency: int = Field(default=4, ge=1, description="Jobs one worker runs at once.")
    worker_heartbeat_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A worker's heartbeat; its jobs are taken over after three missed beats.",
    )
    auto_migrate: bool = Field(default=True, description="Apply migrations at start-up.")

    # Fernet keys, newest first. Unset: a key file in the data dir, made on first run (mode 0600).
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(default=None, description="Base URL users reach us at.")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_format: Literal["console", "json"] = "console"
    log_level: str = "info"
    graphiql: bool = True

    # limits
    max_page_size: int = 500
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_body_bytes: int = 1_000_000
    connection_credits: int = 25
    connect_check_timeout: float = Field(
        default=20.0, description="Seconds a system may take to answer the connect check."
    )
    connect_session_minutes: int = Field(default=30, description="Lifetime of a connect session.")
    connect_frame_ancestors: str = Field(
        default="*",
        description="CSP frame-ancestors of the connect page: the origins that may embed it.",
    )
    # Ironbridge's own limit per credential (admin key or connection token), on /graphql
    rate_limit_per_minute: int = Field(
        default=1200, ge=0, description="Requests per minute per credential; 0 turns it off."
    )
    rate_limit_burst: int = Field(default=120, ge=1, description="Requests allowed at once.")
    # the request budget per connection, shared by syncs, live reads and writes
    upstream_requests_per_minute: float = Field(
        default=1200, gt=0, description="Requests per minute sent to one connected system."
    )
    upstream_burst: int = Field(default=120, ge=1, description="Upstream requests at once.")
    upstream_max_wait: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a request may queue for the budget before RATE_LIMITED.",
    )
    # live reads (live: true)
    live_cache_ttl: float = Field(
        default=15.0, gt=0, description="Seconds a live read is answered from the cache."
    )
    live_max_records: int = Field(
        default=5000,
        ge=1,
        description="Records a live list read may fetch from the system to catch up.",
    )
    allow_private_networks: bool = Field(
        default=True,
        description="Allow instance URLs on private addresses (on-premise systems live there).",
    )

    @field_validator("encryption_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _split_list(value)

    @model_validator(mode="after")
    def _jobs_need_postgres(self) -> Settings:
        if self.jobs == "procrastinate" and self.is_sqlite:
            raise ValueError("IRONBRIDGE_JOBS=procrastinate needs a postgresql+ DATABASE_URL")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ironbridge.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


__all__ = ["Settings"]
