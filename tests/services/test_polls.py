"""Polls on an event, through the real events service: people vote yes / if need be / no, the
tally is live, and closing decides — a date or place winner changes the event as an edit would,
at the organizer's word or at the poll's close time. Votes racing the close are counted or
refused, never half applied."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import icalendar
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, poll_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.client import Client as NATS

from tests.services.venue import Venue
from tests.support import eventually, stream_messages

YES, IF_NEED_BE, NO = poll_pb2.OptionAnswer.YES, poll_pb2.OptionAnswer.IF_NEED_BE, poll_pb2.OptionAnswer.NO


def _at(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


def _dates(*days_ahead: int) -> list[poll_pb2.PollOption]:
    base = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=1)
    return [
        poll_pb2.PollOption(
            start_time=_at(base + timedelta(days=d)), end_time=_at(base + timedelta(days=d, hours=2))
        )
        for d in days_ahead
    ]


async def _open(
    venue: Venue, organizer: Any, event_id: str, kind: Any, options: list[Any], **fields: Any
) -> Any:
    return await venue.events.CreatePoll(
        event_service_pb2.CreatePollRequest(
            poll=poll_pb2.Poll(event_id=event_id, kind=kind, options=options, **fields)
        ),
        metadata=organizer,
    )


async def _vote(venue: Venue, person: Any, poll: Any, *answers: tuple[int, Any]) -> Any:
    return await venue.events.Vote(
        event_service_pb2.VoteRequest(
            poll_id=poll.id,
            answers=[poll_pb2.OptionAnswer(option_id=poll.options[i].id, answer=a) for i, a in answers],
        ),
        metadata=person,
    )


async def test_a_date_poll_decided_by_the_votes_reschedules_the_event(venue: Venue) -> None:
    _, olga = venue.person()
    ann_id, ann = venue.person()
    _, bo = venue.person()
    _, cy = venue.person()
    event = await venue.event(olga, title="Python meetup")
    poll = await _open(venue, olga, event.id, poll_pb2.Poll.DATE, _dates(3, 10))
    assert poll.state == poll_pb2.Poll.OPEN and len(poll.options) == 2

    await _vote(venue, ann, poll, (1, YES))
    await _vote(venue, bo, poll, (0, YES), (1, IF_NEED_BE))
    await _vote(venue, cy, poll, (1, YES), (0, NO))
    changed = await _vote(venue, ann, poll, (0, NO))  # Ann adds an answer; her YES stays
    tally = [(o.yes, o.if_need_be, o.no) for o in changed.options]
    assert tally == [(1, 0, 2), (2, 1, 0)]
    assert {(a.option_id, a.answer) for a in changed.my_answers} == {
        (poll.options[0].id, NO),
        (poll.options[1].id, YES),
    }

    closed = await venue.events.ClosePoll(event_service_pb2.ClosePollRequest(id=poll.id), metadata=olga)
    assert closed.state == poll_pb2.Poll.CLOSED
    assert closed.winner_option_id == poll.options[1].id  # most YES
    moved = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
    assert moved.start_time == poll.options[1].start_time and moved.end_time == poll.options[1].end_time
    assert moved.revision == event.revision + 1  # calendars replace their copy

    with pytest.raises(grpc.aio.AioRpcError) as late:
        await _vote(venue, ann, poll, (0, YES))
    assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert ann_id  # a voter of record


async def test_the_organizer_may_choose_the_winner_and_a_place_poll_moves_the_event(venue: Venue) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    event = await venue.event(olga)
    places = [poll_pb2.PollOption(location="Town Hall"), poll_pb2.PollOption(location="  The Library  ")]
    poll = await _open(venue, olga, event.id, poll_pb2.Poll.PLACE, places)
    assert [o.location for o in poll.options] == ["Town Hall", "The Library"]
    await _vote(venue, ann, poll, (0, YES))
    closed = await venue.events.ClosePoll(
        event_service_pb2.ClosePollRequest(id=poll.id, option_id=poll.options[1].id), metadata=olga
    )
    assert closed.winner_option_id == poll.options[1].id
    moved = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
    assert moved.location == "The Library"


async def test_a_poll_closes_by_itself_at_its_close_time(venue: Venue) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    event = await venue.event(olga)
    places = [poll_pb2.PollOption(location="Town Hall"), poll_pb2.PollOption(location="The Library")]
    soon = datetime.now(UTC) + timedelta(seconds=2)
    poll = await _open(venue, olga, event.id, poll_pb2.Poll.PLACE, places, close_time=_at(soon))
    await _vote(venue, ann, poll, (1, YES))

    async def closed() -> Any:
        found = await venue.events.GetPoll(event_service_pb2.GetPollRequest(id=poll.id))
        return found if found.state == poll_pb2.Poll.CLOSED else None

    decided = await eventually(closed)
    assert decided.winner_option_id == poll.options[1].id
    moved = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
    assert moved.location == "The Library"


async def test_who_voted_what_is_shown_to_the_organizer_and_voters_only(venue: Venue) -> None:
    _, olga = venue.person()
    ann_id, ann = venue.person()
    _, stranger = venue.person()
    event = await venue.event(olga)
    questions = [poll_pb2.PollOption(text="Pizza"), poll_pb2.PollOption(text="Sushi")]
    poll = await _open(venue, olga, event.id, poll_pb2.Poll.QUESTION, questions)
    await _vote(venue, ann, poll, (0, YES))
    request = event_service_pb2.GetPollRequest(id=poll.id)
    for who in (olga, ann):
        seen = await venue.events.GetPoll(request, metadata=who)
        assert [b.user_id for b in seen.ballots] == [ann_id]
    for anyone in (stranger, ()):
        seen = await venue.events.GetPoll(request, metadata=anyone)
        assert seen.options[0].yes == 1 and list(seen.ballots) == []
    listed = await venue.events.ListPolls(event_service_pb2.ListPollsRequest(event_id=event.id))
    assert [p.id for p in listed.polls] == [poll.id] and list(listed.polls[0].ballots) == []


async def test_a_bad_poll_is_refused_with_every_problem_named(venue: Venue) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    event = await venue.event(olga)
    past = datetime.now(UTC) - timedelta(days=1)
    bad = [
        poll_pb2.PollOption(start_time=_at(past), end_time=_at(past + timedelta(hours=1))),
        poll_pb2.PollOption(start_time=_at(past + timedelta(days=5)), end_time=_at(past)),
    ]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _open(venue, olga, event.id, poll_pb2.Poll.DATE, bad, close_time=_at(past))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = refused.value.details() or ""
    for field in ("poll.options[0].start_time", "poll.options[1].end_time", "poll.close_time"):
        assert field in details
    with pytest.raises(grpc.aio.AioRpcError) as one_option:
        await _open(venue, olga, event.id, poll_pb2.Poll.QUESTION, [poll_pb2.PollOption(text="Only")])
    assert "poll.options" in (one_option.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as not_hers:
        await _open(venue, ann, event.id, poll_pb2.Poll.QUESTION, [poll_pb2.PollOption(text=t) for t in "ab"])
    assert not_hers.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as no_kind:
        await _open(venue, olga, event.id, 0, [poll_pb2.PollOption(text=t) for t in "ab"])
    assert no_kind.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_votes_racing_the_close_are_counted_or_refused_never_half_applied(venue: Venue) -> None:
    _, olga = venue.person()
    event = await venue.event(olga)
    poll = await _open(
        venue, olga, event.id, poll_pb2.Poll.QUESTION, [poll_pb2.PollOption(text=t) for t in "ab"]
    )
    voters = [venue.person()[1] for _ in range(30)]

    async def vote(person: Any) -> grpc.StatusCode:
        try:
            await _vote(venue, person, poll, (0, YES), (1, NO))
        except grpc.aio.AioRpcError as refused:
            return refused.code()
        return grpc.StatusCode.OK

    async def close_midway() -> Any:
        await asyncio.sleep(0)  # let the first votes start
        return await venue.events.ClosePoll(event_service_pb2.ClosePollRequest(id=poll.id), metadata=olga)

    *answers, closed = await asyncio.gather(*(vote(p) for p in voters), close_midway())
    assert set(answers) <= {grpc.StatusCode.OK, grpc.StatusCode.FAILED_PRECONDITION}  # counted or refused
    accepted = answers.count(grpc.StatusCode.OK)
    final = await venue.events.GetPoll(event_service_pb2.GetPollRequest(id=poll.id))
    # Every accepted vote is in the tally, both of its answers; no refused one left a trace.
    assert (final.options[0].yes, final.options[1].no) == (accepted, accepted)
    assert closed.options[0].yes == accepted  # what the close decided on is what was counted
    assert final.state == poll_pb2.Poll.CLOSED


async def test_closing_a_poll_on_an_event_people_attend_tells_them_through_the_same_edit(
    venue: Venue, js_client: NATS
) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    event = await venue.event(olga, capacity=5)
    await venue.register(event.id, ann)
    poll = await _open(venue, olga, event.id, poll_pb2.Poll.DATE, _dates(4, 6))
    await venue.events.ClosePoll(
        event_service_pb2.ClosePollRequest(id=poll.id, option_id=poll.options[0].id), metadata=olga
    )
    moved = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
    assert moved.state == event_pb2.Event.SCHEDULED and moved.confirmed_count == 1  # still attending
    chosen = poll.options[0]
    assert (moved.start_time, moved.end_time) == (chosen.start_time, chosen.end_time)
    # As an edit would: the calendar entry counts the change, and the stream says what moved
    # (the notifier moves reminders and tells attendees from that, as for any edit).
    calendar = await venue.events.GetEventCalendar(event_service_pb2.GetEventCalendarRequest(id=event.id))
    [entry] = icalendar.Calendar.from_ical(calendar.data).walk("VEVENT")
    assert str(entry["SEQUENCE"]) == "1"
    assert entry.decoded("DTSTART") == chosen.start_time.ToDatetime(tzinfo=UTC)

    async def edited() -> list[Any]:
        return [
            m.envelope.data
            for m in await stream_messages(js_client, "evently.event.updated")
            if m.envelope.subject == event.id
        ]

    [update] = await eventually(edited)
    assert {"start_time", "end_time"} <= set(update["changedFields"])
    assert update["previousStartTime"] == event.start_time.ToJsonString()


async def test_a_proposed_event_gets_its_date_from_its_poll_and_the_yes_voters_their_places(
    venue: Venue,
) -> None:
    _, olga = venue.person()
    ann_id, ann = venue.person()
    bo_id, bo = venue.person()
    _, cy = venue.person()
    draft = event_pb2.Event(title="Reunion", location="The old pub", capacity=1, time_zone="Europe/Berlin")
    proposed = await venue.events.CreateEvent(
        event_service_pb2.CreateEventRequest(
            event=draft, date_poll=poll_pb2.Poll(kind=poll_pb2.Poll.DATE, options=_dates(5, 12))
        ),
        metadata=olga,
    )
    assert proposed.state == event_pb2.Event.PROPOSED
    assert not proposed.HasField("start_time") and not proposed.HasField("end_time")  # to be decided
    [poll] = (await venue.events.ListPolls(event_service_pb2.ListPollsRequest(event_id=proposed.id))).polls
    assert poll.kind == poll_pb2.Poll.DATE

    with pytest.raises(grpc.aio.AioRpcError) as not_yet:
        await venue.register(proposed.id, ann)
    assert not_yet.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as no_calendar:
        await venue.events.GetEventCalendar(event_service_pb2.GetEventCalendarRequest(id=proposed.id))
    assert no_calendar.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    await _vote(venue, bo, poll, (1, YES))  # Bo says yes first, then Ann
    await _vote(venue, ann, poll, (1, YES), (0, IF_NEED_BE))
    await _vote(venue, cy, poll, (0, YES), (1, NO))
    closed = await venue.events.ClosePoll(event_service_pb2.ClosePollRequest(id=poll.id), metadata=olga)
    assert closed.winner_option_id == poll.options[1].id

    decided = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=proposed.id))
    assert decided.state == event_pb2.Event.SCHEDULED
    assert (decided.start_time, decided.end_time) == (poll.options[1].start_time, poll.options[1].end_time)
    # One seat: the first to say yes has it, the next is first on the waitlist, Cy (no) is not in.
    listed = await venue.events.ListRegistrations(
        event_service_pb2.ListRegistrationsRequest(event_id=proposed.id), metadata=olga
    )
    places = {r.user_id: (r.status, r.waitlist_position) for r in listed.registrations}
    assert places == {bo_id: (1, 0), ann_id: (2, 1)}  # CONFIRMED; WAITLISTED first in line


async def test_a_proposed_event_needs_its_dates_and_no_times_of_its_own(venue: Venue) -> None:
    _, olga = venue.person()
    draft = event_pb2.Event(title="Reunion", location="The old pub")
    with pytest.raises(grpc.aio.AioRpcError) as one_date:
        await venue.events.CreateEvent(
            event_service_pb2.CreateEventRequest(
                event=draft, date_poll=poll_pb2.Poll(kind=poll_pb2.Poll.DATE, options=_dates(5))
            ),
            metadata=olga,
        )
    assert "date_poll.options" in (one_date.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as not_a_date:
        await venue.events.CreateEvent(
            event_service_pb2.CreateEventRequest(
                event=draft,
                date_poll=poll_pb2.Poll(
                    kind=poll_pb2.Poll.PLACE, options=[poll_pb2.PollOption(location="x")] * 2
                ),
            ),
            metadata=olga,
        )
    assert "date_poll.kind" in (not_a_date.value.details() or "")


async def test_a_poll_whose_event_was_cancelled_still_closes_at_its_time_and_holds_up_no_other(
    venue: Venue,
) -> None:
    _, olga = venue.person()
    doomed = await venue.event(olga)
    other = await venue.event(olga)
    places = [poll_pb2.PollOption(location="Town Hall"), poll_pb2.PollOption(location="The Library")]
    soon = _at(datetime.now(UTC) + timedelta(seconds=1))
    first = await _open(venue, olga, doomed.id, poll_pb2.Poll.PLACE, places, close_time=soon)
    second = await _open(venue, olga, other.id, poll_pb2.Poll.PLACE, places, close_time=soon)
    await venue.events.CancelEvent(event_service_pb2.CancelEventRequest(id=doomed.id), metadata=olga)

    async def both_closed() -> bool:
        polls = [
            await venue.events.GetPoll(event_service_pb2.GetPollRequest(id=p.id)) for p in (first, second)
        ]
        return all(p.state == poll_pb2.Poll.CLOSED for p in polls)

    await eventually(both_closed)
    cancelled = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=doomed.id))
    assert (cancelled.state, cancelled.location) == (event_pb2.Event.CANCELLED, doomed.location)  # untouched
    moved = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=other.id))
    assert moved.location == "Town Hall"  # no votes: the first listed wins
