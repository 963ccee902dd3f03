"""In-memory storage for use-case tests: a unit of work that commits or rolls back like the SQL
one (one transaction at a time, like SQLite's writer lock), over a service's tables held as
plain Python objects. Each service's fake subclasses it with its repositories."""

from __future__ import annotations

import copy
import threading
from types import TracebackType
from typing import Generic, Self, TypeVar

Tables = TypeVar("Tables")
Event = TypeVar("Event")


class MemoryStore(Generic[Tables]):
    """What the fake units of work share: the committed tables, and the domain events of the
    committed use cases in order (what the outbox would have published)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.published: list[object] = []
        self.commits = 0
        self.lock = threading.Lock()

    def published_of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.published if isinstance(e, kind)]


class MemoryUnitOfWork(Generic[Tables]):
    def __init__(self, store: MemoryStore[Tables]) -> None:
        self._store = store
        self._working: Tables | None = None
        self._pending: list[object] = []

    @property
    def working(self) -> Tables:
        if self._working is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._working

    def _open(self, tables: Tables) -> None:
        """Hook: make the repositories over this transaction's copy of the tables."""

    def __enter__(self) -> Self:
        assert self._working is None, "entered while open"
        self._store.lock.acquire()
        self._working = copy.deepcopy(self._store.tables)
        self._pending = []
        self._open(self._working)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._working = None  # anything not committed is dropped
        self._pending = []
        self._store.lock.release()

    def record(self, *domain_events: object) -> None:
        self._pending.extend(domain_events)

    def commit(self) -> None:
        self._store.tables = copy.deepcopy(self.working)
        self._store.published.extend(self._pending)
        self._store.commits += 1
        self._pending = []
