"""Use cases of the notifier: managing subscriptions, fanning domain events out to deliveries,
and recording delivery attempts. Each runs in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound, Violations
from evently_platform.messaging.envelope import Envelope

from evently_notifier.domain.deliveries import (
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    record_attempt,
)
from evently_notifier.domain.emails import Email, EmailRetryPolicy, Recipient, after_attempt, compose
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.reminders import (
    DEFAULT_BEFORE_START,
    KnownEvent,
    Reminder,
    ReminderDue,
    ReminderState,
    custom,
    defaults,
    moved,
)
from evently_notifier.domain.routing import KINDS, Notice, Preferences, notices_for
from evently_notifier.domain.signing import new_secret
from evently_notifier.domain.subscriptions import (
    Subscription,
    SubscriptionState,
    may_read,
    validate_subscription,
)
from evently_notifier.service_layer.ports import Cursor, UnitOfWork, UrlGuard


@dataclass(frozen=True)
class CreateSubscription:
    owner_id: str
    url: str
    event_types: list[str]
    description: str


def create_subscription(
    cmd: CreateSubscription, *, uow: UnitOfWork, guard: UrlGuard, clock: Clock
) -> Subscription:
    url = cmd.url.strip()
    validate_subscription(url, cmd.event_types, cmd.description)
    guard.check(url)
    subscription = Subscription(
        id=new_id(),
        owner_id=cmd.owner_id,
        url=url,
        event_types=list(dict.fromkeys(cmd.event_types)),
        description=cmd.description,
        secret=new_secret(),
        state=SubscriptionState.ACTIVE,
        create_time=clock.now(),
    )
    with uow:
        uow.subscriptions.add(subscription)
        uow.commit()
    return subscription


def _owned(uow: UnitOfWork, owner_id: str, subscription_id: str) -> Subscription:
    subscription = uow.subscriptions.get(subscription_id)
    # Someone else's subscription is reported as missing: its existence is not theirs to know.
    if subscription is None or subscription.owner_id != owner_id:
        raise NotFound(f"subscription {subscription_id!r} not found")
    return subscription


def list_subscriptions(
    owner_id: str, *, before: Cursor | None, page_size: int, uow: UnitOfWork
) -> list[Subscription]:
    with uow.reading() as reader:
        return reader.subscriptions.list_for_owner(owner_id, before=before, limit=page_size + 1)


def delete_subscription(owner_id: str, subscription_id: str, *, uow: UnitOfWork) -> None:
    with uow:
        _owned(uow, owner_id, subscription_id)
        uow.subscriptions.delete(subscription_id)
        uow.commit()


def list_deliveries(
    owner_id: str, subscription_id: str, *, before: Cursor | None, page_size: int, uow: UnitOfWork
) -> list[Delivery]:
    with uow.reading() as reader:
        _owned(reader, owner_id, subscription_id)
        return reader.deliveries.list_for_subscription(subscription_id, before=before, limit=page_size + 1)


@dataclass(frozen=True)
class FanOut:
    deliveries: int
    notified_users: tuple[str, ...]  # whose inbox got something
    emails: int = 0


@dataclass(frozen=True)
class MailContext:
    """What composing e-mail needs beyond the notice: links, Message-ID domain, calendars."""

    base_url: str
    domain: str
    calendar_for: Callable[[str, Mapping[str, Any]], bytes | None]


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
            told_in_app, told_by_email = _tell(uow, notice, envelope.id, now, mail, data)
            if told_in_app:
                notified.append(notice.user_id)
            emailed += told_by_email
        _project(uow, envelope)
        _keep_reminders(uow, envelope, now, reminder_defaults)
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


def _tell(
    uow: UnitOfWork,
    notice: Notice,
    source_event_id: str,
    now: datetime,
    mail: MailContext | None,
    data: Mapping[str, Any],
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
                calendar=mail.calendar_for(notice.kind, data),
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
            _parse_time(registration.get("updateTime"), envelope.time),
        )
    elif envelope.type == "evently.event.deleted":
        uow.attendees.delete_for_event(str(envelope.data.get("eventId") or envelope.subject))


def _known_event(event: Mapping[str, Any]) -> KnownEvent | None:
    if not isinstance(event, Mapping) or not event.get("id") or not event.get("startTime"):
        return None
    return KnownEvent(
        id=str(event["id"]),
        organizer_id=str(event.get("organizerId", "")),
        title=str(event.get("title", "")),
        start_time=_parse_time(event.get("startTime"), datetime.now(UTC)),
        cancelled=event.get("state") == "CANCELLED",
    )


def _keep_reminders(
    uow: UnitOfWork, envelope: Envelope, now: datetime, defaults_before: tuple[timedelta, ...]
) -> None:
    """Reminders follow their events: made for new attendees, moved with the start, dropped
    with the registration or the event."""
    data, kind = envelope.data, envelope.type
    event = _known_event(data.get("event", {}))
    previous = uow.known_events.get(event.id) if event else None
    if event is not None:
        uow.known_events.save(event)
    if kind in ("evently.event.cancelled", "evently.event.deleted"):
        event_id = str(data.get("eventId") or data.get("event", {}).get("id") or envelope.subject)
        uow.reminders.delete_for_event(event_id)
        if kind == "evently.event.deleted":
            uow.known_events.delete(event_id)
    elif kind == "evently.event.updated" and event is not None and previous is not None:
        if previous.start_time != event.start_time:
            for reminder in uow.reminders.scheduled_for_event(event.id):
                uow.reminders.save(moved(reminder, event.start_time, now))
    elif kind.startswith("evently.registration.") and event is not None:
        registration = data.get("registration", {})
        user_id = str(registration.get("userId", ""))
        status = "CONFIRMED" if kind == "evently.registration.promoted" else registration.get("status")
        if kind == "evently.registration.cancelled":
            uow.reminders.delete_for_event(event.id, user_id)
        elif status == "CONFIRMED" and not uow.reminders.for_user_and_event(user_id, event.id):
            for reminder in defaults(new_id, user_id, event, now, defaults_before):
                uow.reminders.add(reminder)


def fire_due_reminders(*, uow: UnitOfWork, clock: Clock, limit: int = 200) -> int:
    """Marks due reminders FIRED and records `evently.reminder.due` for each, in one transaction:
    a reminder fires once, however many notifier instances look."""
    now = clock.now()
    with uow:
        due = uow.reminders.claim_due(now, limit)
        for reminder in due:
            fired = replace(reminder, state=ReminderState.FIRED)
            uow.reminders.save(fired)
            event = uow.known_events.get(reminder.event_id)
            if event is not None and not event.cancelled:
                uow.record(ReminderDue(fired, event))
        uow.commit()
    return len(due)


def create_reminder(
    user_id: str, event_id: str, remind_time: datetime | None, *, uow: UnitOfWork, clock: Clock
) -> Reminder:
    with uow:
        event = uow.known_events.get(event_id)
        attending = user_id in uow.attendees.active_for_event(event_id)
        if event is None or not (attending or event.organizer_id == user_id):
            raise NotFound(f"you have no registration for event {event_id!r}")
        reminder = custom(new_id(), user_id, event, remind_time, clock.now())
        uow.reminders.add(reminder)
        uow.commit()
    return reminder


def list_reminders(
    user_id: str, *, event_id: str, after: Cursor | None, page_size: int, uow: UnitOfWork
) -> tuple[list[Reminder], Cursor | None]:
    with uow.reading() as reader:
        rows = reader.reminders.list_for_user(user_id, event_id=event_id, after=after, limit=page_size + 1)
    last = rows[page_size - 1] if len(rows) > page_size else None
    return rows[:page_size], (last.remind_time, last.id) if last else None


def delete_reminder(user_id: str, reminder_id: str, *, uow: UnitOfWork) -> None:
    with uow:
        reminder = uow.reminders.get(reminder_id)
        if reminder is None or reminder.user_id != user_id:
            raise NotFound(f"reminder {reminder_id!r} not found")
        uow.reminders.delete(reminder_id)
        uow.commit()


def _parse_time(value: object, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return fallback


def claim_due_emails(*, uow: UnitOfWork, clock: Clock, lease: timedelta, limit: int) -> list[Email]:
    now = clock.now()
    with uow:
        claimed = uow.emails.claim_due(now, now + lease, limit)
        uow.commit()
    return claimed


def finish_email(
    email: Email, error: str | None, *, policy: EmailRetryPolicy, uow: UnitOfWork, clock: Clock
) -> Email:
    updated = after_attempt(email, error, policy, clock.now())
    with uow:
        uow.emails.save(updated)
        uow.commit()
    return updated


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[Notification]
    next_cursor: Cursor | None
    unread_count: int


def list_notifications(
    user_id: str, *, before: Cursor | None, page_size: int, unread_only: bool, uow: UnitOfWork
) -> NotificationPage:
    with uow.reading() as reader:
        rows = reader.notifications.list_for_user(
            user_id, before=before, limit=page_size + 1, unread_only=unread_only
        )
        unread = reader.notifications.unread_count(user_id)
    last = rows[page_size - 1] if len(rows) > page_size else None
    return NotificationPage(rows[:page_size], (last.create_time, last.id) if last else None, unread)


def newer_notifications(user_id: str, after: Cursor | None, *, uow: UnitOfWork) -> list[Notification]:
    with uow.reading() as reader:
        return reader.notifications.newer_than(user_id, after)


def newest_notification(user_id: str, *, uow: UnitOfWork) -> Cursor | None:
    with uow.reading() as reader:
        return reader.notifications.newest(user_id)


def mark_read(user_id: str, ids: list[str], *, uow: UnitOfWork, clock: Clock) -> int:
    with uow:
        marked = uow.notifications.mark_read(user_id, ids, clock.now())
        uow.commit()
    return marked


def get_preferences(user_id: str, *, uow: UnitOfWork) -> Preferences:
    with uow.reading() as reader:
        return reader.preferences.get(user_id)


def update_preferences(
    user_id: str, paths: tuple[str, ...], wanted: Preferences, *, uow: UnitOfWork
) -> Preferences:
    problems = Violations()
    problems.check(bool(paths), "update_mask", "must name at least one of: email, in_app, muted_kinds")
    for path in paths:
        problems.check(
            path in ("email", "in_app", "muted_kinds"), "update_mask", f"{path!r} cannot be changed"
        )
    if "muted_kinds" in paths:
        for kind in wanted.muted_kinds:
            problems.check(
                kind in KINDS, "preferences.muted_kinds", f"{kind!r} is not a kind of notification"
            )
    problems.raise_if_any()
    with uow:
        current = uow.preferences.get(user_id)
        updated = replace(
            current,
            email=wanted.email if "email" in paths else current.email,
            in_app=wanted.in_app if "in_app" in paths else current.in_app,
            muted_kinds=tuple(dict.fromkeys(wanted.muted_kinds))
            if "muted_kinds" in paths
            else current.muted_kinds,
        )
        uow.preferences.save(updated)
        uow.commit()
    return updated


@dataclass(frozen=True)
class DueDelivery:
    delivery: Delivery
    subscription: Subscription


def claim_due(*, uow: UnitOfWork, clock: Clock, lease: timedelta, limit: int) -> list[DueDelivery]:
    now = clock.now()
    with uow:
        claimed = uow.deliveries.claim_due(now, now + lease, limit)
        due = []
        for delivery in claimed:
            subscription = uow.subscriptions.get(delivery.subscription_id)
            if subscription is not None:
                due.append(DueDelivery(delivery, subscription))
        uow.commit()
    return due


def finish_attempt(
    delivery: Delivery,
    outcome: AttemptOutcome,
    *,
    policy: RetryPolicy,
    uow: UnitOfWork,
    clock: Clock,
    mail: MailContext | None = None,
) -> Delivery:
    """Records an attempt. A delivery that has run out of attempts disables its subscription —
    the endpoint keeps failing — and its owner is told."""
    now = clock.now()
    updated = record_attempt(delivery, outcome, policy, now)
    with uow:
        uow.deliveries.save(updated)
        if updated.status is DeliveryStatus.FAILED:
            subscription = uow.subscriptions.get(delivery.subscription_id)
            if subscription is not None and subscription.state is SubscriptionState.ACTIVE:
                uow.subscriptions.save(replace(subscription, state=SubscriptionState.DISABLED))
                last = f"{updated.last_status_code or 'no answer'} {updated.last_error[:200]}".strip()
                notice = Notice(
                    subscription.owner_id,
                    "subscription.disabled",
                    "A webhook subscription was switched off",
                    f"Deliveries to {subscription.url} kept failing (last: {last}). "
                    "Fix the endpoint, then retry a delivery to switch it back on.",
                )
                _tell(uow, notice, delivery.event_id, now, mail, {})
        uow.commit()
    return updated


SECRET_OVERLAP = timedelta(hours=24)


def retry_delivery(owner_id: str, delivery_id: str, *, uow: UnitOfWork, clock: Clock) -> Delivery:
    with uow:
        delivery = uow.deliveries.get(delivery_id)
        if delivery is None:
            raise NotFound(f"delivery {delivery_id!r} not found")
        subscription = _owned(uow, owner_id, delivery.subscription_id)
        if subscription.state is SubscriptionState.DISABLED:
            uow.subscriptions.save(replace(subscription, state=SubscriptionState.ACTIVE))
        now = clock.now()
        again = replace(delivery, status=DeliveryStatus.PENDING, next_attempt_time=now, update_time=now)
        uow.deliveries.save(again)
        uow.commit()
    return again


def rotate_secret(owner_id: str, subscription_id: str, *, uow: UnitOfWork, clock: Clock) -> Subscription:
    with uow:
        subscription = _owned(uow, owner_id, subscription_id)
        rotated = replace(
            subscription,
            secret=new_secret(),
            previous_secret=subscription.secret,
            previous_secret_expire_time=clock.now() + SECRET_OVERLAP,
        )
        uow.subscriptions.save(rotated)
        uow.commit()
    return rotated


def page_cursor(items: list[Subscription] | list[Delivery], page_size: int) -> Cursor | None:
    """The cursor of the next page: present when the query returned more than a page."""
    if len(items) <= page_size:
        return None
    last = items[page_size - 1]
    return (last.create_time, last.id)
