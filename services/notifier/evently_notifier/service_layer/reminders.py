"""Reminders: kept in step with events and registrations, made and removed by people, fired once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.paging import Page

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
    custom,
    defaults,
    moved,
)
from evently_notifier.domain.routing import reminder_notice
from evently_notifier.service_layer.channels import MailContext, Told, ToTell, tell_all
from evently_notifier.service_layer.commands import CreateReminder, DeleteReminder, ListReminders
from evently_notifier.service_layer.ports import UnitOfWork


def _known_event(event: EventSnapshot | None) -> KnownEvent | None:
    if event is None or not event.id or event.start_time is None:
        return None
    return KnownEvent(
        event.id,
        event.organizer_id,
        event.title,
        event.start_time,
        event.cancelled,
        end_time=event.end_time,
        time_zone=event.time_zone,
    )


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
    if event != previous:  # most facts of an event (its registrations) leave it as it was
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
                uow.reminders.add(*defaults(new_id, user_id, event, now, defaults_before))


@dataclass(frozen=True)
class Fired:
    count: int  # reminders fired, told or not (those of a cancelled event are not)
    told: Told


def fire_due_reminders(
    *,
    uow: UnitOfWork,
    clock: Clock,
    mail: MailContext | None,
    limit: int = 500,
    email_lease: timedelta | None = None,
) -> Fired:
    """Fires a batch of due reminders in one transaction: marked FIRED in one statement (a reminder
    fires once, however many notifier instances look), their owners told on their channels, and
    `evently.reminder.due` recorded for each. `email_lease`: see channels.tell_all."""
    now = clock.now()
    with uow:
        due = uow.reminders.fire_due(now, limit)
        events = uow.known_events.get_many({reminder.event_id for reminder in due})
        fired = [
            ReminderDue(new_id(), reminder, events[reminder.event_id])
            for reminder in due
            if reminder.event_id in events and not events[reminder.event_id].cancelled
        ]
        notices = [ToTell(reminder_notice(f.reminder.user_id, f.event), f.id) for f in fired]
        told = tell_all(uow, notices, now, mail, email_lease=email_lease)
        uow.record(*fired)
        uow.commit()
    return Fired(len(due), told)


def create_reminder(cmd: CreateReminder, *, uow: UnitOfWork, clock: Clock) -> Reminder:
    user_id, event_id, remind_time = cmd.user_id, cmd.event_id, cmd.remind_time
    with uow:
        event = uow.known_events.get(event_id)
        attending = user_id in uow.attendees.active_for_event(event_id)
        if event is None or not (attending or event.organizer_id == user_id):
            raise NotFound(f"you have no registration for event {event_id!r}")
        reminder = custom(new_id(), user_id, event, remind_time, clock.now())
        uow.reminders.add(reminder)
        uow.commit()
    return reminder


def list_reminders(cmd: ListReminders, *, uow: UnitOfWork) -> Page[Reminder]:
    with uow.reading() as reader:
        rows = reader.reminders.list_for_user(
            cmd.user_id, event_id=cmd.event_id, after=cmd.page.after, limit=cmd.page.fetch
        )
    return Page.of(rows, cmd.page, lambda r: (r.remind_time, r.id))


def delete_reminder(cmd: DeleteReminder, *, uow: UnitOfWork) -> None:
    with uow:
        reminder = uow.reminders.get(cmd.reminder_id)
        if reminder is None or reminder.user_id != cmd.user_id:
            raise NotFound(f"reminder {cmd.reminder_id!r} not found")
        uow.reminders.delete(cmd.reminder_id)
        uow.commit()
