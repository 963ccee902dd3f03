"""Webhooks against real HTTP endpoints: a broken one is retried, then its subscription is
switched off and its owner told; a replay switches it back on; a rotated secret still lets
receivers holding the old one verify; a hung endpoint holds nobody else up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently_notifier.bootstrap import build as build_notifier
from evently_notifier.domain.deliveries import RetryPolicy
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from google.protobuf.timestamp_pb2 import Timestamp
from jsonschema import Draft202012Validator
from slack_sdk.models.blocks import Block
from standardwebhooks.webhooks import Webhook

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually

FAILED = subscription_pb2.Delivery.Status.FAILED
SUCCEEDED = subscription_pb2.Delivery.Status.SUCCEEDED


async def build_notifier_service(settings: Settings) -> ServiceHost:
    compressed = RetryPolicy(delays=(timedelta(milliseconds=50), timedelta(milliseconds=50)), jitter=0.0)
    return await build_notifier(settings, retry_policy=compressed)


@pytest.fixture
async def hooks(venue: Venue, services: Services) -> Any:
    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build_notifier_service))


@pytest.fixture
def endpoint() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


async def _subscribe(hooks: Any, person: Any, receiver: WebhookReceiver) -> subscription_pb2.Subscription:
    subscription: subscription_pb2.Subscription = await hooks.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=receiver.url, event_types=["evently.event.created"]
            )
        ),
        metadata=person,
    )
    receiver.secret = subscription.secret
    return subscription


async def _log(hooks: Any, person: Any, subscription_id: str) -> list[subscription_pb2.Delivery]:
    answer = await hooks.ListDeliveries(
        notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription_id), metadata=person
    )
    return list(answer.deliveries)


async def _state(hooks: Any, person: Any, subscription_id: str) -> int:
    answer = await hooks.ListSubscriptions(notifier_service_pb2.ListSubscriptionsRequest(), metadata=person)
    return int(next(s.state for s in answer.subscriptions if s.id == subscription_id))


class MovableClock:
    """The real time, plus however far a test has moved it on."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def hooks_on_a_clock(venue: Venue, services: Services, clock: MovableClock) -> Any:
    async def build(settings: Settings) -> ServiceHost:
        compressed = RetryPolicy(delays=(timedelta(milliseconds=50), timedelta(milliseconds=50)), jitter=0.0)
        return await build_notifier(settings, retry_policy=compressed, clock=clock)

    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build))


async def _kinds(hooks: Any, person: Any) -> list[str]:
    inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=person)
    return sorted(n.kind for n in inbox.notifications)


async def _watch_health(hooks: Any, person: Any, receiver: WebhookReceiver) -> None:
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


async def test_a_failing_endpoint_is_retried_and_switched_off_only_after_failing_for_days_then_recovers(
    venue: Venue, hooks_on_a_clock: Any, endpoint: WebhookReceiver, clock: MovableClock
) -> None:
    hooks = hooks_on_a_clock
    _, olga = venue.person()
    news = WebhookReceiver()
    news.start()
    try:
        await _watch_health(hooks, olga, news)
        endpoint.answer = 500
        subscription = await _subscribe(hooks, olga, endpoint)
        await venue.event(olga)

        async def failed() -> subscription_pb2.Delivery | None:
            log = await _log(hooks, olga, subscription.id)
            return log[0] if log and log[0].status == FAILED else None

        delivery = await eventually(failed)
        assert (delivery.attempts, delivery.last_status_code) == (3, 500)  # the first try and two retries
        assert [(a.number, a.status_code) for a in delivery.attempt_log] == [(1, 500), (2, 500), (3, 500)]
        # One delivery giving up does not switch the subscription off: it has failed for moments.
        assert await _state(hooks, olga, subscription.id) == subscription_pb2.Subscription.ACTIVE
        assert await eventually(
            lambda: _kinds(hooks, olga),
            until=lambda k: k == ["subscription.exhausted", "subscription.failing"],
        )

        clock.ahead = timedelta(days=5, minutes=1)  # still failing, five days on
        await venue.event(olga, title="Five days later")
        await eventually(
            lambda: _state(hooks, olga, subscription.id),
            until=lambda s: s == subscription_pb2.Subscription.DISABLED,
        )
        kinds = await eventually(lambda: _kinds(hooks, olga), until=lambda k: "subscription.disabled" in k)
        assert kinds.count("subscription.disabled") == 1
        inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=olga)
        disabled = next(n for n in inbox.notifications if n.kind == "subscription.disabled")
        assert endpoint.url in disabled.body and "HTTP 500" in disabled.body
        [newest, _] = await _log(hooks, olga, subscription.id)
        assert newest.status == FAILED and newest.attempts == 1  # not retried for a switched-off endpoint

        endpoint.answer = 204  # fixed
        await hooks.RetryDelivery(notifier_service_pb2.RetryDeliveryRequest(id=newest.id), metadata=olga)
        await eventually(
            lambda: _log(hooks, olga, subscription.id), until=lambda log: log[0].status == SUCCEEDED
        )
        assert await _state(hooks, olga, subscription.id) == subscription_pb2.Subscription.ACTIVE
        await eventually(lambda: _kinds(hooks, olga), until=lambda k: "subscription.recovered" in k)

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
    subscription = await _subscribe(hooks, olga, endpoint)
    await venue.event(olga)
    await eventually(
        lambda: _state(hooks, olga, subscription.id),
        until=lambda s: s == subscription_pb2.Subscription.DISABLED,
    )
    [delivery] = await _log(hooks, olga, subscription.id)
    assert (delivery.status, delivery.attempts) == (FAILED, 1)
    kinds = await eventually(lambda: _kinds(hooks, olga), until=lambda k: "subscription.disabled" in k)
    assert kinds == ["subscription.disabled"]  # at once: it was not "failing" first
    inbox = await hooks.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=olga)
    assert any("410 Gone" in n.body for n in inbox.notifications)


