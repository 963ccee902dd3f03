"""The web UI, as people use it in a real browser: an organizer publishes an event, others find
it, register, join the waitlist, comment; the organizer's bell rings live; webhooks are managed
and their deliveries seen. Every page talks to its own origin only and runs without errors."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator

import httpx
import pytest
from evently_gateway.webui import WEB_ROOT
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import System
from tests.e2e.web_user import People, WebUser, browser  # noqa: F401  (the fixture)
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import wait_until

# The pages are the same whatever database the services use; one backend is enough here.
pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)

Person = Callable[[str], WebUser]


@pytest.fixture
def person(system: System, browser: Browser) -> Iterator[Person]:  # noqa: F811
    """Opens a new person's browser; at the end, none of them may have met a page problem."""
    people = People(browser, system.gateway)
    yield people.open
    people.close_all()


def test_the_organizer_hears_live_when_someone_registers(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("Browser-tested meetup", capacity=10)
    expect(olga.page.locator("#seats")).to_have_text("10 of 10 seats left")
    bell = olga.page.locator("#bell")
    expect(bell).to_have_attribute("aria-label", "Notifications")

    ada = person("Ada")
    ada.sign_up()
    ada.open_event(event_id)
    ada.click("Register")
    expect(ada.page.get_by_role("status")).to_have_text("You are registered.")
    expect(ada.page.locator("#my-place")).to_have_text("You have a seat.")
    expect(ada.page.locator("#seats")).to_have_text("9 of 10 seats left")

    # Olga has not reloaded anything: the bell is fed by the Server-Sent Events stream.
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=30_000)
    expect(olga.page.locator("#bell-count")).to_have_text("1")
    bell.click()
    expect(olga.page.locator("#bell-list")).to_contain_text("Browser-tested meetup")
    olga.click("Mark all read")
    expect(olga.page.locator("#bell-count")).to_be_hidden()

    olga.page.reload()  # the organizer's own view now counts Ada among the attendees
    expect(olga.page.get_by_role("heading", name="Attendees (1)")).to_be_visible()
    expect(olga.page.locator("table")).to_contain_text("Ada")


def test_visitors_find_upcoming_events_and_search_them(system: System, person: Person) -> None:
    word = f"zither{secrets.token_hex(3)}"
    olga = person("Olga")
    olga.sign_up()
    olga.create_event(f"The {word} evening")
    olga.create_event("Something else entirely")

    visitor = person("Visitor")  # not signed in
    page = visitor.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
    # The shared system holds other tests' events too: the first page shows some, soonest first.
    expect(page.get_by_role("list", name="Upcoming events").get_by_role("listitem").first).to_be_visible()
    page.get_by_role("searchbox", name="Search events").fill(word)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="Upcoming events").get_by_role("listitem")
    expect(results).to_have_count(1)
    expect(results).to_contain_text(f"The {word} evening")
    results.get_by_role("link").click()
    expect(page.get_by_role("link", name="Log in to register")).to_be_visible()
    calendar = page.get_by_role("link", name="Add to calendar").get_attribute("href")
    assert calendar is not None
    ics = httpx.get(system.gateway + calendar)
    assert ics.headers["content-type"].startswith("text/calendar")
    assert f"The {word} evening" in ics.text


