"""Structured logs and Prometheus metrics."""

from __future__ import annotations

import logging
import sys

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram


def configure_logging(*, fmt: str = "console", level: str = "info") -> None:
    """structlog for our lines, stdlib logging routed through the same renderer."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


class Metrics:
    """The gateway's metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "ironbridge_http_requests",
            "HTTP requests served.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "ironbridge_http_request_duration_seconds",
            "HTTP request duration.",
            ["route"],
            registry=self.registry,
        )
        self.graphql_errors = Counter(
            "ironbridge_graphql_errors",
            "GraphQL errors returned, by code.",
            ["code"],
            registry=self.registry,
        )
        self.upstream_requests = Counter(
            "ironbridge_upstream_requests",
            "Requests sent to connected systems.",
            ["system", "method", "status"],
            registry=self.registry,
        )
        self.upstream_duration = Histogram(
            "ironbridge_upstream_request_duration_seconds",
            "Duration of requests sent to connected systems.",
            ["system"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "ironbridge_rate_limited",
            "Requests refused by Ironbridge's own per-credential limit.",
            registry=self.registry,
        )
        self.live_reads = Counter(
            "ironbridge_live_reads",
            "Live reads, by outcome (hit: answered from the cache).",
            ["outcome"],
            registry=self.registry,
        )
        self.sync_duration = Histogram(
            "ironbridge_sync_duration_seconds",
            "Sync run duration.",
            ["system", "state"],
            registry=self.registry,
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
        )
        self.sync_records = Counter(
            "ironbridge_sync_records",
            "Records handled by sync runs.",
            ["system", "entity", "outcome"],
            registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "ironbridge_webhook_deliveries",
            "Webhook delivery attempts.",
            ["outcome"],
            registry=self.registry,
        )


__all__ = ["Metrics", "configure_logging"]
