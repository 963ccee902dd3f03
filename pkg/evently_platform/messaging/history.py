"""Reading the EVENTLY stream's past: the events since a moment, or after a stream sequence, on
some subjects, in order — for a consumer that must see again what it missed (the stream keeps
them for MAX_AGE_SECONDS) or a watcher resuming where it left off."""

from __future__ import annotations

from datetime import datetime

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from evently_platform.messaging.consumer import Received, decode_message
from evently_platform.messaging.envelope import EnvelopeError
from evently_platform.messaging.jetstream import STREAM
from evently_platform.messaging.trace_headers import current_trace_headers

FETCH = 256


def subjects_for(patterns: list[str]) -> list[str]:
    """NATS subjects covering event-type patterns (`*`, `evently.event.*`, exact types), none
    overlapping another (the server refuses overlapping filters)."""
    wide = ["evently.>" if p == "*" else p[:-1] + ">" if p.endswith(".*") else p for p in patterns]
    prefixes = {w[:-1] for w in wide if w.endswith(">")}
    kept = [w for w in dict.fromkeys(wide) if not any(w != p + ">" and w.startswith(p) for p in prefixes)]
    return sorted(kept)


async def read_since(
    js: JetStreamContext, since: datetime, subjects: list[str], *, limit: int
) -> list[Received]:
    """The events on `subjects` stored at or after `since`, oldest first, up to what the stream
    held when the read began, and at most `limit` of them. Messages that do not decode (the live
    consumers dead-lettered them) are skipped. What they cause joins the caller's trace."""
    config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since)
    return [received for _, received in await _read(js, config, subjects, limit)]


async def read_after(
    js: JetStreamContext, sequence: int, subjects: list[str], *, limit: int
) -> list[tuple[int, Received]]:
    """The events on `subjects` after stream sequence `sequence`, with their sequences, oldest
    first, at most `limit` (as read_since)."""
    config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=sequence + 1)
    return await _read(js, config, subjects, limit)


async def last_sequence(js: JetStreamContext) -> int:
    """The sequence of the newest message in the stream (0 when empty)."""
    info = await js.stream_info(STREAM)
    return int(info.state.last_seq)


async def _read(
    js: JetStreamContext, config: ConsumerConfig, subjects: list[str], limit: int
) -> list[tuple[int, Received]]:
    config.ack_policy = AckPolicy.NONE
    config.filter_subjects = subjects
    config.inactive_threshold = 60.0
    config.mem_storage = True
    sub = await js.pull_subscribe(subjects[0], stream=STREAM, config=config)
    found: list[tuple[int, Received]] = []
    headers = current_trace_headers()
    try:
        while True:
            try:
                batch = await sub.fetch(FETCH, timeout=1.0)
            except (TimeoutError, nats.errors.TimeoutError):
                return found  # nothing more was stored
            for msg in batch:
                try:
                    envelope, payload = decode_message(msg.data, msg.subject)
                except EnvelopeError:
                    continue
                found.append((msg.metadata.sequence.stream, Received(envelope, payload, msg.data, headers)))
                if len(found) == limit:
                    return found
            if batch and batch[-1].metadata.num_pending == 0:
                return found
    finally:
        await sub.unsubscribe()
