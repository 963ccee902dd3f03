"""Attempts due webhook deliveries: claims them from the database (so several notifier instances
share the work), sends them concurrently, and records every outcome."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from evently_platform.clock import Clock
from evently_platform.logging import get_logger
from evently_platform.messaging.trace_headers import context_from_headers
from evently_platform.metrics import meter
from evently_platform.workers.group_commit import GroupCommit
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from evently_notifier.adapters.webhook_sender import WebhookSender
from evently_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus, RetryPolicy
from evently_notifier.service_layer import channels, webhooks
from evently_notifier.service_layer.ports import UnitOfWork

log = get_logger(__name__)
_attempts = meter("evently.webhooks").create_counter(
    "evently.webhook.attempts",
    unit="{attempt}",
    description="Webhook delivery attempts by what they left the delivery as: "
    "succeeded, pending (to retry) or failed (out of attempts)",
)
_tracer = trace.get_tracer("evently.webhooks")


class DeliveryWorker:
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        sender: WebhookSender,
        clock: Clock,
        policy: RetryPolicy,
        concurrency: int = 32,
        poll_interval: float = 1.0,
        lease: timedelta = timedelta(seconds=60),
        mail: channels.MailContext | None = None,
    ) -> None:
        self._mail = mail
        self._uow = uow
        self._sender = sender
        self._clock = clock
        self._policy = policy
        self._concurrency = concurrency
        self._poll_interval = poll_interval
        self._lease = lease  # longer than the sender's timeout
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outcomes: GroupCommit[tuple[Delivery, AttemptOutcome], Delivery] = GroupCommit(
            lambda attempts: webhooks.finish_attempts(
                attempts, policy=self._policy, uow=self._uow, clock=self._clock, mail=self._mail
            )
        )

    def wake(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        in_flight: set[asyncio.Task[None]] = set()
        while True:
            free = self._concurrency - len(in_flight)
            due: list[webhooks.DueDelivery] = []
            if free > 0:
                try:
                    due = await asyncio.to_thread(
                        webhooks.claim_due, uow=self._uow, clock=self._clock, lease=self._lease, limit=free
                    )
                except Exception:
                    log.exception("webhooks.claim_failed")
            for item in due:
                task = asyncio.create_task(self._attempt(item))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            if due and len(due) == free:
                await asyncio.sleep(0)  # more may be due: claim again once a slot frees
                if len(in_flight) >= self._concurrency:
                    await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                # asyncio.timeout, not wait_for: on 3.11, wait_for can swallow a cancellation
                # that lands as the wake-up does, and the worker would never stop.
                async with asyncio.timeout(self._poll_interval):
                    await self._wake.wait()

    async def _attempt(self, item: webhooks.DueDelivery) -> None:
        delivery, subscription = item.delivery, item.subscription
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
            if not outcome.succeeded:
                span.set_status(StatusCode.ERROR, outcome.error)
            try:
                updated = await self._outcomes.add((delivery, outcome))
            except Exception:
                log.exception("webhooks.record_failed", delivery_id=delivery.id)
                return
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
