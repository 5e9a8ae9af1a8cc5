"""The offline GraphiQL page references only vendored assets, and they are served."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

from ironbridge.web.graphiql import (
    GRAPHIQL_STATIC_DIR,
    graphiql_static_files,
    render_graphiql,
)

if TYPE_CHECKING:
    from starlette.requests import Request

DEFAULT_HEADERS = '{"Authorization": "Bearer <your admin key or connection token>"}'
CONFIG_ID = "ironbridge-graphiql-config"
URL_ATTRIBUTES = frozenset({"src", "href", "action", "srcset", "poster", "data"})
PROJECT_FILES = ("ironbridge-graphiql.js", "ironbridge-graphiql.css")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.title = ""
        self.config: str | None = None
        self._in_title = False
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls.extend(v for k, v in attrs if k in URL_ATTRIBUTES and v is not None)
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"] or "")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.stylesheets.append(values.get("href") or "")
        self._in_title = tag == "title"
        self._in_config = tag == "script" and values.get("id") == CONFIG_ID

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._in_config:
            self.config = (self.config or "") + data


def _parse(page: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser


def _assets(parser: _PageParser) -> list[str]:
    return [*parser.stylesheets, *parser.scripts]


def _app(page: str, static_prefix: str) -> Starlette:
    async def graphiql_page(request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    return Starlette(
        routes=[
            Route("/graphql", graphiql_page, methods=["GET"]),
            Mount(static_prefix.rstrip("/"), app=graphiql_static_files()),
        ]
    )


def _versions_sha256() -> dict[str, str]:
    text = (GRAPHIQL_STATIC_DIR / "VERSIONS.txt").read_text(encoding="utf-8")
    return {
        name: digest
        for digest, name in re.findall(r"^\s+([0-9a-f]{64})\s+(\S+)$", text, flags=re.M)
    }


@pytest.mark.parametrize("default_headers", [None, DEFAULT_HEADERS])
def test_page_has_no_external_urls(default_headers: str | None) -> None:
    page = render_graphiql(default_headers=default_headers)
    parser = _parse(page)

    assert parser.urls
    for url in parser.urls:
        assert "//" not in url, url
        assert url.startswith(("/", "data:")), url
    assert not re.search(r"(?i)\b(?:https?|wss?|ftp):", page)
    assert not re.search(r"""(?:["'(=\s]|url\()//[\w.-]""", page)


def test_project_files_have_no_external_urls() -> None:
    for name in PROJECT_FILES:
        text = (GRAPHIQL_STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"(?i)\b(?:https?|wss?):\s*//", text), name
        assert "@import" not in text, name


def test_stylesheets_only_embed_data_urls() -> None:
    for path in GRAPHIQL_STATIC_DIR.glob("*.css"):
        css = path.read_text(encoding="utf-8")
        assert "@import" not in css, path.name
        for target in re.findall(r"""url\(\s*["']?([^"')\s]*)""", css):
            assert target.startswith(("data:", "#")), (path.name, target[:80])


@pytest.mark.parametrize("static_prefix", ["/static/graphiql", "/static/graphiql/", "/ui/assets"])
def test_every_referenced_asset_is_vendored(static_prefix: str) -> None:
    parser = _parse(render_graphiql(static_prefix=static_prefix))
    prefix = static_prefix.rstrip("/") + "/"

    assets = _assets(parser)
    assert len(parser.scripts) >= 4
    assert len(parser.stylesheets) >= 1
    for url in assets:
        assert url.startswith(prefix), url
        name = url.removeprefix(prefix)
        assert "/" not in name, url
        assert (GRAPHIQL_STATIC_DIR / name).is_file(), url


def test_vendored_files_match_versions_and_have_licenses() -> None:
    digests = _versions_sha256()
    referenced = {url.rsplit("/", 1)[1] for url in _assets(_parse(render_graphiql()))}

    assert referenced - set(PROJECT_FILES) == set(digests)
    for name, digest in digests.items():
        data = (GRAPHIQL_STATIC_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    for package in ("react", "react-dom", "graphiql", "graphiql-plugin-explorer"):
        license_text = (GRAPHIQL_STATIC_DIR / f"LICENSE.{package}.txt").read_text(encoding="utf-8")
        assert "MIT License" in license_text, package


def test_scripts_load_in_dependency_order() -> None:
    names = [url.rsplit("/", 1)[1] for url in _parse(render_graphiql()).scripts]

    assert names.index("react.production.min.js") < names.index("react-dom.production.min.js")
    assert names.index("react-dom.production.min.js") < names.index("graphiql.min.js")
    assert names.index("graphiql.min.js") < names.index("graphiql-plugin-explorer.umd.js")
    assert names[-1] == "ironbridge-graphiql.js"


def test_page_configuration() -> None:
    parser = _parse(render_graphiql(endpoint="/api/graphql", default_headers=DEFAULT_HEADERS))

    assert parser.title == "Ironbridge GraphiQL"
    assert parser.config is not None
    assert json.loads(parser.config) == {
        "endpoint": "/api/graphql",
        "defaultHeaders": DEFAULT_HEADERS,
    }


def test_page_configuration_without_default_headers() -> None:
    parser = _parse(render_graphiql())

    assert parser.config is not None
    assert json.loads(parser.config) == {"endpoint": "/graphql", "defaultHeaders": None}


def test_configuration_cannot_break_out_of_its_script_element() -> None:
    hostile = '{"X-Probe": "</script><script>alert(1)</script><!--"}'
    page = render_graphiql(endpoint="/g</script>?a=1&b=2", default_headers=hostile)
    parser = _parse(page)

    assert page.count("</script>") == len(parser.scripts) + 1
    assert parser.config is not None
    config = json.loads(parser.config)
    assert config == {"endpoint": "/g</script>?a=1&b=2", "defaultHeaders": hostile}


def test_static_prefix_is_attribute_escaped() -> None:
    page = render_graphiql(static_prefix='/a"b')

    assert '/a"b/' not in page
    assert all(url.startswith('/a"b/') for url in _assets(_parse(page)))


@pytest.mark.parametrize("default_headers", ["", "not json", "[1, 2]", '"Bearer x"'])
def test_default_headers_must_be_a_json_object(default_headers: str) -> None:
    with pytest.raises(ValueError, match="JSON object"):
        render_graphiql(default_headers=default_headers)


@pytest.mark.parametrize("static_prefix", ["/static/graphiql", "/ui/assets"])
async def test_page_and_assets_are_served(static_prefix: str) -> None:
    page = render_graphiql(static_prefix=static_prefix, default_headers=DEFAULT_HEADERS)
    transport = httpx.ASGITransport(app=_app(page, static_prefix))

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/graphql")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.text == page

        for url in _assets(_parse(response.text)):
            asset = await client.get(url)
            assert asset.status_code == 200, url
            content_type = asset.headers["content-type"]
            if url.endswith(".css"):
                assert content_type.startswith("text/css"), (url, content_type)
            else:
                assert content_type.split(";")[0] in {
                    "text/javascript",
                    "application/javascript",
                }, (url, content_type)
            name = url.rsplit("/", 1)[1]
            assert asset.content == (GRAPHIQL_STATIC_DIR / name).read_bytes(), url

        missing = await client.get(f"{static_prefix}/missing.js")
        assert missing.status_code == 404
