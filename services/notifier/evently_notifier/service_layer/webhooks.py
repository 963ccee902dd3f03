"""Webhook subscriptions and their deliveries: managing, claiming, recording attempts, replaying."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.messaging.envelope import Envelope

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
    Subscription,
    SubscriptionState,
    validate_subscription,
)
from evently_notifier.service_layer.channels import MailContext, ToTell, tell_all
from evently_notifier.service_layer.ports import Cursor, UnitOfWork, UrlGuard

TEST_EVENT_TYPE = "evently.test"


@dataclass(frozen=True)
class CreateSubscription:
    owner_id: str
    url: str
    event_types: list[str]
    description: str
    format: DeliveryFormat = DeliveryFormat.CLOUDEVENTS


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
        format=cmd.format,
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


@dataclass(frozen=True)
class DeliveryLog:
    deliveries: list[Delivery]  # one more than a page when there is a next page
    attempts: dict[str, list[Attempt]]


def list_deliveries(
    owner_id: str, subscription_id: str, *, before: Cursor | None, page_size: int, uow: UnitOfWork
) -> DeliveryLog:
    with uow.reading() as reader:
        _owned(reader, owner_id, subscription_id)
        found = reader.deliveries.list_for_subscription(subscription_id, before=before, limit=page_size + 1)
        return DeliveryLog(found, reader.deliveries.attempts_of([d.id for d in found[:page_size]]))


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


def finish_attempts(
    attempts: list[tuple[Delivery, AttemptOutcome]],
    *,
    policy: RetryPolicy,
    uow: UnitOfWork,
    clock: Clock,
    mail: MailContext | None = None,
) -> list[Delivery]:
    """Records attempts, all in one transaction. A delivery that has run out of attempts disables
    its subscription — the endpoint keeps failing — and its owner is told."""
    now = clock.now()
    updated = []
    with uow:
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
        for after in updated:
            # A test event that fails says so in the log; it does not switch the subscription off.
            if after.status is DeliveryStatus.FAILED and after.event_type != TEST_EVENT_TYPE:
                _switch_off(uow, after, now, mail)
        uow.commit()
    return updated


def _switch_off(uow: UnitOfWork, delivery: Delivery, now: datetime, mail: MailContext | None) -> None:
    subscription = uow.subscriptions.get(delivery.subscription_id)
    if subscription is None or subscription.state is not SubscriptionState.ACTIVE:
        return
    uow.subscriptions.save(replace(subscription, state=SubscriptionState.DISABLED))
    last = f"{delivery.last_status_code or 'no answer'} {delivery.last_error[:200]}".strip()
    notice = Notice(
        subscription.owner_id,
        "subscription.disabled",
        "A webhook subscription was switched off",
        f"Deliveries to {subscription.url} kept failing (last: {last}). "
        "Fix the endpoint, then retry a delivery to switch it back on.",
    )
    tell_all(uow, [ToTell(notice, delivery.event_id)], now, mail)


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


def send_test_event(
    owner_id: str, subscription_id: str, *, uow: UnitOfWork, clock: Clock, base_url: str
) -> Delivery:
    """A delivery of `evently.test` to the subscription, due now, in its format."""
    now = clock.now()
    with uow:
        subscription = _owned(uow, owner_id, subscription_id)
        envelope = Envelope(
            type=TEST_EVENT_TYPE,
            source="//evently/notifier",
            data={
                "message": "A test event from Evently: your endpoint is reached.",
                "subscriptionId": subscription.id,
            },
            subject=subscription.id,
            time=now,
        )
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
