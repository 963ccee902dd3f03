"""One transaction per use case; its domain events go to the outbox in that same transaction."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from evently_platform.db.engine import READ_ONLY
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.inbox import first_delivery
from evently_platform.messaging.outbox import OutboxWriter


class SqlUnitOfWork:
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit.

    Services subclass it to open their repositories on `self.connection` in `_open_repositories`.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        translate: Callable[[object], Envelope] | None = None,
        on_outbox_commit: Callable[[], None] | None = None,
        read_only: bool = False,
    ) -> None:
        self._engine = engine
        self._translate = translate
        self._on_outbox_commit = on_outbox_commit
        self._read_only = read_only
        self._connection: Connection | None = None
        self._pending: list[object] = []

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._connection

    def reading(self) -> Self:
        """A copy for queries only: on SQLite it does not take the write lock."""
        return type(self)(self._engine, translate=self._translate, read_only=True)

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._read_only:
            connection = connection.execution_options(**{READ_ONLY: True})
        connection.begin()
        self._connection = connection
        self._pending = []
        self._open_repositories(connection)
        return self

    def _open_repositories(self, connection: Connection) -> None:
        """Hook for subclasses."""

    def record(self, *domain_events: object) -> None:
        """Queue domain events; on commit they become outbox rows, atomically with the rest."""
        self._pending.extend(domain_events)

    def first_delivery(self, consumer: str, message_id: str) -> bool:
        """Inbox check for consumers: False when this message was already handled."""
        return first_delivery(self.connection, consumer, message_id)

    def commit(self) -> None:
        connection = self.connection
        wrote_outbox = bool(self._pending)
        if self._pending:
            if self._translate is None:
                raise RuntimeError("domain events recorded but no translator to integration events was given")
            OutboxWriter(connection).add(*(self._translate(e) for e in self._pending))
            self._pending = []
        connection.commit()
        if wrote_outbox and self._on_outbox_commit is not None:
            self._on_outbox_commit()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is not None:
            connection.rollback()
            connection.close()
