"""What the events service can be asked to do: one command per use case, each typed with what
handling it answers (see evently_platform.bus), and the views those answers are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from evently_platform.bus import Command
from evently_platform.paging import Page, PageRequest

from evently_events.domain.comments import Comment
from evently_events.domain.model import Changes, Event, EventDraft
from evently_events.domain.polls import Answer, PollKind, PollOption, PollResults
from evently_events.domain.registrations import Registration
from evently_events.service_layer.ports import EventQuery


@dataclass(frozen=True)
class EventView:
    """An event with its seat counts, as readers see it."""

    event: Event
    confirmed: int = 0
    waitlisted: int = 0


@dataclass(frozen=True)
class RegistrationView:
    registration: Registration
    waitlist_position: int  # 0 unless waitlisted


@dataclass(frozen=True)
class DatePoll:
    """Candidate dates, for an event proposed without one."""

    kind: PollKind
    options: list[PollOption]
    close_time: datetime | None = None


# Events


@dataclass(frozen=True)
class CreateEvent(Command[Event]):
    organizer_id: str
    draft: EventDraft
    date_poll: DatePoll | None = None


@dataclass(frozen=True)
class GetEvent(Command[EventView]):
    event_id: str


@dataclass(frozen=True)
class ListEvents(Command[Page[EventView]]):
    query: EventQuery
    page: PageRequest


@dataclass(frozen=True)
class UpdateEvent(Command[EventView]):
    caller_id: str
    event_id: str
    changes: Changes


@dataclass(frozen=True)
class CancelEvent(Command[Event]):
    caller_id: str
    event_id: str
    reason: str


@dataclass(frozen=True)
class DeleteEvent(Command[None]):
    caller_id: str
    event_id: str


@dataclass(frozen=True)
class ForgetUser(Command[int]):
    """A deleted account, as consumed from the stream (`message_id`, once per `consumer`)."""

    message_id: str
    user_id: str
    consumer: str


# Registrations


@dataclass(frozen=True)
class Register(Command[RegistrationView]):
    caller_id: str
    event_id: str


@dataclass(frozen=True)
class CancelRegistration(Command[RegistrationView]):
    caller_id: str
    event_id: str


@dataclass(frozen=True)
class ListRegistrations(Command[Page[RegistrationView]]):
    caller_id: str
    event_id: str  # "-": the caller's own, across events
    page: PageRequest


# Comments


@dataclass(frozen=True)
class AddComment(Command[Comment]):
    author_id: str
    event_id: str
    text: str
    parent_id: str = ""
    mention_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EditComment(Command[Comment]):
    caller_id: str
    comment_id: str
    text: str


@dataclass(frozen=True)
class DeleteComment(Command[Comment]):
    caller_id: str
    comment_id: str


@dataclass(frozen=True)
class ListComments(Command[Page[Comment]]):
    event_id: str
    page: PageRequest


# Polls


@dataclass(frozen=True)
class CreatePoll(Command[PollResults]):
    caller_id: str
    event_id: str
    kind: PollKind
    options: list[PollOption]
    close_time: datetime | None


@dataclass(frozen=True)
class GetPoll(Command[PollResults]):
    poll_id: str


@dataclass(frozen=True)
class ListPolls(Command[list[PollResults]]):
    event_id: str


@dataclass(frozen=True)
class Vote(Command[PollResults]):
    caller_id: str
    poll_id: str
    answers: dict[str, Answer]


@dataclass(frozen=True)
class ClosePoll(Command[PollResults]):
    caller_id: str | None  # None: its close time came
    poll_id: str
    option_id: str  # "" for the option with the most votes


@dataclass(frozen=True)
class CloseDuePolls(Command[int]):
    limit: int = 100
