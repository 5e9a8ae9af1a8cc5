"""The connect page (``/connect``) and the dashboard (``/dashboard``): server-rendered shells
whose scripts talk to the public ``/graphql`` endpoint like any other client."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from ironbridge.services import Services

__all__ = [
    "PAGES_STATIC_DIR",
    "STATIC_PREFIX",
    "TEMPLATES_DIR",
    "content_security_policy",
    "page_routes",
]

_HERE: Final[Path] = Path(__file__).resolve().parent
TEMPLATES_DIR: Final[Path] = _HERE / "templates"
PAGES_STATIC_DIR: Final[Path] = _HERE / "static" / "pages"
STATIC_PREFIX: Final[str] = "/static/pages"

# a frame-ancestors source: a keyword, a scheme, or a host source with optional port and path
_ANCESTOR_SOURCE: Final[re.Pattern[str]] = re.compile(
    r"^(?:\*|'self'|'none'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+"
    r"(?::(?:\d{1,5}|\*))?(?:/[A-Za-z0-9._~/-]*)?)$"
)


def frame_ancestors(value: str) -> str:
    """Checks the configured ``frame-ancestors`` sources, so a setting cannot inject a directive."""
    sources = value.split()
    if not sources:
        raise ValueError("IRONBRIDGE_CONNECT_FRAME_ANCESTORS must name at least one source")
    for source in sources:
        if not _ANCESTOR_SOURCE.match(source):
            raise ValueError(f"not a CSP frame-ancestors source: {source!r}")
    if "'none'" in sources and len(sources) > 1:
        raise ValueError("'none' cannot be combined with other frame-ancestors sources")
    return " ".join(sources)


def content_security_policy(*, ancestors: str) -> str:
    """Everything from our own origin only: no inline script, no external font or script."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html",), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_routes(services: Services) -> list[BaseRoute]:
    """The page routes and their static assets; mount them in the app's routes."""
    env = _environment()
    connect_csp = content_security_policy(
        ancestors=frame_ancestors(services.settings.connect_frame_ancestors)
    )
    dashboard_csp = content_security_policy(ancestors="'none'")

    def render(name: str, csp: str, *, framable: bool, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(static=STATIC_PREFIX, graphql="/graphql", **context)
        headers = {
            "Content-Security-Policy": csp,
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        if not framable:
            headers["X-Frame-Options"] = "DENY"
        return HTMLResponse(html, headers=headers)

    async def connect_page(_: Request) -> HTMLResponse:
        # the session's systems and redirect come from ``connectSession``, read by the page
        return render(
            "connect.html", connect_csp, framable=True, config={"graphqlPath": "/graphql"}
        )

    async def dashboard_page(request: Request) -> HTMLResponse:
        connection_id = request.path_params.get("connection_id")
        config = {"graphqlPath": "/graphql", "connectionId": connection_id}
        return render("dashboard.html", dashboard_csp, framable=False, config=config)

    return [
        Route("/connect", connect_page, methods=["GET"]),
        Route("/dashboard", dashboard_page, methods=["GET"]),
        Route("/dashboard/connections/{connection_id}", dashboard_page, methods=["GET"]),
        Mount(STATIC_PREFIX, app=StaticFiles(directory=PAGES_STATIC_DIR), name="pages"),
    ]
