"""Who is told what about each fact: one small rule per kind of fact. Pure Python.

A rule reads the fact (domain/facts.py) and the people concerned with it (an event's attendees,
from the notifier's own projection of registrations) and returns notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from evently_platform.time_words import when

from evently_notifier.domain.facts import (
    CommentAdded,
    EventChange,
    EventChanged,
    EventSnapshot,
    Fact,
    PasswordResetAsked,
    PollNews,
    RegistrationChange,
    RegistrationChanged,
)
from evently_notifier.domain.reminders import KnownEvent

# The event's attendees: people with an active (confirmed or waitlisted) registration.
Attendees = Callable[[str], list[str]]


@dataclass(frozen=True)
class EventTimes:
    """The times a notice states, put in words per reader (see Notice.body_for)."""

    start: datetime
    end: datetime | None
    zone: str  # the event's


@dataclass(frozen=True)
class Notice:
    user_id: str
    kind: str
    title: str
    body: str  # with `times`: a template whose "{when}" becomes them; other braces are doubled
    event_id: str = ""
    times: EventTimes | None = None
    link_path: str = ""  # where the e-mail's link leads, under the web UI (else the event's page)

    def body_for(self, reader_zone: str | None) -> str:
        """The body as its reader sees it: the event's times in its zone, and in theirs beside."""
        if self.times is None:
            return self.body
        stated = when(self.times.start, self.times.end, event_zone=self.times.zone, reader_zone=reader_zone)
        return self.body.format(when=stated)


def _literal(text: str) -> str:
    """Text of people's making (a location), safe inside a body template."""
    return text.replace("{", "{{").replace("}", "}}")


RESCHEDULING_FIELDS = frozenset({"start_time", "end_time", "location"})


def _times_of(event: EventSnapshot | None) -> EventTimes | None:
    if event is None or event.start_time is None:
        return None
    return EventTimes(event.start_time, event.end_time, event.time_zone)


def _registration(fact: RegistrationChanged, attendees: Attendees) -> list[Notice]:
    title = fact.event_title or "an event"
    times = _times_of(fact.event)
    on = " for {when}" if times else ""  # the body is a template only with times to state
    if fact.change is RegistrationChange.PROMOTED:
        return [
            Notice(
                fact.user_id,
                "registration.promoted",
                f"A seat opened up: you are in for {title}",
                f"You moved from the waitlist to a confirmed seat{on}.",
                fact.event_id,
                times,
            )
        ]
    by_someone_else = bool(fact.organizer_id) and fact.organizer_id != fact.user_id
    if fact.change is RegistrationChange.CANCELLED:
        if not by_someone_else:
            return []
        return [
            Notice(
                fact.organizer_id,
                "registration.cancelled",
                f"A registration for {title} was cancelled",
                "A seat is free again; the waitlist moves up.",
                fact.event_id,
            )
        ]
    if fact.status == "WAITLISTED":
        mine = Notice(
            fact.user_id,
            "registration.waitlisted",
            f"You are on the waitlist for {title}",
            "We will tell you as soon as a seat frees up.",
            fact.event_id,
        )
    else:
        mine = Notice(
            fact.user_id,
            "registration.confirmed",
            f"You are registered for {title}",
            f"Your seat is confirmed{on}. The calendar file is on the event page.",
            fact.event_id,
            times,
        )
    if not by_someone_else:
        return [mine]
    news = Notice(
        fact.organizer_id,
        "registration.new",
        f"New registration for {title}",
        f"Someone registered ({fact.status.lower()}).",
        fact.event_id,
    )
    return [mine, news]


def _comment_added(fact: CommentAdded, attendees: Attendees) -> list[Notice]:
    """Each person once, the most personal way: mentioned, else answered, else news of the page."""
    title = fact.event_title or "an event"
    said = fact.text[:280]
    kinds: dict[str, tuple[str, str]] = {}
    for user in fact.mention_ids:
        kinds.setdefault(user, ("comment.mention", f"You were mentioned on {title}"))
    if fact.parent_author_id:
        kinds.setdefault(fact.parent_author_id, ("comment.reply", f"A reply to your comment on {title}"))
    for user in [fact.organizer_id, *attendees(fact.event_id)]:
        kinds.setdefault(user, ("comment.added", f"New comment on {title}"))
    return [
        Notice(user, kind, headline, said, fact.event_id)
        for user, (kind, headline) in kinds.items()
        if user and user != fact.author_id
    ]


