"""Settings, read once from ``IRONBRIDGE_*`` environment variables and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
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
    jobs: Literal["inprocess", "procrastinate"] = "inprocess"
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
    allow_private_networks: bool = Field(
        default=True,
        description="Allow instance URLs on private addresses (on-premise systems live there).",
    )

    @field_validator("encryption_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _split_list(value)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'ironbridge.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


__all__ = ["Settings"]
