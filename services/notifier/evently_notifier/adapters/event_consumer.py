"""The notifier's durable consumer of every domain event: inbox notifications, projections and
pending webhook deliveries, all from one transaction per event."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from evently_platform.clock import Clock
from evently_platform.messaging.consumer import ConsumerSpec
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.trace_headers import current_trace_headers

from evently_notifier.domain.reminders import DEFAULT_BEFORE_START
from evently_notifier.service_layer import channels, consuming
from evently_notifier.service_layer.ports import UnitOfWork

SPEC = ConsumerSpec(durable="notifier", filter_subjects=("evently.>",))


def make_handler(
    *,
    uow: UnitOfWork,
    clock: Clock,
    on_deliveries: Callable[[], None],
    on_notified: Callable[[Iterable[str]], None] = lambda users: None,
    mail: channels.MailContext | None = None,
    on_emails: Callable[[], None] = lambda: None,
    reminder_defaults: tuple[timedelta, ...] = DEFAULT_BEFORE_START,
) -> Callable[[Envelope], Awaitable[None]]:
    async def handle(envelope: Envelope) -> None:
        # The consume span is current: deliveries carry its context so the webhook call joins the trace.
        result = await asyncio.to_thread(
            consuming.fan_out,
            envelope,
            envelope.encode(),
            current_trace_headers(),
            consumer=SPEC.durable,
            uow=uow,
            clock=clock,
            mail=mail,
            reminder_defaults=reminder_defaults,
        )
        if result.emails:
            on_emails()
        if result.deliveries:
            on_deliveries()
        if result.notified_users:
            on_notified(result.notified_users)

    return handle
