"""Polls: an organizer asks when, where, or anything else; people answer each option yes, if need
be, or no; closing decides, and a DATE or PLACE poll's winner becomes the event's. Pure Python."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from evently_platform.errors import FailedPrecondition, Violations

from evently_events.domain.model import MAX_LOCATION_LENGTH, Changes, Event, EventState, as_draft

MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_TEXT_LENGTH = 200


class PollKind(enum.Enum):
    DATE = "DATE"
    PLACE = "PLACE"
    QUESTION = "QUESTION"


class PollState(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Answer(enum.Enum):
    YES = "YES"
    IF_NEED_BE = "IF_NEED_BE"
    NO = "NO"


@dataclass(frozen=True)
class PollOption:
    id: str
    start_time: datetime | None = None
    end_time: datetime | None = None
    location: str = ""
    text: str = ""


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    if_need_be: int = 0
    no: int = 0


@dataclass
class Poll:
    id: str
    event_id: str
    kind: PollKind
    state: PollState
    options: list[PollOption]
    close_time: datetime | None
    create_time: datetime
    winner_option_id: str = ""
    closed_time: datetime | None = None

    def check_open(self) -> None:
        if self.state is not PollState.OPEN:
            raise FailedPrecondition(f"poll {self.id!r} is closed: it takes no more votes")


@dataclass(frozen=True)
class Ballot:
    user_id: str
    answers: dict[str, Answer]  # option id → answer


@dataclass(frozen=True)
class PollResults:
    """A poll as people see it: tallies per option, and the ballots behind them."""

    poll: Poll
    tallies: dict[str, Tally] = field(default_factory=dict)
    ballots: list[Ballot] = field(default_factory=list)
    organizer_id: str = ""  # the event's: who may see the ballots besides the voters


def tally(poll: Poll, ballots: list[Ballot]) -> dict[str, Tally]:
    counts = {option.id: [0, 0, 0] for option in poll.options}
    slot = {Answer.YES: 0, Answer.IF_NEED_BE: 1, Answer.NO: 2}
    for ballot in ballots:
        for option_id, answer in ballot.answers.items():
            if option_id in counts:
                counts[option_id][slot[answer]] += 1
    return {option_id: Tally(*c) for option_id, c in counts.items()}


def check_new_poll(
    event: Event,
    caller_id: str,
    kind: PollKind,
    options: list[PollOption],
    close_time: datetime | None,
    now: datetime,
    *,
    field_name: str = "poll",
) -> list[PollOption]:
    """The options as they will be stored (trimmed), or InvalidArgument naming every problem
    (under `field_name`: the request's name for the poll)."""
    event.check_organizer(caller_id, "open a poll on")
    if event.state is EventState.CANCELLED:
        raise FailedPrecondition(f"event {event.id!r} is cancelled: it takes no polls")
    problems = Violations()
    problems.check(
        MIN_OPTIONS <= len(options) <= MAX_OPTIONS,
        f"{field_name}.options",
        f"from {MIN_OPTIONS} to {MAX_OPTIONS} options",
    )
    if close_time is not None:
        problems.check(close_time > now, f"{field_name}.close_time", "must be in the future")
    cleaned = []
    for i, option in enumerate(options):
        where = f"{field_name}.options[{i}]"
        if kind is PollKind.DATE:
            if option.start_time is None or option.end_time is None:
                problems.add(where, "a date option needs start_time and end_time")
            elif option.start_time <= now:
                problems.add(f"{where}.start_time", "must be in the future")
            elif option.end_time <= option.start_time:
                problems.add(f"{where}.end_time", "must be after start_time")
            cleaned.append(replace(option, location="", text=""))
        elif kind is PollKind.PLACE:
            location = option.location.strip()
            problems.check(
                0 < len(location) <= MAX_LOCATION_LENGTH,
                f"{where}.location",
                f"is required, at most {MAX_LOCATION_LENGTH} characters",
            )
            cleaned.append(PollOption(option.id, location=location))
        else:
            text = option.text.strip()
            problems.check(
                0 < len(text) <= MAX_TEXT_LENGTH,
                f"{where}.text",
                f"is required, at most {MAX_TEXT_LENGTH} characters",
            )
            cleaned.append(PollOption(option.id, text=text))
    problems.raise_if_any()
    return cleaned


def check_answers(poll: Poll, answers: dict[str, Answer]) -> None:
    problems = Violations()
    problems.check(bool(answers), "answers", "answer at least one option")
    known = {option.id for option in poll.options}
    for option_id in answers:
        problems.check(option_id in known, "answers", f"{option_id!r} is not an option of this poll")
    problems.raise_if_any()


def winner(poll: Poll, tallies: dict[str, Tally]) -> PollOption:
    """The most YES, then the most IF_NEED_BE; on a tie, the first listed."""
    return max(
        poll.options,
        key=lambda o: (tallies.get(o.id, Tally()).yes, tallies.get(o.id, Tally()).if_need_be),
    )


def close(poll: Poll, chosen: PollOption, now: datetime) -> Poll:
    poll.check_open()
    return replace(poll, state=PollState.CLOSED, winner_option_id=chosen.id, closed_time=now)


def changes_for(poll: Poll, chosen: PollOption, event: Event) -> Changes | None:
    """The edit a DATE or PLACE poll's winner makes to its event; None for a QUESTION."""
    if poll.kind is PollKind.DATE:
        values = replace(as_draft(event), start_time=chosen.start_time, end_time=chosen.end_time)
        return Changes(("start_time", "end_time"), values)
    if poll.kind is PollKind.PLACE:
        return Changes(("location",), replace(as_draft(event), location=chosen.location))
    return None


@dataclass(frozen=True)
class PollOpened:
    results: PollResults
    event: Event


@dataclass(frozen=True)
class PollVoted:
    results: PollResults
    event: Event
    voter_id: str


@dataclass(frozen=True)
class PollClosed:
    results: PollResults
    event: Event
