"""Events stored with SQLAlchemy Core, and the service's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently_platform.db.engine import is_postgres
from evently_platform.db.unit_of_work import SqlUnitOfWork
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from evently_events.adapters.comment_repository import SqlCommentRepository
from evently_events.adapters.poll_repository import SqlPollRepository
from evently_events.adapters.registration_repository import SqlRegistrationRepository
from evently_events.adapters.tables import events
from evently_events.domain.model import Event, EventState
from evently_events.service_layer.ports import Cursor, EventQuery

# Not cancelled: scheduled, or proposed (its date being decided).
_GOING_AHEAD = [EventState.SCHEDULED.value, EventState.PROPOSED.value]


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
        time_zone=row.time_zone,
        revision=row.revision,
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
        "time_zone": event.time_zone,
        "revision": event.revision,
    }


# Statements built once: building one per call costs several times what executing it does.
_EVENT = select(events).where(events.c.id == bindparam("b_id"))
_LOCKED_EVENT = _EVENT.with_for_update()


class SqlEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, event: Event) -> None:
        self._connection.execute(insert(events), {"id": event.id, **_columns(event)})

    def save(self, event: Event) -> None:
        self._connection.execute(update(events).where(events.c.id == event.id).values(**_columns(event)))

    def delete(self, event_id: str) -> None:
        self._connection.execute(delete(events).where(events.c.id == event_id))

    def upcoming_organized_by(self, organizer_id: str, now: datetime) -> list[Event]:
        query = select(events).where(
            events.c.organizer_id == organizer_id,
            events.c.state.in_(_GOING_AHEAD),
            events.c.end_time > now,
        )
        return [_to_event(r) for r in self._connection.execute(query)]

    def get(self, event_id: str) -> Event | None:
        row = self._connection.execute(_EVENT, {"b_id": event_id}).first()
        return _to_event(row) if row else None

    def get_for_update(self, event_id: str) -> Event | None:
        """The event, locked until the transaction ends: seats are counted and taken under it.
        (SQLite needs no row lock: a writing transaction already holds the database lock.)"""
        query = _LOCKED_EVENT if is_postgres(self._connection.engine) else _EVENT
        row = self._connection.execute(query, {"b_id": event_id}).first()
        return _to_event(row) if row else None

    def list_page(self, query: EventQuery, *, after: Cursor | None, limit: int) -> list[Event]:
        c = events.c
        conditions: list[Any] = [c.end_time <= query.now if query.past else c.end_time > query.now]
        if not query.include_cancelled:
            conditions.append(c.state.in_(_GOING_AHEAD))
        if query.organizer_id:
            conditions.append(c.organizer_id == query.organizer_id)
        if query.start_after is not None:
            conditions.append(c.start_time >= query.start_after)
        if query.start_before is not None:
            conditions.append(c.start_time < query.start_before)
        for word in query.words:
            pattern = f"%{_escape_like(word.lower())}%"
            conditions.append(
                or_(
                    func.lower(c.title).like(pattern, escape="\\"),
                    func.lower(c.description).like(pattern, escape="\\"),
                )
            )
        if after is not None:
            start, event_id = after
            if query.past:
                conditions.append(or_(c.start_time < start, and_(c.start_time == start, c.id < event_id)))
            else:
                conditions.append(or_(c.start_time > start, and_(c.start_time == start, c.id > event_id)))
        order = (c.start_time.desc(), c.id.desc()) if query.past else (c.start_time, c.id)
        statement = select(events).where(*conditions).order_by(*order).limit(limit)
        return [_to_event(r) for r in self._connection.execute(statement)]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class EventsUnitOfWork(SqlUnitOfWork):
    events: SqlEventRepository
    registrations: SqlRegistrationRepository
    comments: SqlCommentRepository
    polls: SqlPollRepository

    def _repositories(self, connection: Connection) -> dict[str, object]:
        return {
            "events": SqlEventRepository(connection),
            "registrations": SqlRegistrationRepository(connection),
            "comments": SqlCommentRepository(connection),
            "polls": SqlPollRepository(connection),
        }
