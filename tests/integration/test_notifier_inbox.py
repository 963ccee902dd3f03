"""The notifier handles each domain event once in effect, even when JetStream delivers it again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from evently_notifier.adapters.facts import incoming
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.adapters.url_guard import UrlGuard
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.domain.subscriptions import Subscription
from evently_notifier.entrypoints import event_consumer
from evently_notifier.service_layer import recovery, webhooks
from evently_notifier.service_layer.commands import CreateSubscription, ListDeliveries
from evently_notifier.service_layer.consuming import ConsumeBatch, Consuming, Incoming
from evently_platform.bus import MessageBus
from evently_platform.clock import Clock, SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.messaging.backoff import Backoff
from evently_platform.messaging.consumer import ConsumerSpec, DurableConsumer, Received, decode_message
from evently_platform.messaging.dead_letters import SqlDeadLetters
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.jetstream import JetStreamPublisher
from evently_platform.paging import PageRequest
from nats.aio.client import Client as NATS
from sqlalchemy import Engine

from tests.support import eventually


@pytest.fixture
def uow(engine: Engine) -> NotifierUnitOfWork:
    upgrade(engine, "notifier", MIGRATIONS)
    return NotifierUnitOfWork(engine)


def _subscribed(uow: NotifierUnitOfWork, clock: Clock) -> Subscription:
    """u1's subscription to every `evently.event.*`."""
    return webhooks.create_subscription(
        CreateSubscription(
            owner_id="u1", url="http://127.0.0.1:9/hook", event_types=["evently.event.*"], description=""
        ),
        uow=uow,
        guard=UrlGuard(allow_private=True),
        clock=clock,
    )


@pytest.fixture
async def consumer_task() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_redelivered_event_creates_no_second_delivery(
    js_client: NATS, engine: Engine, uow: NotifierUnitOfWork, consumer_task: list[asyncio.Task[None]]
) -> None:
    clock = SystemClock()
    subscription = _subscribed(uow, clock)
    consuming = Consuming(consumer="notifier-test", uows=NotifierUnitOfWork.factory(engine), clock=clock)
    handle = event_consumer.make_handler(
        MessageBus.wire({ConsumeBatch: consuming.handle}), on_deliveries=lambda due, leased: None
    )
    calls: list[str] = []

    async def commits_then_dies_before_the_ack(batch: list[Received]) -> None:
        # The first time, the work commits and then the process fails before acknowledging:
        # JetStream delivers the same message again.
        await handle(batch)
        calls.extend(r.id for r in batch)
        if len(calls) == 1:
            raise ConnectionError("lost before the ack")

    spec = ConsumerSpec(durable="notifier-test", backoff=Backoff(base=0.05, factor=1.0, cap=0.05, jitter=0.0))
    consumer = DurableConsumer(js_client, spec, commits_then_dies_before_the_ack, SqlDeadLetters(engine))
    consumer_task.append(asyncio.create_task(consumer.run()))

    event = Envelope(
        type="evently.event.created", source="//events", subject="e1", data={"event": {"id": "e1"}}
    )
    await JetStreamPublisher(js_client.jetstream()).publish(
        event.type, event.encode(), msg_id=event.id, headers={}
    )

    await eventually(lambda: len(calls) == 2)
    deliveries = webhooks.list_deliveries(
        ListDeliveries("u1", subscription.id, PageRequest(after=None, size=10)), uow=uow
    ).deliveries.items
    assert [(d.event_id, d.event_type) for d in deliveries] == [(event.id, "evently.event.created")]


@pytest.mark.parametrize("workers_have_room", [True, False])
async def test_new_deliveries_are_leased_to_this_notifier_only_while_its_workers_have_room(
    workers_have_room: bool,
    js_client: NATS,
    engine: Engine,
    uow: NotifierUnitOfWork,
    consumer_task: list[asyncio.Task[None]],
) -> None:
    clock = SystemClock()
    _subscribed(uow, clock)
    consuming = Consuming(
        consumer="notifier-test",
        uows=NotifierUnitOfWork.factory(engine),
        clock=clock,
        hand_off=lambda: workers_have_room,
    )
    handed: list[tuple[int, bool]] = []
    handle = event_consumer.make_handler(
        MessageBus.wire({ConsumeBatch: consuming.handle}),
        on_deliveries=lambda due, leased: handed.append((len(due), leased)),
    )
    spec = ConsumerSpec(durable="notifier-test")
    consumer_task.append(
        asyncio.create_task(DurableConsumer(js_client, spec, handle, SqlDeadLetters(engine)).run())
    )
    event = Envelope(
        type="evently.event.created", source="//events", subject="e1", data={"event": {"id": "e1"}}
    )
    await JetStreamPublisher(js_client.jetstream()).publish(
        event.type, event.encode(), msg_id=event.id, headers={}
    )

    await eventually(lambda: handed == [(1, workers_have_room)])
    claimable = webhooks.claim_due(
        uow=uow, clock=clock, lease=timedelta(minutes=1), limit=10, per_subscription=8, in_flight={}
    )
    # Leased: this process works on it and no claim sees it; backlogged: any instance claims it.
    assert [d.delivery.event_id for d in claimable] == ([] if workers_have_room else [event.id])


def _arrived(event_id: str) -> Incoming:
    """An `evently.event.created` as the consumer (or a recovery reading the stream) gets it, stamped now."""
    envelope = Envelope(
        type="evently.event.created", source="//events", subject=event_id, data={"event": {"id": event_id}}
    )
    raw = envelope.encode()
    decoded, payload = decode_message(raw, envelope.type)
    return incoming(Received(decoded, payload, raw, {}))


def test_an_event_a_recovery_sent_is_not_sent_again_when_the_consumer_reaches_it_later(
    engine: Engine, uow: NotifierUnitOfWork
) -> None:
    """RecoverDeliveries reads the stream itself, so it can send an event the consumer has not
    reached yet (it lags behind); when the consumer gets there, the subscription is on again."""
    clock = SystemClock()
    subscription = _subscribed(uow, clock)
    lagging = _arrived("recovered")
    not_yet_on_the_stream = _arrived("published-after-the-recovery-read")
    _, due = recovery.recover(
        "u1", subscription.id, [lagging], uow=NotifierUnitOfWork(engine), clock=clock, base_url=""
    )
    assert [d.delivery.event_id for d in due] == [lagging.id]
    newer = _arrived("after-the-recovery")

    consuming = Consuming(consumer="notifier-test", uows=NotifierUnitOfWork.factory(engine), clock=clock)
    fan_out = consuming.handle(ConsumeBatch([lagging, not_yet_on_the_stream, newer]))

    assert [d.delivery.event_id for d in fan_out.deliveries] == [not_yet_on_the_stream.id, newer.id]
    log = webhooks.list_deliveries(
        ListDeliveries("u1", subscription.id, PageRequest(after=None, size=10)), uow=uow
    ).deliveries.items
    assert sorted(d.event_id for d in log) == sorted([lagging.id, not_yet_on_the_stream.id, newer.id])
