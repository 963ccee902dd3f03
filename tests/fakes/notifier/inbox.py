"""The in-app inbox, who attends what, and what each person wants to be told, in memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.routing import Preferences
from evently_notifier.service_layer.ports import Cursor

from tests.fakes.notifier.rows import insert_all, newest_first, oldest_first
from tests.fakes.notifier.tables import Attendee, Tables


class FakeNotificationRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.notifications

    def add(self, *added: Notification) -> None:
        insert_all(self._rows, added)

    def _theirs(self, user_id: str) -> list[Notification]:
        return [n for n in self._rows.values() if n.user_id == user_id]

    def list_for_user(
        self, user_id: str, *, before: Cursor | None, limit: int, unread_only: bool = False
    ) -> list[Notification]:
        theirs = (n for n in self._theirs(user_id) if not unread_only or n.read_time is None)
        return newest_first(theirs, lambda n: (n.create_time, n.id), before, limit)

    def newer_than(self, user_id: str, after: Cursor | None, limit: int = 100) -> list[Notification]:
        return oldest_first(self._theirs(user_id), lambda n: (n.create_time, n.id), after, limit)

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
            self._rows[registration_id] = Attendee(event_id, user_id, status, update_time)

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
