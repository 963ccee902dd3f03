"""The notifier's durable consumer of every domain event: each fetched batch translated into
facts and handled in one transaction (inbox notifications, projections, reminders, e-mail and
pending webhook deliveries), then the workers that send are woken."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from evently_platform.bus import MessageBus
from evently_platform.messaging.consumer import ConsumerSpec, Received

from evently_notifier.adapters.facts import incoming
from evently_notifier.domain.emails import Email
from evently_notifier.service_layer.consuming import ConsumeBatch
from evently_notifier.service_layer.webhooks import DueDelivery

SPEC = ConsumerSpec(durable="notifier", filter_subjects=("evently.>",))


def make_handler(
    bus: MessageBus,
    *,
    on_deliveries: Callable[[list[DueDelivery], bool], None],
    on_notified: Callable[[Iterable[str]], None] = lambda users: None,
    on_emails: Callable[[list[Email], bool], None] = lambda emails, leased: None,
) -> Callable[[list[Received]], Awaitable[None]]:
    """`on_deliveries(due, leased)`, `on_emails(emails, leased)`: what the batch made to send,
    and whether it was written leased to this process (see Consuming)."""

    async def handle(batch: list[Received]) -> None:
        result = await bus.handle(ConsumeBatch([incoming(r) for r in batch]))
        # Webhooks first: their tasks start first, and a POST is on its way while the e-mails
        # are written (the development mailer writes its files on the event loop).
        if result.deliveries:
            on_deliveries(result.deliveries, result.leased)
        if result.emails:
            on_emails(result.emails, result.leased)
        if result.notified_users:
            on_notified(result.notified_users)

    return handle
