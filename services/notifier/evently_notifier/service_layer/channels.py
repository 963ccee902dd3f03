"""Putting a notice on a person's channels (in-app inbox, e-mail), and sending e-mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id

from evently_notifier.domain.emails import Email, EmailRetryPolicy, after_attempt, compose
from evently_notifier.domain.facts import EventSnapshot
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.routing import Notice
from evently_notifier.service_layer.ports import UnitOfWork


@dataclass(frozen=True)
class MailContext:
    """What composing e-mail needs beyond the notice: links, Message-ID domain, calendars."""

    base_url: str
    domain: str
    calendar_for: Callable[[str, EventSnapshot | None], bytes | None]


def tell(
    uow: UnitOfWork,
    notice: Notice,
    source_event_id: str,
    now: datetime,
    mail: MailContext | None,
    event: EventSnapshot | None = None,
) -> tuple[bool, bool]:
    """Puts a notice on the person's channels as their preferences allow: (in app, e-mail)."""
    wants = uow.preferences.get(notice.user_id)
    recipient = uow.recipients.get(notice.user_id)
    emailed = False
    if mail is not None and recipient is not None and wants.wants(notice.kind, "email"):
        email_id = new_id()
        uow.emails.add(
            compose(
                email_id,
                notice,
                recipient,
                message_id=f"<{email_id}@{mail.domain}>",
                base_url=mail.base_url,
                calendar=mail.calendar_for(notice.kind, event),
                now=now,
            )
        )
        emailed = True
    if not wants.wants(notice.kind, "in_app"):
        return False, emailed
    uow.notifications.add(
        Notification(
            id=new_id(),
            user_id=notice.user_id,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            event_id=notice.event_id,
            source_event_id=source_event_id,
            create_time=now,
        )
    )
    return True, emailed


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
        for email in updated:
            uow.emails.save(email)
        uow.commit()
    return updated
