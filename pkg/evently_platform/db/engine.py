"""SQLAlchemy engines for SQLite (WAL, serialised writers) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from evently_platform.db.checkpoints import AUTOCHECKPOINT_PAGES

READ_ONLY = "evently_read_only"


def make_engine(url: str, *, instrument: bool = False) -> Engine:
    """`instrument`: an OpenTelemetry span per statement (EVENTLY_TRACE_SQL; off by default, as
    it costs about as much as the statement and idle pollers would emit a stream of root spans)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
    else:
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
    if instrument:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine)
    return engine


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling is broken).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Commits leave checkpoints to a worker (evently_platform.db.checkpoints) up to this size.
        cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the database lock up front, so read-then-write transactions are
        # serialised instead of failing at their first write; readers stay concurrent.
        mode = "DEFERRED" if connection.get_execution_options().get(READ_ONLY) else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def writer_lock(engine: Engine) -> threading.Lock | None:
    """SQLite takes one writer at a time, and a waiting writer sleeps in its busy handler for up
    to 100 ms a try, long after the lock is free: the writers of one process queue here instead.
    (Several processes on one SQLite file still meet in the busy handler; PostgreSQL needs none.)"""
    if engine.dialect.name != "sqlite":
        return None
    lock = _WRITERS.get(engine)
    if lock is None:
        lock = _WRITERS.setdefault(engine, threading.Lock())
    return lock


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()` for a writer: in the queue of this process's writers on SQLite."""
    lock = writer_lock(engine)
    if lock is None:
        with engine.begin() as connection:
            yield connection
        return
    with lock, engine.begin() as connection:
        yield connection


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