async def test_after_a_secret_rotation_both_secrets_verify_for_a_while(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    subscription = await _subscribe(hooks, olga, endpoint)
    rotated = await hooks.RotateSubscriptionSecret(
        notifier_service_pb2.RotateSubscriptionSecretRequest(id=subscription.id), metadata=olga
    )
    assert rotated.secret.startswith("whsec_") and rotated.secret != subscription.secret
    endpoint.secret = rotated.secret
    await venue.event(olga)
    [delivery] = await eventually(lambda: list(endpoint.received))
    body = delivery["raw"]
    for secret in (rotated.secret, subscription.secret):
        assert Webhook(secret).verify(body, delivery["headers"]) is not None


async def test_a_hung_endpoint_holds_up_no_one_else(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    healthy = WebhookReceiver()
    healthy.start()
    try:
        _, olga = venue.person()
        _, bob = venue.person()
        endpoint.hang.set()
        await _subscribe(hooks, olga, endpoint)
        await _subscribe(hooks, bob, healthy)
        await venue.event(olga)
        await eventually(lambda: endpoint.attempts >= 1)  # the hung one has its request
        await eventually(lambda: len(healthy.received) == 1)  # and the healthy one is served meanwhile
    finally:
        endpoint.release.set()
        healthy.stop()


@pytest.mark.parametrize("chat", ["SLACK", "DISCORD", "TEAMS"])
async def test_a_chat_channel_gets_a_readable_message_not_a_signed_cloudevent(
    venue: Venue, hooks: Any, chat: str
) -> None:
    channel = WebhookReceiver(verify=False)  # a chat tool's incoming webhook
    channel.start()
    try:
        _, olga = venue.person()
        subscription = await hooks.CreateSubscription(
            notifier_service_pb2.CreateSubscriptionRequest(
                subscription=subscription_pb2.Subscription(
                    url=channel.url,
                    event_types=["evently.event.created"],
                    format=chat,  # the enum by name, as JSON has it
                )
            ),
            metadata=olga,
        )
        assert subscription_pb2.Subscription.Format.Name(subscription.format) == chat
        event = await venue.event(olga, title="Choir practice")

        [posted] = await eventually(lambda: channel.received)
        assert "webhook-signature" not in posted["headers"]
        assert posted["headers"]["content-type"].startswith("application/json")
        body = posted["body"]
        link = f"/#/events/{event.id}"
        if chat == "SLACK":
            assert body["text"] == "New event: Choir practice"
            for block in body["blocks"]:
                parsed = Block.parse(block)
                assert parsed is not None
                parsed.validate_json()
            assert body["blocks"][1]["elements"][0]["url"].endswith(link)
        elif chat == "DISCORD":
            assert body["content"] == "New event: Choir practice"
            assert body["embeds"][0]["url"].endswith(link)
        else:
            card = body["attachments"][0]["content"]
            assert card["body"][0]["text"] == "New event: Choir practice"
            assert card["actions"][0]["url"].endswith(link)
        [delivery] = await _log(hooks, olga, subscription.id)
        assert delivery.status == SUCCEEDED
    finally:
        channel.stop()


async def test_a_test_event_reaches_the_endpoint_signed_like_any_delivery(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    subscription = await _subscribe(hooks, olga, endpoint)

    sent = await hooks.SendTestEvent(
        notifier_service_pb2.SendTestEventRequest(subscription_id=subscription.id), metadata=olga
    )

    [posted] = await eventually(lambda: endpoint.received)
    assert endpoint.rejected == []  # the Standard Webhooks signature verified
    assert (posted["body"]["type"], posted["body"]["data"]["subscriptionId"]) == (
        "evently.test",
        subscription.id,
    )
    assert posted["headers"]["webhook-id"] == sent.event_id

    async def succeeded() -> bool:
        return any(
            d.id == sent.id and d.status == SUCCEEDED for d in await _log(hooks, olga, subscription.id)
        )

    await eventually(succeeded)
    _, stranger = venue.person()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await hooks.SendTestEvent(
            notifier_service_pb2.SendTestEventRequest(subscription_id=subscription.id), metadata=stranger
        )
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND  # someone else's: it does not exist


async def test_a_format_no_version_knows_is_refused_as_bad_input(venue: Venue, hooks: Any) -> None:
    _, olga = venue.person()
    unknown = subscription_pb2.Subscription(url="https://example.com/hook", event_types=["*"])
    unknown.format = 99  # type: ignore[assignment]  # a number from a newer (or broken) client
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await hooks.CreateSubscription(
            notifier_service_pb2.CreateSubscriptionRequest(subscription=unknown), metadata=olga
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "subscription.format" in str(refused.value.trailing_metadata())


async def test_the_event_catalog_describes_what_deliveries_carry(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    catalog = await hooks.ListEventTypes(notifier_service_pb2.ListEventTypesRequest())  # no sign-in
    types = {t.type: t for t in catalog.event_types}
    assert {"evently.event.created", "evently.registration.created", "evently.test"} <= set(types)
    assert "evently.user.password_reset_requested" not in types  # never delivered: not offered
    for event_type in types.values():
        assert event_type.description
        Draft202012Validator.check_schema(json.loads(event_type.data_schema))

    _, olga = venue.person()
    await _subscribe(hooks, olga, endpoint)
    await venue.event(olga, title="Schema check")
    [posted] = await eventually(lambda: endpoint.received)
    schema = json.loads(types["evently.event.created"].data_schema)
    Draft202012Validator(schema).validate(posted["body"]["data"])  # what arrives is what is described
    assert posted["body"]["data"]["event"]["title"] == "Schema check"
    assert not Draft202012Validator(schema).is_valid({"event": {"title": 5}})  # and it can say no


async def test_a_receiver_that_asks_for_a_pause_gets_it(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    endpoint.script = [(429, {"Retry-After": "2"}, b'{"error": "slow down"}')]  # then 204, as usual
    _, olga = venue.person()
    subscription = await _subscribe(hooks, olga, endpoint)
    await venue.event(olga)

    async def delivered() -> subscription_pb2.Delivery | None:
        log = await _log(hooks, olga, subscription.id)
        return log[0] if log and log[0].status == SUCCEEDED else None

    delivery = await eventually(delivered)
    first, second = delivery.attempt_log
    assert (first.status_code, second.status_code) == (429, 204)
    waited = second.attempt_time.ToDatetime() - first.attempt_time.ToDatetime()
    assert waited >= timedelta(seconds=1.9)  # the receiver's 2 s, not the schedule's 50 ms
    # The log shows what was sent and what came back.
    assert json.loads(delivery.request_body)["type"] == "evently.event.created"
    assert (first.response_body, second.response_body) == ('{"error": "slow down"}', "")


async def test_recovery_delivers_exactly_what_was_missed_in_order_and_switches_the_subscription_on(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    before = datetime.now(UTC) - timedelta(seconds=1)
    await venue.event(olga, title="Before subscribing")  # never the subscription's: not recovered
    endpoint.answer = 410  # the endpoint is being moved: switched off at the first delivery
    subscription = await _subscribe(hooks, olga, endpoint)
    first = await venue.event(olga, title="First")
    await eventually(
        lambda: _state(hooks, olga, subscription.id),
        until=lambda state: state == subscription_pb2.Subscription.DISABLED,
    )
    witness = WebhookReceiver()  # a working endpoint of hers: it shows when the events have come
    witness.start()
    try:
        await _subscribe(hooks, olga, witness)
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
    log = await _log(hooks, olga, subscription.id)
    assert sorted(d.status for d in log).count(SUCCEEDED) == 4

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
    subscription = await _subscribe(hooks, olga, endpoint)
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
                    url="https://hooks.example.com/x", event_types=["*"], rate_limit=5000
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
    assert default.rate_limit == 100
