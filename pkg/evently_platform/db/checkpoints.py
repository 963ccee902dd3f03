"""SQLite's write-ahead log copied back into the database file by a worker of its own, not by
whichever transaction happens to commit past the log's size limit.

SQLite checkpoints the log itself when a commit takes it past `wal_autocheckpoint` pages (1,000
by default): that commit then copies the pages and waits for two `fsync`s, which this project's
machines took up to ~200 ms to finish under load (strace, bench/README.md). The events service
commits on its event loop, so such a commit held every call the process had. Here the limit is
raised to `AUTOCHECKPOINT_PAGES` (still a bound on the log if this worker falls behind) and the
process's `WalCheckpoints` worker checkpoints every `CHECKPOINT_INTERVAL` in a thread, beside the
requests: PASSIVE, so it never waits for a reader or a writer, and what it cannot copy now it
copies next time."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from evently_platform.logging import get_logger

log = get_logger(__name__)

AUTOCHECKPOINT_PAGES = 10_000  # ~40 MB of 4 KiB pages: a commit checkpoints only past this
CHECKPOINT_INTERVAL = 0.5  # seconds


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (busy, frames in the log, frames copied into the database)."""
    with contextlib.closing(engine.raw_connection()) as connection:
        # The driver's connection in autocommit: a checkpoint cannot run inside a transaction,
        # and the engine's "begin" hook would open one for an SQLAlchemy connection.
        row = connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()  # type: ignore[union-attr]
    busy, frames, copied = row
    return int(busy), int(frames), int(copied)


class WalCheckpoints:
    """A service process's worker that checkpoints its SQLite database's log (see above)."""

    def __init__(self, engine: Engine, *, interval: float = CHECKPOINT_INTERVAL) -> None:
        self._engine = engine
        self._interval = interval

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await asyncio.to_thread(checkpoint, self._engine)
            except (sqlite3.Error, DBAPIError) as exc:  # a full disk, a damaged file: try again later
                log.warning("sqlite.checkpoint_failed", error=str(exc))
