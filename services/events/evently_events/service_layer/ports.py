"""What the events use cases need from the outside world."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from evently_events.domain.model import Event


class EventRepository(Protocol):
    def add(self, event: Event) -> None: ...
    def get(self, event_id: str) -> Event | None: ...
    def list_page(self, *, after: tuple[datetime, str] | None, limit: int) -> list[Event]:
        """Events ordered by (start_time, id), strictly after the cursor."""
        ...


class UnitOfWork(Protocol):
    @property
    def events(self) -> EventRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def record(self, *domain_events: object) -> None: ...
    def commit(self) -> None: ...
    def reading(self) -> UnitOfWork: ...
