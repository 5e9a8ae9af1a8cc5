"""The connect page and the dashboard as HTML: local assets only, strict CSP, no data without a
credential, and no session data in the page: it reads its session's redirect from the API."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from ironbridge.app import create_app, create_services
from ironbridge.demo import create_admin_key
from ironbridge.settings import Settings
from ironbridge.store.engine import migrate
from ironbridge.web.pages import PAGES_STATIC_DIR, STATIC_PREFIX, frame_ancestors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from ironbridge.services import Services

URL_ATTRIBUTES = frozenset({"src", "href", "action", "srcset", "poster", "data"})
_SVG_NS = "http://www.w3.org/2000/svg"
PAGES = ("/connect", "/connect?session=ib_cs_unknown", "/dashboard", "/dashboard/connections/x")
SESSION = "mutation($r: String) { createConnectSession(input: {redirectUrl: $r}) { url token } }"
READ_SESSION = "{ connectSession { redirectUrl systemKeys } }"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.config = ""
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(v for k, v in attrs if k in URL_ATTRIBUTES and v is not None)
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        self._in_config = tag == "script" and values.get("id") == "page-config"

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config += data


def _parse(page: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser


def _directives(csp: str) -> dict[str, str]:
    directives: dict[str, str] = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


@pytest.fixture
async def pages_app(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        connect_frame_ancestors="https://app.example.com 'self'",
    )
    services = create_services(settings)
    await migrate(services.engine)
    transport = httpx.ASGITransport(app=create_app(settings, services=services))
    async with httpx.AsyncClient(transport=transport, base_url="http://ib.test") as client:
        yield client, services
    await services.engine.dispose()


@pytest.mark.parametrize("path", PAGES)
async def test_every_asset_is_local_and_served(
    pages_app: tuple[httpx.AsyncClient, Services], path: str
) -> None:
    client, _ = pages_app
    response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _parse(response.text)
    assert parser.urls
    for url in parser.urls:
        assert url.startswith(("/", "#", "data:")), url
        assert "//" not in url, url
    assert not re.search(r"(?i)\b(?:https?|wss?|ftp):", response.text)
    for script in parser.scripts:
        # only the configuration is inline, and it is data, not code
        assert script.get("src") or script.get("type") == "application/json", script
    for url in parser.urls:
        if url.startswith(STATIC_PREFIX):
            asset = await client.get(url)
            assert asset.status_code == 200, url


def test_project_files_load_nothing_from_elsewhere() -> None:
    files = sorted(PAGES_STATIC_DIR.iterdir())
    assert {f.suffix for f in files} == {".js", ".css"}
    for path in files:
        text = path.read_text(encoding="utf-8")
        # absolute URLs only as the SVG namespace or as placeholder text on reserved domains
        for url in re.findall(r"(?i)\b(?:https?|wss?)://[^\s\"'`)]*", text):
            assert url == _SVG_NS or url.split("/")[2] in ("", "erp.example.com"), (path.name, url)
        for module in re.findall(r"""\bfrom\s+["']([^"']+)""", text):
            assert module.startswith("./"), (path.name, module)
        assert "@import" not in text, path.name
        assert "@font-face" not in text, path.name
        assert "innerHTML" not in text, path.name
        assert not re.search(r"\beval\(|new Function\(", text), path.name
        for target in re.findall(r"""url\(\s*["']?([^"')\s]*)""", text):
            assert target.startswith("data:"), (path.name, target)


async def test_csp_and_framing(pages_app: tuple[httpx.AsyncClient, Services]) -> None:
    client, _ = pages_app
    connect = await client.get("/connect")
    dashboard = await client.get("/dashboard")

    for response in (connect, dashboard):
        csp = _directives(response.headers["content-security-policy"])
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        assert csp["object-src"] == "'none'"
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    assert _directives(connect.headers["content-security-policy"])["frame-ancestors"] == (
        "https://app.example.com 'self'"
    )
    assert "x-frame-options" not in connect.headers
    assert _directives(dashboard.headers["content-security-policy"])["frame-ancestors"] == "'none'"
    assert dashboard.headers["x-frame-options"] == "DENY"


async def test_connect_page_embeds_anywhere_by_default(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ib.test") as client:
        response = await client.get("/connect")
    assert _directives(response.headers["content-security-policy"])["frame-ancestors"] == "*"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "https://a.example.com; script-src *",
        "'none' https://a.example.com",
        "'unsafe-inline'",
        "javascript:alert(1)",
    ],
)
def test_frame_ancestors_setting_cannot_inject(value: str) -> None:
    with pytest.raises(ValueError, match=r"frame-ancestors|at least one source"):
        frame_ancestors(value)


@pytest.mark.parametrize(
    "value",
    ["*", "'self'", "'none'", "https://app.example.com http://localhost:3000 *.corp.example"],
)
def test_frame_ancestors_setting_accepts_sources(value: str) -> None:
    assert frame_ancestors(value) == value


@pytest.mark.parametrize("path", PAGES)
async def test_pages_render_without_a_credential_but_data_needs_one(
    pages_app: tuple[httpx.AsyncClient, Services], path: str
) -> None:
    client, _ = pages_app
    page = await client.get(path)
    data = await client.post("/graphql", json={"query": "{ connections { totalCount } }"})

    assert page.status_code == 200
    assert "ib_admin_" not in page.text
    assert data.status_code == 401
    assert data.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def _config(page: str) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(_parse(page).config)
    return config


async def test_the_page_holds_no_session_data_and_the_api_tells_only_a_live_session(
    pages_app: tuple[httpx.AsyncClient, Services],
) -> None:
    client, services = pages_app
    admin = await create_admin_key(services)
    hostile = "https://app.example.com/done?x=</script><script>alert(1)</script>"
    made = await client.post(
        "/graphql",
        json={"query": SESSION, "variables": {"r": hostile}},
        headers={"Authorization": f"Bearer {admin}"},
    )
    session = made.json()["data"]["createConnectSession"]
    assert session["url"] == f"{client.base_url}/connect?session={session['token']}"
    holder = {"Authorization": f"Bearer {session['token']}"}

    page = await client.get(session["url"])
    assert _config(page.text) == {"graphqlPath": "/graphql"}
    assert "app.example.com" not in page.text
    assert page.text.count("</script>") == len(_parse(page.text).scripts)
    told = await client.post("/graphql", json={"query": READ_SESSION}, headers=holder)
    assert told.json()["data"]["connectSession"] == {"redirectUrl": hostile, "systemKeys": None}

    spent = await client.post(
        "/graphql",
        json={"query": 'mutation { connect(input: {systemKey: "sandbox"}) { token } }'},
        headers=holder,
    )
    assert "errors" not in spent.json()
    again = await client.get(session["url"])
    assert _config(again.text) == {"graphqlPath": "/graphql"}
    refused = await client.post("/graphql", json={"query": READ_SESSION}, headers=holder)
    assert refused.status_code == 401
    assert "app.example.com" not in refused.text


async def test_the_connection_id_in_the_path_is_escaped(
    pages_app: tuple[httpx.AsyncClient, Services],
) -> None:
    client, _ = pages_app
    response = await client.get('/dashboard/connections/"><b>x')

    assert response.status_code == 200
    assert "<b>x" not in response.text
    assert _config(response.text)["connectionId"] == '"><b>x'
