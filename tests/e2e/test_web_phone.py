"""The web UI on a phone (390 x 844): nothing is wider than the screen — not the navigation
(folded behind a Menu button), not the bell's panel, not the tables of attendees and webhook
deliveries, not long titles and URLs. In a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import System
from tests.e2e.web_user import WebUser, browser  # noqa: F401  (the fixture)
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import wait_until

pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
WIDTH = 390


@pytest.fixture
def phone(system: System, browser: Browser) -> Iterator[WebUser]:  # noqa: F811
    user = WebUser.open(browser, system.gateway, "Pia", phone=True)
    yield user
    problems = user.problems
    user.close()
    assert problems == []


def _fits(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{what}: the page is {width} px wide on a {WIDTH} px screen"


def _menu(page: Page, link: str) -> None:
    expect(page.get_by_role("link", name=link, exact=True)).to_be_hidden()  # folded away
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_every_page_fits_a_phone_screen(system: System, browser: Browser, phone: WebUser) -> None:  # noqa: F811
    receiver = WebhookReceiver()
    receiver.start()
    try:
        phone.sign_up()
        page = phone.page
        _fits(page, "home")

        _menu(page, "Webhooks")
        page.get_by_label("Endpoint URL", exact=True).fill(f"{receiver.url}?{'long-query=1&' * 12}end=1")
        page.get_by_label("evently.registration.created", exact=True).check()
        phone.click("Create subscription")
        receiver.secret = page.locator("#new-secret").inner_text()
        _fits(page, "webhooks")

        _menu(page, "New event")
        title = "An-exceptionally-long-single-word-title-that-would-push-the-page-sideways"
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Location", exact=True).fill("Online")
        page.get_by_label("Starts", exact=True).fill("2031-05-20T18:00")
        page.get_by_label("Ends", exact=True).fill("2031-05-20T20:00")
        page.get_by_role("button", name="Create event").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        event_id = page.url.rsplit("/", 1)[1]

        guest = WebUser.open(browser, system.gateway, "Gus")  # registers from a laptop
        try:
            guest.sign_up()
            guest.open_event(event_id)
            guest.click("Register")
            expect(guest.page.locator("#my-place")).to_have_text("You have a seat.")
        finally:
            guest.close()

        page.reload()
        expect(page.locator("table")).to_contain_text("Gus")  # the attendees
        _fits(page, "event page with its attendees")

        bell = page.locator("#bell")
        expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=30_000)
        bell.click()
        panel = page.locator("#bell-panel").bounding_box()
        assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= WIDTH
        bell.click()

        wait_until(lambda: receiver.received, timeout=30)
        _menu(page, "Webhooks")
        page.get_by_role("link", name="Deliveries").first.click()
        expect(page.locator("table")).to_contain_text("succeeded")
        _fits(page, "deliveries")

        page.locator("#whoami").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        _fits(page, "account")
    finally:
        receiver.stop()
