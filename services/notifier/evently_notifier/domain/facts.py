"""What the notifier learns from other services' domain events, in its own terms. Pure Python:
adapters/facts.py translates each event's protobuf payload into one of these, once, at the edge."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EventSnapshot:
    """An event as a domain event carried it."""

    id: str
    organizer_id: str
    title: str
    description: str = ""
    location: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    time_zone: str = "UTC"
    revision: int = 0
    cancelled: bool = False
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class UserDetails:
    """An account's details as they are now: at sign-up, and after each change."""

    user_id: str
    email: str
    display_name: str
    time_zone: str = "UTC"


@dataclass(frozen=True)
class UserLeft:
    user_id: str


@dataclass(frozen=True)
class PasswordChanged:
    """Nobody is told here (the users service answers the change itself); an owner's webhooks may
    receive it."""

    user_id: str


@dataclass(frozen=True)
class PasswordResetAsked:
    """Someone asked for a reset link for this account: it goes to the account's address only."""

    user_id: str
    token: str
    expire_time: datetime | None


class EventChange(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class EventChanged:
    change: EventChange
    event: EventSnapshot
    changed_fields: frozenset[str] = field(default_factory=frozenset)  # proto field names
    reason: str = ""


@dataclass(frozen=True)
class EventGone:
    event_id: str
    organizer_id: str


class RegistrationChange(enum.Enum):
    CREATED = "created"
    CANCELLED = "cancelled"
    PROMOTED = "promoted"


@dataclass(frozen=True)
class RegistrationChanged:
    change: RegistrationChange
    registration_id: str
    event_id: str
    user_id: str
    status: str  # CONFIRMED, WAITLISTED or CANCELLED, after the change
    update_time: datetime | None
    organizer_id: str
    event_title: str
    event: EventSnapshot | None


@dataclass(frozen=True)
class CommentAdded:
    comment_id: str
    event_id: str
    author_id: str
    text: str
    organizer_id: str
    event_title: str
    parent_author_id: str = ""  # a reply: whom it answers
    mention_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentChanged:
    """A comment edited ("edited"), or deleted by its author or removed ("deleted"): nobody is
    told; the organizer's webhooks may receive it."""

    change: str
    comment_id: str
    event_id: str
    organizer_id: str
    event_title: str


@dataclass(frozen=True)
class ReminderCame:
    """One of the notifier's own reminders fired (`evently.reminder.due`)."""

    reminder_id: str
    user_id: str
    event_id: str
    event_title: str
    event_start_time: datetime | None


@dataclass(frozen=True)
class SubscriptionHealth:
    """One of the notifier's own events: a webhook subscription started failing ("failing"), was
    switched off ("disabled") or received a delivery again ("recovered"). Its owner was told
    when it happened; the event is for their other subscriptions."""

    change: str
    subscription_id: str
    owner_id: str
    url: str
    reason: str


@dataclass(frozen=True)
class PollNews:
    """A poll on an event opened ("opened"), was voted in ("voted") or closed ("closed"). Tallies
    only: who voted what never travels."""

    change: str
    poll_id: str
    event_id: str
    organizer_id: str
    event_title: str
    kind: str  # DATE, PLACE or QUESTION
    winner: str = ""  # the winning option in words, once closed
    voter_id: str = ""  # "voted" only


Fact = (
    UserDetails
    | UserLeft
    | PasswordChanged
    | PasswordResetAsked
    | EventChanged
    | EventGone
    | RegistrationChanged
    | CommentAdded
    | CommentChanged
    | ReminderCame
    | SubscriptionHealth
    | PollNews
)


def event_of(fact: Fact) -> EventSnapshot | None:
    """The event a fact carries a snapshot of, if any."""
    if isinstance(fact, EventChanged | RegistrationChanged):
        return fact.event
    return None
