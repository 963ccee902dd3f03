"""Reminders: kept in step with events and registrations, made and removed by people, fired once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.messaging.envelope import Envelope

from evently_notifier.domain.reminders import (
    KnownEvent,
    Reminder,
    ReminderDue,
    ReminderState,
    custom,
    defaults,
    moved,
)
from evently_notifier.service_layer.ports import Cursor, UnitOfWork


def parse_time(value: object, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return fallback


def _known_event(event: Mapping[str, Any]) -> KnownEvent | None:
    if not isinstance(event, Mapping) or not event.get("id") or not event.get("startTime"):
        return None
    return KnownEvent(
        id=str(event["id"]),
        organizer_id=str(event.get("organizerId", "")),
        title=str(event.get("title", "")),
        start_time=parse_time(event.get("startTime"), datetime.now(UTC)),
        cancelled=event.get("state") == "CANCELLED",
    )


def keep_reminders(
    uow: UnitOfWork, envelope: Envelope, now: datetime, defaults_before: tuple[timedelta, ...]
) -> None:
    """Reminders follow their events: made for new attendees, moved with the start, dropped
    with the registration or the event."""
    data, kind = envelope.data, envelope.type
    event = _known_event(data.get("event", {}))
    previous = uow.known_events.get(event.id) if event else None
    if event is not None:
        uow.known_events.save(event)
    if kind in ("evently.event.cancelled", "evently.event.deleted"):
        event_id = str(data.get("eventId") or data.get("event", {}).get("id") or envelope.subject)
        uow.reminders.delete_for_event(event_id)
        if kind == "evently.event.deleted":
            uow.known_events.delete(event_id)
    elif kind == "evently.event.updated" and event is not None and previous is not None:
        if previous.start_time != event.start_time:
            for reminder in uow.reminders.scheduled_for_event(event.id):
                uow.reminders.save(moved(reminder, event.start_time, now))
    elif kind.startswith("evently.registration.") and event is not None:
        registration = data.get("registration", {})
        user_id = str(registration.get("userId", ""))
        status = "CONFIRMED" if kind == "evently.registration.promoted" else registration.get("status")
        if kind == "evently.registration.cancelled":
            uow.reminders.delete_for_event(event.id, user_id)
        elif status == "CONFIRMED" and not uow.reminders.for_user_and_event(user_id, event.id):
            for reminder in defaults(new_id, user_id, event, now, defaults_before):
                uow.reminders.add(reminder)


def fire_due_reminders(*, uow: UnitOfWork, clock: Clock, limit: int = 200) -> int:
    """Marks due reminders FIRED and records `evently.reminder.due` for each, in one transaction:
    a reminder fires once, however many notifier instances look."""
    now = clock.now()
    with uow:
        due = uow.reminders.claim_due(now, limit)
        for reminder in due:
            fired = replace(reminder, state=ReminderState.FIRED)
            uow.reminders.save(fired)
            event = uow.known_events.get(reminder.event_id)
            if event is not None and not event.cancelled:
                uow.record(ReminderDue(fired, event))
        uow.commit()
    return len(due)


def create_reminder(
    user_id: str, event_id: str, remind_time: datetime | None, *, uow: UnitOfWork, clock: Clock
) -> Reminder:
    with uow:
        event = uow.known_events.get(event_id)
        attending = user_id in uow.attendees.active_for_event(event_id)
        if event is None or not (attending or event.organizer_id == user_id):
            raise NotFound(f"you have no registration for event {event_id!r}")
        reminder = custom(new_id(), user_id, event, remind_time, clock.now())
        uow.reminders.add(reminder)
        uow.commit()
    return reminder


def list_reminders(
    user_id: str, *, event_id: str, after: Cursor | None, page_size: int, uow: UnitOfWork
) -> tuple[list[Reminder], Cursor | None]:
    with uow.reading() as reader:
        rows = reader.reminders.list_for_user(user_id, event_id=event_id, after=after, limit=page_size + 1)
    last = rows[page_size - 1] if len(rows) > page_size else None
    return rows[:page_size], (last.remind_time, last.id) if last else None


def delete_reminder(user_id: str, reminder_id: str, *, uow: UnitOfWork) -> None:
    with uow:
        reminder = uow.reminders.get(reminder_id)
        if reminder is None or reminder.user_id != user_id:
            raise NotFound(f"reminder {reminder_id!r} not found")
        uow.reminders.delete(reminder_id)
        uow.commit()
