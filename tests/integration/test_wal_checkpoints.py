"""On SQLite, a commit does not copy the write-ahead log back into the database (and wait for its
fsyncs) below a generous size: the service's checkpoint worker does, beside the requests."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from evently_platform.db.checkpoints import AUTOCHECKPOINT_PAGES, WalCheckpoints, checkpoint
from evently_platform.db.engine import make_engine
from sqlalchemy import Engine, text
from structlog.testing import capture_logs

from tests.support import eventually

ROWS = 3_000  # each its own commit, ~1 KiB each: well past SQLite's default 1,000-page limit
DEFAULT_LIMIT_PAGES = 1_000


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    database = tmp_path / "service.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    yield engine, database
    engine.dispose()


def _write(engine: Engine, rows: int) -> None:
    for n in range(rows):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{n:04d}" * 256})


def _page_size(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA page_size")).scalar_one())


def test_commits_leave_the_log_to_the_checkpointer(sqlite: tuple[Engine, Path]) -> None:
    engine, database = sqlite
    wal = Path(f"{database}-wal")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == AUTOCHECKPOINT_PAGES
    _write(engine, ROWS)
    # Past the default limit, a commit would have checkpointed and the log started over from
    # its beginning; here it kept growing.
    assert os.path.getsize(wal) > DEFAULT_LIMIT_PAGES * _page_size(engine)

    busy, frames, copied = checkpoint(engine)
    assert (busy, copied) == (0, frames)
    assert frames > DEFAULT_LIMIT_PAGES
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM notes")).scalar_one() == ROWS


def _failures(logs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [entry for entry in logs if entry["event"] == "sqlite.checkpoint_failed"]


def _size(path: Path) -> int:
    return os.path.getsize(path)


async def test_the_worker_copies_what_was_committed_into_the_database(sqlite: tuple[Engine, Path]) -> None:
    engine, database = sqlite
    before = _size(database)
    await asyncio.to_thread(_write, engine, 200)  # ~200 KiB, all of it in the log so far
    assert _size(database) == before
    worker = asyncio.create_task(WalCheckpoints(engine, interval=0.05).run())
    try:
        await eventually(lambda: _size(database) > before + 150 * 1024, timeout=30)
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


async def test_a_checkpoint_that_fails_is_logged_and_tried_again(tmp_path: Path) -> None:
    not_a_database = tmp_path / "broken.db"
    not_a_database.write_bytes(b"not a database " * 512)
    engine = make_engine(f"sqlite:///{not_a_database}")
    worker = asyncio.create_task(WalCheckpoints(engine, interval=0.05).run())
    try:
        with capture_logs() as logs:
            await eventually(lambda: len(_failures(logs)) >= 3)
        assert "not a database" in _failures(logs)[0]["error"]
        assert not worker.done()
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        engine.dispose()
