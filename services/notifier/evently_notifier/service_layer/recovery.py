"""Recovering a subscription: what it missed — failed deliveries and the events that came while
it was switched off — delivered again from the stream, in order, and the subscription on again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from evently_platform.clock import Clock, new_id
from evently_platform.errors import Violations

from evently_notifier.domain.deliveries import ATTEMPT_LEASE, Delivery, DeliveryStatus
from evently_notifier.domain.subscriptions import Subscription, SubscriptionState, matches, receives
from evently_notifier.service_layer.consuming import Incoming, delivery_body
from evently_notifier.service_layer.ports import UnitOfWork
from evently_notifier.service_layer.webhooks import DueDelivery, owned, switched_on

# How far back events can be found: the stream's retention (evently_platform.messaging.jetstream).
REPLAYABLE = timedelta(days=7)
MAX_RECOVERED = 10_000  # per call; a longer outage is recovered in several calls, oldest first


def check_recoverable(
    owner_id: str, subscription_id: str, since: datetime | None, *, uow: UnitOfWork, clock: Clock
) -> Subscription:
    """The subscription to recover, once the request is known to be sound."""
    now = clock.now()
    problems = Violations()
    if since is None:
        problems.add("since", "required: the time from which to deliver again")
    else:
        problems.check(since <= now, "since", "must not be in the future")
        problems.check(
            since >= now - REPLAYABLE,
            "since",
            f"events are kept {REPLAYABLE.days} days: choose a time after {(now - REPLAYABLE).isoformat()}",
        )
    problems.raise_if_any()
    with uow.reading() as reader:
        return owned(reader, owner_id, subscription_id)


def recover(
    owner_id: str,
    subscription_id: str,
    history: list[Incoming],
    *,
    uow: UnitOfWork,
    clock: Clock,
    base_url: str,
) -> tuple[Subscription, list[DueDelivery]]:
    """Deliveries, oldest first, of each event in `history` that the subscription wants and its
    owner may read, since it was made, except those it has received or is still being sent;
    written leased to the caller, who sends them in order. A disabled subscription is switched
    on again."""
    if len(history) > MAX_RECOVERED:
        problems = Violations()
        problems.add("since", f"more than {MAX_RECOVERED} events since then: recover from a later time first")
        problems.raise_if_any()
    now = clock.now()
    with uow:
        subscription = owned(uow, owner_id, subscription_id)
        wanted = [
            item
            for item in history
            if item.time >= subscription.create_time  # nothing from before it existed
            and any(matches(p, item.type) for p in subscription.event_types)
            and receives(subscription, item.type, item.subject, item.fact)
        ]
        settled = uow.deliveries.received_or_pending(subscription.id, [item.id for item in wanted])
        if subscription.state is SubscriptionState.DISABLED:
            subscription = switched_on(subscription, now)
        # The consumer may not have reached the newest of these yet: it finds them delivered here.
        subscription = replace(subscription, recovered_at=now)
        uow.subscriptions.save(subscription)
        due = []
        for n, item in enumerate(i for i in wanted if i.id not in settled):
            made = now + timedelta(microseconds=n)  # the delivery log lists them in stream order
            delivery = Delivery(
                id=new_id(),
                subscription_id=subscription.id,
                event_id=item.id,
                event_type=item.type,
                payload=delivery_body(subscription.format, item, base_url),
                trace_headers=item.trace_headers,
                status=DeliveryStatus.PENDING,
                attempts=0,
                last_status_code=0,
                last_error="",
                next_attempt_time=made + ATTEMPT_LEASE,
                create_time=made,
                update_time=now,
            )
            due.append(DueDelivery(delivery, subscription))
        uow.deliveries.add(*(d.delivery for d in due))
        uow.commit()
    return subscription, due


def reschedule(deliveries: list[Delivery], at: datetime, *, uow: UnitOfWork) -> None:
    """Recovered deliveries' lease renewed until `at` before they are sent; or, given `now`, handed
    to the delivery worker's usual schedule (an attempt failed, or the service is stopping)."""
    with uow:
        uow.deliveries.reschedule([d.id for d in deliveries], at)
        uow.commit()
