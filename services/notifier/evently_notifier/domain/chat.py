"""Deliveries to chat tools (a subscription whose `format` is SLACK, DISCORD or TEAMS): each
domain event as a short human message — what happened, to which event, when (in the event's
zone), and a link to its page — laid out as each tool's incoming webhook expects. Pure Python."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from evently_platform.time_words import when

from evently_notifier.domain.facts import (
    CommentAdded,
    CommentChanged,
    EventChange,
    EventChanged,
    EventGone,
    EventSnapshot,
    Fact,
    PollNews,
    RegistrationChange,
    RegistrationChanged,
    ReminderCame,
    SubscriptionHealth,
)


class DeliveryFormat(enum.Enum):
    CLOUDEVENTS = "CLOUDEVENTS"  # signed CloudEvents for code (Standard Webhooks)
    SLACK = "SLACK"  # Block Kit, for a Slack incoming webhook
    DISCORD = "DISCORD"  # content and an embed, for a Discord channel webhook
    TEAMS = "TEAMS"  # an Adaptive Card, for a Teams Workflows webhook


@dataclass(frozen=True)
class ChatMessage:
    headline: str
    details: str
    link: str


def _event_words(event: EventSnapshot) -> str:
    parts = []
    if event.start_time is not None:
        parts.append(when(event.start_time, event.end_time, event_zone=event.time_zone))
    if event.location:
        parts.append(event.location)
    return " · ".join(parts)


def message_for(event_type: str, fact: Fact | None, base_url: str) -> ChatMessage:
    """What a chat channel is told about one domain event."""
    base = base_url.rstrip("/")
    page = base + "/"
    match fact:
        case EventChanged(change=change, event=event, reason=reason):
            page = f"{base}/#/events/{event.id}"
            title = event.title or "An event"
            if change is EventChange.CREATED:
                return ChatMessage(f"New event: {title}", _event_words(event), page)
            if change is EventChange.CANCELLED:
                return ChatMessage(f"Cancelled: {title}", reason or "No reason was given.", page)
            return ChatMessage(f"Updated: {title}", _event_words(event), page)
        case EventGone(event_id=event_id):
            return ChatMessage("An event was deleted", f"Event {event_id} is gone.", page)
        case RegistrationChanged(
            change=change, status=status, event_title=title, event_id=event_id, event=event
        ):
            page = f"{base}/#/events/{event_id}"
            title = title or "an event"
            details = _event_words(event) if event is not None else ""
            if change is RegistrationChange.PROMOTED:
                return ChatMessage(f"A waitlisted attendee got a seat for {title}", details, page)
            if change is RegistrationChange.CANCELLED:
                return ChatMessage(f"A registration for {title} was cancelled", details, page)
            if status == "WAITLISTED":
                return ChatMessage(f"Someone joined the waitlist for {title}", details, page)
            return ChatMessage(f"New registration for {title}", details, page)
        case CommentChanged(change=change, event_id=event_id, event_title=title):
            verb = "edited" if change == "edited" else "deleted"
            return ChatMessage(
                f"A comment on {title or 'an event'} was {verb}", "", f"{base}/#/events/{event_id}"
            )
        case CommentAdded(event_id=event_id, event_title=title, text=text):
            return ChatMessage(
                f"New comment on {title or 'an event'}", text[:1000], f"{base}/#/events/{event_id}"
            )
        case ReminderCame(event_id=event_id, event_title=title, event_start_time=start):
            details = f"Starts {when(start)}" if start is not None else ""
            return ChatMessage(f"Reminder: {title or 'an event'}", details, f"{base}/#/events/{event_id}")
        case PollNews(change=change, event_id=event_id, event_title=title, winner=won):
            page = f"{base}/#/events/{event_id}"
            title = title or "an event"
            if change == "opened":
                return ChatMessage(f"A poll opened on {title}", "Vote on the event page.", page)
            if change == "closed":
                return ChatMessage(f"A poll on {title} is decided", f"Winner: {won}" if won else "", page)
            return ChatMessage(f"Someone voted in a poll on {title}", "", page)
        case SubscriptionHealth(change=change, url=url, reason=reason):
            headline = {
                "failing": "A webhook is failing",
                "disabled": "A webhook was switched off",
                "recovered": "A webhook works again",
            }.get(change, f"A webhook is {change}")
            details = f"{url}: {reason}" if reason else url
            return ChatMessage(headline, details, f"{base}/#/webhooks")
    if event_type == "evently.test":
        return ChatMessage(
            "Test message from Evently", "If you can read this, the channel is connected.", page
        )
    return ChatMessage(f"Evently: {event_type}", "", page)


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack(message: ChatMessage) -> dict[str, Any]:
    text = f"*{_slack_escape(message.headline)}*"
    if message.details:
        text += f"\n{_slack_escape(message.details)}"
    return {
        "text": message.headline,  # notifications and clients without blocks show this
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in Evently"},
                        "url": message.link,
                    }
                ],
            },
        ],
    }


def _discord(message: ChatMessage) -> dict[str, Any]:
    embed: dict[str, Any] = {"title": message.headline[:256], "url": message.link}
    if message.details:
        embed["description"] = message.details[:4096]
    return {"content": message.headline[:2000], "embeds": [embed], "allowed_mentions": {"parse": []}}


def _teams(message: ChatMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.headline, "weight": "Bolder", "wrap": True}
    ]
    if message.details:
        body.append({"type": "TextBlock", "text": message.details, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open in Evently", "url": message.link}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


_LAYOUTS = {DeliveryFormat.SLACK: _slack, DeliveryFormat.DISCORD: _discord, DeliveryFormat.TEAMS: _teams}


def chat_body(delivery_format: DeliveryFormat, message: ChatMessage) -> bytes:
    """The JSON a chat tool's incoming webhook takes."""
    return json.dumps(_LAYOUTS[delivery_format](message), ensure_ascii=False).encode()
