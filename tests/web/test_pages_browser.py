"""The connect page and the dashboard in Debian's Chromium, against a real gateway and SAP
emulator: connect, fail with the system's own message, watch a badge change live."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.async_api import async_playwright, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ironbridge.app import create_app, create_services
from ironbridge.demo import create_admin_key
from ironbridge.emulators.control import emulator_of
from ironbridge.emulators.sap import app as sap_app
from ironbridge.settings import Settings
from tests.support.servers import serve

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from playwright.async_api import Browser, Page
    from starlette.requests import Request

    from ironbridge.emulators.control import Emulator

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SAP = "sap-s4hana"
SESSION = """mutation($r: String, $k: [String!]) {
  createConnectSession(input: {redirectUrl: $r, systemKeys: $k}) { url token } }"""
CONNECT = """mutation($url: String!, $creds: JSON!) {
  connect(input: {systemKey: "sap-s4hana", instanceUrl: $url, credentials: $creds}) {
    connection { id } } }"""

pytestmark = pytest.mark.browser


@dataclass(slots=True)
class Stack:
    base_url: str
    sap_url: str
    emulator: Emulator
    admin_key: str

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers={"Authorization": f"Bearer {self.admin_key}"},
            )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def session_url(
        self, redirect_url: str | None = None, *, system_keys: list[str] | None = None
    ) -> str:
        data = await self.gql(SESSION, {"r": redirect_url, "k": system_keys})
        url: str = data["createConnectSession"]["url"]
        # an absolute link at the address the admin reached the gateway at
        assert url.startswith(f"{self.base_url}/connect?session=ib_cs_")
        return url


def _require_chromium() -> None:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install Debian's package "
            "(`make browser`, or `apt-get install -y chromium`)"
        )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    settings = Settings(data_dir=tmp_path / "data", auto_migrate=True)
    services = create_services(settings)
    sap = sap_app.create_app(records=24, maintenance_orders=6, production_orders=6)
    async with serve(sap) as sap_url, serve(create_app(settings, services=services)) as base:
        admin = await create_admin_key(services)
        yield Stack(base, sap_url, emulator_of(sap), admin)


@contextlib.asynccontextmanager
async def new_page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        await context.close()
    assert not errors, errors


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, stack: Stack, path: str = "/dashboard") -> None:
    await page.goto(stack.base_url + path)
    await page.get_by_label("Admin key").fill(stack.admin_key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


async def fill_sap_form(page: Page, stack: Stack, password: str) -> None:
    await page.get_by_label("Instance URL").fill(stack.sap_url)
    await page.get_by_label("User name").fill(stack.emulator.credentials["username"])
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_label("Client").fill(stack.emulator.credentials["client"])


async def test_connect_sap_and_see_it_on_the_dashboard(browser: Browser, stack: Stack) -> None:
    async with new_page(browser) as page:
        await page.goto(await stack.session_url())
        await expect(page.locator(f'[data-system="{SAP}"]')).to_be_visible()
        assert await page.locator("#system-list [data-system]").count() > 1
        await shot(page, "connect-catalog")
        await page.set_viewport_size({"width": 390, "height": 800})
        await shot(page, "connect-catalog-phone")
        await page.set_viewport_size({"width": 1280, "height": 860})

        await page.get_by_label("Search systems").fill("s/4hana")
        await expect(page.locator("#system-list [data-system]")).to_have_count(1)
        await page.locator(f'[data-system="{SAP}"]').click()
        await expect(page.get_by_label("Password", exact=True)).to_have_attribute(
            "type", "password"
        )
        await fill_sap_form(page, stack, stack.emulator.credentials["password"])
        await shot(page, "connect-form")

        await page.locator("#connect-submit").click()
        await expect(page.locator("#connect-success")).to_be_visible()
        for step in ("reach", "check", "sync"):
            await expect(page.locator(f'[data-step="{step}"]')).to_have_attribute(
                "data-state", "done"
            )
        await expect(page.locator("h1")).to_have_text("SAP S/4HANA is connected")
        await shot(page, "connect-success")

    async with new_page(browser) as page:
        await sign_in(page, stack)
        row = page.locator("#connections tr[data-connection]")
        await expect(row).to_have_count(1)
        await expect(row.locator(".badge")).to_have_text("Active")
        await expect(row).to_contain_text("SAP S/4HANA")
        await shot(page, "dashboard-list")
        await page.set_viewport_size({"width": 390, "height": 800})
        await shot(page, "dashboard-list-phone")
        await page.set_viewport_size({"width": 1280, "height": 860})

        await row.locator("a.conn-name").click()
        await expect(page.locator("#run-chart")).to_be_visible()
        await expect(page.locator("#run-table tbody tr")).to_have_count(1)
        await expect(page.locator("#entities tbody tr")).not_to_have_count(0)
        await shot(page, "connection-page")

        await page.locator("#pause").click()
        await expect(page.locator("#resume")).to_be_visible()
        await page.locator("#resume").click()
        await expect(page.locator("#pause")).to_be_visible()
        await page.locator("#disconnect").click()
        await page.locator("#confirm-disconnect").click()
        await expect(page.locator("#connection-status")).to_have_text("Disconnected")
        await expect(page.locator("#sync-now")).to_be_disabled()


async def test_a_wrong_password_shows_the_systems_message(browser: Browser, stack: Stack) -> None:
    async with new_page(browser) as page:
        await page.goto(await stack.session_url())
        await page.locator(f'[data-system="{SAP}"]').click()
        await fill_sap_form(page, stack, "not-the-password")
        await page.locator("#connect-submit").click()

        alert = page.locator('[role="alert"][data-code="CREDENTIALS_REJECTED"]')
        await expect(alert).to_be_visible()
        await expect(alert).to_contain_text("SAP S/4HANA refused these credentials")
        await expect(alert).to_contain_text("What to do")
        await expect(page.locator('[data-step="reach"]')).to_have_attribute("data-state", "done")
        await expect(page.locator('[data-step="check"]')).to_have_attribute("data-state", "failed")
        await shot(page, "connect-error")

        # back to the form, credentials kept, and the right password connects
        await alert.get_by_role("button", name="Edit and try again").click()
        password = page.get_by_label("Password", exact=True)
        await password.fill(stack.emulator.credentials["password"])
        await page.locator("#connect-submit").click()
        await expect(page.locator("#connect-success")).to_be_visible()


def _host_app(connect_url: str) -> Starlette:
    """The page of an app that embeds the connect page and records what it is told."""

    async def home(_: Request) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><title>Host</title><script>window.messages = [];"
            "addEventListener('message', (e) => window.messages.push({origin: e.origin, "
            "data: e.data}));</script>"
            f'<iframe id="ib" src="{connect_url}" width="700" height="700"></iframe>'
        )

    return Starlette(routes=[Route("/", home)])


async def test_the_embedded_page_tells_its_host(browser: Browser, stack: Stack) -> None:
    connect_url = await stack.session_url()
    async with serve(_host_app(connect_url)) as host, new_page(browser) as page:
        await page.goto(host + "/")
        frame = page.frame_locator("#ib")
        await frame.locator('[data-system="sandbox"]').click()
        await frame.get_by_role("button", name="Connect").click()
        await expect(frame.locator("#connect-success")).to_be_visible()
        await page.wait_for_function("window.messages.length > 0")
        messages = await page.evaluate("window.messages")

    assert messages[0]["origin"] == stack.base_url
    assert messages[0]["data"]["type"] == "ironbridge.connected"
    assert messages[0]["data"]["systemKey"] == "sandbox"
    listed = await stack.gql("{ connections { nodes { id system { key } } } }")
    assert {
        "id": messages[0]["data"]["connectionId"],
        "system": {"key": "sandbox"},
    } in listed["connections"]["nodes"]


async def test_an_outage_turns_the_badge_unreachable_live(browser: Browser, stack: Stack) -> None:
    creds = dict(stack.emulator.credentials)
    await stack.gql(CONNECT, {"url": stack.sap_url, "creds": creds})
    async with new_page(browser) as listing, new_page(browser) as detail:
        await sign_in(listing, stack)
        badge = listing.locator("#connections tr[data-connection] .badge")
        await expect(badge).to_have_text("Active")
        href = await listing.locator("a.conn-name").get_attribute("href")
        assert href is not None
        await sign_in(detail, stack, path=href)
        await expect(detail.locator("#live-indicator")).to_have_attribute("data-state", "live")
        runs = detail.locator("#run-table tbody tr")
        await expect(runs.and_(detail.locator('[data-state="COMPLETED"]'))).to_have_count(1)

        await listing.evaluate("window.sameDocument = true")
        stack.emulator.faults.outage = "503"
        for failures in range(1, 4):
            await detail.locator("#sync-now").click()
            await expect(detail.locator('#run-table tr[data-state="FAILED"]')).to_have_count(
                failures
            )
        await expect(badge).to_have_text("Unreachable")
        await expect(badge).to_have_attribute("data-status", "UNREACHABLE")
        await expect(detail.locator("#connection-status")).to_have_text("Unreachable")
        assert await listing.evaluate("window.sameDocument === true")
        await shot(listing, "dashboard-unreachable")

        stack.emulator.faults.clear()
        await detail.locator("#sync-now").click()
        await expect(badge).to_have_text("Active")
        await expect(detail.locator("#connection-status")).to_have_text("Active")
        assert await listing.evaluate("window.sameDocument === true")
        await expect(detail.locator("#run-table tbody tr")).to_have_count(5)
        await expect(detail.locator("#sync-state")).to_have_text("Completed")
        await shot(detail, "connection-page-history")


async def test_a_session_for_one_system_opens_straight_to_its_form(
    browser: Browser, stack: Stack
) -> None:
    async with new_page(browser) as page:
        await page.goto(await stack.session_url(system_keys=[SAP]))
        await expect(page.locator("h1")).to_have_text("Connect SAP S/4HANA")
        await expect(page.get_by_label("Instance URL")).to_be_focused()
        await expect(page.locator("#system-list")).to_have_count(0)
        await expect(page.get_by_role("button", name="Back")).to_have_count(0)
        await shot(page, "connect-one-system")

        await fill_sap_form(page, stack, stack.emulator.credentials["password"])
        await page.locator("#connect-submit").click()
        await expect(page.locator("#connect-success")).to_be_visible()

    listed = await stack.gql("{ connections { nodes { system { key } } } }")
    assert listed["connections"]["nodes"] == [{"system": {"key": SAP}}]


def _app_site() -> Starlette:
    """The embedding app: a page that opens the connect page as a pop-up and records what it is
    told, and the page its users come back to."""

    async def home(_: Request) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><title>App</title><script>window.messages = [];"
            "addEventListener('message', (e) => window.messages.push({origin: e.origin, "
            "data: e.data}));</script><h1>App</h1>"
        )

    async def done(_: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Back in the app</title><h1>Welcome back</h1>")

    return Starlette(routes=[Route("/", home), Route("/erp/done", done)])


async def test_after_connecting_the_page_goes_to_the_redirect_url(
    browser: Browser, stack: Stack
) -> None:
    async with serve(_app_site()) as app_url, new_page(browser) as page:
        connect_url = await stack.session_url(f"{app_url}/erp/done?step=2")
        await page.goto(app_url + "/")
        # a different `origin` parameter: the session's redirect URL must still win
        elsewhere = "http://127.0.0.1:1"
        async with page.expect_popup() as opened:
            await page.evaluate(
                "([url, origin]) => window.open(`${url}&origin=${encodeURIComponent(origin)}`,"
                " 'ironbridge-connect', 'width=640,height=780')",
                [connect_url, elsewhere],
            )
        popup = await opened.value
        await popup.locator('[data-system="sandbox"]').click()
        await popup.get_by_role("button", name="Connect").click()
        success = popup.locator("#connect-success")
        await expect(success).to_be_visible()
        await expect(success).to_contain_text(f"Taking you back to {app_url.split('//')[1]}")
        await shot(popup, "connect-redirect")

        await popup.wait_for_url(f"{app_url}/erp/done?**")
        await expect(popup.locator("h1")).to_have_text("Welcome back")
        landed = urlsplit(popup.url)
        await page.wait_for_function("window.messages.length > 0")
        messages = await page.evaluate("window.messages")

    query = parse_qs(landed.query)
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == f"{app_url}/erp/done"
    assert query["step"] == ["2"]
    assert query["systemKey"] == ["sandbox"]
    listed = await stack.gql("{ connections { nodes { id } } }")
    assert listed["connections"]["nodes"] == [{"id": query["connectionId"][0]}]
    assert messages == [
        {
            "origin": stack.base_url,
            "data": {
                "type": "ironbridge.connected",
                "connectionId": query["connectionId"][0],
                "systemKey": "sandbox",
            },
        }
    ]


async def _tab_to(page: Page, selector: str) -> None:
    await page.keyboard.press("Tab")
    await expect(page.locator(selector)).to_be_focused()


async def test_keyboard_only_from_search_to_connected(browser: Browser, stack: Stack) -> None:
    creds = stack.emulator.credentials
    async with new_page(browser) as page:
        await page.goto(await stack.session_url())
        await expect(page.locator(f'[data-system="{SAP}"]')).to_be_visible()
        await _tab_to(page, ".skip-link")
        await _tab_to(page, "#system-search")
        await page.keyboard.type("s/4hana")
        await expect(page.locator("#system-list [data-system]")).to_have_count(1)
        chips = await page.locator(".chip").count()
        for _ in range(chips):
            await page.keyboard.press("Tab")
            await expect(page.locator(".chip:focus")).to_have_count(1)
        await _tab_to(page, f'[data-system="{SAP}"]')
        await shot(page, "connect-keyboard-catalog")
        await page.keyboard.press("Enter")

        await expect(page.get_by_label("Instance URL")).to_be_focused()
        await page.keyboard.type(stack.sap_url)
        await _tab_to(page, "#field-username")
        await page.keyboard.type(creds["username"])
        await _tab_to(page, "#field-password")
        await page.keyboard.type(creds["password"])
        await _tab_to(page, '.reveal[aria-label="Show Password"]')
        await page.keyboard.press("Enter")
        await expect(page.locator("#field-password")).to_have_attribute("type", "text")
        await page.keyboard.press("Enter")
        await expect(page.locator("#field-password")).to_have_attribute("type", "password")
        await _tab_to(page, "#field-client")
        await page.keyboard.type(creds["client"])
        await _tab_to(page, "#field-sandbox")
        await _tab_to(page, ".actions button:text-is('Back')")
        await _tab_to(page, "#connect-submit")
        await shot(page, "connect-keyboard-form")
        await page.keyboard.press("Enter")

        await expect(page.locator("#connect-success")).to_be_visible()
        await expect(page.locator("#connect-success")).to_be_focused()
        await expect(page.locator("h1")).to_have_text("SAP S/4HANA is connected")
