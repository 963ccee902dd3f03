"""Sending queued e-mail: claiming what is due, and recording how each attempt went."""

from __future__ import annotations

from datetime import datetime, timedelta

from evently_platform.clock import Clock

from evently_notifier.domain.emails import Email, EmailRetryPolicy, after_attempt
from evently_notifier.service_layer.ports import UnitOfWork


def claim_due_emails(*, uow: UnitOfWork, clock: Clock, lease: timedelta, limit: int) -> list[Email]:
    now = clock.now()
    with uow:
        claimed = uow.emails.claim_due(now, now + lease, limit)
        uow.commit()
    return claimed


def save_email_attempts(
    uow: UnitOfWork, attempts: list[tuple[Email, str | None]], policy: EmailRetryPolicy, now: datetime
) -> list[Email]:
    """Records sending attempts (an error, or None when sent) in the open transaction."""
    updated = [after_attempt(email, error, policy, now) for email, error in attempts]
    if updated:
        uow.emails.save(*updated)
    return updated
