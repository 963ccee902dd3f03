"""Sends queued e-mail: claims due messages from the database (several instances share the
work), sends each, and records the outcomes together (sent, retry later, or
failed)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from evently_platform.calendar import CalendarEntry, calendar_file
from evently_platform.clock import Clock
from evently_platform.logging import get_logger
from evently_platform.metrics import meter
from evently_platform.workers.leased import LeasedPoller

from evently_notifier.adapters.mailer import Mailer
from evently_notifier.adapters.outcomes import OutcomeRecorder
from evently_notifier.domain.emails import SEND_LEASE, Email, EmailStatus
from evently_notifier.domain.facts import EventSnapshot
from evently_notifier.service_layer import email as sending
from evently_notifier.service_layer.ports import UnitOfWorkFactory

log = get_logger(__name__)
_attempts = meter("evently.email").create_counter(
    "evently.email.attempts",
    unit="{attempt}",
    description="E-mail sending attempts by what they left the message as: sent, pending or failed",
)

# Confirmations carry the event's calendar file.
CALENDAR_KINDS = frozenset({"registration.confirmed", "registration.promoted"})


def calendar_for(kind: str, event: EventSnapshot | None) -> bytes | None:
    if kind not in CALENDAR_KINDS or event is None or event.start_time is None or event.end_time is None:
        return None
    return _calendar_of(event)


@functools.lru_cache(maxsize=256)
def _calendar_of(event: EventSnapshot) -> bytes:
    """One file per version of an event, made once (writing one costs ~0.6 ms, and a popular
    event's confirmations all carry the same). Stamped with that version's time, so the bytes
    depend on the snapshot alone."""
    assert event.start_time is not None and event.end_time is not None
    stamp = event.update_time or event.create_time or datetime.now(UTC)
    entry = CalendarEntry(
        event_id=event.id,
        title=event.title,
        description=event.description,
        location=event.location,
        start_time=event.start_time,
        end_time=event.end_time,
        time_zone=event.time_zone,
        revision=event.revision,
        cancelled=event.cancelled,
        create_time=event.create_time or stamp,
        update_time=stamp,
    )
    return calendar_file(entry, stamp)


class EmailWorker:
    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        mailer: Mailer,
        clock: Clock,
        outcomes: OutcomeRecorder,
        concurrency: int = 8,
        poll_interval: float = 1.0,
        lease: timedelta = SEND_LEASE,
    ) -> None:
        self._uows = uows
        self._mailer = mailer
        self._clock = clock
        self._lease = lease  # longer than an SMTP conversation may take
        self._outcomes = outcomes
        self._poller: LeasedPoller[Email] = LeasedPoller(
            "email", claim=self._claim, work=self._send, slots=concurrency, poll_interval=poll_interval
        )

    async def run(self) -> None:
        await self._poller.run()

    def has_room(self) -> bool:
        """Whether new e-mails may be leased to this process (its backlog is short)."""
        return self._poller.has_room()

    def offer(self, emails: list[Email], leased: bool = True) -> None:
        """New e-mails: those leased to this process are sent without a claim; the others are
        claimed from the table soon (by whichever instance is first)."""
        if leased:
            self._poller.offer(emails)
        else:
            self._poller.wake()

    def _claim(self, limit: int, in_flight: Mapping[str, int]) -> list[Email]:
        return sending.claim_due_emails(uow=self._uows(), clock=self._clock, lease=self._lease, limit=limit)

    async def _send(self, email: Email) -> None:
        error = None
        try:
            await self._mailer.send(email)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
        updated = await self._outcomes.email_sent(email, error)
        _attempts.add(1, {"outcome": updated.status.value.lower()})
        if updated.status is EmailStatus.FAILED:
            log.error("email.failed", email_id=email.id, attempts=updated.attempts, error=error)
        elif error is not None:
            log.warning("email.retry", email_id=email.id, attempts=updated.attempts, error=error)
        else:
            log.info("email.sent", email_id=email.id, kind=email.subject[:40])
