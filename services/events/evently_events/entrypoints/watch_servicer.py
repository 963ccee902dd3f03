"""WatchEvent: an event's page kept live. The first message is the event as it is; then each
change, in stream order, each with its cursor (the stream sequence). A watcher that passes its
last cursor gets what it missed from the stream before the live changes, none twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from evently.events.v1 import comment_pb2, event_service_pb2, poll_pb2
from evently_platform.bus import MessageBus
from evently_platform.errors import FieldViolation, InvalidArgument, NotFound
from evently_platform.messaging.history import last_sequence, read_after
from google.protobuf.message import Message
from nats.js import JetStreamContext

from evently_events.adapters.event_room import SUBJECTS, EventRoom, event_id_of
from evently_events.adapters.protos import event_to_proto
from evently_events.service_layer.commands import GetEvent

SNAPSHOT, RESET = "evently.watch.snapshot", "evently.watch.reset"
REPLAYABLE = 5_000  # stream messages scanned to resume; a longer gap gets a reset (reload)


def _cursor(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 19:
        raise InvalidArgument([FieldViolation("last_event_id", "is not a cursor this stream sent")])
    return int(text)


class WatchMethods:
    bus: MessageBus
    _room: EventRoom | None
    _js: JetStreamContext | None

    async def _event_now(self, event_id: str, cursor: int, type_: str) -> event_service_pb2.EventChange:
        try:
            view = await self.bus.handle(GetEvent(event_id))
        except NotFound:
            return event_service_pb2.EventChange(cursor=str(cursor), type="evently.event.deleted")
        event = event_to_proto(view.event, view.confirmed, view.waitlisted)
        return event_service_pb2.EventChange(cursor=str(cursor), type=type_, event=event)

    async def _change(
        self, event_id: str, sequence: int, type_: str, payload: Message
    ) -> event_service_pb2.EventChange:
        cursor = str(sequence)  # a new, edited or deleted comment: as it is now
        if isinstance(payload, comment_pb2.CommentAdded | comment_pb2.CommentChanged):
            return event_service_pb2.EventChange(cursor=cursor, type=type_, comment=payload.comment)
        if isinstance(payload, poll_pb2.PollChanged | poll_pb2.PollVoted):
            return event_service_pb2.EventChange(cursor=cursor, type=type_, poll=payload.poll)
        # The event itself, or its registrations: the event as it is now, with its seat counts
        # (who registered is not for everyone on the page).
        return await self._event_now(event_id, sequence, type_)

    async def WatchEvent(
        self, request: event_service_pb2.WatchEventRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[event_service_pb2.EventChange]:
        if self._room is None or self._js is None:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "no live room in this process")
        assert self._room is not None and self._js is not None
        after = _cursor(request.last_event_id)
        await self.bus.handle(GetEvent(request.id))  # NOT_FOUND first
        with self._room.watching(request.id) as queue:
            await self._room.live()
            now = await last_sequence(self._js)  # live already: nothing after it is lost
            sent = now
            if after is None:
                yield await self._event_now(request.id, now, SNAPSHOT)
            else:
                missed = await read_after(self._js, after, SUBJECTS, limit=REPLAYABLE)
                if len(missed) == REPLAYABLE:
                    yield await self._event_now(request.id, now, RESET)
                else:
                    sent = after
                    for sequence, received in missed:
                        if event_id_of(received.payload) == request.id:
                            yield await self._change(
                                request.id, sequence, received.envelope.type, received.payload
                            )
                        sent = max(sent, sequence)
            while True:
                message = await queue.get()
                if message is None:
                    return  # fell behind: the client resumes from its last cursor
                if message.sequence <= sent:
                    continue
                yield await self._change(request.id, message.sequence, message.type, message.payload)
                sent = message.sequence
                if message.type == "evently.event.deleted":
                    return
