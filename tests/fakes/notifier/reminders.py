"""The events the notifier knows of, and the reminders before them, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from evently_notifier.domain.reminders import KnownEvent, Reminder, ReminderState
from evently_notifier.service_layer.ports import Cursor

from tests.fakes.notifier.rows import ByKey, insert_all, oldest_first
from tests.fakes.notifier.tables import Tables


class FakeKnownEventRepository(ByKey[KnownEvent]):
    def __init__(self, tables: Tables) -> None:
        super().__init__(tables.known_events, lambda e: e.id)


class FakeReminderRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.reminders

    def add(self, *added: Reminder) -> None:
        insert_all(self._rows, added)

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
        return oldest_first(theirs, lambda r: (r.remind_time, r.id), after, limit)

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
