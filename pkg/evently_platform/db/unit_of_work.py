"""One transaction per use case; its domain events go to the outbox in that same transaction."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from evently_platform.db.engine import READ_ONLY, writer_lock
from evently_platform.db.outages import is_outage
from evently_platform.errors import Unavailable
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.inbox import first_deliveries, first_delivery
from evently_platform.messaging.outbox import OutboxHandOff, OutboxRow, OutboxWriter


class _Transaction:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pending: list[object] = []


class SqlUnitOfWork:
    """`with uows() as uow: ...; uow.commit()` — anything not committed is rolled back on exit.

    One instance per use case, made by the service's factory (`SqlUnitOfWork.factory`): it is
    never shared between concurrent callers, so it holds its open transaction itself. It may be
    entered again after its block ends (a use case doing two transactions in turn). Services
    subclass it, declare their repositories as annotated attributes and build them in
    `_repositories`; they exist only inside the `with` block.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        translate: Callable[[object], Envelope] | None = None,
        relay: OutboxHandOff | None = None,
        after_commit: Callable[[Sequence[object]], None] | None = None,
        read_only: bool = False,
    ) -> None:
        """`relay`: the process's outbox relay, which publishes committed domain events (handed
        the rows directly when it can, see messaging.outbox). `after_commit`: told the domain
        events of each commit once it is durable, before the use case returns (a cache forgets
        what they changed)."""
        self._engine = engine
        self._translate = translate
        self._relay = relay
        self._after_commit = after_commit
        self._read_only = read_only
        self._writer_lock = None if read_only else writer_lock(engine)
        self._open: _Transaction | None = None
        self._repository_names: tuple[str, ...] = ()

    @classmethod
    def factory(
        cls,
        engine: Engine,
        *,
        translate: Callable[[object], Envelope] | None = None,
        relay: OutboxHandOff | None = None,
        after_commit: Callable[[Sequence[object]], None] | None = None,
    ) -> Callable[[], Self]:
        """What a service's bootstrap hands its use cases: a new unit of work per call."""
        return functools.partial(cls, engine, translate=translate, relay=relay, after_commit=after_commit)

    @property
    def _tx(self) -> _Transaction:
        if self._open is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._open

    @property
    def connection(self) -> Connection:
        return self._tx.connection

    def reading(self) -> Self:
        """A unit of work for queries only: on SQLite it does not take the write lock."""
        return type(self)(self._engine, translate=self._translate, read_only=True)

    def __enter__(self) -> Self:
        if self._open is not None:
            raise RuntimeError("unit of work entered while open: each use takes its own from the factory")
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
        self._open = _Transaction(connection)
        repositories = self._repositories(connection)
        self.__dict__.update(repositories)
        self._repository_names = tuple(repositories)
        return self

    def _repositories(self, connection: Connection) -> dict[str, object]:
        """Hook for subclasses: the repositories of one transaction, by the attribute names the
        subclass declares for them."""
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
        committed = tx.pending
        wrote_outbox = bool(committed)
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
        if committed and self._after_commit is not None:
            self._after_commit(committed)
        if wrote_outbox and self._relay is not None:
            if handed:
                self._relay.offer(handed)
            else:
                self._relay.wake()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tx, self._open = self._open, None
        for name in self._repository_names:
            self.__dict__.pop(name, None)
        self._repository_names = ()
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
