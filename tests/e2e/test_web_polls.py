"""Deciding together, in two browsers at once: the organizer asks when, an attendee answers, the
organizer's page shows the tally as it changes, closing the poll moves the event — and the
attendee's page follows each step live, without a reload; so do comments."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import System
from tests.e2e.web_user import People, WebUser, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.parametrize("databases", ["sqlite"], indirect=True)

Person = Callable[[str], WebUser]
DASH = "\u2013"  # between a start and an end time, as shown
EIGHTH = f"Sun 8 Jun 2031, 19:00{DASH}21:00 CEST"


@pytest.fixture
def person(system: System, browser: Browser) -> Iterator[Person]:  # noqa: F811
    people = People(browser, system.gateway)
    yield lambda name: people.open(name, time_zone="Europe/Berlin")
    people.close_all()


def test_a_date_is_decided_together_and_both_pages_follow_live(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("Board games night", capacity=10)
    ann = person("Ann")
    ann.sign_up()
    ann.open_event(event_id)
    ann.click("Register")
    expect(ann.page.locator("#my-place")).to_have_text("You have a seat.")

    olga.open_event(event_id)
    olga.page.get_by_label("Kind", exact=True).select_option("DATE")
    olga.page.get_by_label("Options, one per line", exact=True).fill("2031-06-01 19:00\n2031-06-08 19:00")
    olga.click("Open poll")
    expect(olga.page.get_by_role("status")).to_have_text("The poll is open.")

    # Ann's page, open all along, shows the poll as it opens.
    asked = ann.page.get_by_role("region", name="When should it be?")
    expect(asked).to_be_visible()
    expect(asked.locator(".option strong").nth(1)).to_have_text(EIGHTH)
    asked.locator(".option").nth(1).get_by_label("Yes", exact=True).check()
    asked.locator(".option").nth(0).get_by_label("No", exact=True).check()
    ann.click("Send my answers")
    expect(ann.page.get_by_role("status")).to_have_text("Your answers are in.")

    # Olga's page counts it as it comes.
    mine = olga.page.get_by_role("region", name="When should it be?")
    expect(mine.locator(".tally").nth(1)).to_have_text("1 yes · 0 if need be · 0 no")
    expect(mine.locator(".tally").nth(0)).to_have_text("0 yes · 0 if need be · 1 no")

    olga.click("Close poll")
    # The winner becomes the event's time, on both pages, with no reload.
    for page in (olga.page, ann.page):
        expect(page.locator("#when")).to_have_text(EIGHTH)
    expect(asked.get_by_text("Chosen")).to_be_visible()
    expect(asked.get_by_role("button", name="Send my answers")).to_have_count(0)  # closed

    # And the conversation is live too.
    ann.page.get_by_label("Add a comment", exact=True).fill("The 8th works for me!")
    ann.click("Post comment")
    expect(olga.page.locator(".comments li")).to_contain_text(["The 8th works for me!"])


def test_a_conversation_with_a_reply_a_mention_an_edit_and_a_removal(person: Person) -> None:
    olga = person("Olga")
    olga.sign_up()
    event_id = olga.create_event("Book club", capacity=10)
    ann = person("Ann")
    ann.sign_up()
    ann.open_event(event_id)
    ann.click("Register")
    expect(ann.page.locator("#my-place")).to_have_text("You have a seat.")
    ann.page.get_by_label("Add a comment", exact=True).fill("Which book first?")
    ann.click("Post comment")

    olga.open_event(event_id)
    question = olga.page.locator(".comments li", has_text="Which book first?")
    question.get_by_role("button", name="Reply").click()
    expect(olga.page.get_by_text("Replying to Ann")).to_be_visible()
    olga.page.get_by_label("Add a comment", exact=True).fill("Dune, @Ann!")
    olga.click("Post comment")

    # Ann's page shows the reply as it comes, under her question; she was mentioned, and told.
    reply = ann.page.locator(".comments li.reply")
    expect(reply).to_contain_text("Dune, @Ann!")
    expect(reply).to_contain_text("in reply to Ann")
    expect(ann.page.locator("#bell-count")).not_to_have_text("0")

    # She edits her question; Olga sees the new words live.
    ann.page.locator(".comments li", has_text="Which book first?").get_by_role("button", name="Edit").click()
    ann.page.get_by_label("Edit your comment", exact=True).fill("Which book do we start with?")
    ann.click("Save")
    edited = olga.page.locator(".comments li").first
    expect(edited.locator(".comment-text")).to_have_text("Which book do we start with?")
    expect(edited).to_contain_text("(edited)")

    # The organizer removes a comment; it goes from both pages, its place stays.
    ann.page.get_by_label("Add a comment", exact=True).fill("Off-topic advert")
    ann.click("Post comment")
    olga.page.once("dialog", lambda dialog: dialog.accept())
    olga.page.locator(".comments li", has_text="Off-topic advert").get_by_role(
        "button", name="Remove"
    ).click()
    for page in (olga.page, ann.page):
        expect(page.locator(".comments")).to_contain_text("Removed by the organizer.")
        expect(page.locator(".comments")).not_to_contain_text("Off-topic advert")


def test_an_event_proposed_without_a_date_is_decided_by_vote_and_the_yes_voter_gets_a_seat(
    person: Person,
) -> None:
    olga = person("Olga")
    olga.sign_up()
    page = olga.page
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title", exact=True).fill("Alumni dinner")
    page.get_by_label("Location", exact=True).fill("The old refectory")
    page.get_by_label("Capacity", exact=True).fill("20")
    page.get_by_label("The date is to be decided: let people vote on it").check()
    page.get_by_label("Candidate dates, one per line", exact=True).fill("2031-07-04 19:00\n2031-07-11 19:00")
    page.get_by_label("Length in hours", exact=True).fill("3")
    olga.click("Create event")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alumni dinner")
    expect(page.locator("#when")).to_have_text("To be decided: vote on the date below.")
    event_id = page.url.rsplit("/", 1)[1]

    ann = person("Ann")
    ann.sign_up()
    page_of_ann = ann.page
    page_of_ann.get_by_role("link", name="Events", exact=True).click()
    page_of_ann.get_by_label("Search events", exact=True).fill("Alumni dinner")
    page_of_ann.get_by_label("Search events", exact=True).press("Enter")
    card = page_of_ann.locator(".card", has_text="Alumni dinner")
    expect(card).to_contain_text("Date to be decided")
    ann.open_event(event_id)
    expect(page_of_ann.get_by_role("button", name="Register")).to_have_count(0)  # nothing to register for yet
    asked = page_of_ann.get_by_role("region", name="When should it be?")
    asked.locator(".option").nth(1).get_by_label("Yes", exact=True).check()
    ann.click("Send my answers")
    expect(page_of_ann.get_by_role("status")).to_have_text("Your answers are in.")

    olga.click("Close poll")
    # Ann's page reads itself afresh when the date is decided: she is in, on the 11th.
    expect(page_of_ann.locator("#when")).to_have_text(f"Fri 11 Jul 2031, 19:00{DASH}22:00 CEST")
    expect(page_of_ann.locator("#my-place")).to_have_text("You have a seat.")
