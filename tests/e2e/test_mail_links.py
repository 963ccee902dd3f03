"""Mail that can go out, and the links in it working: every notification names its sender
(EVENTLY_MAIL_FROM, here the default) and carries RFC 8058 one-click unsubscribe; a mail
client's POST to that URL through the gateway — no sign-in, the RFC's form body — turns that
kind off; so does the page the e-mail's own link opens in the browser. A forgotten password is
reset from an e-mailed single-use link."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.accounts import new_event, signed_in
from tests.e2e.conftest import System
from tests.e2e.web_user import WebUser, browser  # noqa: F401  (the fixture)
from tests.support import wait_until

pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)


def _mails(system: System, address: str, subject: str) -> list[EmailMessage]:
    found = []
    for path in sorted((system.log.parent / "mail").glob("*.eml")):
        message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
        if address in str(message["To"]) and message["Subject"] == subject:
            found.append(message)
    return found  # type: ignore[return-value]


def _address(http: httpx.Client, person: dict[str, str]) -> str:
    return str(http.get("/v1/users/me", headers=person).json()["email"])


def test_a_mail_client_s_one_click_unsubscribe_turns_that_kind_off(system: System) -> None:
    with httpx.Client(base_url=system.gateway) as http:
        olga, ada = signed_in(http, "Olga"), signed_in(http, "Ada")
        event = new_event(http, olga, "Quiz night")
        http.post(f"/v1/events/{event['id']}:register", headers=ada).raise_for_status()
        [news] = wait_until(lambda: _mails(system, _address(http, olga), "New registration for Quiz night"))

        assert news["From"] == "Evently <notifications@localhost>"
        assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = str(news["List-Unsubscribe"]).strip().strip("<>")
        assert url.startswith(f"{system.gateway}/v1/unsubscribe/")
        # What a mail client sends (RFC 8058 section 3.2): no cookies, no token, this body.
        clicked = httpx.post(
            url,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert clicked.status_code == 200, clicked.text
        assert clicked.json() == {"kind": "registration.new"}
        preferences = http.get("/v1/preferences", headers=olga).json()
        assert preferences["mutedKinds"] == ["registration.new"]

        forged = httpx.post(url[:-3] + "AAA", content=b"List-Unsubscribe=One-Click")
        assert forged.status_code == 400
        assert forged.json()["details"][0]["fieldViolations"] == [
            {"field": "token", "description": "is not an unsubscribe link of Evently's"}
        ]


def test_the_e_mail_s_own_link_opens_a_page_that_unsubscribes(system: System, browser: Browser) -> None:  # noqa: F811
    with httpx.Client(base_url=system.gateway) as http:
        olga, ada = signed_in(http, "Olga"), signed_in(http, "Ada")
        event = new_event(http, olga, "Pub walk")
        http.post(f"/v1/events/{event['id']}:register", headers=ada).raise_for_status()
        [confirmation] = wait_until(
            lambda: _mails(system, _address(http, ada), "You are registered for Pub walk")
        )
        text = confirmation.get_body(("plain",))
        assert text is not None
        [link] = [word for word in text.get_content().split() if "/#/unsubscribe/" in word]

        reader = WebUser.open(browser, system.gateway, "Ada")  # the mail's reader, not signed in here
        try:
            reader.page.goto(link)
            expect(reader.page.get_by_role("heading", level=1)).to_have_text("Stop these messages?")
            reader.click("Stop these messages")
            expect(reader.page.locator("#unsubscribed")).to_contain_text(
                "you will not be told about this any more"
            )
            assert reader.problems == []
        finally:
            reader.close()
        assert http.get("/v1/preferences", headers=ada).json()["mutedKinds"] == ["registration.confirmed"]


def test_a_forgotten_password_is_reset_from_the_e_mailed_link(system: System, browser: Browser) -> None:  # noqa: F811
    with httpx.Client(base_url=system.gateway) as http:
        address = _address(http, signed_in(http, "Ada"))
    ada = WebUser.open(browser, system.gateway, "Ada")
    try:
        page = ada.page
        page.get_by_role("link", name="Log in").click()
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email", exact=True).fill(address)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.locator("#reset-sent")).to_contain_text(f"If an account uses {address}, a link")

        [mail] = wait_until(lambda: _mails(system, address, "Reset your Evently password"))
        text = mail.get_body(("plain",))
        assert text is not None
        [link] = [word for word in text.get_content().split() if "/#/reset-password/" in word]
        page.goto(link)
        page.get_by_label("New password", exact=True).fill("short")
        page.get_by_role("button", name="Set new password").click()
        expect(page.locator("#error-newPassword")).to_have_text("must be 10 to 256 characters long")
        page.get_by_label("New password", exact=True).fill("a fresh start, finally")
        page.get_by_role("button", name="Set new password").click()
        expect(page.get_by_role("status")).to_have_text("Your password is set. Log in with it.")

        page.get_by_label("Email", exact=True).fill(address)
        page.get_by_label("Password", exact=True).fill("a fresh start, finally")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        page.goto(link)  # the link again: it worked once
        page.get_by_label("New password", exact=True).fill("yet another passphrase")
        page.get_by_role("button", name="Set new password").click()
        expect(page.get_by_role("status")).to_contain_text("this link has expired or was used already")
        assert ada.problems == []
    finally:
        ada.close()
