"""Registrations stored with SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from evently_events.adapters.tables import registrations
from evently_events.domain.registrations import Registration, RegistrationStatus

Cursor = tuple[datetime, str]


def _to_registration(row: Any) -> Registration:
    return Registration(
        id=row.id,
        event_id=row.event_id,
        user_id=row.user_id,
        status=RegistrationStatus(row.status),
        create_time=row.create_time,
        update_time=row.update_time,
        queued_time=row.queued_time,
    )


def _columns(registration: Registration) -> dict[str, Any]:
    return {
        "event_id": registration.event_id,
        "user_id": registration.user_id,
        "status": registration.status.value,
        "create_time": registration.create_time,
        "update_time": registration.update_time,
        "queued_time": registration.queued_time,
    }


def _after(time_column: Any, after: Cursor | None) -> Any:
    if after is None:
        return True
    time, key = after
    return or_(time_column > time, and_(time_column == time, registrations.c.id > key))


# Statements built once: building one per call costs several times what executing it does.
_FOR_USER = select(registrations).where(
    registrations.c.event_id == bindparam("b_event"), registrations.c.user_id == bindparam("b_user")
)
_CONFIRMED_COUNT = select(func.count()).where(
    registrations.c.event_id == bindparam("b_event"),
    registrations.c.status == RegistrationStatus.CONFIRMED.value,
)


class SqlRegistrationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, registration: Registration) -> None:
        self._connection.execute(insert(registrations), {"id": registration.id, **_columns(registration)})

    def save(self, registration: Registration) -> None:
        self._connection.execute(
            update(registrations)
            .where(registrations.c.id == registration.id)
            .values(**_columns(registration))
        )

    def get_for(self, event_id: str, user_id: str) -> Registration | None:
        row = self._connection.execute(_FOR_USER, {"b_event": event_id, "b_user": user_id}).first()
        return _to_registration(row) if row else None

    def count_confirmed(self, event_id: str) -> int:
        return int(self._connection.execute(_CONFIRMED_COUNT, {"b_event": event_id}).scalar_one())

    def _waitlist(self, event_id: str) -> Any:
        return (
            select(registrations)
            .where(
                registrations.c.event_id == event_id,
                registrations.c.status == RegistrationStatus.WAITLISTED.value,
            )
            .order_by(registrations.c.queued_time, registrations.c.id)
        )

    def first_waitlisted(self, event_id: str, limit: int = 1) -> list[Registration]:
        return [_to_registration(r) for r in self._connection.execute(self._waitlist(event_id).limit(limit))]

    def waitlist_position(self, registration: Registration) -> int:
        if registration.status is not RegistrationStatus.WAITLISTED:
            return 0
        ahead = select(func.count()).where(
            registrations.c.event_id == registration.event_id,
            registrations.c.status == RegistrationStatus.WAITLISTED.value,
            or_(
                registrations.c.queued_time < registration.queued_time,
                and_(
                    registrations.c.queued_time == registration.queued_time,
                    registrations.c.id < registration.id,
                ),
            ),
        )
        return int(self._connection.execute(ahead).scalar_one()) + 1

    def list_for_event(self, event_id: str, *, after: Cursor | None, limit: int) -> list[Registration]:
        query = (
            select(registrations)
            .where(registrations.c.event_id == event_id, _after(registrations.c.create_time, after))
            .order_by(registrations.c.create_time, registrations.c.id)
            .limit(limit)
        )
        return [_to_registration(r) for r in self._connection.execute(query)]

    def list_for_user(self, user_id: str, *, after: Cursor | None, limit: int) -> list[Registration]:
        query = (
            select(registrations)
            .where(registrations.c.user_id == user_id, _after(registrations.c.create_time, after))
            .order_by(registrations.c.create_time, registrations.c.id)
            .limit(limit)
        )
        return [_to_registration(r) for r in self._connection.execute(query)]

    def active_for_user(self, user_id: str) -> list[Registration]:
        query = select(registrations).where(
            registrations.c.user_id == user_id,
            registrations.c.status != RegistrationStatus.CANCELLED.value,
        )
        return [_to_registration(r) for r in self._connection.execute(query)]

    def counts(self, event_ids: list[str]) -> dict[str, tuple[int, int]]:
        if not event_ids:
            return {}
        c = registrations.c
        statement = (
            select(c.event_id, c.status, func.count())
            .where(c.event_id.in_(event_ids), c.status != RegistrationStatus.CANCELLED.value)
            .group_by(c.event_id, c.status)
        )
        found: dict[str, list[int]] = {}
        for event_id, status, count in self._connection.execute(statement):
            index = 0 if status == RegistrationStatus.CONFIRMED.value else 1
            found.setdefault(event_id, [0, 0])[index] = int(count)
        return {event_id: (seats[0], seats[1]) for event_id, seats in found.items()}

    def delete_for_event(self, event_id: str) -> None:
        self._connection.execute(delete(registrations).where(registrations.c.event_id == event_id))
