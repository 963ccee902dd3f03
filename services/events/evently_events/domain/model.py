"""Events, as organizers and attendees talk about them. Pure Python."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from evently_platform.errors import Violations

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_LOCATION_LENGTH = 500


class EventState(enum.Enum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"


@dataclass
class Event:
    id: str
    organizer_id: str
    title: str
    description: str
    location: str
    start_time: datetime
    end_time: datetime
    capacity: int  # 0: unlimited
    state: EventState
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True)
class EventDraft:
    """What an organizer asks for; times are None when not given."""

    title: str
    description: str
    location: str
    start_time: datetime | None
    end_time: datetime | None
    capacity: int


@dataclass(frozen=True)
class EventCreated:
    event: Event


def validate_draft(draft: EventDraft, now: datetime) -> None:
    """Raise InvalidArgument naming every field that is wrong, all at once."""
    problems = Violations()
    title = draft.title.strip()
    problems.check(
        0 < len(title) <= MAX_TITLE_LENGTH, "event.title", f"is required, 1 to {MAX_TITLE_LENGTH} characters"
    )
    problems.check(
        len(draft.description) <= MAX_DESCRIPTION_LENGTH,
        "event.description",
        f"must be at most {MAX_DESCRIPTION_LENGTH} characters",
    )
    problems.check(
        0 < len(draft.location.strip()) <= MAX_LOCATION_LENGTH,
        "event.location",
        f"is required (an address or an online URL), at most {MAX_LOCATION_LENGTH} characters",
    )
    problems.check(draft.capacity >= 0, "event.capacity", "must be >= 0 (0 means unlimited)")
    if draft.start_time is None:
        problems.add("event.start_time", "is required")
    elif draft.start_time <= now:
        problems.add("event.start_time", "must be in the future")
    if draft.end_time is None:
        problems.add("event.end_time", "is required")
    elif draft.start_time is not None and draft.end_time <= draft.start_time:
        problems.add("event.end_time", "must be after start_time")
    problems.raise_if_any()


def new_event(event_id: str, organizer_id: str, draft: EventDraft, now: datetime) -> Event:
    validate_draft(draft, now)
    assert draft.start_time is not None and draft.end_time is not None  # checked above
    return Event(
        id=event_id,
        organizer_id=organizer_id,
        title=draft.title.strip(),
        description=draft.description,
        location=draft.location.strip(),
        start_time=draft.start_time,
        end_time=draft.end_time,
        capacity=draft.capacity,
        state=EventState.SCHEDULED,
        create_time=now,
        update_time=now,
    )
