"""Webhook subscriptions and their deliveries: managing, claiming, recording attempts, replaying."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.messaging.envelope import Envelope
from evently_platform.paging import Page

from evently_notifier.domain.chat import DeliveryFormat, chat_body, message_for
from evently_notifier.domain.deliveries import (
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    record_attempt,
)
from evently_notifier.domain.routing import Notice
from evently_notifier.domain.signing import new_secret
from evently_notifier.domain.subscriptions import (
    DEFAULT_RATE_LIMIT,
    HealthChange,
    Subscription,
    SubscriptionHealthChanged,
    SubscriptionState,
    after_attempt,
    validate_subscription,
)
from evently_notifier.service_layer.channels import MailContext, ToTell, tell_all
from evently_notifier.service_layer.commands import (
    CreateSubscription,
    DeleteSubscription,
    DeliveryLog,
    ListDeliveries,
    ListSubscriptions,
    RetryDelivery,
    RotateSecret,
    SendTestEvent,
)
from evently_notifier.service_layer.ports import UnitOfWork, UrlGuard

TEST_EVENT_TYPE = "evently.test"


def create_subscription(
    cmd: CreateSubscription, *, uow: UnitOfWork, guard: UrlGuard, clock: Clock
) -> Subscription:
    url = cmd.url.strip()
    rate_limit = cmd.rate_limit or DEFAULT_RATE_LIMIT
    validate_subscription(url, cmd.event_types, cmd.description, rate_limit)
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
        format=cmd.format,
        rate_limit=rate_limit,
    )
    with uow:
        uow.subscriptions.add(subscription)
        uow.commit()
    return subscription


def owned(uow: UnitOfWork, owner_id: str, subscription_id: str) -> Subscription:
    subscription = uow.subscriptions.get(subscription_id)
    # Someone else's subscription is reported as missing: its existence is not theirs to know.
    if subscription is None or subscription.owner_id != owner_id:
        raise NotFound(f"subscription {subscription_id!r} not found")
    return subscription


def list_subscriptions(cmd: ListSubscriptions, *, uow: UnitOfWork) -> Page[Subscription]:
    with uow.reading() as reader:
        rows = reader.subscriptions.list_for_owner(cmd.owner_id, before=cmd.page.after, limit=cmd.page.fetch)
    return Page.of(rows, cmd.page, lambda s: (s.create_time, s.id))


def delete_subscription(cmd: DeleteSubscription, *, uow: UnitOfWork) -> None:
    with uow:
        owned(uow, cmd.owner_id, cmd.subscription_id)
        uow.subscriptions.delete(cmd.subscription_id)
        uow.commit()


def list_deliveries(cmd: ListDeliveries, *, uow: UnitOfWork) -> DeliveryLog:
    with uow.reading() as reader:
        owned(reader, cmd.owner_id, cmd.subscription_id)
        found = reader.deliveries.list_for_subscription(
            cmd.subscription_id, before=cmd.page.after, limit=cmd.page.fetch
        )
        page = Page.of(found, cmd.page, lambda d: (d.create_time, d.id))
        return DeliveryLog(page, reader.deliveries.attempts_of([d.id for d in page.items]))


@dataclass(frozen=True)
class DueDelivery:
    delivery: Delivery
    subscription: Subscription


def claim_due(
    *,
    uow: UnitOfWork,
    clock: Clock,
    lease: timedelta,
    limit: int,
    per_subscription: int | None = None,
    in_flight: Mapping[str, int] | None = None,
) -> list[DueDelivery]:
    """Due deliveries with their subscriptions; with `per_subscription`, no more attempts in
    flight to one subscription's endpoint than that, counting the `in_flight` ones."""
    now = clock.now()
    with uow:
        claimed = uow.deliveries.claim_due(
            now, now + lease, limit, per_subscription=per_subscription, in_flight=in_flight
        )
        subscriptions = uow.subscriptions.get_many({d.subscription_id for d in claimed})
        uow.commit()
    return [
        DueDelivery(d, subscriptions[d.subscription_id])
        for d in claimed
        if d.subscription_id in subscriptions
    ]


