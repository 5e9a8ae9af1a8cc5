"""The store's tables (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Every entity table has typed columns for the unified fields, the record columns shared by all
entities, and ``(connection_id, remote_id)`` unique. References between records are kept as the
system's ids (``*_remote_id``) and resolved within the same connection at read time, so records
may arrive in any order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ironbridge.models import EntityType
from ironbridge.store.types import ExactDecimal, JSONType, UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Mapping

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite
PK = BigInteger().with_variant(Integer(), "sqlite")


def _pk() -> Column[int]:
    return Column("id", PK, primary_key=True, autoincrement=True)


def _connection_fk() -> Column[int]:
    return Column(
        "connection_id", PK, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )


connections = Table(
    "connections",
    metadata,
    _pk(),
    Column("system_key", String(64), nullable=False),
    Column("instance_url", Text, nullable=False),
    Column("display_name", String(200)),
    Column("sandbox", Boolean, nullable=False, default=False),
    Column("status", String(32), nullable=False),
    Column("status_reason", Text),
    Column("status_changed_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disconnected_at", UTCDateTime),
    Column("credits_used", Integer, nullable=False, default=0),
    Column("options", JSONType, nullable=False, default=dict),
    Column("end_user_id", String(200)),
    # sync settings
    Column("sync_interval_minutes", Integer, nullable=False, default=15),
    Column("sync_initial_lookback_days", Integer, nullable=False, default=90),
    Column("sync_entities", JSONType, nullable=False, default=list),
    Column("sync_paused", Boolean, nullable=False, default=False),
    # bumped by every committed sync page and write; part of every cache key
    Column("data_version", BigInteger, nullable=False, default=0),
    Index(None, "status"),
)

credentials = Table(
    "credentials",
    metadata,
    Column(
        "connection_id",
        PK,
        ForeignKey("connections.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("ciphertext", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    _pk(),
    Column("kind", String(24), nullable=False),  # admin | connection | connect_session
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("display_prefix", String(32), nullable=False),  # e.g. ib_conn_…a1b2
    Column("name", String(200)),
    Column("connection_id", PK, ForeignKey("connections.id", ondelete="CASCADE")),
    Column("scope", JSONType, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("used_at", UTCDateTime),
    Column("last_used_at", UTCDateTime),
    Index(None, "connection_id"),
)


def _record_columns() -> list[Column[Any]]:
    """The columns every synced record has."""
    return [
        _pk(),
        _connection_fk(),
        Column("remote_id", String(200), nullable=False),
        Column("remote_created_at", UTCDateTime),
        Column("remote_updated_at", UTCDateTime),
        Column("synced_at", UTCDateTime, nullable=False),
        # remote_updated_at, or synced_at when the system gives none: the default sort key
        Column("changed_at", UTCDateTime, nullable=False),
        Column("deleted_at", UTCDateTime),
        Column("custom_fields", JSONType, nullable=False, default=dict),
        Column("remote_data", JSONType),
        # the run that last saw the record, for mark-and-sweep in FULL mode
        Column("seen_run_id", PK),
    ]


def _record_table(name: str, *columns: Column[Any] | Index) -> Table:
    table = Table(name, metadata, *_record_columns(), *columns)
    table.append_constraint(UniqueConstraint("connection_id", "remote_id"))
    Index(f"ix_{name}_conn_changed", table.c.connection_id, table.c.changed_at, table.c.id)
    return table


_ADDRESS = ("address_line1", "address_line2", "address_city", "address_region",
            "address_postal_code", "address_country")  # fmt: skip


def _address_columns() -> list[Column[Any]]:
    return [Column(name, String(200)) for name in _ADDRESS]


purchase_orders = _record_table(
    "purchase_orders",
    Column("number", String(100), nullable=False),
    Column("status", String(32), nullable=False),
    Column("remote_status", String(100)),
    Column("vendor_remote_id", String(200)),
    Column("order_date", Date),
    Column("expected_delivery_date", Date),
    Column("currency", String(8)),
    Column("total_amount", ExactDecimal),
    Column("description", Text),
    Column("ship_to_remote_id", String(200)),
    Column("version", String(200)),  # the system's ETag or version stamp, for writes
    Index(None, "connection_id", "vendor_remote_id"),
    Index(None, "connection_id", "status"),
    Index(None, "connection_id", "number"),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    _pk(),
    Column(
        "purchase_order_id",
        PK,
        ForeignKey("purchase_orders.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _connection_fk(),
    Column("position", Integer, nullable=False),
    Column("line_number", String(50), nullable=False),
    Column("item_remote_id", String(200)),
    Column("description", Text),
    Column("quantity", ExactDecimal, nullable=False),
    Column("quantity_received", ExactDecimal),
    Column("unit_of_measure", String(20)),
    Column("unit_price", ExactDecimal),
    Column("amount", ExactDecimal),
    Column("expected_delivery_date", Date),
    Index(None, "purchase_order_id", "position"),
)

work_orders = _record_table(
    "work_orders",
    Column("number", String(100), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text),
    Column("status", String(32), nullable=False),
    Column("remote_status", String(100)),
    Column("priority", String(16)),
    Column("type", String(16)),
    Column("asset_remote_id", String(200)),
    Column("location_remote_id", String(200)),
    Column("assignee", String(200)),
    Column("due_at", UTCDateTime),
    Column("scheduled_start_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("completed_at", UTCDateTime),
    Column("estimated_hours", ExactDecimal),
    Column("actual_hours", ExactDecimal),
    Column("version", String(200)),
    Index(None, "connection_id", "asset_remote_id"),
    Index(None, "connection_id", "status"),
    Index(None, "connection_id", "number"),
)

assets = _record_table(
    "assets",
    Column("name", Text, nullable=False),
    Column("tag", String(100)),
    Column("description", Text),
    Column("serial_number", String(100)),
    Column("manufacturer", String(200)),
    Column("model", String(200)),
    Column("status", String(32), nullable=False),
    Column("criticality", String(50)),
    Column("location_remote_id", String(200)),
    Column("parent_remote_id", String(200)),
    Column("installed_at", Date),
)

inventory_items = _record_table(
    "inventory_items",
    Column("number", String(100), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("type", String(32)),
    Column("unit_of_measure", String(20)),
    Column("unit_cost", ExactDecimal),
    Column("currency", String(8)),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", String(200)),
    Index(None, "connection_id", "number"),
)

stock_levels = _record_table(
    "stock_levels",
    Column("item_remote_id", String(200)),
    Column("location_remote_id", String(200)),
    Column("quantity_on_hand", ExactDecimal, nullable=False),
    Column("quantity_available", ExactDecimal),
    Column("quantity_reserved", ExactDecimal),
    Column("quantity_on_order", ExactDecimal),
    Column("reorder_point", ExactDecimal),
    Column("unit_of_measure", String(20)),
    Index(None, "connection_id", "item_remote_id"),
)

vendors = _record_table(
    "vendors",
    Column("name", Text, nullable=False),
    Column("code", String(100)),
    Column("email", String(320)),
    Column("phone", String(64)),
    *_address_columns(),
    Column("currency", String(8)),
    Column("tax_id", String(64)),
    Column("status", String(32), nullable=False),
)

locations = _record_table(
    "locations",
    Column("name", Text, nullable=False),
    Column("code", String(100)),
    Column("type", String(32)),
    Column("parent_remote_id", String(200)),
    *_address_columns(),
)

production_orders = _record_table(
    "production_orders",
    Column("number", String(100), nullable=False),
    Column("item_remote_id", String(200)),
    Column("quantity_planned", ExactDecimal, nullable=False),
    Column("quantity_completed", ExactDecimal),
    Column("unit_of_measure", String(20)),
    Column("status", String(32), nullable=False),
    Column("remote_status", String(100)),
    Column("planned_start_at", UTCDateTime),
    Column("planned_end_at", UTCDateTime),
    Column("actual_start_at", UTCDateTime),
    Column("actual_end_at", UTCDateTime),
    Column("location_remote_id", String(200)),
    Index(None, "connection_id", "status"),
)

ENTITY_TABLES: Mapping[EntityType, Table] = {
    EntityType.PURCHASE_ORDER: purchase_orders,
    EntityType.WORK_ORDER: work_orders,
    EntityType.ASSET: assets,
    EntityType.INVENTORY_ITEM: inventory_items,
    EntityType.STOCK_LEVEL: stock_levels,
    EntityType.VENDOR: vendors,
    EntityType.LOCATION: locations,
    EntityType.PRODUCTION_ORDER: production_orders,
}

# --- sync state -------------------------------------------------------------------------------

connection_sync = Table(
    "connection_sync",
    metadata,
    Column("connection_id", PK, ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True),
    Column("state", String(32), nullable=False, default="IDLE"),
    Column("last_successful_sync_at", UTCDateTime),
    Column("last_sync_started_at", UTCDateTime),
    Column("next_scheduled_sync_at", UTCDateTime),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("backoff_until", UTCDateTime),
    Column("current_run_id", PK),
    Column("last_run_id", PK),
)

entity_sync = Table(
    "entity_sync",
    metadata,
    _pk(),
    _connection_fk(),
    Column("entity", String(32), nullable=False),
    Column("state", String(32), nullable=False, default="IDLE"),
    Column("checkpoint_updated_at", UTCDateTime),
    Column("checkpoint_remote_id", String(200)),
    Column("checkpoint_state", JSONType, nullable=False, default=dict),
    Column("initial_done", Boolean, nullable=False, default=False),
    Column("last_successful_sync_at", UTCDateTime),
    Column("last_reconciled_at", UTCDateTime),
    Column("last_error", JSONType),
    UniqueConstraint("connection_id", "entity"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    _pk(),
    _connection_fk(),
    Column("mode", String(16), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("state", String(32), nullable=False),
    Column("entities", JSONType, nullable=False, default=list),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("records_fetched", Integer, nullable=False, default=0),
    Column("records_created", Integer, nullable=False, default=0),
    Column("records_updated", Integer, nullable=False, default=0),
    Column("records_deleted", Integer, nullable=False, default=0),
    Column("records_failed", Integer, nullable=False, default=0),
    Column("upstream_requests", Integer, nullable=False, default=0),
    Column("errors", JSONType, nullable=False, default=list),
    Index(None, "connection_id", "started_at"),
)

quarantined_records = Table(
    "quarantined_records",
    metadata,
    _pk(),
    _connection_fk(),
    Column("entity", String(32), nullable=False),
    Column("remote_id", String(200)),
    Column("error", Text, nullable=False),
    Column("payload", JSONType),
    Column("run_id", PK),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Index(None, "connection_id", "entity"),
)

# one row per idempotency key of a connection: the request's hash and, once done, its answer
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", PK, primary_key=True, autoincrement=True),
    Column("connection_id", PK, ForeignKey("connections.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("response", JSONType),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("connection_id", "key"),
    Index(None, "created_at"),
)

__all__ = [
    "ENTITY_TABLES",
    "api_tokens",
    "assets",
    "connection_sync",
    "connections",
    "credentials",
    "entity_sync",
    "idempotency_keys",
    "inventory_items",
    "locations",
    "metadata",
    "production_orders",
    "purchase_order_lines",
    "purchase_orders",
    "quarantined_records",
    "stock_levels",
    "sync_runs",
    "vendors",
    "work_orders",
]

# the event and webhook tables live in their own module, on the same metadata
from ironbridge.store import webhook_tables as _webhook_tables  # noqa: E402, F401