def _event_changed(fact: EventChanged, attendees: Attendees) -> list[Notice]:
    event = fact.event
    title = event.title or "An event"
    if fact.change is EventChange.CANCELLED:
        reason = fact.reason or "No reason was given."
        return [
            Notice(user, "event.cancelled", f"{title} is cancelled", reason, event.id)
            for user in attendees(event.id)
        ]
    if fact.change is not EventChange.UPDATED or not RESCHEDULING_FIELDS & fact.changed_fields:
        return []  # a new description or title is not news worth a notification
    moved = f"{title} has moved"
    times = _times_of(event)
    if times is None:
        body = f"Now at {event.location}."
    else:
        place = f" at {_literal(event.location)}" if event.location else ""
        body = "Now {when}" + place + "."
    return [Notice(user, "event.updated", moved, body, event.id, times) for user in attendees(event.id)]


_ASKING = {"DATE": "when it should be", "PLACE": "where it should be", "QUESTION": "a question"}


def _poll(fact: PollNews, attendees: Attendees) -> list[Notice]:
    """Attendees hear that a poll opened and how it ended; a date or place that won reaches them
    as the event's own change (event.updated), so it is not told twice."""
    title = fact.event_title or "an event"
    if fact.change == "opened":
        asking = _ASKING.get(fact.kind, "a question")
        notice = (
            "poll.opened",
            f"A poll on {title}",
            f"The organizer asks {asking}: vote on the event page.",
        )
    elif fact.change == "closed" and fact.kind == "QUESTION":
        notice = ("poll.closed", f"A poll on {title} is decided", f"The answer: {fact.winner}.")
    else:
        return []
    kind, headline, body = notice
    return [
        Notice(user, kind, headline, body, fact.event_id)
        for user in attendees(fact.event_id)
        if user != fact.organizer_id
    ]


def reminder_notice(user_id: str, event: KnownEvent) -> Notice:
    """What a reminder says when it fires. The scheduler tells it at that moment, in the same
    transaction that marks it fired; the `evently.reminder.due` event it publishes is for
    webhooks and other consumers, and routes to nobody here (it would tell them twice)."""
    return Notice(
        user_id,
        "reminder.due",
        f"Reminder: {event.title or 'your event'}",
        "It starts {when}.",
        event.id,
        EventTimes(event.start_time, event.end_time, event.time_zone),
    )


# Account security mail: sent by e-mail whatever the preferences, never into the in-app inbox
# (it carries a secret), and without an unsubscribe link.
ACCOUNT_ONLY_BY_EMAIL = frozenset({"account.password_reset"})


def _password_reset(fact: PasswordResetAsked) -> list[Notice]:
    return [
        Notice(
            fact.user_id,
            "account.password_reset",
            "Reset your Evently password",
            "Someone, hopefully you, asked to reset your password. The link below sets a new one; "
            "it works once, within the hour. If it was not you, ignore this e-mail: nothing changes.",
            link_path=f"/#/reset-password/{fact.token}",
        )
    ]


def notices_for(fact: Fact, attendees: Attendees) -> list[Notice]:
    """Who is told what about one fact (attendees looked up only by the rules that need them)."""
    match fact:
        case RegistrationChanged():
            notices = _registration(fact, attendees)
        case CommentAdded():
            notices = _comment_added(fact, attendees)
        case EventChanged():
            notices = _event_changed(fact, attendees)
        case PasswordResetAsked():
            notices = _password_reset(fact)
        case PollNews():
            notices = _poll(fact, attendees)
        case _:
            notices = []
    return [n for n in notices if n.user_id]


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
    "comment.reply",
    "comment.mention",
    "event.updated",
    "event.cancelled",
    "reminder.due",
    "poll.opened",
    "poll.closed",
    "subscription.failing",
    "subscription.exhausted",
    "subscription.disabled",
    "subscription.recovered",
)