def test_a_full_event_offers_the_waitlist_and_promotes_in_order(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("One seat only", capacity=1)

    ada, bob = person("Ada"), person("Bob")
    for user in (ada, bob):
        user.sign_up()
        user.open_event(event_id)
    ada.click("Register")
    expect(ada.page.locator("#my-place")).to_have_text("You have a seat.")

    bob.page.reload()
    expect(bob.page.locator("#seats")).to_have_text("Full · waitlist open")
    bob.click("Join the waitlist")
    expect(bob.page.get_by_role("status")).to_have_text("You are on the waitlist (number 1).")
    expect(bob.page.locator("#my-place")).to_have_text("You are number 1 on the waitlist.")

    ada.click("Unregister")
    expect(ada.page.locator("#my-place")).to_have_text("You are not registered.")

    bob.page.get_by_role("link", name="My registrations").click()
    expect(bob.page.get_by_role("list", name="Upcoming")).to_contain_text("Seat confirmed")


def test_attendees_and_the_organizer_discuss_an_event(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("Talk it over")

    ada = person("Ada")
    ada.sign_up()
    ada.open_event(event_id)
    expect(ada.page.get_by_text("Register for this event to join the conversation.")).to_be_visible()
    ada.click("Register")
    expect(ada.page.locator("#my-place")).to_have_text("You have a seat.")
    ada.page.get_by_label("Add a comment", exact=True).fill("Is there <b>parking</b>?")
    ada.click("Post comment")
    expect(ada.page.get_by_role("heading", name="Comments (1)")).to_be_visible()

    olga.open_event(event_id)
    comments = olga.page.locator("ol.comments")
    expect(comments).to_contain_text("Ada")
    expect(comments).to_contain_text("Is there <b>parking</b>?")  # shown as typed, never as markup
    olga.page.get_by_label("Add a comment", exact=True).fill("Yes, behind the hall.")
    olga.click("Post comment")
    expect(comments).to_contain_text("Olga (organizer)")


def test_the_organizer_edits_an_event_and_mistakes_are_shown_beside_the_field(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("First title")
    page = olga.page
    page.get_by_role("link", name="Edit event").click()
    page.get_by_label("Ends", exact=True).fill("2031-05-20T17:00")  # before it starts
    olga.click("Save changes")
    ends = page.get_by_label("Ends", exact=True)
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("after")

    page.get_by_label("Ends", exact=True).fill("2031-05-20T21:00")
    page.get_by_label("Title", exact=True).fill("Second title")
    olga.click("Save changes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Second title")
    assert page.url.endswith(f"#/events/{event_id}")


def test_sign_up_mistakes_are_explained_and_create_nothing(person: Person) -> None:
    eve = person("Eve")
    page = eve.page
    page.get_by_role("link", name="Sign up").click()
    eve.click("Create account")  # nothing filled in: every mistake at once, each beside its field
    expect(page.get_by_role("status")).to_have_text("Please correct the marked fields.")
    expect(page.locator("#error-password")).to_have_text(
        "must be 10 to 256 characters long; must not be the e-mail address"
    )
    expect(page.locator("#error-email")).to_have_text("must be a valid e-mail address")
    expect(page.locator("#error-displayName")).to_contain_text("is required")
    page.get_by_label("Your name", exact=True).fill("Eve")
    page.get_by_label("Email", exact=True).fill(eve.email)
    page.get_by_label("Password", exact=True).fill("short")
    eve.click("Create account")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    # Only what is still wrong is marked now (waits for the second answer to replace the first).
    expect(page.locator("#error-password")).to_have_text("must be 10 to 256 characters long")
    expect(page.locator("#error-email")).to_have_count(0)

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email", exact=True).fill(eve.email)
    page.get_by_label("Password", exact=True).fill("short")
    eve.click("Log in")
    expect(page.get_by_role("status")).to_have_text("wrong e-mail or password")  # no account was made


def test_webhooks_are_managed_and_their_deliveries_seen(person: Person) -> None:
    receiver = WebhookReceiver()
    receiver.start()
    try:
        olga = person("Olga")
        olga.sign_up()
        page = olga.page
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("Endpoint URL", exact=True).fill("ftp://nowhere")
        olga.click("Create subscription")
        expect(page.locator(".field-error").first).to_be_visible()

        page.get_by_label("Endpoint URL", exact=True).fill(receiver.url)
        page.get_by_label("evently.event.created", exact=True).check()
        page.get_by_label("Description", exact=True).fill("my receiver")
        olga.click("Create subscription")
        secret = page.locator("#new-secret")
        expect(secret).to_have_text(re.compile(r"^whsec_"))
        receiver.secret = secret.inner_text()

        olga.create_event("Announced by webhook")
        wait_until(lambda: receiver.received, timeout=30)
        assert receiver.rejected == []
        assert receiver.received[0]["body"]["data"]["event"]["title"] == "Announced by webhook"

        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name="Deliveries").click()
        expect(page.get_by_role("table")).to_contain_text("evently.event.created")
        expect(page.get_by_role("table")).to_contain_text("succeeded")
        page.get_by_text("Request and responses").first.click()  # what was sent, unfolded
        expect(page.locator("details.exchange pre").first).to_contain_text('"type":"evently.event.created"')
    finally:
        receiver.stop()


def test_the_api_docs_render_every_operation_from_local_assets(person: Person) -> None:
    reader = person("Reader")
    page = reader.page
    page.get_by_role("link", name="API docs").click()
    expect(page.locator(".opblock-tag", has_text="EventService")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/v1/events/{id}:cancel")).to_be_visible()
    assert page.locator(".opblock").count() >= 30  # one per annotated method


def test_a_missing_event_is_a_not_found_page(person: Person) -> None:
    visitor = person("Visitor")
    visitor.page.goto("/#/events/no-such-event")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(visitor.page.get_by_role("link", name="Back to the events")).to_be_visible()


def test_an_organizer_finds_their_events_and_people_see_who_organizes(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("Olga's one-seat salon", capacity=1)
    expect(olga.page.locator("#organizer")).to_have_text("You")

    ada = person("Ada")
    ada.sign_up()
    ada.open_event(event_id)
    expect(ada.page.locator("#organizer")).to_have_text("Olga")
    ada.click("Register")
    expect(ada.page.locator("#my-place")).to_have_text("You have a seat.")

    page = olga.page
    page.get_by_role("link", name="My events").click()
    upcoming = page.get_by_role("region", name="Upcoming")
    expect(upcoming).to_contain_text("Olga's one-seat salon")
    # Full is a warning, not a success.
    pill = upcoming.locator(".pill", has_text="Full · waitlist open")
    expect(pill).to_have_class("pill warn")
    page.get_by_role("link", name="Past events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Past events")


def test_form_controls_read_as_typed_text_and_are_easy_to_see(person: Person) -> None:
    visitor = person("Visitor")
    page = visitor.page
    page.get_by_role("link", name="Sign up").click()
    name = page.get_by_label("Your name", exact=True)
    assert name.evaluate("e => getComputedStyle(e).fontWeight") == "400"  # not the label's bold
    border = name.evaluate("e => getComputedStyle(e).borderTopColor")
    red, green, blue = (int(c) for c in re.findall(r"\d+", border)[:3])

    def luminance(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    relative = 0.2126 * luminance(red) + 0.7152 * luminance(green) + 0.0722 * luminance(blue)
    assert 1.05 / (relative + 0.05) >= 3  # WCAG 1.4.11 against the white card


def test_a_slack_channel_is_connected_from_the_webhooks_page(person: Person) -> None:
    channel = WebhookReceiver(verify=False)  # a Slack incoming webhook takes unsigned JSON
    channel.start()
    try:
        olga = person("Olga")
        olga.sign_up()
        page = olga.page
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("Endpoint URL", exact=True).fill(channel.url)
        page.get_by_label("evently.event.created", exact=True).check()
        page.get_by_label("Send as", exact=True).select_option("SLACK")
        olga.click("Create subscription")
        expect(page.locator(".notice")).to_have_text(
            "Your subscription is active: the channel gets a message for each event."
        )
        olga.click("Send a test")
        expect(page.get_by_role("status")).to_contain_text("A test event is on its way")
        [tested] = wait_until(lambda: channel.received, timeout=30)
        assert tested["body"]["text"] == "Test message from Evently"
        olga.create_event("Told in Slack")
        wait_until(lambda: len(channel.received) == 2, timeout=30)
        assert channel.received[1]["body"]["text"] == "New event: Told in Slack"
    finally:
        channel.stop()


def test_a_switched_off_webhook_shows_so_and_recovers_what_it_missed_in_order(person: Person) -> None:
    endpoint = WebhookReceiver(verify=False)
    endpoint.answer = 410  # the receiving service is being moved
    endpoint.start()
    try:
        olga = person("Olga")
        olga.sign_up()
        page = olga.page
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("Endpoint URL", exact=True).fill(endpoint.url)
        page.get_by_label("evently.event.created", exact=True).check()
        olga.click("Create subscription")
        expect(page.locator("#new-secret")).to_be_visible()
        olga.create_event("Before the move")
        wait_until(lambda: endpoint.attempts == 1, timeout=30)

        def shows(state: str) -> bool:
            """The webhooks page read afresh (a click on its own link would not re-read it)."""
            page.goto(f"{olga.base}/#/webhooks")
            page.reload()
            expect(page.get_by_role("heading", level=1, name="Webhooks")).to_be_visible()
            return page.get_by_text(state, exact=True).is_visible()

        wait_until(lambda: shows("Switched off"), timeout=30)
        olga.create_event("While switched off")
        endpoint.answer = 204  # moved, and working again
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_text("Switched off", exact=True)).to_be_visible()
        # The form is open for a switched-off subscription, from before it began failing.
        olga.click("Recover")
        expect(page.get_by_role("status")).to_have_text("2 missed events are on their way, oldest first.")
        wait_until(lambda: len(endpoint.received) == 2, timeout=30)
        titles = [d["body"]["data"]["event"]["title"] for d in endpoint.received]
        assert titles == ["Before the move", "While switched off"]

        # Once a delivery has gone through, the page says it is active again (on a fresh look).
        wait_until(lambda: shows("Active"), timeout=30)
    finally:
        endpoint.stop()


def test_a_developer_reads_how_to_verify_deliveries_and_every_event_type_without_signing_in(
    person: Person, system: System
) -> None:
    visitor = person("Dev")
    page = visitor.page
    page.get_by_role("link", name="Developers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks for developers")
    # The code shown is the code the test suite runs against real deliveries.
    snippets = WEB_ROOT / "snippets"
    expect(page.locator("#snippet-python")).to_have_text((snippets / "verify_webhook.py").read_text())
    expect(page.locator("#snippet-node")).to_have_text((snippets / "verify_webhook.js").read_text())
    catalog = httpx.get(f"{system.gateway}/v1/event-types", timeout=10).json()["eventTypes"]
    expect(page.get_by_role("heading", level=2, name=f"Event types ({len(catalog)})")).to_be_visible()
    registration = page.locator("#type-evently\\.registration\\.created")
    expect(registration.get_by_role("heading", level=3)).to_have_text("evently.registration.created")
    expect(registration.locator("pre").first).to_contain_text('"type": "evently.registration.created"')
    # On a phone, the code scrolls inside its box; the page itself does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
