"""Dead letters an operator can act on: `evently dead-letters list` shows what a consumer gave up
on and why; `replay` hands a message back once its cause is fixed; only operators may."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import grpc
import pytest
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently.operations.v1 import dead_letter_pb2
from evently_platform.db.engine import make_engine
from evently_platform.messaging.dead_letters import DeadLetter, SqlDeadLetters
from evently_platform.messaging.envelope import Envelope
from nats.aio.client import Client as NATS
from sqlalchemy import Engine

from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually


async def evently(services: Services, *args: str) -> subprocess.CompletedProcess[str]:
    """The `evently` command, as an operator runs it beside the services (which run in this
    test's event loop: the command runs in a thread, for the loop to answer it)."""
    settings = services.settings
    env = {
        **os.environ,
        "EVENTLY_DATA_DIR": str(settings.data_dir),
        "EVENTLY_SIGNING_KEYS_DIR": str(settings.users.signing_keys_dir),
        **{f"EVENTLY_{name.upper()}_ADDR": addr for name, addr in settings.addrs.items()},
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "evently_cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def operator_metadata(services: Services) -> tuple[tuple[str, str]]:
    token = await evently(services, "operator-token")
    assert token.returncode == 0, token.stderr
    return (("authorization", f"Bearer {token.stdout.strip()}"),)


async def _given_up_during_an_outage(notifier_db: Engine, event: Envelope) -> None:
    """A well-formed event the notifier gave up on while its database was away."""
    await SqlDeadLetters(notifier_db).record(
        DeadLetter(
            consumer="notifier",
            message_id=event.id,
            subject=event.type,
            stream_seq=None,
            num_delivered=8,
            payload=event.encode(),
            headers={"Nats-Msg-Id": event.id},
            error="Unavailable: the database is unreachable",
        )
    )


@pytest.fixture
def notifier_db(service_dbs: dict[str, str]) -> Iterator[Engine]:
    engine = make_engine(service_dbs["notifier"])
    yield engine
    engine.dispose()


async def test_a_forged_message_is_listed_with_its_reason_and_a_replay_refuses_it_again(
    services: Services,
    venue: Venue,
    notifier: notifier_service_pb2_grpc.NotifierServiceStub,
    js_client: NATS,
) -> None:
    forged = Envelope(type="evently.user.deleted", source="//users", subject="victim", data={"id": "victim"})
    # Published on another type's subject: the consumer must not believe the envelope.
    await js_client.jetstream().publish(
        "evently.registration.created", forged.encode(), headers={"Nats-Msg-Id": forged.id}
    )
    operator = await operator_metadata(services)

    async def letters() -> list[dead_letter_pb2.DeadLetter]:
        page = await notifier.ListDeadLetters(dead_letter_pb2.ListDeadLettersRequest(), metadata=operator)
        return list(page.dead_letters)

    [letter] = await eventually(letters)
    assert (letter.subject, letter.message_id, letter.consumer) == (
        "evently.registration.created",
        forged.id,
        "notifier",
    )
    assert "arrived on subject" in letter.error
    assert json.loads(letter.payload)["type"] == "evently.user.deleted"

    listed = await evently(services, "dead-letters", "list", "--service", "notifier")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith("notifier"))
    assert row.split()[1] == letter.id and "evently.registration.created" in row

    replayed = await evently(services, "dead-letters", "replay", "notifier", letter.id)
    assert replayed.returncode == 1
    assert "FAILED_PRECONDITION" in replayed.stderr and "arrived on subject" in replayed.stderr
    assert [kept.id for kept in await letters()] == [letter.id]  # still there, nothing applied


async def test_a_replayed_letter_is_handled_once_and_leaves_the_list(
    services: Services,
    venue: Venue,
    notifier: notifier_service_pb2_grpc.NotifierServiceStub,
    notifier_db: Engine,
) -> None:
    _, owner = venue.person()
    subscription = await notifier.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url="http://127.0.0.1:9/hook", event_types=["evently.event.*"]
            )
        ),
        metadata=owner,
    )
    # A well-formed event the notifier gave up on during an outage long fixed.
    event = Envelope(
        type="evently.event.created", source="//events", subject="e1", data={"event": {"id": "e1"}}
    )
    await _given_up_during_an_outage(notifier_db, event)
    operator = await operator_metadata(services)
    [letter] = (
        await notifier.ListDeadLetters(dead_letter_pb2.ListDeadLettersRequest(), metadata=operator)
    ).dead_letters

    replayed = await evently(services, "dead-letters", "replay", "notifier", letter.id)
    assert replayed.returncode == 0, replayed.stderr

    deliveries = await notifier.ListDeliveries(
        notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription.id), metadata=owner
    )
    assert [(d.event_id, d.event_type) for d in deliveries.deliveries] == [(event.id, event.type)]
    left = await notifier.ListDeadLetters(dead_letter_pb2.ListDeadLettersRequest(), metadata=operator)
    assert list(left.dead_letters) == []
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await notifier.ReplayDeadLetter(
            dead_letter_pb2.ReplayDeadLetterRequest(id=letter.id), metadata=operator
        )
    assert again.value.code() is grpc.StatusCode.NOT_FOUND


async def test_dead_letters_are_for_operators_only(
    venue: Venue, notifier: notifier_service_pb2_grpc.NotifierServiceStub
) -> None:
    _, person = venue.person()
    for call, request in [
        (notifier.ListDeadLetters, dead_letter_pb2.ListDeadLettersRequest()),
        (notifier.ReplayDeadLetter, dead_letter_pb2.ReplayDeadLetterRequest(id="1")),
        (venue.events.ListDeadLetters, dead_letter_pb2.ListDeadLettersRequest()),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call(request, metadata=person)
        assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await call(request)
        assert anonymous.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_listed_letter_shows_the_start_of_a_big_payload_and_a_replay_uses_all_of_it(
    services: Services,
    venue: Venue,
    notifier: notifier_service_pb2_grpc.NotifierServiceStub,
    notifier_db: Engine,
) -> None:
    event = Envelope(
        type="evently.event.created",
        source="//events",
        subject="big",
        data={"event": {"id": "big", "description": "x" * 200_000}},
    )
    await _given_up_during_an_outage(notifier_db, event)
    operator = await operator_metadata(services)
    [letter] = (
        await notifier.ListDeadLetters(dead_letter_pb2.ListDeadLettersRequest(), metadata=operator)
    ).dead_letters
    assert (len(letter.payload), letter.payload_truncated) == (64 * 1024, True)
    await notifier.ReplayDeadLetter(dead_letter_pb2.ReplayDeadLetterRequest(id=letter.id), metadata=operator)
    left = await notifier.ListDeadLetters(dead_letter_pb2.ListDeadLettersRequest(), metadata=operator)
    assert list(left.dead_letters) == []  # handled: the whole message was there to decode
