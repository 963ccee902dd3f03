"""The notifier's view of who attends what follows the newest state of each registration, in
whatever order its events arrive (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.bootstrap import MIGRATIONS
from evently_platform.db.migrations import upgrade
from sqlalchemy import Engine

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def uow(engine: Engine) -> NotifierUnitOfWork:
    upgrade(engine, "notifier", MIGRATIONS)
    return NotifierUnitOfWork(engine)


def _record(uow: NotifierUnitOfWork, status: str, at: datetime, registration: str = "r1") -> None:
    with uow:
        uow.attendees.record(registration, "e1", "ann", status, at)
        uow.commit()


def _attending(uow: NotifierUnitOfWork) -> list[str]:
    with uow:
        return uow.attendees.active_for_event("e1")


def test_a_newer_state_replaces_the_older(uow: NotifierUnitOfWork) -> None:
    _record(uow, "CONFIRMED", T0)
    assert _attending(uow) == ["ann"]
    _record(uow, "CANCELLED", T0 + timedelta(minutes=5))
    assert _attending(uow) == []


def test_an_older_state_arriving_late_changes_nothing(uow: NotifierUnitOfWork) -> None:
    _record(uow, "CANCELLED", T0 + timedelta(minutes=5))
    _record(uow, "CONFIRMED", T0)  # the registration's first event, delivered after its cancellation
    assert _attending(uow) == []


def test_each_registration_is_its_own_row(uow: NotifierUnitOfWork) -> None:
    _record(uow, "CONFIRMED", T0, registration="r1")
    _record(uow, "WAITLISTED", T0, registration="r2")
    assert _attending(uow) == ["ann", "ann"]
