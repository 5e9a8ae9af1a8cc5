"""GraphiQL page for air-gapped networks, with every asset served from vendored copies."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Final

from starlette.staticfiles import StaticFiles

__all__ = [
    "GRAPHIQL_SCRIPTS",
    "GRAPHIQL_STATIC_DIR",
    "GRAPHIQL_STYLESHEETS",
    "graphiql_static_files",
    "render_graphiql",
]

GRAPHIQL_STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static" / "graphiql"
"""Directory holding the vendored GraphiQL assets (see its VERSIONS.txt)."""

GRAPHIQL_STYLESHEETS: Final[tuple[str, ...]] = (
    "graphiql.min.css",
    "graphiql-plugin-explorer.css",
    "ironbridge-graphiql.css",
)
"""Stylesheets linked by the page, in order, relative to the static prefix."""

GRAPHIQL_SCRIPTS: Final[tuple[str, ...]] = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql-plugin-explorer.umd.js",
    "ironbridge-graphiql.js",
)
"""Scripts loaded by the page, in execution order, relative to the static prefix."""

_CONFIG_ELEMENT_ID: Final[str] = "ironbridge-graphiql-config"

_PAGE_TEMPLATE: Final[str] = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Ironbridge GraphiQL</title>
    <link rel="icon" href="data:,">
{stylesheets}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL&hellip;</div>
    <noscript>GraphiQL needs JavaScript enabled.</noscript>
    <script id="{config_id}" type="application/json">{config}</script>
{scripts}
  </body>
</html>
"""


def _json_for_script(value: object) -> str:
    """Serialise ``value`` as JSON that cannot close or break out of a script element."""
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _check_default_headers(default_headers: str) -> None:
    try:
        parsed = json.loads(default_headers)
    except ValueError as exc:
        raise ValueError(f"default_headers must be a JSON object: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError("default_headers must be a JSON object")


def render_graphiql(
    *,
    endpoint: str = "/graphql",
    static_prefix: str = "/static/graphiql",
    default_headers: str | None = None,
) -> str:
    """Return the GraphiQL HTML page.

    ``endpoint`` receives queries and mutations as POST requests and subscriptions over
    WebSocket (graphql-transport-ws, same URL with a ``ws``/``wss`` scheme). All assets are
    loaded from ``static_prefix``, where :func:`graphiql_static_files` must be mounted.
    ``default_headers`` is the JSON object text pre-filled in the headers editor.
    """
    if default_headers is not None:
        _check_default_headers(default_headers)
    prefix = static_prefix.rstrip("/")
    stylesheets = "\n".join(
        f'    <link rel="stylesheet" href="{escape(f"{prefix}/{name}")}">'
        for name in GRAPHIQL_STYLESHEETS
    )
    scripts = "\n".join(
        f'    <script src="{escape(f"{prefix}/{name}")}"></script>' for name in GRAPHIQL_SCRIPTS
    )
    config = _json_for_script({"endpoint": endpoint, "defaultHeaders": default_headers})
    return _PAGE_TEMPLATE.format(
        stylesheets=stylesheets,
        scripts=scripts,
        config_id=_CONFIG_ELEMENT_ID,
        config=config,
    )


def graphiql_static_files() -> StaticFiles:
    """Return the ASGI app serving the vendored assets; mount it at the ``static_prefix``."""
    return StaticFiles(directory=GRAPHIQL_STATIC_DIR)
