"""Reminders before an event starts: defaults on registration, ones people set, moved with the
event, fired once. Pure Python."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from evently_platform.errors import FieldViolation, InvalidArgument

DEFAULT_BEFORE_START = (timedelta(hours=24), timedelta(hours=1))


class ReminderState(enum.Enum):
    SCHEDULED = "SCHEDULED"
    FIRED = "FIRED"


@dataclass(frozen=True)
class KnownEvent:
    """What the notifier knows of an event, from the events service's domain events."""

    id: str
    organizer_id: str
    title: str
    start_time: datetime
    cancelled: bool = False
    end_time: datetime | None = None
    time_zone: str = "UTC"  # the event's, for stating its times


@dataclass(frozen=True)
class Reminder:
    id: str
    user_id: str
    event_id: str
    before_start: timedelta
    remind_time: datetime
    state: ReminderState
    is_default: bool
    create_time: datetime


@dataclass(frozen=True)
class ReminderDue:
    """A reminder fired (domain event `evently.reminder.due`)."""

    id: str  # the domain event's own id
    reminder: Reminder
    event: KnownEvent


def defaults(
    new_id: Callable[[], str], user_id: str, event: KnownEvent, now: datetime, offsets: tuple[timedelta, ...]
) -> list[Reminder]:
    """The default reminders of a new attendee; those whose time has passed are left out."""
    return [
        Reminder(
            new_id(), user_id, event.id, before, event.start_time - before, ReminderState.SCHEDULED, True, now
        )
        for before in offsets
        if event.start_time - before > now
    ]


def custom(
    reminder_id: str, user_id: str, event: KnownEvent, remind_time: datetime | None, now: datetime
) -> Reminder:
    if remind_time is None:
        raise InvalidArgument([FieldViolation("remind_time", "is required")])
    if event.cancelled:
        raise InvalidArgument([FieldViolation("event_id", "the event is cancelled")])
    if not now < remind_time < event.start_time:
        raise InvalidArgument(
            [FieldViolation("remind_time", "must be in the future and before the event starts")]
        )
    return Reminder(
        reminder_id,
        user_id,
        event.id,
        event.start_time - remind_time,
        remind_time,
        ReminderState.SCHEDULED,
        False,
        now,
    )


def moved(reminder: Reminder, new_start: datetime, now: datetime) -> Reminder:
    """Same distance before the new start; one whose new time has passed fires at once."""
    return replace(reminder, remind_time=max(new_start - reminder.before_start, now))
