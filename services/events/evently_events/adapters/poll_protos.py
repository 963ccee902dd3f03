"""Polls: domain ↔ protobuf, and their public `evently.poll.*` events."""

from __future__ import annotations

from datetime import datetime

from evently.events.v1 import poll_pb2
from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.grpc.timestamps import optional_time
from evently_platform.messaging.contracts import envelope_of
from evently_platform.messaging.envelope import Envelope
from google.protobuf.timestamp_pb2 import Timestamp

from evently_events.domain.polls import (
    Answer,
    PollClosed,
    PollKind,
    PollOpened,
    PollOption,
    PollResults,
    PollVoted,
    Tally,
)

SOURCE = "//evently/events"
_ANSWERS: dict[int, Answer] = {
    poll_pb2.OptionAnswer.YES: Answer.YES,
    poll_pb2.OptionAnswer.IF_NEED_BE: Answer.IF_NEED_BE,
    poll_pb2.OptionAnswer.NO: Answer.NO,
}
_KINDS: dict[int, PollKind] = {
    poll_pb2.Poll.DATE: PollKind.DATE,
    poll_pb2.Poll.PLACE: PollKind.PLACE,
    poll_pb2.Poll.QUESTION: PollKind.QUESTION,
}


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def kind_from_proto(kind: int, *, field_name: str = "poll") -> PollKind:
    found = _KINDS.get(kind)
    if found is None:
        raise InvalidArgument([FieldViolation(f"{field_name}.kind", "must be DATE, PLACE or QUESTION")])
    return found


def options_from_proto(poll: poll_pb2.Poll, *, field_name: str = "poll") -> list[PollOption]:
    return [
        PollOption(
            id="",
            start_time=optional_time(o, "start_time", f"{field_name}.options[{i}].start_time"),
            end_time=optional_time(o, "end_time", f"{field_name}.options[{i}].end_time"),
            location=o.location,
            text=o.text,
        )
        for i, o in enumerate(poll.options)
    ]


def answers_from_proto(answers: list[poll_pb2.OptionAnswer]) -> dict[str, Answer]:
    found: dict[str, Answer] = {}
    for i, item in enumerate(answers):
        answer = _ANSWERS.get(item.answer)
        if answer is None:
            raise InvalidArgument([FieldViolation(f"answers[{i}].answer", "must be YES, IF_NEED_BE or NO")])
        if item.option_id in found:
            raise InvalidArgument([FieldViolation(f"answers[{i}].option_id", "answered twice")])
        found[item.option_id] = answer
    return found


def poll_to_proto(results: PollResults, *, caller_id: str = "") -> poll_pb2.Poll:
    """Tallies for everyone; the ballots only for the organizer and for people who voted (no
    caller, as in published events: nobody's)."""
    poll = results.poll
    mine = next((b for b in results.ballots if caller_id and b.user_id == caller_id), None)
    sees_ballots = bool(caller_id) and (caller_id == results.organizer_id or mine is not None)
    return poll_pb2.Poll(
        id=poll.id,
        event_id=poll.event_id,
        kind=poll.kind.value,
        state=poll.state.value,
        options=[
            poll_pb2.PollOption(
                id=o.id,
                start_time=_ts(o.start_time),
                end_time=_ts(o.end_time),
                location=o.location,
                text=o.text,
                yes=results.tallies.get(o.id, Tally()).yes,
                if_need_be=results.tallies.get(o.id, Tally()).if_need_be,
                no=results.tallies.get(o.id, Tally()).no,
            )
            for o in poll.options
        ],
        winner_option_id=poll.winner_option_id,
        close_time=_ts(poll.close_time),
        create_time=_ts(poll.create_time),
        ballots=[
            poll_pb2.Ballot(
                user_id=b.user_id,
                answers=[poll_pb2.OptionAnswer(option_id=o, answer=a.value) for o, a in b.answers.items()],
            )
            for b in results.ballots
        ]
        if sees_ballots
        else [],
        my_answers=[
            poll_pb2.OptionAnswer(option_id=o, answer=a.value)
            for o, a in (mine.answers.items() if mine else [])
        ],
    )


def poll_event(event: PollOpened | PollVoted | PollClosed) -> Envelope:
    poll = poll_to_proto(event.results)  # no caller: tallies only, never who voted what
    organizer, title = event.event.organizer_id, event.event.title
    subject = event.results.poll.id
    if isinstance(event, PollVoted):
        voted = poll_pb2.PollVoted(
            poll=poll, organizer_id=organizer, event_title=title, voter_id=event.voter_id
        )
        return envelope_of("evently.poll.voted", voted, source=SOURCE, subject=subject)
    changed = poll_pb2.PollChanged(poll=poll, organizer_id=organizer, event_title=title)
    type_ = "evently.poll.opened" if isinstance(event, PollOpened) else "evently.poll.closed"
    return envelope_of(type_, changed, source=SOURCE, subject=subject)
