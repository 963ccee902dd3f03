"""The notifier's storage, in memory: repositories that honour the ports' contracts, for use-case
tests with no database (the SQL ones are tested against SQLite and PostgreSQL themselves).

Objects are stored as they are given (the domain's are frozen); each transaction works on its own
copy of the tables, so nothing is stored until it commits, as with a database.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, TypeVar

from evently_notifier.domain.deliveries import Attempt, Delivery, DeliveryStatus
from evently_notifier.domain.emails import Email, EmailStatus, Recipient
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.reminders import KnownEvent, Reminder, ReminderState
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import Subscription, SubscriptionState
from evently_notifier.service_layer.ports import Cursor, UnitOfWork

from tests.fakes.memory import MemoryStore, MemoryUnitOfWork

Row = TypeVar("Row")


@dataclass
class _Attendee:
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
    attendees: dict[str, _Attendee] = field(default_factory=dict)  # by registration id
    preferences: dict[str, Preferences] = field(default_factory=dict)
    recipients: dict[str, Recipient] = field(default_factory=dict)
    emails: dict[str, Email] = field(default_factory=dict)
    known_events: dict[str, KnownEvent] = field(default_factory=dict)
    reminders: dict[str, Reminder] = field(default_factory=dict)
    inbox: set[tuple[str, str]] = field(default_factory=set)  # consumer, message id


def _newest_first(
    rows: Iterable[Row], key: Callable[[Row], Cursor], before: Cursor | None, limit: int
) -> list[Row]:
    found = [r for r in rows if before is None or key(r) < before]
    return sorted(found, key=key, reverse=True)[:limit]


def _oldest_first(
    rows: Iterable[Row], key: Callable[[Row], Cursor], after: Cursor | None, limit: int
) -> list[Row]:
    found = [r for r in rows if after is None or key(r) > after]
    return sorted(found, key=key)[:limit]


def _add(rows: dict[str, Row], key: str, row: Row) -> None:
    assert key not in rows, "duplicate key"
    rows[key] = row


class FakeSubscriptionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._rows = tables.subscriptions

    def _changed(self) -> None:
        self._tables.subscriptions_version += 1

    def version(self) -> int:
        return self._tables.subscriptions_version

    def add(self, subscription: Subscription) -> None:
        _add(self._rows, subscription.id, subscription)
        self._changed()

    def get(self, subscription_id: str) -> Subscription | None:
        return self._rows.get(subscription_id)

    def get_many(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        return {i: self._rows[i] for i in subscription_ids if i in self._rows}

    def save(self, subscription: Subscription) -> None:
        self._rows[subscription.id] = subscription
        self._changed()

    def delete(self, subscription_id: str) -> None:
        for delivery in [d for d in self._tables.deliveries.values() if d.subscription_id == subscription_id]:
            del self._tables.deliveries[delivery.id]
            self._tables.attempts.pop(delivery.id, None)
        self._rows.pop(subscription_id, None)
        self._changed()

    def delete_for_owner(self, owner_id: str) -> int:
        theirs = [s.id for s in self._rows.values() if s.owner_id == owner_id]
        for subscription_id in theirs:
            self.delete(subscription_id)
        return len(theirs)

    def list_for_owner(self, owner_id: str, *, before: Cursor | None, limit: int) -> list[Subscription]:
        theirs = (s for s in self._rows.values() if s.owner_id == owner_id)
        return _newest_first(theirs, lambda s: (s.create_time, s.id), before, limit)

    def active(self) -> list[Subscription]:
        return [s for s in self._rows.values() if s.state is SubscriptionState.ACTIVE]


class FakeDeliveryRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.deliveries
        self._attempts = tables.attempts

    def add(self, *added: Delivery) -> None:
        for delivery in added:
            _add(self._rows, delivery.id, delivery)

    def get(self, delivery_id: str) -> Delivery | None:
        return self._rows.get(delivery_id)

    def add_attempts(self, attempts: list[tuple[str, Attempt]]) -> None:
        for delivery_id, attempt in attempts:
            self._attempts.setdefault(delivery_id, []).append(attempt)

    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        return {
            i: sorted(self._attempts[i], key=lambda a: a.number)
            for i in delivery_ids
            if self._attempts.get(i)
        }

    def save(self, *saved: Delivery) -> None:
        for delivery in saved:
            if delivery.id in self._rows:  # an UPDATE: a vanished row stays vanished
                self._rows[delivery.id] = delivery

    def received_or_pending(self, subscription_id: str, event_ids: Sequence[str]) -> set[str]:
        return self.made_for(subscription_id, event_ids, (DeliveryStatus.SUCCEEDED, DeliveryStatus.PENDING))

    def made_for(
        self, subscription_id: str, event_ids: Sequence[str], statuses: Collection[DeliveryStatus] = ()
    ) -> set[str]:
        wanted = set(event_ids)
        return {
            d.event_id
            for d in self._rows.values()
            if d.subscription_id == subscription_id
            and d.event_id in wanted
            and (not statuses or d.status in statuses)
        }

    def reschedule(self, delivery_ids: Sequence[str], at: datetime) -> None:
        for delivery_id in delivery_ids:
            delivery = self._rows.get(delivery_id)
            if delivery is not None and delivery.status is DeliveryStatus.PENDING:
                self._rows[delivery_id] = replace(delivery, next_attempt_time=at)

    def fail_pending(self, subscription_id: str, now: datetime, reason: str) -> int:
        ended = [
            d
            for d in self._rows.values()
            if d.subscription_id == subscription_id and d.status is DeliveryStatus.PENDING
        ]
        for d in ended:
            self._rows[d.id] = replace(
                d, status=DeliveryStatus.FAILED, last_error=reason, next_attempt_time=None, update_time=now
            )
        return len(ended)

    def list_for_subscription(
        self, subscription_id: str, *, before: Cursor | None, limit: int
    ) -> list[Delivery]:
        theirs = (d for d in self._rows.values() if d.subscription_id == subscription_id)
        return _newest_first(theirs, lambda d: (d.create_time, d.id), before, limit)

    def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        *,
        per_subscription: int | None = None,
        in_flight: Mapping[str, int] | None = None,
    ) -> list[Delivery]:
        due = sorted(
            (
                d
                for d in self._rows.values()
                if d.status is DeliveryStatus.PENDING
                and d.next_attempt_time is not None
                and d.next_attempt_time <= now
            ),
            key=lambda d: d.next_attempt_time or now,
        )
        taken: dict[str, int] = dict(in_flight or {})
        claimed: list[Delivery] = []
        for delivery in due:
            if len(claimed) == limit:
                break
            if per_subscription is not None and taken.get(delivery.subscription_id, 0) >= per_subscription:
                continue
            taken[delivery.subscription_id] = taken.get(delivery.subscription_id, 0) + 1
            self._rows[delivery.id] = replace(delivery, next_attempt_time=lease_until)
            claimed.append(self._rows[delivery.id])
        return claimed


class FakeNotificationRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.notifications

    def add(self, *added: Notification) -> None:
        for notification in added:
            _add(self._rows, notification.id, notification)

    def _theirs(self, user_id: str) -> list[Notification]:
        return [n for n in self._rows.values() if n.user_id == user_id]

    def list_for_user(
        self, user_id: str, *, before: Cursor | None, limit: int, unread_only: bool = False
    ) -> list[Notification]:
        theirs = (n for n in self._theirs(user_id) if not unread_only or n.read_time is None)
        return _newest_first(theirs, lambda n: (n.create_time, n.id), before, limit)

    def newer_than(self, user_id: str, after: Cursor | None, limit: int = 100) -> list[Notification]:
        return _oldest_first(self._theirs(user_id), lambda n: (n.create_time, n.id), after, limit)

    def newest(self, user_id: str) -> Cursor | None:
        return max(((n.create_time, n.id) for n in self._theirs(user_id)), default=None)

    def unread_count(self, user_id: str) -> int:
        return sum(1 for n in self._theirs(user_id) if n.read_time is None)

    def mark_read(self, user_id: str, ids: list[str], now: datetime) -> int:
        marked = [n for n in self._theirs(user_id) if n.read_time is None and (not ids or n.id in ids)]
        for n in marked:
            self._rows[n.id] = replace(n, read_time=now)
        return len(marked)

    def delete_for_user(self, user_id: str) -> None:
        for n in self._theirs(user_id):
            del self._rows[n.id]


class FakeAttendeeRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.attendees

    def active_for_event(self, event_id: str) -> list[str]:
        here = [a for a in self._rows.values() if a.event_id == event_id and a.status != "CANCELLED"]
        return [a.user_id for a in sorted(here, key=lambda a: a.update_time)]

    def record(
        self, registration_id: str, event_id: str, user_id: str, status: str, update_time: datetime
    ) -> None:
        known = self._rows.get(registration_id)
        if known is None or known.update_time <= update_time:  # events may arrive out of order
            self._rows[registration_id] = _Attendee(event_id, user_id, status, update_time)

    def delete_for_event(self, event_id: str) -> None:
        for key in [k for k, a in self._rows.items() if a.event_id == event_id]:
            del self._rows[key]

    def delete_for_user(self, user_id: str) -> None:
        for key in [k for k, a in self._rows.items() if a.user_id == user_id]:
            del self._rows[key]


class FakePreferencesRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.preferences

    def get(self, user_id: str) -> Preferences:
        return self._rows.get(user_id) or Preferences(user_id)

    def get_many(self, user_ids: Collection[str]) -> dict[str, Preferences]:
        return {user_id: self.get(user_id) for user_id in user_ids}

    def save(self, prefs: Preferences) -> None:
        self._rows[prefs.user_id] = prefs

    def delete(self, user_id: str) -> None:
        self._rows.pop(user_id, None)


class _ByKey(Generic[Row]):
    """Rows kept by one key: get, get many, save (insert or replace), delete."""

    def __init__(self, rows: dict[str, Row], key: Callable[[Row], str]) -> None:
        self._rows = rows
        self._key = key

    def get(self, key: str) -> Row | None:
        return self._rows.get(key)

    def get_many(self, keys: Collection[str]) -> dict[str, Row]:
        return {k: self._rows[k] for k in keys if k in self._rows}

    def save(self, row: Row) -> None:
        self._rows[self._key(row)] = row

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)


class FakeRecipientRepository(_ByKey[Recipient]):
    def __init__(self, tables: Tables) -> None:
        super().__init__(tables.recipients, lambda r: r.user_id)


class FakeEmailRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.emails

    def add(self, *added: Email) -> None:
        for email in added:
            _add(self._rows, email.id, email)

    def save(self, *saved: Email) -> None:
        for email in saved:
            if email.id in self._rows:
                self._rows[email.id] = email

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        due = sorted(
            (
                e
                for e in self._rows.values()
                if e.status is EmailStatus.PENDING
                and e.next_attempt_time is not None
                and e.next_attempt_time <= now
            ),
            key=lambda e: e.next_attempt_time or now,
        )[:limit]
        for email in due:
            self._rows[email.id] = replace(email, next_attempt_time=lease_until)
        return [self._rows[e.id] for e in due]

    def delete_for_user(self, user_id: str) -> None:
        for e in [e for e in self._rows.values() if e.user_id == user_id and e.status is EmailStatus.PENDING]:
            del self._rows[e.id]


class FakeKnownEventRepository(_ByKey[KnownEvent]):
    def __init__(self, tables: Tables) -> None:
        super().__init__(tables.known_events, lambda e: e.id)


class FakeReminderRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.reminders

    def add(self, *added: Reminder) -> None:
        for reminder in added:
            _add(self._rows, reminder.id, reminder)

    def save(self, reminder: Reminder) -> None:
        if reminder.id in self._rows:
            self._rows[reminder.id] = replace(
                self._rows[reminder.id], remind_time=reminder.remind_time, state=reminder.state
            )

    def get(self, reminder_id: str) -> Reminder | None:
        return self._rows.get(reminder_id)

    def for_user_and_event(self, user_id: str, event_id: str) -> list[Reminder]:
        return [r for r in self._rows.values() if (r.user_id, r.event_id) == (user_id, event_id)]

    def scheduled_for_event(self, event_id: str) -> list[Reminder]:
        return [
            r for r in self._rows.values() if r.event_id == event_id and r.state is ReminderState.SCHEDULED
        ]

    def list_for_user(
        self, user_id: str, *, event_id: str, after: Cursor | None, limit: int
    ) -> list[Reminder]:
        theirs = (
            r
            for r in self._rows.values()
            if r.user_id == user_id and (not event_id or r.event_id == event_id)
        )
        return _oldest_first(theirs, lambda r: (r.remind_time, r.id), after, limit)

    def fire_due(self, now: datetime, limit: int) -> list[Reminder]:
        due = sorted(
            (r for r in self._rows.values() if r.state is ReminderState.SCHEDULED and r.remind_time <= now),
            key=lambda r: r.remind_time,
        )[:limit]
        for reminder in due:
            self._rows[reminder.id] = replace(reminder, state=ReminderState.FIRED)
        return [self._rows[r.id] for r in due]

    def delete(self, reminder_id: str) -> None:
        self._rows.pop(reminder_id, None)

    def delete_for_event(self, event_id: str, user_id: str | None = None) -> None:
        for r in [r for r in self._rows.values() if r.event_id == event_id and user_id in (None, r.user_id)]:
            del self._rows[r.id]

    def delete_for_user(self, user_id: str) -> None:
        for r in [r for r in self._rows.values() if r.user_id == user_id]:
            del self._rows[r.id]


class NotifierStore(MemoryStore[Tables]):
    def __init__(self) -> None:
        super().__init__(Tables())

    def units_of_work(self) -> Callable[[], UnitOfWork]:
        return lambda: FakeUnitOfWork(self)


class FakeUnitOfWork(MemoryUnitOfWork[Tables]):
    subscriptions: FakeSubscriptionRepository
    deliveries: FakeDeliveryRepository
    notifications: FakeNotificationRepository
    attendees: FakeAttendeeRepository
    preferences: FakePreferencesRepository
    recipients: FakeRecipientRepository
    emails: FakeEmailRepository
    known_events: FakeKnownEventRepository
    reminders: FakeReminderRepository

    def _open(self, tables: Tables) -> None:
        self.subscriptions = FakeSubscriptionRepository(tables)
        self.deliveries = FakeDeliveryRepository(tables)
        self.notifications = FakeNotificationRepository(tables)
        self.attendees = FakeAttendeeRepository(tables)
        self.preferences = FakePreferencesRepository(tables)
        self.recipients = FakeRecipientRepository(tables)
        self.emails = FakeEmailRepository(tables)
        self.known_events = FakeKnownEventRepository(tables)
        self.reminders = FakeReminderRepository(tables)

    def first_delivery(self, consumer: str, message_id: str) -> bool:
        return bool(self.first_deliveries(consumer, [message_id]))

    def first_deliveries(self, consumer: str, message_ids: Sequence[str]) -> set[str]:
        first = {m for m in message_ids if (consumer, m) not in self.working.inbox}
        self.working.inbox.update((consumer, m) for m in first)
        return first

    def reading(self) -> UnitOfWork:
        return FakeUnitOfWork(self._store)
