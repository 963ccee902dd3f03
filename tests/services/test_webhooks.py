"""Webhooks against real HTTP endpoints: a rotated secret still lets receivers holding the old
one verify; a hung endpoint holds nobody else up; chat channels get readable messages; a test
event; the event catalog; a receiver's Retry-After."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import grpc
import pytest
from evently.notifier.v1 import notifier_service_pb2, subscription_pb2
from jsonschema import Draft202012Validator
from slack_sdk.models.blocks import Block
from standardwebhooks.webhooks import Webhook

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue
from tests.services.webhooks_kit import (
    SUCCEEDED,
    delivery_log,
    subscribe_to,
)
from tests.support import eventually


async def test_after_a_secret_rotation_both_secrets_verify_for_a_while(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    subscription = await subscribe_to(hooks, olga, endpoint)
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
        await subscribe_to(hooks, olga, endpoint)
        await subscribe_to(hooks, bob, healthy)
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
        # The answer is recorded a moment after the channel has the message: wait for it.
        await eventually(
            lambda: delivery_log(hooks, olga, subscription.id),
            until=lambda log: [d.status for d in log] == [SUCCEEDED],
        )
    finally:
        channel.stop()


async def test_a_test_event_reaches_the_endpoint_signed_like_any_delivery(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver
) -> None:
    _, olga = venue.person()
    subscription = await subscribe_to(hooks, olga, endpoint)

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
            d.id == sent.id and d.status == SUCCEEDED
            for d in await delivery_log(hooks, olga, subscription.id)
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
    await subscribe_to(hooks, olga, endpoint)
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
    subscription = await subscribe_to(hooks, olga, endpoint)
    await venue.event(olga)

    async def delivered() -> subscription_pb2.Delivery | None:
        log = await delivery_log(hooks, olga, subscription.id)
        return log[0] if log and log[0].status == SUCCEEDED else None

    delivery = await eventually(delivered)
    first, second = delivery.attempt_log
    assert (first.status_code, second.status_code) == (429, 204)
    waited = second.attempt_time.ToDatetime() - first.attempt_time.ToDatetime()
    assert waited >= timedelta(seconds=1.9)  # the receiver's 2 s, not the schedule's 50 ms
    # The log shows what was sent and what came back.
    assert json.loads(delivery.request_body)["type"] == "evently.event.created"
    assert (first.response_body, second.response_body) == ('{"error": "slow down"}', "")
