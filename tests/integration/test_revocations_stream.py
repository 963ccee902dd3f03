"""Revocations keep arriving after the broker goes away and comes back: the ordered consumer
behind them is recreated (by sequence) and the next deletion is heard like the first."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from evently.users.v1 import user_pb2
from evently_platform.auth.revocations import Revocations
from evently_platform.messaging.contracts import envelope_of
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.messaging.jetstream import JetStreamPublisher, ensure_stream
from google.protobuf.timestamp_pb2 import Timestamp

from tests.support import eventually


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


async def _delete(publisher: JetStreamPublisher, user_id: str) -> None:
    when = Timestamp()
    when.FromDatetime(datetime.now(UTC))
    envelope = envelope_of(
        "evently.user.deleted",
        user_pb2.UserDeleted(user_id=user_id, delete_time=when),
        source="//users",
        subject=user_id,
    )
    await publisher.publish(envelope.type, envelope.encode(), msg_id=envelope.id, headers={})


async def test_deletions_are_heard_after_the_broker_restarts(broker: EmbeddedNats) -> None:
    nc = await nats.connect(broker.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = nc.jetstream()
    await ensure_stream(js)
    publisher = JetStreamPublisher(js)
    revocations = Revocations(js)
    running = asyncio.create_task(revocations.run())
    try:
        await _delete(publisher, "before")
        await eventually(lambda: revocations.revoked("before", datetime.now(UTC).timestamp()))

        broker.kill()
        broker.start()  # the same port and store; the ordered consumer's state is gone
        await eventually(lambda: nc.is_connected)
        await eventually(lambda: _published(publisher, "after"))
        await eventually(lambda: revocations.revoked("after", datetime.now(UTC).timestamp()), timeout=60)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await nc.close()


async def _published(publisher: JetStreamPublisher, user_id: str) -> bool:
    try:
        await _delete(publisher, user_id)
    except (nats.errors.Error, TimeoutError):
        return False  # the stream is still coming back
    return True
