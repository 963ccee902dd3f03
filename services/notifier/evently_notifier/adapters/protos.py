"""Domain ↔ protobuf for the notifier."""

from __future__ import annotations

from datetime import datetime

from evently.notifier.v1 import notification_pb2, reminder_pb2, subscription_pb2
from evently_platform.messaging.contracts import envelope_of
from evently_platform.messaging.envelope import Envelope
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from evently_notifier.domain.deliveries import Attempt, Delivery
from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.reminders import Reminder, ReminderDue
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import Subscription, SubscriptionHealthChanged

SOURCE = "//evently/notifier"


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def subscription_to_proto(
    subscription: Subscription, *, with_secret: bool = False
) -> subscription_pb2.Subscription:
    return subscription_pb2.Subscription(
        id=subscription.id,
        owner_id=subscription.owner_id,
        url=subscription.url,
        event_types=subscription.event_types,
        description=subscription.description,
        state=subscription.state.value,  # type: ignore[arg-type]
        secret=subscription.secret if with_secret else "",
        create_time=_ts(subscription.create_time),
        format=subscription.format.value,  # type: ignore[arg-type]
        failing_since=_ts(subscription.failing_since),
        rate_limit=subscription.rate_limit,
    )


def delivery_to_proto(delivery: Delivery, attempts: list[Attempt] | None = None) -> subscription_pb2.Delivery:
    return subscription_pb2.Delivery(
        id=delivery.id,
        subscription_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status.value,  # type: ignore[arg-type]
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        next_attempt_time=_ts(delivery.next_attempt_time),
        create_time=_ts(delivery.create_time),
        update_time=_ts(delivery.update_time),
        request_body=delivery.payload.decode("utf-8", "replace"),
        attempt_log=[
            subscription_pb2.DeliveryAttempt(
                number=a.number,
                status_code=a.status_code,
                error=a.error,
                attempt_time=_ts(a.attempt_time),
                response_body=a.response,
            )
            for a in attempts or []
        ],
    )


def notification_to_proto(notification: Notification) -> notification_pb2.Notification:
    return notification_pb2.Notification(
        id=notification.id,
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        event_id=notification.event_id,
        source_event_id=notification.source_event_id,
        create_time=_ts(notification.create_time),
        read_time=_ts(notification.read_time),
    )


def preferences_to_proto(preferences: Preferences) -> notification_pb2.Preferences:
    return notification_pb2.Preferences(
        user_id=preferences.user_id,
        email=preferences.email,
        in_app=preferences.in_app,
        muted_kinds=list(preferences.muted_kinds),
    )


def reminder_to_proto(reminder: Reminder) -> reminder_pb2.Reminder:
    before = Duration()
    before.FromTimedelta(reminder.before_start)
    return reminder_pb2.Reminder(
        id=reminder.id,
        event_id=reminder.event_id,
        remind_time=_ts(reminder.remind_time),
        before_start=before,
        state=reminder.state.value,  # type: ignore[arg-type]
        is_default=reminder.is_default,
        create_time=_ts(reminder.create_time),
    )


def to_integration_event(event: object) -> Envelope:
    """The notifier's own domain events → `evently.reminder.due`, `evently.subscription.*`."""
    match event:
        case ReminderDue(id=event_id, reminder=reminder, event=known):
            data = reminder_pb2.ReminderDue(
                reminder_id=reminder.id,
                user_id=reminder.user_id,
                event_id=known.id,
                event_title=known.title,
                event_start_time=_ts(known.start_time),
            )
            return envelope_of("evently.reminder.due", data, source=SOURCE, subject=reminder.id, id=event_id)
        case SubscriptionHealthChanged(id=event_id, change=change, subscription=subscription, reason=reason):
            health = subscription_pb2.SubscriptionHealthChanged(
                subscription=subscription_to_proto(subscription), reason=reason
            )
            return envelope_of(
                f"evently.subscription.{change.value}",
                health,
                source=SOURCE,
                subject=subscription.id,
                id=event_id,
            )
    raise TypeError(f"no integration event for {type(event).__name__}")
