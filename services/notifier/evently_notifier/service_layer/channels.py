"""Putting notices on people's channels: the in-app inbox and e-mail, as their preferences allow."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from evently_platform.clock import new_id

from evently_notifier.domain.emails import Email, compose
from evently_notifier.domain.facts import EventSnapshot
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.routing import ACCOUNT_ONLY_BY_EMAIL, Notice
from evently_notifier.service_layer.ports import UnitOfWork


@dataclass(frozen=True)
class MailContext:
    """What composing e-mail needs beyond the notice: links, Message-ID domain, calendars."""

    base_url: str
    domain: str
    calendar_for: Callable[[str, EventSnapshot | None], bytes | None]
    # (user id, kind) → a one-click unsubscribe token for that kind (domain.unsubscribe)
    unsubscribe_token: Callable[[str, str], str] = lambda user_id, kind: ""


@dataclass(frozen=True)
class ToTell:
    notice: Notice
    source_event_id: str  # the domain event the notice comes from
    event: EventSnapshot | None = None  # for a confirmation's calendar file


@dataclass
class Told:
    in_app_users: list[str] = field(default_factory=list)  # whose inbox got something
    emails: list[Email] = field(default_factory=list)


def tell_all(
    uow: UnitOfWork,
    items: Sequence[ToTell],
    now: datetime,
    mail: MailContext | None,
    *,
    email_lease: timedelta | None = None,
) -> Told:
    """Puts notices on people's channels (in-app inbox, e-mail) as their preferences allow. In
    bulk: everyone's preferences and addresses read in one query each, the rows written in one
    statement per table. With `email_lease`, the e-mails are written already claimed by this
    process for that long (for its e-mail worker to send at once, see Told.emails)."""
    told = Told()
    if not items:
        return told
    users = {item.notice.user_id for item in items}
    wants = uow.preferences.get_many(users)
    recipients = uow.recipients.get_many(users)  # their zones, for in-app texts too
    notifications: list[Notification] = []
    emails: list[Email] = []
    for item in items:
        notice = item.notice
        prefs = wants[notice.user_id]
        recipient = recipients.get(notice.user_id)
        account_mail = notice.kind in ACCOUNT_ONLY_BY_EMAIL
        if mail is not None and recipient is not None and (account_mail or prefs.wants(notice.kind, "email")):
            email_id = new_id()
            emails.append(
                _leased(
                    email_lease,
                    now,
                    compose(
                        email_id,
                        notice,
                        recipient,
                        message_id=f"<{email_id}@{mail.domain}>",
                        base_url=mail.base_url,
                        calendar=mail.calendar_for(notice.kind, item.event),
                        now=now,
                        unsubscribe_token=""
                        if account_mail
                        else mail.unsubscribe_token(notice.user_id, notice.kind),
                    ),
                )
            )
        if not account_mail and prefs.wants(notice.kind, "in_app"):
            notifications.append(
                Notification(
                    id=new_id(),
                    user_id=notice.user_id,
                    kind=notice.kind,
                    title=notice.title,
                    body=notice.body_for(recipient.time_zone if recipient else None),
                    event_id=notice.event_id,
                    source_event_id=item.source_event_id,
                    create_time=now,
                )
            )
            told.in_app_users.append(notice.user_id)
    uow.emails.add(*emails)
    uow.notifications.add(*notifications)
    told.emails = emails
    return told


def _leased(lease: timedelta | None, now: datetime, email: Email) -> Email:
    return email if lease is None else replace(email, next_attempt_time=now + lease)
