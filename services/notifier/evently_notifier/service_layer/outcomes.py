"""What sending told us, recorded: e-mails' and webhook attempts' outcomes in one transaction,
however many of each (the workers hand them over together, see adapters.outcomes)."""

from __future__ import annotations

from evently_platform.clock import Clock

from evently_notifier.domain.deliveries import AttemptOutcome, Delivery, RetryPolicy
from evently_notifier.domain.emails import Email, EmailRetryPolicy
from evently_notifier.service_layer.channels import MailContext
from evently_notifier.service_layer.email import save_email_attempts
from evently_notifier.service_layer.ports import UnitOfWork
from evently_notifier.service_layer.webhooks import save_delivery_attempts


def record_outcomes(
    emails: list[tuple[Email, str | None]],
    attempts: list[tuple[Delivery, AttemptOutcome]],
    *,
    email_policy: EmailRetryPolicy,
    retry_policy: RetryPolicy,
    uow: UnitOfWork,
    clock: Clock,
    mail: MailContext | None = None,
) -> tuple[list[Email], list[Delivery]]:
    """E-mails as they are after their attempt (an error, or None when sent) and deliveries as
    they are after theirs, in the order given."""
    now = clock.now()
    with uow:
        sent = save_email_attempts(uow, emails, email_policy, now)
        tried = save_delivery_attempts(uow, attempts, retry_policy, now, mail)
        uow.commit()
    return sent, tried
