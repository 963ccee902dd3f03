"""Users, sessions and sign-in failures stored with SQLAlchemy Core, and the service's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently_platform.db.engine import is_postgres
from evently_platform.db.unit_of_work import SqlUnitOfWork
from evently_platform.db.upsert import upsert
from sqlalchemy import Connection, delete, insert, select, update

from evently_users.adapters.tables import failed_attempts, password_resets, sessions, users
from evently_users.domain.model import User
from evently_users.domain.resets import PasswordReset
from evently_users.domain.sessions import Session
from evently_users.domain.throttling import FailedAttempts


def _to_user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        create_time=row.create_time,
        update_time=row.update_time,
        time_zone=row.time_zone,
    )


class SqlUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, user: User) -> None:
        self._connection.execute(
            insert(users).values(
                id=user.id,
                email=user.email,
                display_name=user.display_name,
                password_hash=user.password_hash,
                create_time=user.create_time,
                update_time=user.update_time,
                time_zone=user.time_zone,
            )
        )

    def get(self, user_id: str) -> User | None:
        row = self._connection.execute(select(users).where(users.c.id == user_id)).first()
        return _to_user(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._connection.execute(select(users).where(users.c.email == email)).first()
        return _to_user(row) if row else None

    def save(self, user: User) -> None:
        self._connection.execute(
            update(users)
            .where(users.c.id == user.id)
            .values(
                display_name=user.display_name,
                password_hash=user.password_hash,
                update_time=user.update_time,
                time_zone=user.time_zone,
            )
        )

    def delete(self, user_id: str) -> None:
        self._connection.execute(delete(users).where(users.c.id == user_id))


class SqlFailedAttemptsRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, key: str) -> FailedAttempts | None:
        query = select(failed_attempts).where(failed_attempts.c.key == key)
        if is_postgres(self._connection.engine):
            query = query.with_for_update()  # concurrent failures must not overwrite each other's count
        row = self._connection.execute(query).first()
        if row is None:
            return None
        return FailedAttempts(
            key=row.key, failures=row.failures, last_failure=row.last_failure, locked_until=row.locked_until
        )

    def save(self, attempts: FailedAttempts) -> None:
        row = {
            "key": attempts.key,
            "failures": attempts.failures,
            "last_failure": attempts.last_failure,
            "locked_until": attempts.locked_until,
        }
        upsert(self._connection, failed_attempts, row, key=("key",))

    def delete(self, key: str) -> None:
        self._connection.execute(delete(failed_attempts).where(failed_attempts.c.key == key))


class SqlSessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, session: Session) -> None:
        self._connection.execute(
            insert(sessions).values(
                id=session.id,
                user_id=session.user_id,
                family_id=session.family_id,
                token_hash=session.token_hash,
                create_time=session.create_time,
                expire_time=session.expire_time,
                used_time=session.used_time,
            )
        )

    def get_by_hash(self, token_hash: str) -> Session | None:
        query = select(sessions).where(sessions.c.token_hash == token_hash)
        if is_postgres(self._connection.engine):
            query = query.with_for_update()  # two exchanges of one token: the second sees it used
        row = self._connection.execute(query).first()
        if row is None:
            return None
        return Session(
            id=row.id,
            user_id=row.user_id,
            family_id=row.family_id,
            token_hash=row.token_hash,
            create_time=row.create_time,
            expire_time=row.expire_time,
            used_time=row.used_time,
        )

    def mark_used(self, session_id: str, when: datetime) -> None:
        self._connection.execute(update(sessions).where(sessions.c.id == session_id).values(used_time=when))

    def delete_family(self, family_id: str) -> None:
        self._connection.execute(delete(sessions).where(sessions.c.family_id == family_id))

    def delete_for_user(self, user_id: str, *, expired_before: datetime | None = None) -> None:
        """Every session of the account, or only those expired before `expired_before`."""
        statement = delete(sessions).where(sessions.c.user_id == user_id)
        if expired_before is not None:
            statement = statement.where(sessions.c.expire_time < expired_before)
        self._connection.execute(statement)


class SqlPasswordResetRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, reset: PasswordReset) -> None:
        self._connection.execute(
            insert(password_resets).values(
                id=reset.id,
                user_id=reset.user_id,
                token_hash=reset.token_hash,
                create_time=reset.create_time,
                expire_time=reset.expire_time,
                used_time=reset.used_time,
            )
        )

    def get_by_hash(self, token_hash: str) -> PasswordReset | None:
        query = select(password_resets).where(password_resets.c.token_hash == token_hash)
        if is_postgres(self._connection.engine):
            query = query.with_for_update()  # a link used twice at once: the second sees it used
        row = self._connection.execute(query).first()
        return _to_reset(row) if row else None

    def latest_for(self, user_id: str) -> PasswordReset | None:
        row = self._connection.execute(
            select(password_resets)
            .where(password_resets.c.user_id == user_id)
            .order_by(password_resets.c.create_time.desc())
            .limit(1)
        ).first()
        return _to_reset(row) if row else None

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(delete(password_resets).where(password_resets.c.user_id == user_id))


def _to_reset(row: Any) -> PasswordReset:
    return PasswordReset(
        id=row.id,
        user_id=row.user_id,
        token_hash=row.token_hash,
        create_time=row.create_time,
        expire_time=row.expire_time,
        used_time=row.used_time,
    )


class UsersUnitOfWork(SqlUnitOfWork):
    users: SqlUserRepository
    failed_attempts: SqlFailedAttemptsRepository
    sessions: SqlSessionRepository
    password_resets: SqlPasswordResetRepository

    def _repositories(self, connection: Connection) -> dict[str, object]:
        return {
            "users": SqlUserRepository(connection),
            "failed_attempts": SqlFailedAttemptsRepository(connection),
            "sessions": SqlSessionRepository(connection),
            "password_resets": SqlPasswordResetRepository(connection),
        }
