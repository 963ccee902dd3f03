"""Use cases of the notifier: managing subscriptions, fanning domain events out to deliveries,
and recording delivery attempts. Each runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.messaging.envelope import Envelope

from evently_notifier.domain.deliveries import (
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    record_attempt,
)
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


def fan_out(
    envelope: Envelope,
    payload: bytes,
    trace_headers: dict[str, str],
    *,
    consumer: str,
    uow: UnitOfWork,
    clock: Clock,
) -> int:
    """One pending delivery per subscription that wants this event and may read it.
    A redelivered event (same id) creates nothing: returns how many deliveries were created."""
    now = clock.now()
    with uow:
        if not uow.first_delivery(consumer, envelope.id):
            return 0
        if envelope.type == "evently.user.deleted":
            # What the user owned here ends with the account (in the same transaction as the inbox).
            uow.subscriptions.delete_for_owner(str(envelope.data.get("userId") or envelope.subject))
        created = 0
        for subscription in uow.subscriptions.active():
            if subscription.wants(envelope.type) and may_read(
                subscription.owner_id, envelope.type, envelope.subject
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
    return created


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
    delivery: Delivery, outcome: AttemptOutcome, *, policy: RetryPolicy, uow: UnitOfWork, clock: Clock
) -> Delivery:
    updated = record_attempt(delivery, outcome, policy, clock.now())
    with uow:
        uow.deliveries.save(updated)
        uow.commit()
    return updated


def page_cursor(items: list[Subscription] | list[Delivery], page_size: int) -> Cursor | None:
    """The cursor of the next page: present when the query returned more than a page."""
    if len(items) <= page_size:
        return None
    last = items[page_size - 1]
    return (last.create_time, last.id)
