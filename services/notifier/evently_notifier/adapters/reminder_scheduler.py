"""Fires due reminders a batch at a time: every instance looks each poll interval; the database
decides which instance fires which reminder, and each fires once (see reminders.fire_due_reminders)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from evently_platform.clock import Clock
from evently_platform.logging import get_logger
from evently_platform.workers.poller import Poller

from evently_notifier.domain.emails import SEND_LEASE, Email
from evently_notifier.service_layer import reminders
from evently_notifier.service_layer.channels import MailContext
from evently_notifier.service_layer.ports import UnitOfWorkFactory

log = get_logger(__name__)


class ReminderScheduler:
    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        clock: Clock,
        mail: MailContext | None = None,
        on_notified: Callable[[Iterable[str]], None] = lambda users: None,
        on_emails: Callable[[list[Email], bool], None] = lambda emails, leased: None,
        hand_off: Callable[[], bool] = lambda: False,
        poll_interval: float = 1.0,
        batch: int = 500,
    ) -> None:
        self._uows = uows
        self._clock = clock
        self._mail = mail
        self._on_notified = on_notified
        self._on_emails = on_emails  # (e-mails, whether leased to this process)
        self._hand_off = hand_off  # whether e-mails may be written leased to this process
        self._batch = batch
        self._poller = Poller("reminders", self._step, poll_interval=poll_interval)

    async def run(self) -> None:
        await self._poller.run()

    async def _step(self) -> bool:
        leased = self._hand_off()
        fired = await asyncio.to_thread(
            reminders.fire_due_reminders,
            uow=self._uows(),
            clock=self._clock,
            mail=self._mail,
            limit=self._batch,
            # With room to take them, e-mails are written already claimed (see tell_all).
            email_lease=SEND_LEASE if leased else None,
        )
        if fired.count:
            log.info("reminders.fired", count=fired.count, emails=len(fired.told.emails))
        if fired.told.in_app_users:
            self._on_notified(dict.fromkeys(fired.told.in_app_users))
        if fired.told.emails:
            self._on_emails(fired.told.emails, leased)
        return fired.count == self._batch  # a full batch: more are due now
