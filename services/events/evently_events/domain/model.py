"""Events, as organizers and attendees talk about them. Pure Python."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from evently_platform.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
    Violations,
)

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_LOCATION_LENGTH = 500
MAX_CANCEL_REASON_LENGTH = 1000


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
    cancel_reason: str = ""

    def check_organizer(self, user_id: str, action: str) -> None:
        if user_id != self.organizer_id:
            raise PermissionDenied(f"only the organizer of event {self.id!r} may {action} it")

    def check_open_for_registration(self, now: datetime) -> None:
        if self.state is EventState.CANCELLED:
            raise FailedPrecondition(f"event {self.id!r} is cancelled: registrations are closed")
        if self.start_time <= now:
            raise FailedPrecondition(f"event {self.id!r} has already started: registrations are closed")

    def cancel(self, reason: str, now: datetime) -> None:
        """Call the event off; attendees are told the reason."""
        reason = reason.strip()
        if len(reason) > MAX_CANCEL_REASON_LENGTH:
            raise InvalidArgument(
                [FieldViolation("reason", f"must be at most {MAX_CANCEL_REASON_LENGTH} characters")]
            )
        if self.state is EventState.CANCELLED:
            raise FailedPrecondition(f"event {self.id!r} is already cancelled")
        if self.end_time <= now:
            raise FailedPrecondition(f"event {self.id!r} is over; a past event cannot be cancelled")
        self.state = EventState.CANCELLED
        self.cancel_reason = reason
        self.update_time = now


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


@dataclass(frozen=True)
class EventCancelled:
    event: Event
    reason: str


@dataclass(frozen=True)
class EventDeleted:
    event_id: str
    organizer_id: str
    title: str


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
