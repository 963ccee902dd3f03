"""Webhook subscriptions: which events an endpoint wants, and which it may see. Pure Python."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from evently_platform.errors import Violations

from evently_notifier.domain.chat import DeliveryFormat
from evently_notifier.domain.facts import (
    CommentAdded,
    CommentChanged,
    EventChanged,
    EventGone,
    Fact,
    PasswordChanged,
    PasswordResetAsked,
    PollNews,
    RegistrationChanged,
    ReminderCame,
    SubscriptionHealth,
    UserDetails,
    UserLeft,
)

MAX_EVENT_TYPES = 50
DEFAULT_RATE_LIMIT = 1000  # deliveries a second: generous (the bench sends one endpoint 200+), yet bounded
MAX_RATE_LIMIT = 10_000
_PATTERN = re.compile(r"^(\*|[a-z]+(\.[a-z_]+)*(\.\*)?)$")


class SubscriptionState(enum.Enum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


@dataclass
class Subscription:
    id: str
    owner_id: str
    url: str
    event_types: list[str]
    description: str
    secret: str  # whsec_<base64>
    state: SubscriptionState
    create_time: datetime
    # After a rotation the old secret signs too, until it expires.
    previous_secret: str = ""
    previous_secret_expire_time: datetime | None = None
    format: DeliveryFormat = DeliveryFormat.CLOUDEVENTS
    failing_since: datetime | None = None  # every attempt since then has failed
    rate_limit: int = DEFAULT_RATE_LIMIT  # deliveries a second, at most
    # The last RecoverDeliveries: events from before it may have been delivered by it.
    recovered_at: datetime | None = None

    def signing_secrets(self, now: datetime) -> list[str]:
        expire = self.previous_secret_expire_time
        if self.previous_secret and expire is not None and now < expire:
            return [self.secret, self.previous_secret]
        return [self.secret]


class HealthChange(enum.Enum):
    """A subscription's transitions its owner hears of (and the `evently.subscription.*` events)."""

    FAILING = "failing"  # an attempt failed after successes
    DISABLED = "disabled"  # failing for too long, or 410 Gone
    RECOVERED = "recovered"  # an attempt succeeded after failures


def after_attempt(
    subscription: Subscription,
    *,
    succeeded: bool,
    gone: bool,
    now: datetime,
    disable_after: timedelta,
) -> tuple[Subscription, HealthChange | None]:
    """The subscription after one attempt's outcome. Any success resets the failing clock; a
    subscription is switched off once it has failed continuously for `disable_after`, or at once
    when the receiver answers 410 Gone. A disabled one stays as it is until its owner acts."""
    if subscription.state is SubscriptionState.DISABLED:
        return subscription, None
    if succeeded:
        if subscription.failing_since is None:
            return subscription, None
        return replace(subscription, failing_since=None), HealthChange.RECOVERED
    since = subscription.failing_since or now
    if gone or now - since >= disable_after:
        return replace(
            subscription, failing_since=since, state=SubscriptionState.DISABLED
        ), HealthChange.DISABLED
    if subscription.failing_since is None:
        return replace(subscription, failing_since=now), HealthChange.FAILING
    return subscription, None


@dataclass(frozen=True)
class SubscriptionHealthChanged:
    """Domain event: `evently.subscription.<change>`."""

    id: str
    change: HealthChange
    subscription: Subscription
    reason: str


def matches(pattern: str, event_type: str) -> bool:
    """`*` matches everything; `evently.event.*` matches every type under `evently.event.`."""
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def validate_subscription(
    url: str, event_types: list[str], description: str, rate_limit: int = DEFAULT_RATE_LIMIT
) -> None:
    problems = Violations()
    problems.check(
        1 <= rate_limit <= MAX_RATE_LIMIT,
        "subscription.rate_limit",
        f"deliveries a second: from 1 to {MAX_RATE_LIMIT} (0 or unset: {DEFAULT_RATE_LIMIT})",
    )
    parts = urlsplit(url)
    problems.check(
        parts.scheme in ("http", "https") and bool(parts.hostname),
        "subscription.url",
        "must be an absolute http:// or https:// URL",
    )
    problems.check(
        not parts.username and not parts.password, "subscription.url", "must not embed credentials"
    )
    problems.check(len(url) <= 2000, "subscription.url", "must be at most 2000 characters")
    if not event_types:
        problems.add(
            "subscription.event_types", "must name at least one type or pattern, e.g. evently.event.*"
        )
    problems.check(
        len(event_types) <= MAX_EVENT_TYPES, "subscription.event_types", f"at most {MAX_EVENT_TYPES} entries"
    )
    for i, pattern in enumerate(event_types):
        problems.check(
            bool(_PATTERN.match(pattern)),
            f"subscription.event_types[{i}]",
            f"{pattern!r} is not an event type or pattern (e.g. evently.event.created, evently.event.*, *)",
        )
    problems.check(len(description) <= 500, "subscription.description", "must be at most 500 characters")
    problems.raise_if_any()


# Types no subscription ever receives (see may_read), left out of the event catalog.
NEVER_DELIVERED = frozenset({"evently.user.password_reset_requested"})


def receives(subscription: Subscription, event_type: str, subject: str | None, fact: Fact | None) -> bool:
    """Whether a subscription that wants this type gets it: what its owner may read, except the
    news of its own health (told to it, it would be one more failing delivery, or no news)."""
    if isinstance(fact, SubscriptionHealth) and fact.subscription_id == subscription.id:
        return False
    return may_read(subscription.owner_id, event_type, subject, fact)


def may_read(owner_id: str, event_type: str, subject: str | None, fact: Fact | None) -> bool:
    """A subscription receives only what its owner could read through the API.

    Event lifecycle events are public; a user's own account events are theirs alone; the
    registrations and comments of an event are its organizer's (and a registration its
    registrant's too); a reminder, and news of a subscription, are its owner's.
    """
    match fact:
        case EventChanged() | EventGone():
            return True
        case PasswordResetAsked():
            return False  # it carries a reset link's secret: for the account's e-mail only
        case UserDetails() | UserLeft() | PasswordChanged():
            return subject == owner_id
        case RegistrationChanged(organizer_id=organizer, user_id=registrant):
            return owner_id in (organizer, registrant)
        case CommentAdded(organizer_id=organizer) | CommentChanged(organizer_id=organizer):
            return owner_id == organizer
        case PollNews(change="voted", organizer_id=organizer, voter_id=voter):
            return owner_id in (organizer, voter)  # who voted is theirs alone
        case PollNews():
            return True  # polls are as public as their events; tallies carry no names
        case ReminderCame(user_id=user) | SubscriptionHealth(owner_id=user):
            return owner_id == user
    return False
