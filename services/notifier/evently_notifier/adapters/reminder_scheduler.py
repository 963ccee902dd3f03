"""Fires due reminders: every instance looks each poll interval; the database decides which
instance fires which reminder, and each fires once (see reminders.fire_due_reminders)."""

from __future__ import annotations

import asyncio

from evently_platform.clock import Clock
from evently_platform.logging import get_logger

from evently_notifier.service_layer import reminders
from evently_notifier.service_layer.ports import UnitOfWork

log = get_logger(__name__)


class ReminderScheduler:
    def __init__(
        self, *, uow: UnitOfWork, clock: Clock, poll_interval: float = 1.0, batch: int = 500
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._poll_interval = poll_interval
        self._batch = batch

    async def run(self) -> None:
        while True:
            try:
                fired = await asyncio.to_thread(
                    reminders.fire_due_reminders, uow=self._uow, clock=self._clock, limit=self._batch
                )
            except Exception:
                log.exception("reminders.fire_failed")
                fired = 0
            if fired:
                log.info("reminders.fired", count=fired)
            if fired < self._batch:  # a full batch means more are due now
                await asyncio.sleep(self._poll_interval)
