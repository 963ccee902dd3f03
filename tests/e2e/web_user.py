"""A person using the web UI in headless Chromium (Debian's package, driven by Playwright): the
steps a user takes, in the words of the page — labels, buttons, headings — not CSS internals."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = Path(os.environ.get("EVENTLY_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps calling Google's hosts, which a closed
# network refuses; the pages under test must talk to their own origin only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and the asyncio tests of later modules need that thread's loop free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("EVENTLY_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class WebUser:
    """One person in their own browser context (own storage, own session)."""

    page: Page
    base: str
    name: str
    email: str
    problems: list[str] = field(default_factory=list)  # script errors, CSP violations, foreign requests

    @classmethod
    def open(
        cls,
        browser: Browser,
        base: str,
        name: str,
        *,
        time_zone: str | None = None,
        phone: bool = False,
    ) -> WebUser:
        """`time_zone`: the browser's (its clock and Intl's default), as on a laptop set to it;
        `phone`: a 390 x 844 touch screen, as an iPhone 14's."""
        context: BrowserContext = browser.new_context(
            base_url=base,
            timezone_id=time_zone,
            viewport={"width": 390, "height": 844} if phone else None,
            is_mobile=phone,
            has_touch=phone,
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        user = cls(page, base, name, f"{name.lower()}-{secrets.token_hex(4)}@example.com")
        page.on("pageerror", lambda error: user.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                user.problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith(base) or request.url.startswith("data:")
                else user.problems.append(f"request to another origin: {request.url}")
            ),
        )
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        return user

    def close(self) -> None:
        self.page.context.close()

    def sign_up(self) -> None:
        page = self.page
        page.get_by_role("link", name="Sign up").click()
        page.get_by_label("Your name", exact=True).fill(self.name)
        page.get_by_label("Email", exact=True).fill(self.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("status")).to_contain_text(f"Welcome to Evently, {self.name}")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    def create_event(
        self,
        title: str,
        *,
        capacity: int = 0,
        starts: str = "2031-05-20T18:00",
        ends: str = "2031-05-20T20:00",
    ) -> str:
        page = self.page
        page.get_by_role("link", name="New event").click()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Description", exact=True).fill(f"All about {title}.")
        page.get_by_label("Location", exact=True).fill("Town Hall, Room 1")
        page.get_by_label("Starts", exact=True).fill(starts)
        page.get_by_label("Ends", exact=True).fill(ends)
        page.get_by_label("Capacity", exact=True).fill(str(capacity))
        page.get_by_role("button", name="Create event").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        return page.url.rsplit("/", 1)[1]

    def open_event(self, event_id: str) -> None:
        address = f"{self.base}/#/events/{event_id}"
        if self.page.url == address:
            self.page.reload()  # a same-address goto changes nothing: this page is freshly read
        else:
            self.page.goto(address)
        expect(self.page.locator("#my-place")).to_be_visible()

    def click(self, button: str) -> None:
        self.page.get_by_role("button", name=button).click()

    def status(self) -> str:
        return self.page.get_by_role("status").inner_text()


class People:
    """Browsers opened for a test, one per person; when it ends, each is closed, and none may
    have met a page problem (a script error, a blocked request)."""

    def __init__(self, browser: Browser, base: str) -> None:
        self._browser = browser
        self._base = base
        self.opened: list[WebUser] = []

    def open(self, name: str, *, time_zone: str | None = None) -> WebUser:
        self.opened.append(WebUser.open(self._browser, self._base, name, time_zone=time_zone))
        return self.opened[-1]

    def close_all(self) -> None:
        problems = [problem for user in self.opened for problem in user.problems]
        for user in self.opened:
            user.close()
        assert problems == []
