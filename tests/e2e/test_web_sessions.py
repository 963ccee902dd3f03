"""Sessions in the web UI, as a person lives them: a session outlasts its 15-minute access
token without asking to sign in again, one refresh at a time across tabs; when it does end (the
password changed on another device) the next page is the sign-in form saying so in plain words;
signing out ends the session on the server too. In a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import System
from tests.e2e.web_user import PASSWORD, WebUser, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)


@pytest.fixture
def ada(system: System, browser: Browser) -> Iterator[WebUser]:  # noqa: F811
    user = WebUser.open(browser, system.gateway, "Ada")
    user.sign_up()
    yield user
    problems = user.problems
    user.close()
    assert problems == []


def _saved(user: WebUser) -> dict[str, str]:
    saved: dict[str, str] = json.loads(user.page.evaluate("localStorage.getItem('evently.session')"))
    return saved


def _age_access_token(user: WebUser) -> None:
    """As if the 15 minutes had passed: the page believes its access token is about to expire."""
    user.page.evaluate(
        """() => {
          const saved = JSON.parse(localStorage.getItem('evently.session'));
          saved.expireTime = new Date(Date.now() - 1000).toISOString();
          localStorage.setItem('evently.session', JSON.stringify(saved));
        }"""
    )


def test_a_session_outlasts_its_access_token(ada: WebUser) -> None:
    before = _saved(ada)
    _age_access_token(ada)

    ada.page.goto("/#/registrations")

    expect(ada.page.get_by_role("heading", name="My registrations")).to_be_visible()
    after = _saved(ada)
    assert after["refreshToken"] != before["refreshToken"]  # exchanged, once
    assert after["token"] != before["token"]
    expect(ada.page.locator("#whoami")).to_have_text("Ada")


def test_an_ended_session_leads_to_the_sign_in_form_in_plain_words(system: System, ada: WebUser) -> None:
    # Ada changes her password on her phone: every other session ends.
    with httpx.Client(base_url=system.gateway) as phone:
        signed_in = phone.post("/v1/users:login", json={"email": ada.email, "password": PASSWORD}).json()
        changed = phone.post(
            "/v1/users/me:changePassword",
            json={"currentPassword": PASSWORD, "newPassword": "a much better passphrase"},
            headers={"authorization": f"Bearer {signed_in['accessToken']}"},
        )
        assert changed.status_code == 200, changed.text
    _age_access_token(ada)  # the browser's next call needs its refresh token, which has ended

    ada.page.goto("/#/registrations")

    expect(ada.page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(ada.page.locator("main .notice")).to_have_text("Your session has ended. Please log in again.")
    expect(ada.page.locator("#whoami")).to_have_text("")
    assert "Bearer" not in ada.page.locator("main").inner_text()


def test_signing_out_ends_the_session_on_the_server(system: System, ada: WebUser) -> None:
    refresh_token = _saved(ada)["refreshToken"]

    ada.page.get_by_role("button", name="Sign out").click()

    expect(ada.page.get_by_role("status")).to_have_text("You are signed out.")
    with httpx.Client(base_url=system.gateway) as client:
        refused = client.post("/v1/users:refresh", json={"refreshToken": refresh_token})
    assert refused.status_code == 401
    assert refused.json()["message"] == "this session has ended: sign in again"
