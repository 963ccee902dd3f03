"""Use cases of the events service; each runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound

from evently_events.domain.model import (
    Event,
    EventCancelled,
    EventCreated,
    EventDeleted,
    EventDraft,
    new_event,
)
from evently_events.service_layer.ports import UnitOfWork


@dataclass(frozen=True)
class CreateEvent:
    organizer_id: str
    draft: EventDraft


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_cursor: tuple[datetime, str] | None


def create_event(cmd: CreateEvent, *, uow: UnitOfWork, clock: Clock) -> Event:
    event = new_event(new_id(), cmd.organizer_id, cmd.draft, clock.now())
    with uow:
        uow.events.add(event)
        uow.record(EventCreated(event))
        uow.commit()
    return event


def get_event(event_id: str, *, uow: UnitOfWork) -> Event:
    with uow.reading() as reader:
        event = reader.events.get(event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def list_events(*, after: tuple[datetime, str] | None, page_size: int, uow: UnitOfWork) -> EventPage:
    with uow.reading() as reader:
        rows = reader.events.list_page(after=after, limit=page_size + 1)
    page = rows[:page_size]
    has_more = len(rows) > page_size
    return EventPage(page, (page[-1].start_time, page[-1].id) if has_more and page else None)


def _existing(uow: UnitOfWork, event_id: str) -> Event:
    event = uow.events.get(event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def cancel_event(caller_id: str, event_id: str, reason: str, *, uow: UnitOfWork, clock: Clock) -> Event:
    with uow:
        event = _existing(uow, event_id)
        event.check_organizer(caller_id, "cancel")
        event.cancel(reason, clock.now())
        uow.events.save(event)
        uow.record(EventCancelled(event, event.cancel_reason))
        uow.commit()
    return event


def delete_event(caller_id: str, event_id: str, *, uow: UnitOfWork) -> None:
    with uow:
        event = _existing(uow, event_id)
        event.check_organizer(caller_id, "delete")
        uow.events.delete(event_id)
        uow.record(EventDeleted(event.id, event.organizer_id, event.title))
        uow.commit()


ORGANIZER_GONE = "the organizer's account was deleted"


def on_user_deleted(message_id: str, user_id: str, *, consumer: str, uow: UnitOfWork, clock: Clock) -> int:
    """A deleted user's upcoming events are cancelled (their attendees are told).
    Returns how many; a redelivered message changes nothing."""
    now = clock.now()
    with uow:
        if not uow.first_delivery(consumer, message_id):
            return 0
        events = uow.events.upcoming_organized_by(user_id, now)
        for event in events:
            event.cancel(ORGANIZER_GONE, now)
            uow.events.save(event)
            uow.record(EventCancelled(event, event.cancel_reason))
        uow.commit()
    return len(events)
