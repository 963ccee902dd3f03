"""Deliveries to chat tools read as messages: what happened, to which event, when in the event's
zone, and a link — in each tool's own shape (Slack's checked by its SDK's Block Kit models)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from evently_notifier.domain.chat import DeliveryFormat, chat_body, message_for
from evently_notifier.domain.facts import (
    CommentAdded,
    EventChange,
    EventChanged,
    EventSnapshot,
    RegistrationChange,
    RegistrationChanged,
)
from slack_sdk.models.blocks import Block

BASE = "https://evently.example"
EVENT = EventSnapshot(
    id="e1",
    organizer_id="olga",
    title="Jazz & <Blues> night",
    location="Moon Club, Berlin",
    start_time=datetime(2027, 3, 13, 19, 0, tzinfo=UTC),
    end_time=datetime(2027, 3, 13, 22, 0, tzinfo=UTC),
    time_zone="Europe/Berlin",
)


def test_a_new_event_says_what_when_where_and_links_to_it() -> None:
    message = message_for("evently.event.created", EventChanged(EventChange.CREATED, EVENT), BASE)
    assert message.headline == "New event: Jazz & <Blues> night"
    assert message.details == "Sat 13 Mar 2027, 20:00\u201323:00 CET · Moon Club, Berlin"
    assert message.link == f"{BASE}/#/events/e1"


def test_registrations_and_comments_name_the_event_not_the_person() -> None:
    registered = RegistrationChanged(
        RegistrationChange.CREATED, "r1", "e1", "ada", "WAITLISTED", None, "olga", EVENT.title, EVENT
    )
    assert message_for("evently.registration.created", registered, BASE).headline == (
        "Someone joined the waitlist for Jazz & <Blues> night"
    )
    comment = CommentAdded("c1", "e1", "ada", "Is there a cloakroom?", "olga", EVENT.title)
    said = message_for("evently.comment.added", comment, BASE)
    assert (said.headline, said.details) == ("New comment on Jazz & <Blues> night", "Is there a cloakroom?")


def test_slack_gets_valid_block_kit_with_a_text_fallback_and_escaped_text() -> None:
    message = message_for("evently.event.created", EventChanged(EventChange.CREATED, EVENT), BASE)
    body = json.loads(chat_body(DeliveryFormat.SLACK, message))
    assert body["text"] == "New event: Jazz & <Blues> night"
    for block in body["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # raises on anything Slack would refuse
    section = body["blocks"][0]["text"]["text"]
    assert section.startswith("*New event: Jazz &amp; &lt;Blues&gt; night*\n")
    assert body["blocks"][1]["elements"][0]["url"] == f"{BASE}/#/events/e1"


def test_discord_gets_content_and_an_embed_that_mentions_nobody() -> None:
    message = message_for(
        "evently.event.cancelled", EventChanged(EventChange.CANCELLED, EVENT, reason="@everyone flu"), BASE
    )
    body = json.loads(chat_body(DeliveryFormat.DISCORD, message))
    assert body["content"] == "Cancelled: Jazz & <Blues> night"
    assert body["embeds"] == [
        {
            "title": "Cancelled: Jazz & <Blues> night",
            "url": f"{BASE}/#/events/e1",
            "description": "@everyone flu",
        }
    ]
    assert body["allowed_mentions"] == {"parse": []}  # "@everyone" in a reason pings no one


def test_teams_gets_an_adaptive_card_for_a_workflows_webhook() -> None:
    message = message_for("evently.event.created", EventChanged(EventChange.CREATED, EVENT), BASE)
    body = json.loads(chat_body(DeliveryFormat.TEAMS, message))
    [attachment] = body["attachments"]
    assert (body["type"], attachment["contentType"]) == ("message", "application/vnd.microsoft.card.adaptive")
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert [block["text"] for block in card["body"]] == [message.headline, message.details]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Evently", "url": f"{BASE}/#/events/e1"}
    ]


@pytest.mark.parametrize(
    "delivery_format", [DeliveryFormat.SLACK, DeliveryFormat.DISCORD, DeliveryFormat.TEAMS]
)
def test_an_event_type_without_its_own_words_still_makes_a_message(delivery_format: DeliveryFormat) -> None:
    body = json.loads(chat_body(delivery_format, message_for("evently.subscription.failing", None, BASE)))
    assert "Evently: evently.subscription.failing" in json.dumps(body)
    tested = json.loads(chat_body(delivery_format, message_for("evently.test", None, BASE)))
    assert "Test message from Evently" in json.dumps(tested)