def save_delivery_attempts(
    uow: UnitOfWork,
    attempts: list[tuple[Delivery, AttemptOutcome]],
    policy: RetryPolicy,
    now: datetime,
    mail: MailContext | None = None,
) -> list[Delivery]:
    """Records attempts and what they say of their subscriptions' health in the open transaction.
    The owner is told when deliveries start failing, when one runs out of attempts, when the
    subscription is switched off and when it works again; the three changes of state are also
    `evently.subscription.*` events, for the owner's other subscriptions."""
    if not attempts:
        return []
    updated = []
    log: list[tuple[str, Attempt]] = []
    for delivery, outcome in attempts:
        after = record_attempt(delivery, outcome, policy, now)
        log.append(
            (
                delivery.id,
                Attempt(after.attempts, outcome.status_code, outcome.error[:1000], now, outcome.response),
            )
        )
        updated.append(after)
    uow.deliveries.save(*updated)
    uow.deliveries.add_attempts(log)
    # A test event says how it went in the log; it does not move the subscription's health.
    counted = [(after, outcome) for after, (_, outcome) in zip(updated, attempts, strict=True)]
    counted = [(after, outcome) for after, outcome in counted if after.event_type != TEST_EVENT_TYPE]
    if counted:
        tell_all(uow, _keep_health(uow, counted, policy, now), now, mail)
    return updated


def _keep_health(
    uow: UnitOfWork, results: list[tuple[Delivery, AttemptOutcome]], policy: RetryPolicy, now: datetime
) -> list[ToTell]:
    subscriptions = uow.subscriptions.get_many({delivery.subscription_id for delivery, _ in results})
    changed: set[str] = set()
    told: list[ToTell] = []
    for delivery, outcome in results:
        subscription = subscriptions.get(delivery.subscription_id)
        if subscription is None:
            continue
        reason = _reason(outcome)
        after, change = after_attempt(
            subscription,
            succeeded=outcome.succeeded,
            gone=outcome.status_code == 410,
            now=now,
            disable_after=policy.disable_after,
        )
        if delivery.status is DeliveryStatus.FAILED and change is not HealthChange.DISABLED:
            told.append(ToTell(_exhausted(subscription, delivery, reason), delivery.event_id))
        if change is None:
            continue
        subscriptions[subscription.id] = after
        changed.add(subscription.id)
        event = SubscriptionHealthChanged(new_id(), change, after, reason)
        uow.record(event)
        told.append(ToTell(_health_notice(event, gone=outcome.status_code == 410), event.id))
        if change is HealthChange.DISABLED:
            # Nothing more is attempted; RecoverDeliveries sends what it missed, once fixed.
            uow.deliveries.fail_pending(subscription.id, now, "the subscription was switched off")
    for subscription_id in changed:
        uow.subscriptions.save(subscriptions[subscription_id])
    return told


def _reason(outcome: AttemptOutcome) -> str:
    if outcome.status_code:
        return f"HTTP {outcome.status_code}" + (f" ({outcome.error[:200]})" if outcome.error else "")
    return f"no answer: {outcome.error[:200]}" if outcome.error else "no answer"


def _exhausted(subscription: Subscription, delivery: Delivery, reason: str) -> Notice:
    return Notice(
        subscription.owner_id,
        "subscription.exhausted",
        "A webhook delivery gave up",
        f"An {delivery.event_type} event could not be delivered to {subscription.url} after "
        f"{delivery.attempts} attempts (last: {reason}). Retry it from the delivery log once the "
        "endpoint works.",
        link_path=f"/#/webhooks/{subscription.id}",
    )


