"""One recorder for what the e-mail and delivery workers' sends told them: outcomes that come
within a moment of each other are written in one transaction (a registration's two e-mails and
its webhook attempt finish a few milliseconds apart; at a steady trickle each would otherwise be
a transaction of its own). A group waits at most `linger` for company, and not at all once
`enough` outcomes are waiting, so that under load nothing waits and workers' slots are not held."""

from __future__ import annotations

from dataclasses import dataclass

from evently_platform.clock import Clock
from evently_platform.workers.group_commit import GroupCommit

from evently_notifier.domain.deliveries import AttemptOutcome, Delivery, RetryPolicy
from evently_notifier.domain.emails import Email, EmailRetryPolicy
from evently_notifier.service_layer.channels import MailContext
from evently_notifier.service_layer.outcomes import record_outcomes
from evently_notifier.service_layer.ports import UnitOfWorkFactory

LINGER = 0.02
ENOUGH = 4


@dataclass(frozen=True)
class _EmailSent:
    email: Email
    error: str | None


@dataclass(frozen=True)
class _Attempted:
    delivery: Delivery
    outcome: AttemptOutcome


class OutcomeRecorder:
    def __init__(
        self,
        *,
        uows: UnitOfWorkFactory,
        clock: Clock,
        email_policy: EmailRetryPolicy,
        retry_policy: RetryPolicy,
        mail: MailContext | None = None,
        linger: float = LINGER,
        enough: int = ENOUGH,
    ) -> None:
        self._uows = uows
        self._clock = clock
        self._email_policy = email_policy
        self._retry_policy = retry_policy
        self._mail = mail
        self._group: GroupCommit[_EmailSent | _Attempted, Email | Delivery] = GroupCommit(
            self._write, linger=linger, enough=enough
        )

    async def email_sent(self, email: Email, error: str | None) -> Email:
        """The e-mail as it is after this attempt: sent, to retry, or failed."""
        updated = await self._group.add(_EmailSent(email, error))
        assert isinstance(updated, Email)
        return updated

    async def attempted(self, delivery: Delivery, outcome: AttemptOutcome) -> Delivery:
        """The delivery as it is after this attempt."""
        updated = await self._group.add(_Attempted(delivery, outcome))
        assert isinstance(updated, Delivery)
        return updated

    def _write(self, items: list[_EmailSent | _Attempted]) -> list[Email | Delivery]:
        """Runs in a worker thread: one transaction, a result per item in the order given."""
        emails = [(i.email, i.error) for i in items if isinstance(i, _EmailSent)]
        attempts = [(i.delivery, i.outcome) for i in items if isinstance(i, _Attempted)]
        sent, tried = record_outcomes(
            emails,
            attempts,
            email_policy=self._email_policy,
            retry_policy=self._retry_policy,
            uow=self._uows(),
            clock=self._clock,
            mail=self._mail,
        )
        sent_left, tried_left = iter(sent), iter(tried)
        return [next(sent_left) if isinstance(i, _EmailSent) else next(tried_left) for i in items]
