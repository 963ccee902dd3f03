"""Events, as organizers and attendees talk about them. Pure Python."""

from __future__ import annotations

import enum
import functools
import zoneinfo
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

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
    PROPOSED = "PROPOSED"  # its date is decided by a poll; until then its times are a placeholder


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
    time_zone: str = "UTC"
    revision: int = 0

    def check_organizer(self, user_id: str, action: str) -> None:
        if user_id != self.organizer_id:
            raise PermissionDenied(f"only the organizer of event {self.id!r} may {action} it")

    def check_open_for_registration(self, now: datetime) -> None:
        if self.state is EventState.PROPOSED:
            raise FailedPrecondition(
                f"event {self.id!r} has no date yet: vote in its date poll; registration opens when it closes"
            )
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
        self.revision += 1  # calendars replace their copy only when SEQUENCE goes up


@dataclass(frozen=True)
class EventDraft:
    """What an organizer asks for; times are None when not given."""

    title: str
    description: str
    location: str
    start_time: datetime | None
    end_time: datetime | None
    capacity: int
    time_zone: str = "UTC"


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


def validate_draft(draft: EventDraft, now: datetime, *, new_start: bool = True) -> None:
    """Raise InvalidArgument naming every field that is wrong, all at once. `new_start`: the
    start time is being set now, so it must lie ahead (an unchanged one may have passed)."""
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
    elif new_start and draft.start_time <= now:
        problems.add("event.start_time", "must be in the future")
    if draft.end_time is None:
        problems.add("event.end_time", "is required")
    elif draft.start_time is not None and draft.end_time <= draft.start_time:
        problems.add("event.end_time", "must be after start_time")
    problems.check(
        is_time_zone(draft.time_zone), "event.time_zone", "must be an IANA time zone, e.g. Europe/Berlin"
    )
    problems.raise_if_any()


def is_time_zone(name: str) -> bool:
    """An IANA zone name: checked against the list of zones, since ZoneInfo reads any path it
    is given (a directory such as "America", a 300-character name: OSErrors, not "no such zone")."""
    return name in _zones()


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def decide_date(event: Event, start: datetime, end: datetime, now: datetime) -> Event:
    """A proposed event, its poll closed: scheduled at the winning time, open for registration."""
    return replace(
        event,
        start_time=start,
        end_time=end,
        state=EventState.SCHEDULED,
        update_time=now,
        revision=event.revision + 1,
    )


def proposed_event(
    event_id: str,
    organizer_id: str,
    draft: EventDraft,
    candidates: list[tuple[datetime, datetime]],
    now: datetime,
) -> Event:
    """An event whose date people vote on: no times of its own (the earliest candidate holds
    their place, for ordering lists, and is never shown)."""
    if draft.start_time is not None or draft.end_time is not None:
        raise InvalidArgument(
            [FieldViolation("event.start_time", "a proposed event has no times: its date poll decides them")]
        )
    # Problems with the candidates themselves are the poll's to report (date_poll.options).
    sound = [(start, end) for start, end in candidates if end > start]
    start, end = min(sound) if sound else (now + timedelta(days=1), now + timedelta(days=1, hours=1))
    validate_draft(replace(draft, start_time=start, end_time=end), now, new_start=False)
    event = new_event(
        event_id, organizer_id, replace(draft, start_time=start, end_time=end), now, check=False
    )
    event.state = EventState.PROPOSED
    return event


def new_event(
    event_id: str, organizer_id: str, draft: EventDraft, now: datetime, *, check: bool = True
) -> Event:
    if check:
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
        time_zone=draft.time_zone,
        state=EventState.SCHEDULED,
        create_time=now,
        update_time=now,
    )


UPDATABLE_FIELDS = ("title", "description", "location", "start_time", "end_time", "capacity", "time_zone")
# Changes that move the event in time or space: attendees are told and reminders move.
RESCHEDULING_FIELDS = frozenset({"start_time", "end_time", "location"})


@dataclass(frozen=True)
class EventUpdated:
    event: Event
    changed_fields: tuple[str, ...]
    previous: Event


def as_draft(event: Event) -> EventDraft:
    """The event's editable fields, as an edit starts from them."""
    return EventDraft(
        title=event.title,
        description=event.description,
        location=event.location,
        start_time=event.start_time,
        end_time=event.end_time,
        capacity=event.capacity,
        time_zone=event.time_zone,
    )


@dataclass(frozen=True)
class Changes:
    """An update: the mask's paths, and the new values (a draft holding every field)."""

    paths: tuple[str, ...]
    values: EventDraft


def apply_changes(
    event: Event, changes: Changes, confirmed: int, now: datetime
) -> tuple[Event, tuple[str, ...]]:
    """The event with the masked fields changed, and which of them really changed. The result
    is validated as a whole (every problem at once); seats already taken bound the capacity."""
    problems = Violations()
    if not changes.paths:
        problems.add("update_mask", f"must name at least one of: {', '.join(UPDATABLE_FIELDS)}")
    for path in changes.paths:
        if path not in UPDATABLE_FIELDS:
            problems.add("update_mask", f"{path!r} cannot be changed; allowed: {', '.join(UPDATABLE_FIELDS)}")
    problems.raise_if_any()
    if event.state is EventState.CANCELLED:
        raise FailedPrecondition(f"event {event.id!r} is cancelled; it cannot be changed")
    if event.state is EventState.PROPOSED and {"start_time", "end_time"} & set(changes.paths):
        raise FailedPrecondition(f"event {event.id!r} is proposed: its date poll decides its times")
    if event.end_time <= now:
        raise FailedPrecondition(f"event {event.id!r} is over; it cannot be changed")

    draft = as_draft(event)
    wanted = {path: getattr(changes.values, path) for path in changes.paths}
    merged = replace(draft, **wanted)
    validate_draft(merged, now, new_start=merged.start_time != event.start_time)
    if merged.capacity and merged.capacity < confirmed and "capacity" in changes.paths:
        raise FailedPrecondition(
            f"{confirmed} people already have a seat: capacity cannot go below that (0 means unlimited)"
        )
    assert merged.start_time is not None and merged.end_time is not None  # validated
    updated = replace(
        event,
        title=merged.title.strip(),
        description=merged.description,
        location=merged.location.strip(),
        start_time=merged.start_time,
        end_time=merged.end_time,
        capacity=merged.capacity,
        time_zone=merged.time_zone,
    )
    changed = tuple(path for path in UPDATABLE_FIELDS if getattr(updated, path) != getattr(event, path))
    if changed:
        updated.update_time = now
        updated.revision = event.revision + 1
    return updated, changed


MAX_QUERY_CHARACTERS, MAX_QUERY_WORDS = 200, 8


def search_words(query: str) -> tuple[str, ...]:
    """The words of a ListEvents search. Bounded: each word is a condition on every row, and a
    50 KB query made the database refuse the statement."""
    if len(query) > MAX_QUERY_CHARACTERS:
        raise InvalidArgument([FieldViolation("query", f"must be at most {MAX_QUERY_CHARACTERS} characters")])
    words = tuple(query.split())
    if len(words) > MAX_QUERY_WORDS:
        raise InvalidArgument([FieldViolation("query", f"must be at most {MAX_QUERY_WORDS} words")])
    return words
