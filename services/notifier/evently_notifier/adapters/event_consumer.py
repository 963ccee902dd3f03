"""The notifier's durable consumer of every domain event: each fetched batch translated into
facts and handled in one transaction (inbox notifications, projections, reminders, e-mail and
pending webhook deliveries), then the workers that send are woken."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from evently_platform.messaging.consumer import ConsumerSpec, Received

from evently_notifier.adapters.facts import to_fact
from evently_notifier.domain.emails import Email
from evently_notifier.service_layer.consuming import Consuming, Incoming
from evently_notifier.service_layer.webhooks import DueDelivery

SPEC = ConsumerSpec(durable="notifier", filter_subjects=("evently.>",))


def incoming(received: Received) -> Incoming:
    envelope = received.envelope
    return Incoming(
        id=envelope.id,
        type=envelope.type,
        subject=envelope.subject,
        time=envelope.time,
        fact=to_fact(envelope.type, received.payload),
        raw=received.raw,
        trace_headers=received.trace_headers,
    )


def make_handler(
    consuming: Consuming,
    *,
    on_deliveries: Callable[[list[DueDelivery], bool], None],
    on_notified: Callable[[Iterable[str]], None] = lambda users: None,
    on_emails: Callable[[list[Email], bool], None] = lambda emails, leased: None,
) -> Callable[[list[Received]], Awaitable[None]]:
    """`on_deliveries(due, leased)`, `on_emails(emails, leased)`: what the batch made to send,
    and whether it was written leased to this process (see Consuming)."""

    async def handle(batch: list[Received]) -> None:
        result = await asyncio.to_thread(consuming.handle, [incoming(r) for r in batch])
        if result.emails:
            on_emails(result.emails, result.leased)
        if result.deliveries:
            on_deliveries(result.deliveries, result.leased)
        if result.notified_users:
            on_notified(result.notified_users)

    return handle
