"""Who is told what about each domain event: one small rule per event type. Pure Python.

A rule reads the CloudEvents `data` (proto3 JSON) and the people concerned with the event
(its attendees, from the notifier's own projection of registrations) and returns notices.
Adding a new event type is adding one rule to `RULES`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The event's attendees: people with an active (confirmed or waitlisted) registration.
Attendees = Callable[[str], list[str]]


@dataclass(frozen=True)
class Notice:
    user_id: str
    kind: str
    title: str
    body: str
    event_id: str = ""


Rule = Callable[[Mapping[str, Any], Attendees], list[Notice]]

RESCHEDULING_FIELDS = frozenset({"start_time", "end_time", "location"})


def _registration_created(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    registration, title = data.get("registration", {}), data.get("eventTitle", "an event")
    event_id, user_id = registration.get("eventId", ""), registration.get("userId", "")
    if registration.get("status") == "WAITLISTED":
        mine = Notice(
            user_id,
            "registration.waitlisted",
            f"You are on the waitlist for {title}",
            "We will tell you as soon as a seat frees up.",
            event_id,
        )
    else:
        mine = Notice(
            user_id,
            "registration.confirmed",
            f"You are registered for {title}",
            "Your seat is confirmed. The calendar file is on the event page.",
            event_id,
        )
    notices = [mine]
    organizer = data.get("organizerId", "")
    if organizer and organizer != user_id:
        notices.append(
            Notice(
                organizer,
                "registration.new",
                f"New registration for {title}",
                f"Someone registered ({registration.get('status', '').lower()}).",
                event_id,
            )
        )
    return notices


def _registration_cancelled(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    registration, organizer = data.get("registration", {}), data.get("organizerId", "")
    if not organizer or organizer == registration.get("userId"):
        return []
    title = data.get("eventTitle", "an event")
    return [
        Notice(
            organizer,
            "registration.cancelled",
            f"A registration for {title} was cancelled",
            "A seat is free again; the waitlist moves up.",
            registration.get("eventId", ""),
        )
    ]


def _registration_promoted(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    registration, title = data.get("registration", {}), data.get("eventTitle", "an event")
    return [
        Notice(
            registration.get("userId", ""),
            "registration.promoted",
            f"A seat opened up: you are in for {title}",
            "You moved from the waitlist to a confirmed seat.",
            registration.get("eventId", ""),
        )
    ]


def _comment_added(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    comment, title = data.get("comment", {}), data.get("eventTitle", "an event")
    event_id, author = comment.get("eventId", ""), comment.get("authorId", "")
    readers = [data.get("organizerId", ""), *attendees(event_id)]
    text = str(comment.get("text", ""))
    return [
        Notice(user, "comment.added", f"New comment on {title}", text[:280], event_id)
        for user in dict.fromkeys(readers)
        if user and user != author
    ]


def _event_updated(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    if not RESCHEDULING_FIELDS & set(data.get("changedFields", [])):
        return []  # a new description or title is not news worth a notification
    event = data.get("event", {})
    body = f"Now {event.get('startTime', '')} to {event.get('endTime', '')} at {event.get('location', '')}."
    return [
        Notice(
            user, "event.updated", f"{event.get('title', 'An event')} has moved", body, event.get("id", "")
        )
        for user in attendees(event.get("id", ""))
    ]


def _event_cancelled(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    event = data.get("event", {})
    reason = data.get("reason") or "No reason was given."
    return [
        Notice(
            user,
            "event.cancelled",
            f"{event.get('title', 'An event')} is cancelled",
            reason,
            event.get("id", ""),
        )
        for user in attendees(event.get("id", ""))
    ]


def _reminder_due(data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    title = data.get("eventTitle", "your event")
    return [
        Notice(
            data.get("userId", ""),
            "reminder.due",
            f"Reminder: {title}",
            f"It starts at {data.get('eventStartTime', '')}.",
            data.get("eventId", ""),
        )
    ]


RULES: dict[str, Rule] = {
    "evently.registration.created": _registration_created,
    "evently.registration.cancelled": _registration_cancelled,
    "evently.registration.promoted": _registration_promoted,
    "evently.comment.added": _comment_added,
    "evently.event.updated": _event_updated,
    "evently.event.cancelled": _event_cancelled,
    "evently.reminder.due": _reminder_due,
}


def notices_for(event_type: str, data: Mapping[str, Any], attendees: Attendees) -> list[Notice]:
    rule = RULES.get(event_type)
    return [n for n in rule(data, attendees) if n.user_id] if rule else []


@dataclass(frozen=True)
class Preferences:
    user_id: str
    email: bool = True
    in_app: bool = True
    muted_kinds: tuple[str, ...] = ()

    def wants(self, kind: str, channel: str) -> bool:
        if kind in self.muted_kinds:
            return False
        return self.email if channel == "email" else self.in_app


KINDS = (
    "registration.confirmed",
    "registration.waitlisted",
    "registration.promoted",
    "registration.new",
    "registration.cancelled",
    "comment.added",
    "event.updated",
    "event.cancelled",
    "reminder.due",
    "subscription.disabled",
)
