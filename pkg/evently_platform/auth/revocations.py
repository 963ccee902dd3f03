"""Accounts deleted lately, so that their access tokens stop working at once everywhere rather
than when they expire.

Every process keeps its own set, fed by `evently.user.deleted` from the stream through an
ordered consumer of its own: every instance of every service hears of each deletion within
moments, and one that starts replays the deletions of the last `window` — the longest an access
token can still be valid — so it forgets nothing that matters. User ids are never reused: any
token naming a deleted account is refused, whenever it was issued."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import nats.errors
from evently.users.v1 import user_pb2
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from evently_platform.logging import get_logger
from evently_platform.messaging.contracts import decode_payload
from evently_platform.messaging.envelope import Envelope, EnvelopeError
from evently_platform.messaging.jetstream import STREAM

log = get_logger(__name__)

SUBJECT = "evently.user.deleted"
# Access tokens live 15 minutes, verifiers allow 30 s of clock skew: a margin beyond both.
WINDOW = timedelta(minutes=20)


class Revocations:
    def __init__(self, js: JetStreamContext, *, window: timedelta = WINDOW) -> None:
        self._js = js
        self._window = window
        self._deleted: dict[str, datetime] = {}

    def revoked(self, user_id: str) -> bool:
        return user_id in self._deleted

    def add(self, user_id: str, deleted_at: datetime) -> None:
        self._deleted[user_id] = deleted_at
        horizon = datetime.now(UTC) - self._window
        for gone in [u for u, at in self._deleted.items() if at < horizon]:
            del self._deleted[gone]  # their tokens have expired anyway

    async def run(self) -> None:
        failures = 0
        while True:  # a clustered stream may still be electing its leader
            config = api.ConsumerConfig(
                deliver_policy=api.DeliverPolicy.BY_START_TIME,
                opt_start_time=datetime.now(UTC) - self._window,
            )
            try:
                subscription = await self._js.subscribe(
                    SUBJECT, stream=STREAM, ordered_consumer=True, config=config, cb=self._on_message
                )
                break
            except (nats.errors.Error, TimeoutError) as exc:
                failures += 1
                log.warning("revocations.not_subscribed", error=repr(exc), failures=failures)
                await asyncio.sleep(min(5.0, 0.25 * 2**failures))
        try:
            await asyncio.Event().wait()  # until cancelled: the callback does the work
        finally:
            await subscription.unsubscribe()

    async def _on_message(self, msg: Msg) -> None:
        try:
            envelope = Envelope.decode(msg.data)
            payload = decode_payload(envelope)
        except EnvelopeError as exc:
            log.warning("revocations.unreadable", error=str(exc))
            return
        if envelope.type != msg.subject or not isinstance(payload, user_pb2.UserDeleted):
            log.warning("revocations.unexpected", type=envelope.type, subject=msg.subject)
            return
        user_id = payload.user_id or str(envelope.subject or "")
        if user_id:
            self.add(user_id, envelope.time)
