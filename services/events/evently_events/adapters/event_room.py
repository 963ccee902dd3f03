"""The live room of each event: one ordered consumer of the stream per process hands every
change about an event (its details, registrations, comments, polls) to the people watching it,
each with its stream sequence so that a watcher can resume after the last one it saw."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from evently.events.v1 import comment_pb2, event_pb2, poll_pb2, registration_pb2
from evently_platform.logging import get_logger
from evently_platform.messaging.consumer import decode_message
from evently_platform.messaging.envelope import EnvelopeError
from evently_platform.messaging.ordered import subscribe_ordered
from google.protobuf.message import Message
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext, api

log = get_logger(__name__)

SUBJECTS = ["evently.comment.>", "evently.event.>", "evently.poll.>", "evently.registration.>"]
QUEUE_SIZE = 256  # a watcher this far behind is let go: it resumes from its last cursor


def event_id_of(payload: Message) -> str:
    """The event a change is about."""
    match payload:
        case event_pb2.EventDeleted(event_id=event_id):
            return str(event_id)
        case (
            event_pb2.EventCreated(event=e)
            | event_pb2.EventUpdated(event=e)
            | event_pb2.EventCancelled(event=e)
        ):
            return str(e.id)
        case registration_pb2.RegistrationChanged(registration=registration):
            return str(registration.event_id)
        case comment_pb2.CommentAdded(comment=comment) | comment_pb2.CommentChanged(comment=comment):
            return str(comment.event_id)
        case poll_pb2.PollChanged(poll=poll) | poll_pb2.PollVoted(poll=poll):
            return str(poll.event_id)
    return ""


@dataclass(frozen=True)
class RoomMessage:
    sequence: int
    type: str
    payload: Message


class EventRoom:
    """The stream is consumed only while someone watches (and a minute after the last one
    leaves): a service nobody watches pays nothing for its rooms."""

    def __init__(self, js: JetStreamContext, *, linger: float = 60.0) -> None:
        self._js = js
        self._linger = linger
        self._watchers: dict[str, set[asyncio.Queue[RoomMessage | None]]] = {}
        self._subscription: Subscription | None = None
        self._starting = asyncio.Lock()
        self._idle_since: float | None = None

    @contextlib.contextmanager
    def watching(self, event_id: str) -> Iterator[asyncio.Queue[RoomMessage | None]]:
        """The changes of one event from now on (once `live()` has returned); None in the
        queue: the watcher fell behind."""
        queue: asyncio.Queue[RoomMessage | None] = asyncio.Queue(QUEUE_SIZE + 1)
        self._watchers.setdefault(event_id, set()).add(queue)
        self._idle_since = None
        try:
            yield queue
        finally:
            watchers = self._watchers.get(event_id, set())
            watchers.discard(queue)
            if not watchers:
                self._watchers.pop(event_id, None)
            if not self._watchers:
                self._idle_since = asyncio.get_running_loop().time()

    async def live(self) -> None:
        """Returns once the stream is consumed: every message stored from now on reaches the
        watchers."""
        async with self._starting:
            if self._subscription is None:
                config = api.ConsumerConfig(deliver_policy=api.DeliverPolicy.NEW)
                self._subscription = await subscribe_ordered(
                    self._js, "evently.>", config=config, cb=self._on_message, name="event_room"
                )

    async def run(self) -> None:
        """Stops consuming once nobody has watched for a while; unsubscribes on stop."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(min(self._linger, 5.0))
                idle = self._idle_since
                if self._subscription is not None and idle is not None and loop.time() - idle >= self._linger:
                    async with self._starting:
                        if not self._watchers and self._subscription is not None:
                            await self._subscription.unsubscribe()
                            self._subscription = None
        finally:
            if self._subscription is not None:
                await self._subscription.unsubscribe()

    async def _on_message(self, msg: Msg) -> None:
        if not any(msg.subject.startswith(s[:-1]) for s in SUBJECTS) or not self._watchers:
            return
        try:
            envelope, payload = decode_message(msg.data, msg.subject)
        except EnvelopeError:
            return  # the consumers dead-letter it; a page has nothing to show of it
        watchers = self._watchers.get(event_id_of(payload), set())
        for queue in list(watchers):
            if queue.qsize() >= QUEUE_SIZE:
                watchers.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(RoomMessage(msg.metadata.sequence.stream, envelope.type, payload))
