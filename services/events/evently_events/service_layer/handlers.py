"""Use cases of the events service; each runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound

from evently_events.domain.model import Event, EventCreated, EventDraft, new_event
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
