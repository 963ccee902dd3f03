"""The broker admits each service as its own account, which may publish its own domain events
only: a forged `evently.user.deleted` from the events service, or from anyone without a password,
never reaches the stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import nats
import pytest
from evently_platform.messaging.accounts import BrokerAccount, generate_accounts
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.messaging.jetstream import STREAM, ensure_stream
from nats.aio.client import Client as NATS


@pytest.fixture(scope="module")
def accounts() -> dict[str, BrokerAccount]:
    return generate_accounts()


@pytest.fixture(scope="module")
def guarded_nats(
    tmp_path_factory: pytest.TempPathFactory, accounts: dict[str, BrokerAccount]
) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("guarded-nats"), accounts=accounts)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def connect(guarded_nats: EmbeddedNats) -> AsyncIterator[list[NATS]]:
    connections: list[NATS] = []
    yield connections
    for nc in connections:
        await nc.close()


async def as_service(guarded_nats: EmbeddedNats, connections: list[NATS], service: str) -> NATS:
    nc = await nats.connect(guarded_nats.url_for(service), allow_reconnect=False)
    connections.append(nc)
    return nc


async def stream_size(nc: NATS) -> int:
    return int((await nc.jetstream().stream_info(STREAM)).state.messages)


async def test_a_service_publishes_its_own_events_and_nobody_elses(
    guarded_nats: EmbeddedNats, connect: list[NATS]
) -> None:
    users = await as_service(guarded_nats, connect, "users")
    await ensure_stream(users.jetstream())
    before = await stream_size(users)

    ack = await users.jetstream().publish("evently.user.deleted", b"{}", timeout=5)
    assert ack.stream == STREAM

    events = await as_service(guarded_nats, connect, "events")
    with pytest.raises(nats.errors.Error):  # refused by the server: no acknowledgement comes
        await events.jetstream().publish("evently.user.deleted", b"{}", timeout=1)
    await events.jetstream().publish("evently.event.created", b"{}", timeout=5)

    assert await stream_size(users) == before + 2  # the forgery is not in the stream


async def test_no_service_may_delete_or_purge_the_stream(
    guarded_nats: EmbeddedNats, connect: list[NATS]
) -> None:
    notifier = await as_service(guarded_nats, connect, "notifier")
    await ensure_stream(notifier.jetstream())
    await notifier.jetstream().publish("evently.reminder.due", b"{}", timeout=5)
    for attempt in (notifier.jetstream().purge_stream, notifier.jetstream().delete_stream):
        with pytest.raises(nats.errors.Error):
            await attempt(STREAM)
    assert await stream_size(notifier) >= 1


async def test_a_service_consumes_through_a_durable_consumer_with_its_account(
    guarded_nats: EmbeddedNats, connect: list[NATS]
) -> None:
    events = await as_service(guarded_nats, connect, "events")
    await ensure_stream(events.jetstream())
    await events.jetstream().publish("evently.comment.added", b"{}", timeout=5)
    notifier = await as_service(guarded_nats, connect, "notifier")
    subscription = await notifier.jetstream().pull_subscribe(
        "evently.comment.added", durable="notifier-accounts-test", stream=STREAM
    )
    [message] = await subscription.fetch(1, timeout=5)
    await message.ack_sync(timeout=5)  # the acknowledgement is allowed, and answered


async def test_without_the_password_nobody_gets_in(guarded_nats: EmbeddedNats) -> None:
    wrong = guarded_nats.url.replace("nats://", "nats://events:not-the-password@")
    for url in (guarded_nats.url, wrong):
        with pytest.raises(nats.errors.Error):
            await nats.connect(url, allow_reconnect=False, connect_timeout=2)
