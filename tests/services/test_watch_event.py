"""An event's page live: WatchEvent sends the event as it is, then every change — comments, seat
counts, poll tallies — as it happens, to anyone (no sign-in); a dropped watcher resumes from its
last cursor and misses nothing, sees nothing twice."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_service_pb2, poll_pb2

from tests.services.venue import Venue


async def _next(call: Any) -> event_service_pb2.EventChange:
    """The next change, passing over the event's own creation: the outbox relays it on its own
    time, so it may reach a room watched right after CreateEvent (rightly) or not at all."""
    while True:
        message = await asyncio.wait_for(call.read(), timeout=30)
        assert message is not grpc.aio.EOF, "the stream ended"
        if message.type != "evently.event.created":
            return message  # type: ignore[no-any-return]


async def _comment(venue: Venue, event_id: str, person: Any, text: str) -> None:
    await venue.events.AddComment(
        event_service_pb2.AddCommentRequest(event_id=event_id, text=text), metadata=person
    )


async def test_a_watcher_sees_each_change_and_resumes_after_a_drop_without_gaps_or_repeats(
    venue: Venue,
) -> None:
    _, olga = venue.person()
    ann_id, ann = venue.person()
    event = await venue.event(olga, capacity=10, title="Live meetup")

    watch = venue.events.WatchEvent(event_service_pb2.WatchEventRequest(id=event.id))  # no sign-in
    snapshot = await _next(watch)
    assert snapshot.type == "evently.watch.snapshot" and snapshot.event.title == "Live meetup"
    assert snapshot.cursor

    await venue.register(event.id, ann)
    seats = await _next(watch)
    assert seats.type == "evently.registration.created"
    assert seats.event.confirmed_count == 1 and ann_id not in str(seats)  # counts, not people

    await _comment(venue, event.id, ann, "See you there")
    said = await _next(watch)
    assert (said.type, said.comment.text) == ("evently.comment.added", "See you there")

    poll = await venue.events.CreatePoll(
        event_service_pb2.CreatePollRequest(
            poll=poll_pb2.Poll(
                event_id=event.id,
                kind=poll_pb2.Poll.QUESTION,
                options=[poll_pb2.PollOption(text="Pizza"), poll_pb2.PollOption(text="Sushi")],
            )
        ),
        metadata=olga,
    )
    opened = await _next(watch)
    assert opened.type == "evently.poll.opened" and opened.poll.id == poll.id
    watch.cancel()  # the connection drops here

    # While away: a vote and two comments.
    await venue.events.Vote(
        event_service_pb2.VoteRequest(
            poll_id=poll.id, answers=[poll_pb2.OptionAnswer(option_id=poll.options[1].id, answer="YES")]
        ),
        metadata=ann,
    )
    await _comment(venue, event.id, olga, "Bring friends")
    await _comment(venue, event.id, ann, "Will do")

    resumed = venue.events.WatchEvent(
        event_service_pb2.WatchEventRequest(id=event.id, last_event_id=opened.cursor)
    )
    missed = [await _next(resumed) for _ in range(3)]
    assert [m.type for m in missed] == [
        "evently.poll.voted",
        "evently.comment.added",
        "evently.comment.added",
    ]
    assert missed[0].poll.options[1].yes == 1 and not missed[0].poll.ballots  # tallies, never ballots
    assert [m.comment.text for m in missed[1:]] == ["Bring friends", "Will do"]
    assert [int(m.cursor) for m in missed] == sorted(int(m.cursor) for m in missed)
    assert int(missed[0].cursor) > int(opened.cursor)

    # …and then live again: the next change, once.
    await _comment(venue, event.id, olga, "Doors at six")
    live = await _next(resumed)
    assert (live.type, live.comment.text) == ("evently.comment.added", "Doors at six")
    resumed.cancel()


async def test_watching_an_event_that_does_not_exist_or_with_a_made_up_cursor_is_refused(
    venue: Venue,
) -> None:
    missing = venue.events.WatchEvent(event_service_pb2.WatchEventRequest(id="nope"))
    with pytest.raises(grpc.aio.AioRpcError) as not_found:
        await missing.read()
    assert not_found.value.code() == grpc.StatusCode.NOT_FOUND
    _, olga = venue.person()
    event = await venue.event(olga)
    forged = venue.events.WatchEvent(event_service_pb2.WatchEventRequest(id=event.id, last_event_id="abc"))
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await forged.read()
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
