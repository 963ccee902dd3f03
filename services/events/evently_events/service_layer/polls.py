"""Poll use cases: open, read, vote, close (by the organizer or at the deadline). A vote and the
close lock the poll row, so a vote racing the close is either counted or refused, never half
applied; closing a DATE or PLACE poll edits the event through the same path as UpdateEvent."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from evently_platform.clock import Clock, new_id
from evently_platform.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound

from evently_events.domain.model import Event, EventState, EventUpdated, decide_date
from evently_events.domain.polls import (
    Poll,
    PollClosed,
    PollKind,
    PollOpened,
    PollOption,
    PollResults,
    PollState,
    PollVoted,
    changes_for,
    check_answers,
    check_new_poll,
    close,
    tally,
    winner,
)
from evently_events.service_layer.commands import (
    CloseDuePolls,
    ClosePoll,
    CreatePoll,
    GetPoll,
    ListPolls,
    Vote,
)
from evently_events.service_layer.handlers import edit_event, seat
from evently_events.service_layer.ports import UnitOfWork


def _event(uow: UnitOfWork, event_id: str, *, lock: bool = False) -> Event:
    event = uow.events.get_for_update(event_id) if lock else uow.events.get(event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def _results(uow: UnitOfWork, poll: Poll, organizer_id: str) -> PollResults:
    ballots = uow.polls.ballots(poll.id)
    return PollResults(poll, tally(poll, ballots), ballots, organizer_id)


def create_poll(cmd: CreatePoll, *, uow: UnitOfWork, clock: Clock) -> PollResults:
    now = clock.now()
    with uow:
        event = _event(uow, cmd.event_id)
        options = [replace(option, id=new_id()) for option in cmd.options]
        options = check_new_poll(event, cmd.caller_id, cmd.kind, options, cmd.close_time, now)
        poll = Poll(new_id(), event.id, cmd.kind, PollState.OPEN, options, cmd.close_time, now)
        uow.polls.add(poll)
        results = PollResults(poll, tally(poll, []), [], event.organizer_id)
        uow.record(PollOpened(results, event))
        uow.commit()
    return results


def get_poll(cmd: GetPoll, *, uow: UnitOfWork) -> PollResults:
    with uow.reading() as reader:
        poll = reader.polls.get(cmd.poll_id)
        if poll is None:
            raise NotFound(f"poll {cmd.poll_id!r} not found")
        return _results(reader, poll, _event(reader, poll.event_id).organizer_id)


def list_polls(cmd: ListPolls, *, uow: UnitOfWork) -> list[PollResults]:
    event_id = cmd.event_id
    with uow.reading() as reader:
        organizer = _event(reader, event_id).organizer_id
        return [_results(reader, poll, organizer) for poll in reader.polls.list_for_event(event_id)]


def vote(cmd: Vote, *, uow: UnitOfWork, clock: Clock) -> PollResults:
    caller_id, poll_id, answers = cmd.caller_id, cmd.poll_id, cmd.answers
    with uow:
        poll = uow.polls.get_for_update(poll_id)
        if poll is None:
            raise NotFound(f"poll {poll_id!r} not found")
        check_answers(poll, answers)
        poll.check_open()
        uow.polls.put_answers(poll.id, caller_id, answers, clock.now())
        event = _event(uow, poll.event_id)
        results = _results(uow, poll, event.organizer_id)
        uow.record(PollVoted(results, event, caller_id))
        uow.commit()
    return results


def close_poll(cmd: ClosePoll, *, uow: UnitOfWork, clock: Clock) -> PollResults:
    """By the organizer (`caller_id`), or at its close time (`caller_id` None: the deadline
    worker; a poll found already closed is left as it is)."""
    caller_id, poll_id, option_id = cmd.caller_id, cmd.poll_id, cmd.option_id
    now = clock.now()
    with uow:
        poll = uow.polls.get_for_update(poll_id)
        if poll is None:
            raise NotFound(f"poll {poll_id!r} not found")
        event = _event(uow, poll.event_id, lock=True)
        if caller_id is None:
            if poll.state is PollState.CLOSED:
                return _results(uow, poll, event.organizer_id)
        else:
            event.check_organizer(caller_id, "close a poll on")
        results = _results(uow, poll, event.organizer_id)
        if option_id:
            chosen = next((o for o in poll.options if o.id == option_id), None)
            if chosen is None:
                raise InvalidArgument(
                    [FieldViolation("option_id", f"{option_id!r} is not an option of this poll")]
                )
        else:
            chosen = winner(poll, results.tallies)
        closed = close(poll, chosen, now)
        uow.polls.save(closed)
        try:
            event = _apply(uow, event, closed, chosen, now)
        except (FailedPrecondition, InvalidArgument):
            if caller_id is not None:
                raise  # the organizer hears why (a cancelled event, a date now past) and may choose
            # At its close time nobody is there to choose: the poll closes, the event stays as
            # it is (cancelled meanwhile, or the winning date already past), and the timer goes on.
        results = replace(results, poll=closed)
        uow.record(PollClosed(results, event))
        uow.commit()
    return results


def _apply(uow: UnitOfWork, event: Event, poll: Poll, chosen: PollOption, now: datetime) -> Event:
    """What a closed poll's winner does to its event: a proposed event gets its date; a date or
    place is an edit; a question changes nothing."""
    if event.state is EventState.PROPOSED and poll.kind is PollKind.DATE:
        return _decide_date(uow, event, poll, chosen, now)
    changes = changes_for(poll, chosen, event)
    return edit_event(uow, event, changes, now) if changes is not None else event


def _decide_date(uow: UnitOfWork, event: Event, poll: Poll, chosen: PollOption, now: datetime) -> Event:
    """A proposed event gets its date: scheduled at the winner, and the people who said yes to it
    registered in the order they said so — seats while they last, then the waitlist."""
    assert chosen.start_time is not None and chosen.end_time is not None  # a DATE option's
    decided = decide_date(event, chosen.start_time, chosen.end_time, now)
    uow.events.save(decided)
    uow.record(EventUpdated(decided, ("start_time", "end_time"), event))
    for user_id in uow.polls.yes_voters(poll.id, chosen.id):
        seat(uow, decided, user_id, now)
    return decided


def close_due(cmd: CloseDuePolls, *, uow: UnitOfWork, clock: Clock) -> int:
    """Closes the polls whose close time has come, each in its own transaction; how many."""
    with uow.reading() as reader:
        due = reader.polls.due(clock.now(), cmd.limit)
    for poll_id in due:
        close_poll(ClosePoll(None, poll_id, ""), uow=uow, clock=clock)
    return len(due)
