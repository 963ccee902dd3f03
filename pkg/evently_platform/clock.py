"""Time as a dependency, so the core can be tested at a fixed instant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def new_id() -> str:
    """An opaque identifier for a resource or a domain event."""
    return uuid.uuid4().hex
