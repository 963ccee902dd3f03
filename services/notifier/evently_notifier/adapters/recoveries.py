"""RecoverDeliveries' moving parts: the stream's past read through NATS, the use case in a
worker thread, and the delivery worker sending what it queued, in order."""

from __future__ import annotations

import asyncio
from datetime import datetime

from evently_platform.clock import Clock
from evently_platform.messaging.history import read_since, subjects_for
from nats.js import JetStreamContext

from evently_notifier.adapters.delivery_worker import DeliveryWorker
from evently_notifier.adapters.facts import incoming
from evently_notifier.domain.subscriptions import Subscription
from evently_notifier.service_layer import recovery
from evently_notifier.service_layer.ports import UnitOfWorkFactory


class Recoveries:
    def __init__(
        self,
        *,
        js: JetStreamContext,
        worker: DeliveryWorker,
        uows: UnitOfWorkFactory,
        clock: Clock,
        base_url: str,
    ) -> None:
        self._js = js
        self._worker = worker
        self._uows = uows
        self._clock = clock
        self._base_url = base_url

    async def recover(
        self, owner_id: str, subscription_id: str, since: datetime | None
    ) -> tuple[Subscription, int]:
        """The subscription, on again, and how many deliveries were queued."""
        subscription = await asyncio.to_thread(
            recovery.check_recoverable, owner_id, subscription_id, since, uow=self._uows(), clock=self._clock
        )
        assert since is not None  # checked above
        subjects = subjects_for(subscription.event_types)
        received = await read_since(self._js, since, subjects, limit=recovery.MAX_RECOVERED + 1)
        subscription, due = await asyncio.to_thread(
            recovery.recover,
            owner_id,
            subscription_id,
            [incoming(r) for r in received],
            uow=self._uows(),
            clock=self._clock,
            base_url=self._base_url,
        )
        self._worker.start_in_order(due)
        return subscription, len(due)
