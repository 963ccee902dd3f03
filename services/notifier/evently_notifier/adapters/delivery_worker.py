"""Attempts due webhook deliveries: claims them from the database (so several notifier instances
share the work), sends them concurrently, and records every outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta

from evently_platform.clock import Clock
from evently_platform.db.outages import outage_summary
from evently_platform.logging import get_logger
from evently_platform.messaging.trace_headers import context_from_headers
from evently_platform.metrics import meter
from evently_platform.workers.leased import LeasedPoller
from evently_platform.workers.rate_limit import RateLimits
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from evently_notifier.adapters.outcomes import OutcomeRecorder
from evently_notifier.adapters.webhook_sender import WebhookSender
from evently_notifier.domain.deliveries import (
    ATTEMPT_LEASE,
    Delivery,
    DeliveryStatus,
)
from evently_notifier.service_layer import recovery, webhooks
from evently_notifier.service_layer.ports import UnitOfWorkFactory

log = get_logger(__name__)
_attempts = meter("evently.webhooks").create_counter(
    "evently.webhook.attempts",
    unit="{attempt}",
    description="Webhook delivery attempts by what they left the delivery as: "
    "succeeded, pending (to retry) or failed (out of attempts)",
)
_tracer = trace.get_tracer("evently.webhooks")


class DeliveryWorker:
    """Up to `concurrency` attempts in flight, at most `per_endpoint` of them to one subscription's
    endpoint: a slow or hanging endpoint delays only its own deliveries. Each subscription's
    attempts keep to its rate limit (deliveries a second, in this process)."""

    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        sender: WebhookSender,
        clock: Clock,
        outcomes: OutcomeRecorder,
        concurrency: int = 32,
        per_endpoint: int = 8,
        poll_interval: float = 1.0,
        lease: timedelta = ATTEMPT_LEASE,
    ) -> None:
        self._in_order: set[asyncio.Task[None]] = set()
        self._rates = RateLimits()
        self._uows = uows
        self._sender = sender
        self._clock = clock
        self._lease = lease  # longer than the sender's deadline: a claimed attempt starts at once
        self._per_endpoint = per_endpoint
        self._outcomes = outcomes
        self._poller: LeasedPoller[webhooks.DueDelivery] = LeasedPoller(
            "webhooks",
            claim=self._claim,
            work=self._attempt,
            slots=concurrency,
            key=lambda item: item.subscription.id,
            per_key=per_endpoint,
            poll_interval=poll_interval,
        )

    def wake(self) -> None:
        self._poller.wake()

    async def run(self) -> None:
        try:
            await self._poller.run()
        finally:
            for task in list(self._in_order):
                task.cancel()
            await asyncio.gather(*self._in_order, return_exceptions=True)

    def has_room(self) -> bool:
        """Whether new deliveries may be leased to this process (its backlog is short)."""
        return self._poller.has_room()

    def offer(self, due: list[webhooks.DueDelivery], leased: bool = True) -> None:
        """New deliveries: those leased to this process are attempted without a claim; the
        others are claimed from the table soon (by whichever instance is first)."""
        if leased:
            self._poller.offer(due)
        else:
            self._poller.wake()

    def _claim(self, limit: int, taken: Mapping[str, int]) -> list[webhooks.DueDelivery]:
        return webhooks.claim_due(
            uow=self._uows(),
            clock=self._clock,
            lease=self._lease,
            limit=limit,
            per_subscription=self._poller.claim_quota,
            in_flight=taken,
        )

    def start_in_order(self, due: list[webhooks.DueDelivery]) -> None:
        """`send_in_order` in the background; stopped with the worker."""
        task = asyncio.create_task(self.send_in_order(due))
        self._in_order.add(task)
        task.add_done_callback(self._in_order.discard)

    async def send_in_order(self, due: list[webhooks.DueDelivery], *, chunk: int = 20) -> None:
        """Recovered deliveries one at a time, oldest first (they were written leased to this
        process; each chunk's lease is renewed before it is sent). At the first that fails, the
        rest go to the usual schedule: nothing is dropped, only the order is given up."""
        sent = 0
        try:
            for start in range(0, len(due), chunk):
                part = [item.delivery for item in due[start : start + chunk]]
                lease_until = self._clock.now() + self._lease
                await asyncio.to_thread(recovery.reschedule, part, lease_until, uow=self._uows())
                for item in due[start : start + chunk]:
                    updated = await self._attempt(item)
                    sent += 1
                    if updated is None or updated.status is not DeliveryStatus.SUCCEEDED:
                        return
        finally:
            rest = [item.delivery for item in due[sent:]]
            if rest:
                log.info("webhooks.recovery_handed_over", deliveries=len(rest))
                await asyncio.to_thread(recovery.reschedule, rest, self._clock.now(), uow=self._uows())
                self._poller.wake()

    async def _attempt(self, item: webhooks.DueDelivery) -> Delivery | None:
        delivery, subscription = item.delivery, item.subscription
        await self._rates.wait(subscription.id, subscription.rate_limit)  # over it: wait, not drop
        with _tracer.start_as_current_span(
            f"{delivery.event_type} deliver",
            context=context_from_headers(delivery.trace_headers),
            kind=SpanKind.INTERNAL,
            attributes={
                "evently.delivery.id": delivery.id,
                "evently.subscription.id": subscription.id,
                "evently.delivery.attempt": delivery.attempts + 1,
            },
        ) as span:
            outcome = await self._sender.send(delivery, subscription)
            self._poller.release_key()  # the endpoint is free; recording needs only the slot
            if not outcome.succeeded:
                span.set_status(StatusCode.ERROR, outcome.error)
            try:
                updated = await self._outcomes.attempted(delivery, outcome)
            except Exception as exc:
                # Unrecorded, the attempt is made again once its lease runs out (the receiver
                # sees the same webhook-id twice).
                outage = outage_summary(exc)
                if outage is not None:
                    log.warning("webhooks.record_failed", delivery_id=delivery.id, error=outage)
                else:
                    log.exception("webhooks.record_failed", delivery_id=delivery.id)
                return None
            _attempts.add(1, {"outcome": updated.status.value.lower()})
            log.info(
                "webhooks.attempt",
                delivery_id=delivery.id,
                event_id=delivery.event_id,
                subscription_id=subscription.id,
                status_code=outcome.status_code,
                outcome=updated.status.value,
                attempts=updated.attempts,
                next_attempt_time=updated.next_attempt_time.isoformat()
                if updated.next_attempt_time
                else None,
            )
            if updated.status is DeliveryStatus.FAILED:
                log.warning("webhooks.delivery_failed", delivery_id=delivery.id, error=outcome.error)
            return updated
