"""The Plex (Rockwell) connector: the Plex Connect REST API, read by full pull and diff."""

from __future__ import annotations

from ironbridge.connectors.plex.connector import SYSTEM_KEY, PlexConnector

__all__ = ["SYSTEM_KEY", "PlexConnector"]
