"""The notifier's unit of work over its in-memory tables, and the store the units share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from evently_notifier.service_layer.ports import UnitOfWork

from tests.fakes.memory import MemoryStore, MemoryUnitOfWork
from tests.fakes.notifier.email import FakeEmailRepository, FakeRecipientRepository
from tests.fakes.notifier.inbox import (
    FakeAttendeeRepository,
    FakeNotificationRepository,
    FakePreferencesRepository,
)
from tests.fakes.notifier.reminders import FakeKnownEventRepository, FakeReminderRepository
from tests.fakes.notifier.tables import Tables
from tests.fakes.notifier.webhooks import FakeDeliveryRepository, FakeSubscriptionRepository


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
