"""Times as people see them in the browser, and the account page. An organizer whose laptop is
in New York publishes a Berlin event at 18:00 Berlin time: that is what is stored, shown (with
her own time beside it) and mailed to an attendee in Tokyo (with his). The account page changes
name, zone, notifications and password. In a real browser, whatever zone the machine is in."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import System
from tests.e2e.web_user import PASSWORD, People, WebUser, browser  # noqa: F401  (the fixture)
from tests.support import wait_until

pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)

Person = Callable[..., WebUser]


@pytest.fixture
def person(system: System, browser: Browser) -> Iterator[Person]:  # noqa: F811
    people = People(browser, system.gateway)
    yield lambda name, time_zone: people.open(name, time_zone=time_zone)
    people.close_all()


def _mails_to(system: System, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted((system.log.parent / "mail").glob("*.eml")):
        message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found  # type: ignore[return-value]


def test_an_event_s_time_is_typed_stored_shown_and_mailed_in_its_own_zone(
    system: System, person: Person
) -> None:
    olga = person("Olga", "America/New_York")
    olga.sign_up()
    page = olga.page
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("America/New_York")  # hers, to start
    page.get_by_label("Title", exact=True).fill("Berlin tea")
    page.get_by_label("Location", exact=True).fill("Café Einstein")
    page.get_by_label("Time zone", exact=True).fill("Europe/Berlin")
    page.get_by_label("Starts", exact=True).fill("2031-05-20T18:00")
    page.get_by_label("Ends", exact=True).fill("2031-05-20T20:00")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Berlin tea")
    event_id = page.url.rsplit("/", 1)[1]

    stored = httpx.get(f"{system.gateway}/v1/events/{event_id}").json()
    assert (stored["startTime"], stored["endTime"], stored["timeZone"]) == (
        "2031-05-20T16:00:00Z",  # 18:00 in Berlin's summer time (UTC+2)
        "2031-05-20T18:00:00Z",
        "Europe/Berlin",
    )
    shown = page.locator("#when")
    expect(shown).to_contain_text("Tue 20 May 2031, 18:00\u201320:00")  # Berlin's clocks
    expect(shown).to_contain_text("(12:00\u201314:00 GMT-4 your time)")  # and hers

    ken = person("Ken", "Asia/Tokyo")
    ken.sign_up()
    ken.open_event(event_id)
    expect(ken.page.locator("#when")).to_contain_text("(Wed 21 May 2031, 01:00\u201303:00 GMT+9 your time)")
    ken.click("Register")
    expect(ken.page.locator("#my-place")).to_have_text("You have a seat.")

    [confirmation] = wait_until(lambda: _mails_to(system, ken.email), timeout=30)
    text = confirmation.get_body(("plain",))
    assert text is not None
    assert (
        "Your seat is confirmed for Tue 20 May 2031, 18:00\u201320:00 CEST "
        "(Wed 21 May 2031, 01:00\u201303:00 JST your time)." in text.get_content()
    )


def test_the_account_page_keeps_a_person_s_details_and_settings(system: System, person: Person) -> None:
    ada = person("Ada", "Europe/Lisbon")
    ada.sign_up()
    page = ada.page
    page.locator("#whoami").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("#account-email")).to_have_text(ada.email)
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("Europe/Lisbon")  # from sign-up

    page.get_by_label("Your name", exact=True).fill("Ada L.")
    page.get_by_label("Time zone", exact=True).fill("Mars/Olympus")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#error-timeZone")).to_have_text(
        'must be an IANA time zone such as "Europe/Berlin" or "UTC"'
    )
    page.get_by_label("Time zone", exact=True).fill("Asia/Kolkata")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_have_text("Your details are saved.")
    expect(page.locator("#whoami")).to_have_text("Ada L.")

    page.get_by_label("By e-mail").uncheck()
    page.get_by_label("New comments on your events").uncheck()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_role("status")).to_have_text("Your notification settings are saved.")

    page.get_by_label("Current password", exact=True).fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a much better passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_have_text(
        "Your password is changed; your other sessions have ended."
    )

    page.reload()  # all of it was stored, and this session goes on after the change
    expect(page.get_by_label("Your name", exact=True)).to_have_value("Ada L.")
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("Asia/Kolkata")
    expect(page.get_by_label("By e-mail")).not_to_be_checked()
    expect(page.get_by_label("In the app (the bell)")).to_be_checked()
    expect(page.get_by_label("New comments on your events")).not_to_be_checked()
    expect(page.get_by_label("Reminders before your events")).to_be_checked()
    expect(page.get_by_label("A webhook of yours was switched off")).to_be_checked()  # every kind listed
    with httpx.Client(base_url=system.gateway) as client:
        old = client.post("/v1/users:login", json={"email": ada.email, "password": PASSWORD})
        new = client.post(
            "/v1/users:login", json={"email": ada.email, "password": "a much better passphrase"}
        )
    assert (old.status_code, new.status_code) == (401, 200)
