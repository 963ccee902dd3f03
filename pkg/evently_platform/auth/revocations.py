"""Accounts deleted, or whose password changed, lately: so that their access tokens stop working
at once everywhere rather than when they expire.

Every process keeps its own map, fed by `evently.user.deleted` and `evently.user.password_changed`
from the stream through an ordered consumer of its own: every instance of every service hears of
each within moments, and one that starts replays those of the last `window` — the longest an
access token can still be valid — so it forgets nothing that matters. User ids are never reused:
any token naming a deleted account is refused, whenever it was issued; after a password change,
the tokens issued before it (by their `iat`, to the microsecond)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from evently.users.v1 import user_pb2
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from evently_platform.clock import Clock, SystemClock
from evently_platform.logging import get_logger
from evently_platform.messaging.contracts import decode_payload
from evently_platform.messaging.envelope import Envelope, EnvelopeError
from evently_platform.messaging.ordered import subscribe_ordered

log = get_logger(__name__)

SUBJECTS = "evently.user.*"  # deletions and password changes; the rest is skipped
# Access tokens live 15 minutes, verifiers allow 30 s of clock skew: a margin beyond both.
WINDOW = timedelta(minutes=20)


class Revocations:
    def __init__(
        self, js: JetStreamContext, *, window: timedelta = WINDOW, clock: Clock | None = None
    ) -> None:
        self._js = js
        self._window = window
        self._clock = clock or SystemClock()
        # user -> (when it happened, tokens issued before this instant are refused; None: all)
        self._revoked: dict[str, tuple[datetime, float | None]] = {}

    def revoked(self, user_id: str, issued_at: float) -> bool:
        """Whether a token naming `user_id`, issued at `issued_at` (epoch seconds), is refused."""
        entry = self._revoked.get(user_id)
        if entry is None:
            return False
        _, before = entry
        return before is None or issued_at < before

    def add(self, user_id: str, at: datetime, *, every_token: bool = True) -> None:
        """The account was deleted at `at` (every token), or its password changed then (the
        tokens issued before)."""
        _, before = self._revoked.get(user_id, (at, 0.0))
        if every_token or before is None:
            self._revoked[user_id] = (at, None)
        else:
            self._revoked[user_id] = (at, max(before, at.timestamp()))
        horizon = self._clock.now() - self._window
        for gone in [u for u, (when, _) in self._revoked.items() if when < horizon]:
            del self._revoked[gone]  # the tokens it ended have expired anyway

    async def run(self) -> None:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_TIME,
            opt_start_time=self._clock.now() - self._window,
        )
        subscription = await subscribe_ordered(
            self._js, SUBJECTS, config=config, cb=self._on_message, name="revocations"
        )
        # nats-py keeps this config for resets of the ordered consumer (after a missed heartbeat,
        # a reconnect, a stream leader change), which restart by sequence but keep the start
        # time: the server refuses both together (10094) and revocations would stop arriving.
        # The start time has done its work once subscribed.
        config.opt_start_time = None
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
        if envelope.type != msg.subject:
            log.warning("revocations.unexpected", type=envelope.type, subject=msg.subject)
            return
        if isinstance(payload, user_pb2.UserDeleted):
            self.add(payload.user_id, envelope.time)
        elif isinstance(payload, user_pb2.PasswordChanged):
            changed = payload.change_time.ToDatetime(tzinfo=UTC) if payload.HasField("change_time") else None
            self.add(payload.user_id, changed or envelope.time, every_token=False)
