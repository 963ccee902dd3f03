"""What the notifier keeps of people and events is saved whole, whether it is new or known: the
second save replaces the first, values of every type read back as written (times, lists), and two
writers saving the same new row at once both succeed (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.domain.emails import Recipient
from evently_notifier.domain.reminders import KnownEvent
from evently_notifier.domain.routing import Preferences
from evently_platform.db.migrations import upgrade
from sqlalchemy import Engine, text

START = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)


@pytest.fixture
def uow(engine: Engine) -> NotifierUnitOfWork:
    upgrade(engine, "notifier", MIGRATIONS)
    return NotifierUnitOfWork(engine)


def test_a_known_event_is_saved_then_replaced_with_its_newer_state(uow: NotifierUnitOfWork) -> None:
    first = KnownEvent("e1", "org", "Advent meetup", START, end_time=START + timedelta(hours=2))
    moved = KnownEvent(
        "e1", "org", "Advent meetup (moved)", START + timedelta(days=1), True, None, "Europe/Oslo"
    )
    for state in (first, moved):
        with uow:
            uow.known_events.save(state)
            uow.commit()
        with uow:
            assert uow.known_events.get("e1") == state


def test_preferences_and_recipients_are_saved_then_replaced(uow: NotifierUnitOfWork) -> None:
    with uow:
        uow.preferences.save(Preferences("ann", email=False, muted_kinds=("comment.added",)))
        uow.recipients.save(Recipient("ann", "ann@example.com", "Ann"))
        uow.commit()
    with uow:
        uow.preferences.save(Preferences("ann", in_app=False, muted_kinds=("poll.opened", "reminder")))
        uow.recipients.save(Recipient("ann", "ann@example.org", "Ann B.", "America/Lima"))
        uow.commit()
    with uow:
        assert uow.preferences.get("ann") == Preferences(
            "ann", email=True, in_app=False, muted_kinds=("poll.opened", "reminder")
        )
        assert uow.recipients.get("ann") == Recipient("ann", "ann@example.org", "Ann B.", "America/Lima")


def test_two_writers_saving_the_same_new_row_both_succeed(engine: Engine, uow: NotifierUnitOfWork) -> None:
    """The first writer holds its new row uncommitted until the second is writing the same row
    (on PostgreSQL: until the second waits for the first's lock; SQLite takes one writer at a
    time, so the second waits for the first to commit anyway)."""
    first_saved = threading.Event()
    failures: list[BaseException] = []

    def second() -> None:
        try:
            first_saved.wait(timeout=10)
            writer = NotifierUnitOfWork(engine)
            with writer:
                writer.recipients.save(Recipient("bob", "second@example.com", "second"))
                writer.commit()
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with NotifierUnitOfWork(engine) as writer:
        writer.recipients.save(Recipient("bob", "first@example.com", "first"))
        first_saved.set()
        if engine.dialect.name == "postgresql":
            _wait_for_a_lock_wait(engine)
        writer.commit()
    thread.join(timeout=30)
    assert failures == []
    with uow:
        assert uow.recipients.get("bob") == Recipient("bob", "second@example.com", "second")


def _wait_for_a_lock_wait(engine: Engine) -> None:
    deadline = time.monotonic() + 10
    with engine.connect() as watcher:
        while not watcher.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
            assert time.monotonic() < deadline, "the second writer never waited for the first"
            watcher.rollback()
            time.sleep(0.01)
