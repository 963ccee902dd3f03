"""What the notifier can be asked to do through its API: one command per use case, each typed
with what handling it answers (see evently_platform.bus), and the views those answers are made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evently_platform.bus import Command
from evently_platform.paging import Cursor, Page, PageRequest

from evently_notifier.domain.chat import DeliveryFormat
from evently_notifier.domain.deliveries import Attempt, Delivery
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.reminders import Reminder
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import Subscription


@dataclass(frozen=True)
class DeliveryLog:
    deliveries: Page[Delivery]
    attempts: dict[str, list[Attempt]]  # by delivery id, for the deliveries of the page


@dataclass(frozen=True)
class InboxPage:
    notifications: Page[Notification]
    unread_count: int


# Webhook subscriptions and their deliveries


@dataclass(frozen=True)
class CreateSubscription(Command[Subscription]):
    owner_id: str
    url: str
    event_types: list[str]
    description: str
    format: DeliveryFormat = DeliveryFormat.CLOUDEVENTS
    rate_limit: int = 0  # 0: the default


@dataclass(frozen=True)
class ListSubscriptions(Command[Page[Subscription]]):
    owner_id: str
    page: PageRequest


@dataclass(frozen=True)
class DeleteSubscription(Command[None]):
    owner_id: str
    subscription_id: str


@dataclass(frozen=True)
class RotateSecret(Command[Subscription]):
    owner_id: str
    subscription_id: str


@dataclass(frozen=True)
class ListDeliveries(Command[DeliveryLog]):
    owner_id: str
    subscription_id: str
    page: PageRequest


@dataclass(frozen=True)
class RetryDelivery(Command[Delivery]):
    owner_id: str
    delivery_id: str


@dataclass(frozen=True)
class SendTestEvent(Command[Delivery]):
    owner_id: str
    subscription_id: str


# The in-app inbox and preferences


@dataclass(frozen=True)
class ListNotifications(Command[InboxPage]):
    user_id: str
    page: PageRequest
    unread_only: bool = False


@dataclass(frozen=True)
class NewestNotification(Command[Cursor | None]):
    user_id: str


@dataclass(frozen=True)
class NewerNotifications(Command[list[Notification]]):
    user_id: str
    after: Cursor | None


@dataclass(frozen=True)
class MarkRead(Command[int]):
    user_id: str
    ids: list[str]


@dataclass(frozen=True)
class GetPreferences(Command[Preferences]):
    user_id: str


@dataclass(frozen=True)
class UpdatePreferences(Command[Preferences]):
    user_id: str
    paths: tuple[str, ...]
    wanted: Preferences


@dataclass(frozen=True)
class Unsubscribe(Command[str]):
    token: str


# Reminders


@dataclass(frozen=True)
class CreateReminder(Command[Reminder]):
    user_id: str
    event_id: str
    remind_time: datetime | None  # None: the default time before the start


@dataclass(frozen=True)
class ListReminders(Command[Page[Reminder]]):
    user_id: str
    event_id: str  # "": every event's
    page: PageRequest


@dataclass(frozen=True)
class DeleteReminder(Command[None]):
    user_id: str
    reminder_id: str
