"""The users service's storage, in memory: repositories that honour the ports' contracts, for
use-case tests with no database."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from evently_users.domain.model import User
from evently_users.domain.resets import PasswordReset
from evently_users.domain.sessions import Session
from evently_users.domain.throttling import FailedAttempts
from evently_users.service_layer.ports import UnitOfWork

from tests.fakes.memory import MemoryStore, MemoryUnitOfWork


@dataclass
class Tables:
    users: dict[str, User] = field(default_factory=dict)
    failed_attempts: dict[str, FailedAttempts] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    password_resets: dict[str, PasswordReset] = field(default_factory=dict)


class FakeUserRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.users

    def add(self, user: User) -> None:
        assert user.id not in self._rows and self.get_by_email(user.email) is None, "duplicate key"
        self._rows[user.id] = copy.deepcopy(user)

    def get(self, user_id: str) -> User | None:
        return copy.deepcopy(self._rows.get(user_id))

    def get_by_email(self, email: str) -> User | None:
        return next((copy.deepcopy(u) for u in self._rows.values() if u.email == email), None)

    def save(self, user: User) -> None:
        self._rows[user.id] = copy.deepcopy(user)

    def delete(self, user_id: str) -> None:
        self._rows.pop(user_id, None)


class FakeFailedAttemptsRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.failed_attempts

    def get(self, key: str) -> FailedAttempts | None:
        return self._rows.get(key)

    def save(self, attempts: FailedAttempts) -> None:
        self._rows[attempts.key] = attempts

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)


class FakeSessionRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.sessions

    def add(self, session: Session) -> None:
        assert session.id not in self._rows, "duplicate key"
        self._rows[session.id] = copy.deepcopy(session)

    def get_by_hash(self, token_hash: str) -> Session | None:
        return next((copy.deepcopy(s) for s in self._rows.values() if s.token_hash == token_hash), None)

    def mark_used(self, session_id: str, when: datetime) -> None:
        self._rows[session_id] = replace(self._rows[session_id], used_time=when)

    def delete_family(self, family_id: str) -> None:
        self._delete(lambda s: s.family_id == family_id)

    def delete_for_user(self, user_id: str, *, expired_before: datetime | None = None) -> None:
        self._delete(
            lambda s: s.user_id == user_id and (expired_before is None or s.expire_time < expired_before)
        )

    def _delete(self, which: Callable[[Session], bool]) -> None:
        for session_id in [s.id for s in self._rows.values() if which(s)]:
            del self._rows[session_id]


class FakePasswordResetRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.password_resets

    def add(self, reset: PasswordReset) -> None:
        assert reset.id not in self._rows, "duplicate key"
        self._rows[reset.id] = copy.deepcopy(reset)

    def get_by_hash(self, token_hash: str) -> PasswordReset | None:
        return next((copy.deepcopy(r) for r in self._rows.values() if r.token_hash == token_hash), None)

    def latest_for(self, user_id: str) -> PasswordReset | None:
        theirs = [r for r in self._rows.values() if r.user_id == user_id]
        return copy.deepcopy(max(theirs, key=lambda r: r.create_time, default=None))

    def delete_for_user(self, user_id: str) -> None:
        for reset_id in [r.id for r in self._rows.values() if r.user_id == user_id]:
            del self._rows[reset_id]


class UsersStore(MemoryStore[Tables]):
    def __init__(self) -> None:
        super().__init__(Tables())

    def units_of_work(self) -> Callable[[], UnitOfWork]:
        return lambda: FakeUnitOfWork(self)


class FakeUnitOfWork(MemoryUnitOfWork[Tables]):
    users: FakeUserRepository
    failed_attempts: FakeFailedAttemptsRepository
    sessions: FakeSessionRepository
    password_resets: FakePasswordResetRepository

    def _open(self, tables: Tables) -> None:
        self.users = FakeUserRepository(tables)
        self.failed_attempts = FakeFailedAttemptsRepository(tables)
        self.sessions = FakeSessionRepository(tables)
        self.password_resets = FakePasswordResetRepository(tables)

    def reading(self) -> UnitOfWork:
        return FakeUnitOfWork(self._store)
