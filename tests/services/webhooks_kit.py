"""What the webhook tests share: a notifier with a quick retry schedule (on a clock a test can
move on), and small readers of subscriptions, delivery logs and inboxes. The fixtures built on
them are in conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evently.notifier.v1 import notifier_service_pb2, subscription_pb2
from evently_notifier.bootstrap import build as build_notifier
from evently_notifier.domain.deliveries import RetryPolicy
from evently_platform.clock import Clock
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost

from tests.e2e.webhook_receiver import WebhookReceiver

FAILED = subscription_pb2.Delivery.Status.FAILED
SUCCEEDED = subscription_pb2.Delivery.Status.SUCCEEDED
QUICK_RETRIES = RetryPolicy(delays=(timedelta(milliseconds=50), timedelta(milliseconds=50)), jitter=0.0)


async def quick_retries_notifier(settings: Settings, clock: Clock | None = None) -> ServiceHost:
    return await build_notifier(settings, retry_policy=QUICK_RETRIES, clock=clock)


async def subscribe_to(
    hooks: Any, person: Any, receiver: WebhookReceiver, event_types: list[str] | None = None
) -> subscription_pb2.Subscription:
    """A CloudEvents subscription of `person` (to `evently.event.created` unless told otherwise)."""
    subscription: subscription_pb2.Subscription = await hooks.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=receiver.url, event_types=event_types or ["evently.event.created"]
            )
        ),
        metadata=person,
    )
    receiver.secret = subscription.secret
    return subscription


async def delivery_log(hooks: Any, person: Any, subscription_id: str) -> list[subscription_pb2.Delivery]:
    answer = await hooks.ListDeliveries(
        notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription_id), metadata=person
    )
    return list(answer.deliveries)


async def state_of(hooks: Any, person: Any, subscription_id: str) -> int:
    answer = await hooks.ListSubscriptions(notifier_service_pb2.ListSubscriptionsRequest(), metadata=person)
    return int(next(s.state for s in answer.subscriptions if s.id == subscription_id))


class MovableClock:
    """The real time, plus however far a test has moved it on."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


async def inbox_kinds(hooks: Any, person: Any) -> list[str]:
    inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=person)
    return sorted(n.kind for n in inbox.notifications)


async def watch_health(hooks: Any, person: Any, receiver: WebhookReceiver) -> None:
    """The owner's second subscription: the news of their subscriptions' health."""
    answer = await hooks.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=receiver.url, event_types=["evently.subscription.*"]
            )
        ),
        metadata=person,
    )
    receiver.secret = answer.secret
