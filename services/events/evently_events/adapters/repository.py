"""Events stored with SQLAlchemy Core, and the service's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently_platform.db import SqlUnitOfWork
from evently_platform.db.engine import is_postgres
from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from evently_events.adapters.registration_repository import SqlRegistrationRepository
from evently_events.adapters.tables import events
from evently_events.domain.model import Event, EventState


def _to_event(row: Any) -> Event:
    return Event(
        id=row.id,
        organizer_id=row.organizer_id,
        title=row.title,
        description=row.description,
        location=row.location,
        start_time=row.start_time,
        end_time=row.end_time,
        capacity=row.capacity,
        state=EventState(row.state),
        create_time=row.create_time,
        update_time=row.update_time,
        cancel_reason=row.cancel_reason,
    )


def _columns(event: Event) -> dict[str, Any]:
    return {
        "organizer_id": event.organizer_id,
        "title": event.title,
        "description": event.description,
        "location": event.location,
        "start_time": event.start_time,
        "end_time": event.end_time,
        "capacity": event.capacity,
        "state": event.state.value,
        "create_time": event.create_time,
        "update_time": event.update_time,
        "cancel_reason": event.cancel_reason,
    }


class SqlEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, event: Event) -> None:
        self._connection.execute(insert(events).values(id=event.id, **_columns(event)))

    def save(self, event: Event) -> None:
        self._connection.execute(update(events).where(events.c.id == event.id).values(**_columns(event)))

    def delete(self, event_id: str) -> None:
        self._connection.execute(delete(events).where(events.c.id == event_id))

    def upcoming_organized_by(self, organizer_id: str, now: datetime) -> list[Event]:
        query = select(events).where(
            events.c.organizer_id == organizer_id,
            events.c.state == EventState.SCHEDULED.value,
            events.c.end_time > now,
        )
        return [_to_event(r) for r in self._connection.execute(query)]

    def get(self, event_id: str) -> Event | None:
        row = self._connection.execute(select(events).where(events.c.id == event_id)).first()
        return _to_event(row) if row else None

    def get_for_update(self, event_id: str) -> Event | None:
        """The event, locked until the transaction ends: seats are counted and taken under it.
        (SQLite needs no row lock: a writing transaction already holds the database lock.)"""
        query = select(events).where(events.c.id == event_id)
        if is_postgres(self._connection.engine):
            query = query.with_for_update()
        row = self._connection.execute(query).first()
        return _to_event(row) if row else None

    def list_page(self, *, after: tuple[datetime, str] | None, limit: int) -> list[Event]:
        query = select(events).order_by(events.c.start_time, events.c.id).limit(limit)
        if after is not None:
            start, event_id = after
            query = query.where(
                or_(events.c.start_time > start, and_(events.c.start_time == start, events.c.id > event_id))
            )
        return [_to_event(r) for r in self._connection.execute(query)]


class EventsUnitOfWork(SqlUnitOfWork):
    events: SqlEventRepository
    registrations: SqlRegistrationRepository

    def _repositories(self, connection: Connection) -> dict[str, object]:
        return {
            "events": SqlEventRepository(connection),
            "registrations": SqlRegistrationRepository(connection),
        }
