"""The in-app inbox, the attendee projection and preferences, stored with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from evently_platform.db.upsert import upsert
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, text, update

from evently_notifier.adapters.tables import attendees, notifications, preferences
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.routing import Preferences

Cursor = tuple[datetime, str]


def _to_notification(row: Any) -> Notification:
    return Notification(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        event_id=row.event_id,
        source_event_id=row.source_event_id,
        create_time=row.create_time,
        read_time=row.read_time,
    )


def _to_preferences(row: Any) -> Preferences:
    return Preferences(row.user_id, email=row.email, in_app=row.in_app, muted_kinds=tuple(row.muted_kinds))


# Statements built once: building one per call costs several times what executing it does.
_INSERT_NOTIFICATION = insert(notifications)
_PREFERENCES_OF = select(preferences).where(preferences.c.user_id.in_(bindparam("b_users", expanding=True)))
_PREFERENCES = select(preferences).where(preferences.c.user_id == bindparam("b_user"))
# One statement, the same SQL on SQLite and PostgreSQL: the row is written unless it holds a
# newer state already (events may arrive out of order). Text, because SQLAlchemy never caches
# its dialects' ON CONFLICT inserts (see evently_platform.messaging.inbox).
_RECORD_ATTENDEE = text(
    f"INSERT INTO {attendees.name} (registration_id, event_id, user_id, status, update_time) "
    "VALUES (:registration_id, :event_id, :user_id, :status, :update_time) "
    "ON CONFLICT (registration_id) DO UPDATE SET status = excluded.status, "
    f"update_time = excluded.update_time WHERE {attendees.name}.update_time <= excluded.update_time"
).bindparams(bindparam("update_time", type_=attendees.c.update_time.type))


class SqlNotificationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *added: Notification) -> None:
        if not added:
            return
        self._connection.execute(
            _INSERT_NOTIFICATION,
            [
                dict(
                    id=n.id,
                    user_id=n.user_id,
                    kind=n.kind,
                    title=n.title,
                    body=n.body,
                    event_id=n.event_id,
                    source_event_id=n.source_event_id,
                    create_time=n.create_time,
                    read_time=n.read_time,
                )
                for n in added
            ],
        )

    def list_for_user(
        self, user_id: str, *, before: Cursor | None, limit: int, unread_only: bool = False
    ) -> list[Notification]:
        c = notifications.c
        conditions: list[Any] = [c.user_id == user_id]
        if unread_only:
            conditions.append(c.read_time.is_(None))
        if before is not None:
            time, key = before
            conditions.append(or_(c.create_time < time, and_(c.create_time == time, c.id < key)))
        query = (
            select(notifications).where(*conditions).order_by(c.create_time.desc(), c.id.desc()).limit(limit)
        )
        return [_to_notification(r) for r in self._connection.execute(query)]

    def newer_than(self, user_id: str, after: Cursor | None, limit: int = 100) -> list[Notification]:
        """Oldest first: what a live watcher has not seen yet."""
        c = notifications.c
        conditions: list[Any] = [c.user_id == user_id]
        if after is not None:
            time, key = after
            conditions.append(or_(c.create_time > time, and_(c.create_time == time, c.id > key)))
        query = select(notifications).where(*conditions).order_by(c.create_time, c.id).limit(limit)
        return [_to_notification(r) for r in self._connection.execute(query)]

    def newest(self, user_id: str) -> Cursor | None:
        c = notifications.c
        row = self._connection.execute(
            select(c.create_time, c.id)
            .where(c.user_id == user_id)
            .order_by(c.create_time.desc(), c.id.desc())
            .limit(1)
        ).first()
        return (row.create_time, row.id) if row else None

    def unread_count(self, user_id: str) -> int:
        c = notifications.c
        query = select(func.count()).where(c.user_id == user_id, c.read_time.is_(None))
        return int(self._connection.execute(query).scalar_one())

    def mark_read(self, user_id: str, ids: list[str], now: datetime) -> int:
        c = notifications.c
        conditions: list[Any] = [c.user_id == user_id, c.read_time.is_(None)]
        if ids:
            conditions.append(c.id.in_(ids))
        marked = self._connection.execute(
            update(notifications).where(*conditions).values(read_time=now).returning(c.id)
        )
        return len(marked.all())

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(delete(notifications).where(notifications.c.user_id == user_id))


class SqlAttendeeRepository:
    """Who is registered where, as far as the registration events have told us."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def active_for_event(self, event_id: str) -> list[str]:
        c = attendees.c
        query = (
            select(c.user_id).where(c.event_id == event_id, c.status != "CANCELLED").order_by(c.update_time)
        )
        return [r.user_id for r in self._connection.execute(query)]

    def record(
        self, registration_id: str, event_id: str, user_id: str, status: str, update_time: datetime
    ) -> None:
        """Keep the newest state of a registration (events may arrive out of order)."""
        self._connection.execute(
            _RECORD_ATTENDEE,
            dict(
                registration_id=registration_id,
                event_id=event_id,
                user_id=user_id,
                status=status,
                update_time=update_time,
            ),
        )

    def delete_for_event(self, event_id: str) -> None:
        self._connection.execute(delete(attendees).where(attendees.c.event_id == event_id))

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(delete(attendees).where(attendees.c.user_id == user_id))


class SqlPreferencesRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, user_id: str) -> Preferences:
        row = self._connection.execute(_PREFERENCES, {"b_user": user_id}).first()
        return _to_preferences(row) if row is not None else Preferences(user_id)

    def get_many(self, user_ids: Collection[str]) -> dict[str, Preferences]:
        """Everyone's preferences, the defaults for those who never set any."""
        if not user_ids:
            return {}
        found = self._connection.execute(_PREFERENCES_OF, {"b_users": list(user_ids)})
        stored = {row.user_id: _to_preferences(row) for row in found}
        return {user_id: stored.get(user_id) or Preferences(user_id) for user_id in user_ids}

    def save(self, prefs: Preferences) -> None:
        row = {
            "user_id": prefs.user_id,
            "email": prefs.email,
            "in_app": prefs.in_app,
            "muted_kinds": list(prefs.muted_kinds),
        }
        upsert(self._connection, preferences, row, key=("user_id",))

    def delete(self, user_id: str) -> None:
        self._connection.execute(delete(preferences).where(preferences.c.user_id == user_id))
