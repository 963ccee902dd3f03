"""Reminders: kept in step with events and registrations, made and removed by people, fired once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound

from evently_notifier.domain.facts import (
    EventChange,
    EventChanged,
    EventGone,
    EventSnapshot,
    Fact,
    RegistrationChange,
    RegistrationChanged,
)
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


def _known_event(event: EventSnapshot | None) -> KnownEvent | None:
    if event is None or not event.id or event.start_time is None:
        return None
    return KnownEvent(event.id, event.organizer_id, event.title, event.start_time, event.cancelled)


def keep_reminders(
    uow: UnitOfWork, fact: Fact, now: datetime, defaults_before: tuple[timedelta, ...]
) -> None:
    """Reminders follow their events: made for new attendees, moved with the start, dropped
    with the registration or the event."""
    match fact:
        case EventGone(event_id=event_id):
            uow.reminders.delete_for_event(event_id)
            uow.known_events.delete(event_id)
            return
        case EventChanged() | RegistrationChanged():
            pass
        case _:
            return
    event = _known_event(fact.event)
    if event is None:
        return
    previous = uow.known_events.get(event.id)
    uow.known_events.save(event)
    match fact:
        case EventChanged(change=EventChange.CANCELLED):
            uow.reminders.delete_for_event(event.id)
        case EventChanged(change=EventChange.UPDATED) if previous and previous.start_time != event.start_time:
            for reminder in uow.reminders.scheduled_for_event(event.id):
                uow.reminders.save(moved(reminder, event.start_time, now))
        case RegistrationChanged(change=RegistrationChange.CANCELLED, user_id=user_id):
            uow.reminders.delete_for_event(event.id, user_id)
        case RegistrationChanged(status="CONFIRMED", user_id=user_id):
            if not uow.reminders.for_user_and_event(user_id, event.id):
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
