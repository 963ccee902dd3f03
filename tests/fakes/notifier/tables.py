"""The notifier's tables, held as plain Python objects by key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from evently_notifier.domain.deliveries import Attempt, Delivery
from evently_notifier.domain.emails import Email, Recipient
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.reminders import KnownEvent, Reminder
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import Subscription


@dataclass
class Attendee:
    event_id: str
    user_id: str
    status: str
    update_time: datetime


@dataclass
class Tables:
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    subscriptions_version: int = 0
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    attempts: dict[str, list[Attempt]] = field(default_factory=dict)  # by delivery id
    notifications: dict[str, Notification] = field(default_factory=dict)
    attendees: dict[str, Attendee] = field(default_factory=dict)  # by registration id
    preferences: dict[str, Preferences] = field(default_factory=dict)
    recipients: dict[str, Recipient] = field(default_factory=dict)
    emails: dict[str, Email] = field(default_factory=dict)
    known_events: dict[str, KnownEvent] = field(default_factory=dict)
    reminders: dict[str, Reminder] = field(default_factory=dict)
    inbox: set[tuple[str, str]] = field(default_factory=set)  # consumer, message id
