"""The events service's durable consumer: what other services' events mean here."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from evently_platform.clock import Clock
from evently_platform.logging import get_logger
from evently_platform.messaging.consumer import ConsumerSpec
from evently_platform.messaging.envelope import Envelope

from evently_events.service_layer import handlers
from evently_events.service_layer.ports import UnitOfWork

log = get_logger(__name__)

SPEC = ConsumerSpec(durable="events", filter_subjects=("evently.user.deleted",))


def make_handler(*, uow: UnitOfWork, clock: Clock) -> Callable[[Envelope], Awaitable[None]]:
    async def handle(envelope: Envelope) -> None:
        if envelope.type == "evently.user.deleted":
            user_id = str(envelope.data.get("userId") or envelope.subject)
            cancelled = await asyncio.to_thread(
                handlers.on_user_deleted, envelope.id, user_id, consumer=SPEC.durable, uow=uow, clock=clock
            )
            log.info("events.organizer_deleted", user_id=user_id, cancelled_events=cancelled)

    return handle
