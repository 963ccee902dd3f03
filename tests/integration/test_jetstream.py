"""Publishing to and consuming from a real JetStream server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from evently.users.v1 import user_pb2
from evently_platform.messaging.backoff import Backoff
from evently_platform.messaging.consumer import ConsumerSpec, DurableConsumer, Received
from evently_platform.messaging.dead_letters import DeadLetter, SqlDeadLetters
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.jetstream import STREAM, JetStreamPublisher
from evently_platform.messaging.tables import metadata
from nats.aio.client import Client as NATS
from sqlalchemy import Engine

from tests.support import eventually

FAST = Backoff(base=0.05, factor=2.0, cap=0.2, jitter=0.0)


@pytest.fixture
def dead_letters(engine: Engine) -> SqlDeadLetters:
    metadata.create_all(engine)
    return SqlDeadLetters(engine)


@pytest.fixture
async def running() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _settled(nc: NATS, durable: str) -> bool:
    info = await nc.jetstream().consumer_info(STREAM, durable)
    return bool(info.num_ack_pending == 0 and info.num_pending == 0)


async def _publish(nc: NATS, envelope: Envelope) -> None:
    await JetStreamPublisher(nc.jetstream()).publish(
        envelope.type, envelope.encode(), msg_id=envelope.id, headers={}
    )


async def test_a_published_event_reaches_a_durable_consumer(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    received: list[Envelope] = []

    async def handle(batch: list[Received]) -> None:
        received.extend(r.envelope for r in batch)

    consumer = DurableConsumer(js_client, ConsumerSpec(durable="t1"), handle, dead_letters)
    running.append(asyncio.create_task(consumer.run()))
    sent = Envelope(type="evently.event.created", source="//test", data={"event": {"id": "e1"}})
    await _publish(js_client, sent)
    await eventually(lambda: received)
    assert received == [sent]


async def test_a_repeated_msg_id_is_stored_once(js_client: NATS) -> None:
    envelope = Envelope(type="evently.event.created", source="//test", data={})
    await _publish(js_client, envelope)
    await _publish(js_client, envelope)
    info = await js_client.jetstream().stream_info(STREAM)
    assert info.state.messages == 1


async def test_a_failed_handler_gets_the_message_again_after_a_nak(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    attempts: list[str] = []

    async def flaky(batch: list[Received]) -> None:
        attempts.extend(r.id for r in batch)
        if len(attempts) == 1:
            raise RuntimeError("transient")

    spec = ConsumerSpec(durable="t2", backoff=FAST, max_deliver=5)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, flaky, dead_letters).run()))
    envelope = Envelope(type="evently.event.created", source="//test", data={"event": {"id": "e2"}})
    await _publish(js_client, envelope)
    await eventually(lambda: len(attempts) >= 2)
    assert attempts == [envelope.id, envelope.id]
    await eventually(lambda: _settled(js_client, "t2"))
    assert dead_letters.letters() == []


async def test_a_message_that_always_fails_ends_as_a_dead_letter(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    attempts: list[int] = []

    async def broken(batch: list[Received]) -> None:
        attempts.append(len(batch))
        raise ValueError("cannot handle this")

    spec = ConsumerSpec(durable="t3", backoff=FAST, max_deliver=3)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, broken, dead_letters).run()))
    envelope = Envelope(type="evently.comment.added", source="//test", data={"comment": {"id": "c1"}})
    await _publish(js_client, envelope)

    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t3"))
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.message_id, letter.subject, letter.num_delivered) == (
        envelope.id,
        "evently.comment.added",
        3,
    )
    assert "ValueError: cannot handle this" in letter.error
    assert Envelope.decode(letter.payload) == envelope
    assert len(attempts) == 3
    await eventually(lambda: _settled(js_client, "t3"))  # terminated: never delivered again
    assert len(attempts) == 3


async def test_an_undecodable_message_is_dead_lettered_without_retries(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    async def never(batch: list[Received]) -> None:
        raise AssertionError("must not be called")

    spec = ConsumerSpec(durable="t4", backoff=FAST, max_deliver=5)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, never, dead_letters).run()))
    await js_client.jetstream().publish("evently.event.created", b"garbage", headers={"Nats-Msg-Id": "bad-1"})
    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t4"))
    assert letters[0].num_delivered == 1
    assert letters[0].error.startswith("undecodable")


async def test_a_message_never_acknowledged_until_max_deliver_becomes_a_dead_letter(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    """A process that takes a message and dies never says nak or term: the server gives up after
    MaxDeliver ack timeouts and says so only in an advisory (sent when a surviving instance next
    pulls), which the consumer turns into a dead-letter row."""
    handled: list[Envelope] = []

    async def surviving(batch: list[Received]) -> None:
        handled.extend(r.envelope for r in batch)

    spec = ConsumerSpec(durable="t5", max_deliver=2, ack_wait=1.0)
    consumer = DurableConsumer(js_client, spec, surviving, dead_letters)
    await consumer.ensure()
    envelope = Envelope(type="evently.event.created", source="//test", data={"event": {"id": "e5"}})
    await _publish(js_client, envelope)

    dying = await js_client.jetstream().pull_subscribe_bind(durable="t5", stream=STREAM)
    deliveries = 0
    while deliveries < spec.max_deliver:  # each fetch takes the message and never settles it
        try:
            deliveries += len(await dying.fetch(1, timeout=2.0))
        except TimeoutError:
            continue
    running.append(asyncio.create_task(consumer.run()))

    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t5"))
    assert len(letters) == 1
    letter = letters[0]
    assert (letter.message_id, letter.subject, letter.num_delivered) == (
        envelope.id,
        "evently.event.created",
        2,
    )
    assert "no acknowledgement after 2 deliveries" in letter.error
    assert Envelope.decode(letter.payload) == envelope
    assert handled == []  # out of deliveries: the survivor never gets it


async def test_one_poison_message_in_a_batch_neither_holds_back_nor_reruns_the_others(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    good = [
        Envelope(type="evently.event.created", source="//test", data={"event": {"id": f"e{n}"}})
        for n in range(5)
    ]
    poison = Envelope(type="evently.comment.added", source="//test", data={"comment": {"id": "c1"}})
    for envelope in [*good[:2], poison, *good[2:]]:
        await _publish(js_client, envelope)
    done: list[str] = []  # what committed: a failing batch commits nothing

    async def all_or_nothing(batch: list[Received]) -> None:
        if any(r.id == poison.id for r in batch):
            raise ValueError("cannot handle a comment")
        done.extend(r.id for r in batch)

    spec = ConsumerSpec(durable="t6", backoff=FAST, max_deliver=3)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, all_or_nothing, dead_letters).run()))
    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t6"))
    await eventually(lambda: _settled(js_client, "t6"))
    assert [letter.message_id for letter in letters] == [poison.id]
    assert sorted(done) == sorted(e.id for e in good)  # each once


async def test_a_consumer_receives_the_payload_as_its_contracts_message(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    received: list[Received] = []

    async def handle(batch: list[Received]) -> None:
        received.extend(batch)

    running.append(
        asyncio.create_task(
            DurableConsumer(js_client, ConsumerSpec(durable="t7"), handle, dead_letters).run()
        )
    )
    sent = Envelope(
        type="evently.user.deleted", source="//test", data={"userId": "u1", "comesLater": "ignored"}
    )
    await _publish(js_client, sent)
    await eventually(lambda: received)
    assert isinstance(received[0].payload, user_pb2.UserDeleted)
    assert received[0].payload.user_id == "u1"
    assert received[0].raw == sent.encode()


@pytest.mark.parametrize(
    ("subject", "data", "complaint"),
    [
        ("evently.nothing.known", {}, "no contract for event type 'evently.nothing.known'"),
        ("evently.user.deleted", {"userId": 42}, "data is not a evently.users.v1.UserDeleted"),
    ],
)
async def test_a_message_its_contract_cannot_read_is_dead_lettered_without_retries(
    js_client: NATS,
    dead_letters: SqlDeadLetters,
    running: list[asyncio.Task[None]],
    subject: str,
    data: dict[str, object],
    complaint: str,
) -> None:
    async def never(batch: list[Received]) -> None:
        raise AssertionError("must not be called")

    spec = ConsumerSpec(durable="t8", backoff=FAST, max_deliver=5)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, never, dead_letters).run()))
    await _publish(js_client, Envelope(type=subject, source="//test", data=data))
    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t8"))
    assert letters[0].num_delivered == 1
    assert complaint in letters[0].error


async def test_an_envelope_whose_type_is_not_its_subject_is_dead_lettered_not_believed(
    js_client: NATS, dead_letters: SqlDeadLetters, running: list[asyncio.Task[None]]
) -> None:
    handled: list[Received] = []

    async def handle(batch: list[Received]) -> None:
        handled.extend(batch)

    spec = ConsumerSpec(durable="t9", backoff=FAST, max_deliver=5)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, handle, dead_letters).run()))
    forged = Envelope(type="evently.user.deleted", source="//attacker", data={"userId": "victim"})
    await js_client.jetstream().publish(
        "evently.comment.added", forged.encode(), headers={"Nats-Msg-Id": forged.id}
    )
    genuine = Envelope(type="evently.user.deleted", source="//test", data={"userId": "u9"})
    await _publish(js_client, genuine)

    letters: list[DeadLetter] = await eventually(lambda: dead_letters.letters("t9"))
    await eventually(lambda: handled)
    assert [(r.envelope.id, r.payload.user_id) for r in handled] == [(genuine.id, "u9")]  # type: ignore[attr-defined]
    assert [(letter.message_id, letter.num_delivered) for letter in letters] == [(forged.id, 1)]
    assert "arrived on subject 'evently.comment.added'" in letters[0].error


class CountingDeadLetters(SqlDeadLetters):
    """The real store, counting the attempts to write to it."""

    attempts = 0

    async def record(self, letter: DeadLetter) -> None:
        self.attempts += 1
        await super().record(letter)


async def test_a_dead_letter_the_database_refuses_is_retried_until_written_and_the_consumer_lives_on(
    js_client: NATS, engine: Engine, running: list[asyncio.Task[None]]
) -> None:
    letters = CountingDeadLetters(engine)  # its table does not exist yet: every write fails
    handled: list[Received] = []

    async def handle(batch: list[Received]) -> None:
        handled.extend(batch)

    spec = ConsumerSpec(durable="t10", backoff=FAST, max_deliver=5)
    running.append(asyncio.create_task(DurableConsumer(js_client, spec, handle, letters).run()))
    # Anything may arrive: an id and a subject longer than the dead-letter columns.
    long_id, long_subject = "m" * 100, "evently." + "x" * 250
    await js_client.jetstream().publish(long_subject, b"garbage", headers={"Nats-Msg-Id": long_id})
    await eventually(lambda: letters.attempts >= 3)

    metadata.create_all(engine)  # the database is back
    [letter] = await eventually(lambda: letters.letters("t10"))
    assert (letter.message_id, letter.subject) == (long_id[:64], long_subject[:200])
    assert letter.headers["Nats-Msg-Id"] == long_id
    genuine = Envelope(type="evently.user.deleted", source="//test", data={"userId": "u10"})
    await _publish(js_client, genuine)
    await eventually(lambda: [r.envelope.id for r in handled] == [genuine.id])
