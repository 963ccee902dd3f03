"""Sending queued e-mail: claiming what is due, and recording how each attempt went."""

from __future__ import annotations

from datetime import timedelta

from evently_platform.clock import Clock

from evently_notifier.domain.emails import Email, EmailRetryPolicy, after_attempt
from evently_notifier.service_layer.ports import UnitOfWork


def claim_due_emails(*, uow: UnitOfWork, clock: Clock, lease: timedelta, limit: int) -> list[Email]:
    now = clock.now()
    with uow:
        claimed = uow.emails.claim_due(now, now + lease, limit)
        uow.commit()
    return claimed


def finish_emails(
    attempts: list[tuple[Email, str | None]], *, policy: EmailRetryPolicy, uow: UnitOfWork, clock: Clock
) -> list[Email]:
    """Records sending attempts (an error, or None when sent), all in one transaction."""
    now = clock.now()
    updated = [after_attempt(email, error, policy, now) for email, error in attempts]
    with uow:
        uow.emails.save(*updated)
        uow.commit()
    return updated
