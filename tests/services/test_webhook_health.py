"""A webhook subscription's health: failing is told, switched off by time (or at once on 410),
recovered by its owner — with everything it missed delivered again, in order — and kept to its
rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.notifier.v1 import notifier_service_pb2, subscription_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue
from tests.services.webhooks_kit import (
    FAILED,
    SUCCEEDED,
    MovableClock,
    delivery_log,
    inbox_kinds,
    state_of,
    subscribe_to,
    watch_health,
)
from tests.support import eventually


async def test_a_failing_endpoint_is_retried_and_switched_off_only_after_failing_for_days_then_recovers(
    venue: Venue, hooks_on_a_clock: Any, endpoint: WebhookReceiver, clock: MovableClock
) -> None:
    hooks = hooks_on_a_clock
    _, olga = venue.person()
    news = WebhookReceiver()
    news.start()
    try:
        await watch_health(hooks, olga, news)
        endpoint.answer = 500
        subscription = await subscribe_to(hooks, olga, endpoint)
        await venue.event(olga)

        async def failed() -> subscription_pb2.Delivery | None:
            log = await delivery_log(hooks, olga, subscription.id)
            return log[0] if log and log[0].status == FAILED else None

        delivery = await eventually(failed)
        assert (delivery.attempts, delivery.last_status_code) == (3, 500)  # the first try and two retries
        assert [(a.number, a.status_code) for a in delivery.attempt_log] == [(1, 500), (2, 500), (3, 500)]
        # One delivery giving up does not switch the subscription off: it has failed for moments.
        assert await state_of(hooks, olga, subscription.id) == subscription_pb2.Subscription.ACTIVE
        assert await eventually(
            lambda: inbox_kinds(hooks, olga),
            until=lambda k: k == ["subscription.exhausted", "subscription.failing"],
        )

        clock.ahead = timedelta(days=5, minutes=1)  # still failing, five days on
        await venue.event(olga, title="Five days later")
        await eventually(
            lambda: state_of(hooks, olga, subscription.id),
            until=lambda s: s == subscription_pb2.Subscription.DISABLED,
        )
        kinds = await eventually(
            lambda: inbox_kinds(hooks, olga), until=lambda k: "subscription.disabled" in k
        )
        assert kinds.count("subscription.disabled") == 1
        inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=olga)
        disabled = next(n for n in inbox.notifications if n.kind == "subscription.disabled")
        assert endpoint.url in disabled.body and "HTTP 500" in disabled.body
        [newest, _] = await delivery_log(hooks, olga, subscription.id)
        assert newest.status == FAILED and newest.attempts == 1  # not retried for a switched-off endpoint

        endpoint.answer = 204  # fixed
        await hooks.RetryDelivery(notifier_service_pb2.RetryDeliveryRequest(id=newest.id), metadata=olga)
        await eventually(
            lambda: delivery_log(hooks, olga, subscription.id), until=lambda log: log[0].status == SUCCEEDED
        )
        assert await state_of(hooks, olga, subscription.id) == subscription_pb2.Subscription.ACTIVE
        await eventually(lambda: inbox_kinds(hooks, olga), until=lambda k: "subscription.recovered" in k)

        # The owner's other subscription heard each change, as signed CloudEvents about it.
        def health() -> list[str]:
            return [d["body"]["type"] for d in news.received if d["body"]["subject"] == subscription.id]

        changes = await eventually(health, until=lambda types: len(types) == 3)
        # Webhooks promise no order between deliveries (several are in flight at once).
        assert sorted(changes) == [
            "evently.subscription.disabled",
            "evently.subscription.failing",
            "evently.subscription.recovered",
        ]
        recovered = next(d["body"] for d in news.received if d["body"]["type"].endswith(".recovered"))
        assert recovered["data"]["subscription"]["state"] == "ACTIVE"
        assert "secret" not in recovered["data"]["subscription"]
    finally:
        news.stop()


async def test_410_gone_switches_a_subscription_off_at_once(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    endpoint.answer = 410
    subscription = await subscribe_to(hooks, olga, endpoint)
    await venue.event(olga)
    await eventually(
        lambda: state_of(hooks, olga, subscription.id),
        until=lambda s: s == subscription_pb2.Subscription.DISABLED,
    )
    [delivery] = await delivery_log(hooks, olga, subscription.id)
    assert (delivery.status, delivery.attempts) == (FAILED, 1)
    kinds = await eventually(lambda: inbox_kinds(hooks, olga), until=lambda k: "subscription.disabled" in k)
    assert kinds == ["subscription.disabled"]  # at once: it was not "failing" first
    inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=olga)
    assert any("410 Gone" in n.body for n in inbox.notifications)


async def test_recovery_delivers_exactly_what_was_missed_in_order_and_switches_the_subscription_on(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    before = datetime.now(UTC) - timedelta(seconds=1)
    await venue.event(olga, title="Before subscribing")  # never the subscription's: not recovered
    endpoint.answer = 410  # the endpoint is being moved: switched off at the first delivery
    subscription = await subscribe_to(hooks, olga, endpoint)
    first = await venue.event(olga, title="First")
    await eventually(
        lambda: state_of(hooks, olga, subscription.id),
        until=lambda state: state == subscription_pb2.Subscription.DISABLED,
    )
    witness = WebhookReceiver()  # a working endpoint of hers: it shows when the events have come
    witness.start()
    try:
        await subscribe_to(hooks, olga, witness)
        missed = [first.id] + [(await venue.event(olga, title=f"While off {n}")).id for n in range(3)]
        await eventually(lambda: witness.received, until=lambda got: len(got) == 3)
    finally:
        witness.stop()

    endpoint.answer = 204  # moved, and working
    since = Timestamp()
    since.FromDatetime(before)
    answer = await hooks.RecoverDeliveries(
        notifier_service_pb2.RecoverDeliveriesRequest(subscription_id=subscription.id, since=since),
        metadata=olga,
    )
    assert answer.delivery_count == 4
    assert answer.subscription.state == subscription_pb2.Subscription.ACTIVE

    def delivered() -> list[str]:
        return [d["body"]["data"]["event"]["id"] for d in endpoint.received]

    assert (
        await eventually(delivered, until=lambda ids: len(ids) >= 4) == missed
    )  # in the order they happened
    await eventually(  # each outcome is recorded a moment after the endpoint has the delivery
        lambda: delivery_log(hooks, olga, subscription.id),
        until=lambda log: [d.status for d in log].count(SUCCEEDED) == 4,
    )

    # Asked again, nothing is sent twice: what it has received is not recovered.
    again = await hooks.RecoverDeliveries(
        notifier_service_pb2.RecoverDeliveriesRequest(subscription_id=subscription.id, since=since),
        metadata=olga,
    )
    assert again.delivery_count == 0
    # …and from now on it receives as before.
    later = await venue.event(olga, title="After")
    assert (await eventually(delivered, until=lambda ids: len(ids) == 5))[-1] == later.id


async def test_recovery_asks_for_a_time_the_stream_still_holds_and_a_subscription_of_ones_own(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    _, mallory = venue.person()
    subscription = await subscribe_to(hooks, olga, endpoint)
    long_ago = Timestamp()
    long_ago.FromDatetime(datetime.now(UTC) - timedelta(days=8))
    request = notifier_service_pb2.RecoverDeliveriesRequest(subscription_id=subscription.id, since=long_ago)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await hooks.RecoverDeliveries(request, metadata=olga)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "kept 7 days" in (refused.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as no_since:
        await hooks.RecoverDeliveries(
            notifier_service_pb2.RecoverDeliveriesRequest(subscription_id=subscription.id), metadata=olga
        )
    assert no_since.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    recent = Timestamp()
    recent.FromDatetime(datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(grpc.aio.AioRpcError) as not_hers:
        await hooks.RecoverDeliveries(
            notifier_service_pb2.RecoverDeliveriesRequest(subscription_id=subscription.id, since=recent),
            metadata=mallory,
        )
    assert not_hers.value.code() == grpc.StatusCode.NOT_FOUND


async def test_deliveries_over_a_subscriptions_rate_limit_wait_their_turn_and_none_is_dropped(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    created = await hooks.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=endpoint.url, event_types=["evently.event.created"], rate_limit=2
            )
        ),
        metadata=olga,
    )
    endpoint.secret = created.secret
    assert created.rate_limit == 2
    for n in range(6):
        await venue.event(olga, title=f"Burst {n}")
    arrived = await eventually(lambda: endpoint.received, until=lambda got: len(got) == 6)
    # Two a second, two at once after a quiet spell: the last of six comes 2 s after the first
    # at the earliest (a slow machine only spreads them more).
    assert arrived[-1]["at"] - arrived[0]["at"] >= 1.9
    assert sorted(d["body"]["data"]["event"]["title"] for d in arrived) == [f"Burst {n}" for n in range(6)]


async def test_a_rate_limit_out_of_range_is_refused_with_the_field_named(venue: Venue, hooks: Any) -> None:
    _, olga = venue.person()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await hooks.CreateSubscription(
            notifier_service_pb2.CreateSubscriptionRequest(
                subscription=subscription_pb2.Subscription(
                    url="https://hooks.example.com/x", event_types=["*"], rate_limit=50_000
                )
            ),
            metadata=olga,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "subscription.rate_limit" in (refused.value.details() or "")
    default = await hooks.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(url="https://hooks.example.com/x", event_types=["*"])
        ),
        metadata=olga,
    )
    assert default.rate_limit == 1000
