"""Connecting to NATS, provisioning the EVENTLY stream, and publishing with retries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NoStreamResponseError

from evently_platform.logging import get_logger
from evently_platform.messaging.backoff import Backoff

log = get_logger(__name__)

STREAM = "EVENTLY"
SUBJECTS = ["evently.>"]
# Events are facts: keep them (limits retention) long enough for consumers to catch up or replay.
MAX_AGE_SECONDS = 7 * 24 * 3600
DUPLICATE_WINDOW_SECONDS = 120


def stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=STREAM,
        subjects=SUBJECTS,
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=MAX_AGE_SECONDS,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        num_replicas=replicas,
    )


async def ensure_stream(js: JetStreamContext, replicas: int = 1) -> None:
    """Create the stream, or bring an existing one to our configuration."""
    config = stream_config(replicas)
    try:
        await js.stream_info(STREAM)
    except nats.js.errors.NotFoundError:
        await js.add_stream(config)
        log.info("jetstream.stream_created", stream=STREAM)
        return
    await js.update_stream(config)


async def ensure_stream_when_ready(
    js: JetStreamContext, replicas: int = 1, *, timeout: float = 120.0
) -> None:
    """`ensure_stream`, retried while JetStream is not ready: a cluster starting beside the
    services answers "temporarily unavailable" until its nodes have elected a meta leader."""
    backoff = Backoff(base=0.5, factor=2.0, cap=5.0)
    deadline = asyncio.get_running_loop().time() + timeout
    failures = 0
    while True:
        try:
            await ensure_stream(js, replicas)
            return
        except (nats.errors.Error, TimeoutError) as exc:
            failures += 1
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("jetstream.not_ready", stream=STREAM, replicas=replicas, error=repr(exc))
            await asyncio.sleep(backoff.delay(failures))


PING_INTERVAL = 10  # seconds between the client's PINGs (see connect)


async def connect(
    urls: Sequence[str],
    *,
    name: str,
    on_reconnect: Callable[[], Awaitable[None]] | None = None,
) -> NATS:
    """A connection that reconnects forever; streams and consumers are ensured again after it does."""

    async def reconnected() -> None:
        server = nc.connected_url
        # The host and port only: the URL may carry this service's broker password.
        log.info("nats.reconnected", server=f"{server.hostname}:{server.port}" if server else "")
        if on_reconnect is not None:
            await on_reconnect()

    async def disconnected() -> None:
        if nc.is_draining or nc.is_closed:
            log.info("nats.closed")  # our own stop, not news
        else:
            log.warning("nats.disconnected")

    async def error(exc: Exception) -> None:
        log.warning("nats.error", error=str(exc))

    nc = await nats.connect(
        servers=list(urls),
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        # A connection can go silent without closing (seen after losing a cluster node: neither
        # replies nor PONGs came back). nats-py notices only when PINGs go unanswered, by default
        # two 120 s intervals; at 10 s, the client gives it up and reconnects within ~30 s.
        ping_interval=PING_INTERVAL,
        max_outstanding_pings=2,
        # Workers have stopped by the time a service drains: nothing is left to hand over, and
        # a pull request cut short would otherwise hold the drain for the default 30 s.
        drain_timeout=2,
        reconnected_cb=reconnected,
        disconnected_cb=disconnected,
        error_cb=error,
    )
    return nc


class JetStreamPublisher:
    """Publishes with `Nats-Msg-Id` and retries what nats-py does not (no responders, timeouts);
    retrying is safe because the stream drops a repeated `Nats-Msg-Id`."""

    def __init__(self, js: JetStreamContext, *, attempts: int = 8, backoff: Backoff | None = None) -> None:
        self._js = js
        self._attempts = attempts
        self._backoff = backoff or Backoff(base=0.1, factor=2.0, cap=5.0)

    async def publish(self, subject: str, payload: bytes, *, msg_id: str, headers: dict[str, str]) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                ack = await self._js.publish(
                    subject, payload, timeout=5.0, stream=STREAM, headers={**headers, "Nats-Msg-Id": msg_id}
                )
                if ack.duplicate:
                    log.info("jetstream.duplicate_dropped", msg_id=msg_id, subject=subject)
                return
            except (NoStreamResponseError, nats.errors.TimeoutError, nats.errors.NoRespondersError) as exc:
                if attempt == self._attempts:
                    raise
                delay = self._backoff.delay(attempt)
                log.warning("jetstream.publish_retry", subject=subject, attempt=attempt, error=repr(exc))
                await asyncio.sleep(delay)
