"""Reminders and the notifier's view of events, stored with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from evently_platform.db.upsert import upsert
from evently_platform.workers.claims import claim_rows
from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, update

from evently_notifier.adapters.tables import known_events, reminders
from evently_notifier.domain.reminders import KnownEvent, Reminder, ReminderState

Cursor = tuple[datetime, str]

# Statements built once: building one per call costs several times what executing it does.
_KNOWN_EVENTS = select(known_events).where(known_events.c.id.in_(bindparam("b_ids", expanding=True)))
_KNOWN_EVENT = select(known_events).where(known_events.c.id == bindparam("b_id"))
_FOR_USER_AND_EVENT = select(reminders).where(
    reminders.c.user_id == bindparam("b_user"), reminders.c.event_id == bindparam("b_event")
)


def _to_known_event(row: Any) -> KnownEvent:
    return KnownEvent(
        row.id, row.organizer_id, row.title, row.start_time, row.cancelled, row.end_time, row.time_zone
    )


def _to_reminder(row: Any) -> Reminder:
    return Reminder(
        id=row.id,
        user_id=row.user_id,
        event_id=row.event_id,
        before_start=timedelta(seconds=row.before_start_seconds),
        remind_time=row.remind_time,
        state=ReminderState(row.state),
        is_default=row.is_default,
        create_time=row.create_time,
    )


class SqlKnownEventRepository:
    """Events as the notifier knows them, read once per transaction: a batch of registrations
    asks for the same few events again and again. The repository lives for one transaction
    (see NotifierUnitOfWork), and every write to the table goes through it, so what it keeps
    is what the transaction would read."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._known: dict[str, KnownEvent | None] = {}

    def get(self, event_id: str) -> KnownEvent | None:
        if event_id in self._known:
            return self._known[event_id]
        row = self._connection.execute(_KNOWN_EVENT, {"b_id": event_id}).first()
        event = None if row is None else _to_known_event(row)
        self._known[event_id] = event
        return event

    def save(self, event: KnownEvent) -> None:
        row = {
            "id": event.id,
            "organizer_id": event.organizer_id,
            "title": event.title,
            "start_time": event.start_time,
            "cancelled": event.cancelled,
            "end_time": event.end_time,
            "time_zone": event.time_zone,
        }
        upsert(self._connection, known_events, row, key=("id",))
        self._known[event.id] = event

    def get_many(self, event_ids: Collection[str]) -> dict[str, KnownEvent]:
        if not event_ids:
            return {}
        found = self._connection.execute(_KNOWN_EVENTS, {"b_ids": list(event_ids)})
        return {row.id: _to_known_event(row) for row in found}

    def delete(self, event_id: str) -> None:
        self._connection.execute(delete(known_events).where(known_events.c.id == event_id))
        self._known[event_id] = None


class SqlReminderRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *added: Reminder) -> None:
        if not added:
            return
        self._connection.execute(
            insert(reminders),
            [
                dict(
                    id=reminder.id,
                    user_id=reminder.user_id,
                    event_id=reminder.event_id,
                    before_start_seconds=int(reminder.before_start.total_seconds()),
                    remind_time=reminder.remind_time,
                    state=reminder.state.value,
                    is_default=reminder.is_default,
                    create_time=reminder.create_time,
                )
                for reminder in added
            ],
        )

    def save(self, reminder: Reminder) -> None:
        self._connection.execute(
            update(reminders)
            .where(reminders.c.id == reminder.id)
            .values(remind_time=reminder.remind_time, state=reminder.state.value)
        )

    def get(self, reminder_id: str) -> Reminder | None:
        row = self._connection.execute(select(reminders).where(reminders.c.id == reminder_id)).first()
        return _to_reminder(row) if row else None

    def for_user_and_event(self, user_id: str, event_id: str) -> list[Reminder]:
        found = self._connection.execute(_FOR_USER_AND_EVENT, {"b_user": user_id, "b_event": event_id})
        return [_to_reminder(r) for r in found]

    def scheduled_for_event(self, event_id: str) -> list[Reminder]:
        query = select(reminders).where(
            reminders.c.event_id == event_id, reminders.c.state == ReminderState.SCHEDULED.value
        )
        return [_to_reminder(r) for r in self._connection.execute(query)]

    def list_for_user(
        self, user_id: str, *, event_id: str, after: Cursor | None, limit: int
    ) -> list[Reminder]:
        c = reminders.c
        conditions: list[Any] = [c.user_id == user_id]
        if event_id:
            conditions.append(c.event_id == event_id)
        if after is not None:
            time, key = after
            conditions.append(or_(c.remind_time > time, and_(c.remind_time == time, c.id > key)))
        query = select(reminders).where(*conditions).order_by(c.remind_time, c.id).limit(limit)
        return [_to_reminder(r) for r in self._connection.execute(query)]

    def fire_due(self, now: datetime, limit: int) -> list[Reminder]:
        """Marks up to `limit` due reminders FIRED and returns them, in one statement: whoever
        marks a reminder fires it, so it fires once however many instances look."""
        rows = claim_rows(
            self._connection,
            reminders,
            where=[reminders.c.state == ReminderState.SCHEDULED.value, reminders.c.remind_time <= now],
            order_by=reminders.c.remind_time,
            limit=limit,
            values={"state": ReminderState.FIRED.value},
        )
        return [_to_reminder(r) for r in rows]

    def delete(self, reminder_id: str) -> None:
        self._connection.execute(delete(reminders).where(reminders.c.id == reminder_id))

    def delete_for_event(self, event_id: str, user_id: str | None = None) -> None:
        condition = reminders.c.event_id == event_id
        if user_id is not None:
            condition = and_(condition, reminders.c.user_id == user_id)
        self._connection.execute(delete(reminders).where(condition))

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(delete(reminders).where(reminders.c.user_id == user_id))
