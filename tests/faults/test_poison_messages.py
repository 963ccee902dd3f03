"""Poison and forged messages of every shape the decoder can meet, published onto the real stream
beside the running services: each becomes a dead letter with its reason (in every service that
consumes its subject), none stops a consumer, nothing of them is applied, and the next honest
message is handled as usual."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently.operations.v1 import dead_letter_pb2
from evently_platform.auth.principal import OPERATOR
from evently_platform.clock import new_id
from evently_platform.messaging.envelope import Envelope
from evently_users.adapters.signing_keys import SigningKeyStore
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually


def _envelope(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "specversion": "1.0",
        "id": new_id(),
        "source": "//events",
        "type": "evently.event.created",
        "subject": "e1",
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": {"event": {"id": "e1"}},
    }
    body.update(overrides)
    return body


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


def _poison(victim: str) -> list[tuple[str, str, bytes]]:
    """(what, subject, bytes): one of each shape; the forgeries would delete `victim`'s data."""

    def encoded(**overrides: Any) -> bytes:
        return json.dumps(_envelope(**overrides)).encode()

    deleted = {"type": "evently.user.deleted", "subject": victim, "data": {"userId": victim}}
    return [
        ("not JSON", "evently.event.created", b"\x00\xffnot json at all"),
        ("empty", "evently.event.created", b""),
        ("invalid UTF-8", "evently.event.created", b'{"type": "\xff\xfe"}'),
        ("a JSON list", "evently.event.created", b"[1, 2, 3]"),
        ("nested 200 deep", "evently.event.created", encoded(data=_nested(200))),
        ("no id", "evently.event.created", encoded(id=None)),
        ("no type", "evently.event.created", encoded(type=None)),
        ("id a number", "evently.event.created", encoded(id=12345)),
        ("data a list", "evently.event.created", encoded(data=[1, 2])),
        (
            "data of the wrong types",
            "evently.event.created",
            encoded(data={"id": ["e1"], "capacity": "many"}),
        ),
        ("an unknown type", "evently.event.exploded", encoded(type="evently.event.exploded")),
        ("forged: another type's subject", "evently.registration.created", encoded(**deleted)),
        (
            "forged deletion on its own subject, undecodable",
            "evently.user.deleted",
            encoded(**{**deleted, "data": victim}),
        ),
    ]


async def test_every_poison_shape_is_a_dead_letter_and_the_consumers_go_on(
    services: Services,
    venue: Venue,
    notifier: notifier_service_pb2_grpc.NotifierServiceStub,
    js_client: NATS,
) -> None:
    owner_id, owner = venue.person()
    subscription = await notifier.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(url="http://127.0.0.1:9/hook", event_types=["*"])
        ),
        metadata=owner,
    )
    # js_client is not bound by the broker's accounts: this is what a broker without them lets in.
    poison = _poison(victim=owner_id)
    for _, subject, raw in poison:
        await js_client.jetstream().publish(subject, raw, headers={"Nats-Msg-Id": new_id()})
    honest = Envelope(
        type="evently.event.created", source="//events", subject="e2", data={"event": {"id": "e2"}}
    )
    await js_client.jetstream().publish(honest.type, honest.encode(), headers={"Nats-Msg-Id": honest.id})

    token = (
        SigningKeyStore(services.settings.users.signing_keys_dir)
        .issuer()
        .issue("operator", datetime.now(UTC), roles=[OPERATOR])
    )
    operator = (("authorization", f"Bearer {token.token}"),)

    async def letters(stub: Any) -> list[dead_letter_pb2.DeadLetter]:
        page = await stub.ListDeadLetters(
            dead_letter_pb2.ListDeadLettersRequest(page_size=100), metadata=operator
        )
        return list(page.dead_letters)

    # The honest event after the poison was handled: the consumer is alive and in order.
    async def delivered() -> list[str]:
        page = await notifier.ListDeliveries(
            notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription.id), metadata=owner
        )
        return [d.event_id for d in page.deliveries]

    assert honest.id in await eventually(delivered)
    notifier_letters = await eventually(lambda: _at_least(letters(notifier), len(poison)))
    by_subject: dict[str, int] = {}
    for letter in notifier_letters:
        by_subject[letter.subject] = by_subject.get(letter.subject, 0) + 1
        assert letter.error, letter  # each says why
    assert len(notifier_letters) == len(poison)
    print(f"\nnotifier dead letters by subject: {by_subject}")
    # The events service consumes evently.user.deleted: the forged deletion is its dead letter too.
    events_letters = await eventually(lambda: _at_least(letters(venue.events), 1))
    assert [letter.subject for letter in events_letters] == ["evently.user.deleted"]
    # Nothing of the poison was applied: the forgeries' victim still has their subscription.
    mine = await notifier.ListSubscriptions(notifier_service_pb2.ListSubscriptionsRequest(), metadata=owner)
    assert [s.id for s in mine.subscriptions] == [subscription.id]


async def _at_least(found: Any, count: int) -> list[dead_letter_pb2.DeadLetter] | None:
    letters: list[dead_letter_pb2.DeadLetter] = await found
    return letters if len(letters) >= count else None
