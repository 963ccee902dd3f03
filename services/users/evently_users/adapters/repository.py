"""Users stored with SQLAlchemy Core, and the service's unit of work."""

from __future__ import annotations

from typing import Any

from evently_platform.db import SqlUnitOfWork
from sqlalchemy import Connection, insert, select

from evently_users.adapters.tables import users
from evently_users.domain.model import User


def _to_user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        create_time=row.create_time,
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
            )
        )

    def get(self, user_id: str) -> User | None:
        row = self._connection.execute(select(users).where(users.c.id == user_id)).first()
        return _to_user(row) if row else None

    def get_by_email(self, email: str) -> User | None:
        row = self._connection.execute(select(users).where(users.c.email == email)).first()
        return _to_user(row) if row else None


class UsersUnitOfWork(SqlUnitOfWork):
    users: SqlUserRepository

    def _repositories(self, connection: Connection) -> dict[str, object]:
        return {"users": SqlUserRepository(connection)}
