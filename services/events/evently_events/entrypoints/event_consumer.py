"""The events service's durable consumer: what other services' events mean here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from evently.users.v1 import user_pb2
from evently_platform.bus import MessageBus
from evently_platform.logging import get_logger
from evently_platform.messaging.consumer import ConsumerSpec, Received

from evently_events.service_layer.commands import ForgetUser

log = get_logger(__name__)

SPEC = ConsumerSpec(durable="events", filter_subjects=("evently.user.deleted",))


def make_handler(bus: MessageBus) -> Callable[[list[Received]], Awaitable[None]]:
    async def handle(batch: list[Received]) -> None:
        # Account deletions are rare and each is a large change: one transaction each.
        for received in batch:
            if isinstance(received.payload, user_pb2.UserDeleted):
                user_id = received.payload.user_id or str(received.envelope.subject)
                cancelled = await bus.handle(ForgetUser(received.id, user_id, SPEC.durable))
                log.info("events.organizer_deleted", user_id=user_id, cancelled_events=cancelled)

    return handle
