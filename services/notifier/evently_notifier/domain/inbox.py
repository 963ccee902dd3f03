"""In-app notifications. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Notification:
    id: str
    user_id: str
    kind: str
    title: str
    body: str
    event_id: str
    source_event_id: str
    create_time: datetime
    read_time: datetime | None = None
