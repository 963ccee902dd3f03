"""The broker killed (SIGKILL) in the middle of a stream of registrations and started again:
calls go on being answered while it is away (the outbox keeps what they commit), and once it is
back every registration reaches the organizer's webhook, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently_platform.messaging.embedded_server import EmbeddedNats

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue
from tests.support import eventually

PER_PHASE = 20  # registrations before the kill, while the broker is away, and after it is back


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A broker of this test's own (the shared one must not die under other tests)."""
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    endpoint = WebhookReceiver()
    endpoint.start()
    yield endpoint
    endpoint.stop()


async def test_a_broker_killed_mid_stream_loses_nothing_and_repeats_nothing(
    venue: Venue,
    notifier: notifier_service_pb2_grpc.NotifierServiceStub,
    nats_server: EmbeddedNats,
    receiver: WebhookReceiver,
) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer)
    made = await notifier.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=receiver.url, event_types=["evently.registration.*"]
            )
        ),
        metadata=organizer,
    )
    receiver.secret = made.secret

    registered: list[str] = []

    async def register(count: int) -> None:
        for _ in range(count):
            _, person = venue.person()
            registered.append((await venue.register(event.id, person)).id)

    await register(PER_PHASE)
    nats_server.kill()
    await register(PER_PHASE)  # answered: the registrations wait in the outbox
    nats_server.start()  # the same port and store
    await register(PER_PHASE)

    def arrived() -> Counter[str]:
        return Counter(d["body"]["data"]["registration"]["id"] for d in receiver.received)

    await eventually(lambda: set(arrived()) >= set(registered), timeout=60)
    deliveries = arrived()
    lost = set(registered) - set(deliveries)
    doubled = {rid: n for rid, n in deliveries.items() if n > 1}
    figures = {"registered": len(registered), "delivered": len(deliveries), "lost": len(lost)}
    print(f"\n{figures}, doubled {len(doubled)}")
    assert not lost
    assert not doubled
    assert set(deliveries) == set(registered)  # and nothing that was never registered
