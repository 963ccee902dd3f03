"""One transaction per use case; its domain events go to the outbox in that same transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from evently_platform.db.engine import READ_ONLY, writer_lock
from evently_platform.db.outages import is_outage
from evently_platform.errors import Unavailable
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.inbox import first_deliveries, first_delivery
from evently_platform.messaging.outbox import OutboxHandOff, OutboxRow, OutboxWriter


class _Transaction:
    def __init__(self, connection: Connection, repositories: dict[str, object]) -> None:
        self.connection = connection
        self.repositories = repositories
        self.pending: list[object] = []


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit.

    One instance serves a whole service: use cases run concurrently in worker threads, so the
    open transaction (connection, repositories, recorded events) belongs to the calling thread.
    Services subclass it and name their repositories in `_repositories`; they are then
    attributes (`uow.events`) inside the `with` block.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        translate: Callable[[object], Envelope] | None = None,
        relay: OutboxHandOff | None = None,
        read_only: bool = False,
    ) -> None:
        """`relay`: the process's outbox relay, which publishes committed domain events (handed
        the rows directly when it can, see messaging.outbox)."""
        self._engine = engine
        self._translate = translate
        self._relay = relay
        self._read_only = read_only
        self._writer_lock = None if read_only else writer_lock(engine)
        self._local = threading.local()

    @property
    def _tx(self) -> _Transaction:
        tx: _Transaction | None = getattr(self._local, "tx", None)
        if tx is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return tx

    @property
    def connection(self) -> Connection:
        return self._tx.connection

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not found normally: the repositories of the open transaction.
        if name.startswith("_"):
            raise AttributeError(name)
        repositories = self._tx.repositories
        if name not in repositories:
            raise AttributeError(f"{type(self).__name__} has no repository {name!r}")
        return repositories[name]

    def reading(self) -> Self:
        """A copy for queries only: on SQLite it does not take the write lock."""
        return type(self)(self._engine, translate=self._translate, read_only=True)

    def __enter__(self) -> Self:
        if getattr(self._local, "tx", None) is not None:
            raise RuntimeError("unit of work entered twice in one thread")
        if self._writer_lock is not None:
            self._writer_lock.acquire()
        try:
            connection = self._engine.connect()
            if self._read_only:
                connection = connection.execution_options(**{READ_ONLY: True})
            connection.begin()
        except BaseException as exc:
            if self._writer_lock is not None:
                self._writer_lock.release()
            if is_outage(exc):
                raise _unavailable() from exc
            raise
        self._local.tx = _Transaction(connection, self._repositories(connection))
        return self

    def _repositories(self, connection: Connection) -> dict[str, object]:
        """Hook for subclasses: the repositories of one transaction, by attribute name."""
        return {}

    def record(self, *domain_events: object) -> None:
        """Queue domain events; on commit they become outbox rows, atomically with the rest."""
        self._tx.pending.extend(domain_events)

    def first_delivery(self, consumer: str, message_id: str) -> bool:
        """Inbox check for consumers: False when this message was already handled."""
        return first_delivery(self.connection, consumer, message_id)

    def first_deliveries(self, consumer: str, message_ids: Sequence[str]) -> set[str]:
        """Inbox check for a batch: the ids of the messages not handled before."""
        return first_deliveries(self.connection, consumer, message_ids)

    def commit(self) -> None:
        tx = self._tx
        wrote_outbox = bool(tx.pending)
        handed: list[OutboxRow] = []
        if tx.pending:
            if self._translate is None:
                raise RuntimeError("domain events recorded but no translator to integration events was given")
            lease = self._relay.hand_off_lease() if self._relay is not None else None
            handed = OutboxWriter(tx.connection).add(
                *(self._translate(e) for e in tx.pending), lease_until=lease
            )
            tx.pending = []
        tx.connection.commit()
        if wrote_outbox and self._relay is not None:
            if handed:
                self._relay.offer(handed)
            else:
                self._relay.wake()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tx: _Transaction | None = getattr(self._local, "tx", None)
        self._local.tx = None
        if tx is not None:
            try:
                tx.connection.rollback()
                tx.connection.close()
            except DBAPIError:
                if exc is None:
                    raise
                # The database went away mid-transaction: the error being raised says more.
            finally:
                if self._writer_lock is not None:
                    self._writer_lock.release()
        if exc is not None and is_outage(exc):
            # A lost connection, or a database that refuses work, is no bug of the use case: the
            # caller gets UNAVAILABLE and may try again.
            raise _unavailable() from exc


def _unavailable() -> Unavailable:
    return Unavailable("the database is unavailable right now; try again shortly")