def _health_notice(event: SubscriptionHealthChanged, *, gone: bool) -> Notice:
    subscription = event.subscription
    url = subscription.url
    if event.change is HealthChange.FAILING:
        title = "Deliveries to a webhook are failing"
        body = (
            f"Deliveries to {url} started failing (last: {event.reason}). They are retried; if the "
            "endpoint keeps failing, the subscription is switched off."
        )
    elif event.change is HealthChange.DISABLED:
        title = "A webhook subscription was switched off"
        why = "answered 410 Gone" if gone else f"kept failing (last: {event.reason})"
        body = (
            f"Deliveries to {url} {why}. Fix the endpoint, then recover what it missed "
            "from the webhooks page: that switches it back on."
        )
    else:
        title = "A webhook works again"
        body = f"Deliveries to {url} succeed again."
    return Notice(
        subscription.owner_id,
        f"subscription.{event.change.value}",
        title,
        body,
        link_path=f"/#/webhooks/{subscription.id}",
    )


def switched_on(subscription: Subscription, now: datetime) -> Subscription:
    """Active again by its owner's hand; its failing clock starts afresh, so the next success
    reports it recovered and a failure gives it the full time again."""
    return replace(subscription, state=SubscriptionState.ACTIVE, failing_since=now)


SECRET_OVERLAP = timedelta(hours=24)


def retry_delivery(cmd: RetryDelivery, *, uow: UnitOfWork, clock: Clock) -> Delivery:
    with uow:
        delivery = uow.deliveries.get(cmd.delivery_id)
        if delivery is None:
            raise NotFound(f"delivery {cmd.delivery_id!r} not found")
        subscription = owned(uow, cmd.owner_id, delivery.subscription_id)
        now = clock.now()
        if subscription.state is SubscriptionState.DISABLED:
            uow.subscriptions.save(switched_on(subscription, now))
        again = replace(delivery, status=DeliveryStatus.PENDING, next_attempt_time=now, update_time=now)
        uow.deliveries.save(again)
        uow.commit()
    return again


def test_event(subscription_id: str, now: datetime) -> Envelope:
    """The `evently.test` event SendTestEvent delivers."""
    return Envelope(
        type=TEST_EVENT_TYPE,
        source="//evently/notifier",
        data={
            "message": "A test event from Evently: your endpoint is reached.",
            "subscriptionId": subscription_id,
        },
        subject=subscription_id,
        time=now,
    )


def send_test_event(cmd: SendTestEvent, *, uow: UnitOfWork, clock: Clock, base_url: str) -> Delivery:
    """A delivery of `evently.test` to the subscription, due now, in its format."""
    now = clock.now()
    with uow:
        subscription = owned(uow, cmd.owner_id, cmd.subscription_id)
        envelope = test_event(subscription.id, now)
        if subscription.format is DeliveryFormat.CLOUDEVENTS:
            payload = envelope.encode()
        else:
            payload = chat_body(subscription.format, message_for(TEST_EVENT_TYPE, None, base_url))
        delivery = Delivery(
            id=new_id(),
            subscription_id=subscription.id,
            event_id=envelope.id,
            event_type=TEST_EVENT_TYPE,
            payload=payload,
            trace_headers={},
            status=DeliveryStatus.PENDING,
            attempts=0,
            last_status_code=0,
            last_error="",
            next_attempt_time=now,
            create_time=now,
            update_time=now,
        )
        uow.deliveries.add(delivery)
        uow.commit()
    return delivery


def rotate_secret(cmd: RotateSecret, *, uow: UnitOfWork, clock: Clock) -> Subscription:
    with uow:
        subscription = owned(uow, cmd.owner_id, cmd.subscription_id)
        rotated = replace(
            subscription,
            secret=new_secret(),
            previous_secret=subscription.secret,
            previous_secret_expire_time=clock.now() + SECRET_OVERLAP,
        )
        uow.subscriptions.save(rotated)
        uow.commit()
    return rotated
