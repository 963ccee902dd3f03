"""Comments as a conversation: replies, edits and deletions by their authors, removal by the
organizer, mentions that tell the person mentioned — and the event's live room follows each."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from evently.events.v1 import comment_pb2, event_service_pb2
from evently.notifier.v1 import notifier_service_pb2
from google.protobuf.field_mask_pb2 import FieldMask

from tests.services.venue import Venue
from tests.support import eventually


async def _say(venue: Venue, person: Any, event_id: str, text: str, **fields: Any) -> Any:
    request = event_service_pb2.AddCommentRequest(event_id=event_id, text=text, **fields)
    return await venue.events.AddComment(request, metadata=person)


async def _inbox(notifier: Any, person: Any) -> list[tuple[str, str]]:
    answer = await notifier.ListNotifications(
        notifier_service_pb2.ListNotificationsRequest(), metadata=person
    )
    return sorted((n.kind, n.body) for n in answer.notifications if n.kind.startswith("comment."))


async def test_a_reply_and_a_mention_tell_the_people_they_concern(venue: Venue, notifier: Any) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    bo_id, bo = venue.person()
    event = await venue.event(olga, capacity=10, title="Hack night")
    for person in (ann, bo):
        await venue.register(event.id, person)
    question = await _say(venue, ann, event.id, "Is there wifi?")
    answer = await _say(
        venue, olga, event.id, "Yes — and Bo brings the router", parent_id=question.id, mention_ids=[bo_id]
    )
    assert answer.parent_id == question.id and list(answer.mention_ids) == [bo_id]

    # Ann hears of the reply, Bo of the mention; each once, in the most personal way.
    assert await eventually(
        lambda: _inbox(notifier, ann),
        until=lambda got: ("comment.reply", "Yes — and Bo brings the router") in got,
    )
    bos = await eventually(
        lambda: _inbox(notifier, bo), until=lambda got: any(k == "comment.mention" for k, _ in got)
    )
    assert [k for k, _ in bos].count("comment.mention") == 1
    assert ("comment.added", "Yes — and Bo brings the router") not in bos


async def test_authors_edit_and_delete_their_own_the_organizer_removes_any_others_neither(
    venue: Venue,
) -> None:
    _, olga = venue.person()
    _, ann = venue.person()
    _, bo = venue.person()
    event = await venue.event(olga, capacity=10)
    for person in (ann, bo):
        await venue.register(event.id, person)
    said = await _say(venue, ann, event.id, "See you at 6")
    edit = event_service_pb2.UpdateCommentRequest(
        comment=comment_pb2.Comment(id=said.id, text="See you at 7"), update_mask=FieldMask(paths=["text"])
    )
    edited = await venue.events.UpdateComment(edit, metadata=ann)
    assert edited.text == "See you at 7" and edited.HasField("update_time")
    for stranger in (bo, olga):  # nobody else edits her words, not even the organizer
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await venue.events.UpdateComment(edit, metadata=stranger)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

    with pytest.raises(grpc.aio.AioRpcError) as not_bos:
        await venue.events.DeleteComment(event_service_pb2.DeleteCommentRequest(id=said.id), metadata=bo)
    assert not_bos.value.code() == grpc.StatusCode.PERMISSION_DENIED
    spam = await _say(venue, bo, event.id, "Buy cheap watches")
    removed = await venue.events.DeleteComment(
        event_service_pb2.DeleteCommentRequest(id=spam.id), metadata=olga
    )
    assert (removed.state, removed.text) == (comment_pb2.Comment.REMOVED, "")
    gone = await venue.events.DeleteComment(event_service_pb2.DeleteCommentRequest(id=said.id), metadata=ann)
    assert gone.state == comment_pb2.Comment.DELETED

    listed = await venue.events.ListComments(event_service_pb2.ListCommentsRequest(event_id=event.id))
    assert [(c.state, c.text) for c in listed.comments] == [
        (comment_pb2.Comment.DELETED, ""),
        (comment_pb2.Comment.REMOVED, ""),
    ]  # their places stay, so replies still read in order


async def test_mentioning_a_stranger_or_answering_another_events_comment_is_refused(venue: Venue) -> None:
    _, olga = venue.person()
    stranger_id, _ = venue.person()
    event = await venue.event(olga)
    other = await venue.event(olga)
    elsewhere = await _say(venue, olga, other.id, "Over here")
    with pytest.raises(grpc.aio.AioRpcError) as pinging:
        await _say(venue, olga, event.id, "Hey", mention_ids=[stranger_id])
    assert pinging.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "mention_ids" in (pinging.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as crossing:
        await _say(venue, olga, event.id, "Re", parent_id=elsewhere.id)
    assert "parent_id" in (crossing.value.details() or "")


async def test_the_live_room_shows_edits_and_deletions(venue: Venue) -> None:
    _, olga = venue.person()
    event = await venue.event(olga)
    watch = venue.events.WatchEvent(event_service_pb2.WatchEventRequest(id=event.id))
    assert (await asyncio.wait_for(watch.read(), 30)).type == "evently.watch.snapshot"
    said = await _say(venue, olga, event.id, "Doors at 6")
    await venue.events.UpdateComment(
        event_service_pb2.UpdateCommentRequest(comment=comment_pb2.Comment(id=said.id, text="Doors at 7")),
        metadata=olga,
    )
    await venue.events.DeleteComment(event_service_pb2.DeleteCommentRequest(id=said.id), metadata=olga)
    # The event's own creation may reach the room after the watch began (the outbox relays it
    # asynchronously): the room rightly shows it, but this test is about the conversation.
    seen: list[tuple[str, str]] = []
    while len(seen) < 3:
        message = await asyncio.wait_for(watch.read(), 30)
        if message.type.startswith("evently.comment."):
            seen.append((message.type, message.comment.text))
    assert seen == [
        ("evently.comment.added", "Doors at 6"),
        ("evently.comment.edited", "Doors at 7"),
        ("evently.comment.deleted", ""),
    ]
    watch.cancel()
