"""What each consumed domain event means to the notifier, in one transaction with its inbox record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.messaging.envelope import Envelope

from evently_notifier.domain.deliveries import (
    Delivery,
    DeliveryStatus,
)
from evently_notifier.domain.emails import Recipient
from evently_notifier.domain.reminders import DEFAULT_BEFORE_START
from evently_notifier.domain.routing import notices_for
from evently_notifier.domain.subscriptions import may_read
from evently_notifier.service_layer.channels import MailContext, tell
from evently_notifier.service_layer.ports import UnitOfWork
from evently_notifier.service_layer.reminders import keep_reminders, parse_time


@dataclass(frozen=True)
class FanOut:
    deliveries: int
    notified_users: tuple[str, ...]  # whose inbox got something
    emails: int = 0


def fan_out(
    envelope: Envelope,
    payload: bytes,
    trace_headers: dict[str, str],
    *,
    consumer: str,
    uow: UnitOfWork,
    clock: Clock,
    mail: MailContext | None = None,
    reminder_defaults: tuple[timedelta, ...] = DEFAULT_BEFORE_START,
) -> FanOut:
    """Everything one domain event means to the notifier, in one transaction with its inbox
    record (a redelivered event does nothing): what the owners of deleted things had here
    ends, people are told per the routing rules and their preferences, the attendee
    projection moves on, and a pending webhook delivery is made for each subscription that
    wants the event and whose owner may read it."""
    now = clock.now()
    with uow:
        if not uow.first_delivery(consumer, envelope.id):
            return FanOut(0, ())
        data = envelope.data
        if envelope.type == "evently.user.created":
            user = data.get("user", {})
            uow.recipients.save(
                Recipient(user.get("id", ""), user.get("email", ""), user.get("displayName", ""))
            )
        if envelope.type == "evently.user.deleted":
            gone = str(data.get("userId") or envelope.subject)
            uow.subscriptions.delete_for_owner(gone)
            uow.notifications.delete_for_user(gone)
            uow.attendees.delete_for_user(gone)
            uow.preferences.delete(gone)
            uow.recipients.delete(gone)
            uow.emails.delete_for_user(gone)
            uow.reminders.delete_for_user(gone)
        # Route before projecting: those told of a cancellation are the attendees it ends.
        notified = []
        emailed = 0
        for notice in notices_for(envelope.type, data, uow.attendees.active_for_event):
            told_in_app, told_by_email = tell(uow, notice, envelope.id, now, mail, data)
            if told_in_app:
                notified.append(notice.user_id)
            emailed += told_by_email
        _project(uow, envelope)
        keep_reminders(uow, envelope, now, reminder_defaults)
        created = 0
        for subscription in uow.subscriptions.active():
            if subscription.wants(envelope.type) and may_read(
                subscription.owner_id, envelope.type, envelope.subject, data
            ):
                uow.deliveries.add(
                    Delivery(
                        id=new_id(),
                        subscription_id=subscription.id,
                        event_id=envelope.id,
                        event_type=envelope.type,
                        payload=payload,
                        trace_headers=trace_headers,
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        last_status_code=0,
                        last_error="",
                        next_attempt_time=now,
                        create_time=now,
                        update_time=now,
                    )
                )
                created += 1
        uow.commit()
    return FanOut(created, tuple(dict.fromkeys(notified)), emailed)


def _project(uow: UnitOfWork, envelope: Envelope) -> None:
    """Keep the notifier's view of who attends what."""
    if envelope.type.startswith("evently.registration."):
        registration = envelope.data.get("registration", {})
        status = (
            "CONFIRMED"
            if envelope.type == "evently.registration.promoted"
            else registration.get("status", "")
        )
        if envelope.type == "evently.registration.cancelled":
            status = "CANCELLED"
        uow.attendees.record(
            registration.get("id", ""),
            registration.get("eventId", ""),
            registration.get("userId", ""),
            status,
            parse_time(registration.get("updateTime"), envelope.time),
        )
    elif envelope.type == "evently.event.deleted":
        uow.attendees.delete_for_event(str(envelope.data.get("eventId") or envelope.subject))
