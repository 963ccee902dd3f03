"""A durable JetStream pull consumer: each fetched batch decoded once into its contracts'
messages and handed to the handler whole (one transaction for all of it), then acknowledged.
A batch that fails is retried message by message, so one poison message never holds back or
re-runs the others; a failing message is redelivered with backoff and becomes a dead letter
once the maximum delivery count is reached."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import nats
from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, Span, SpanKind, StatusCode

from evently_platform.logging import get_logger
from evently_platform.messaging.backoff import Backoff
from evently_platform.messaging.contracts import decode_payload
from evently_platform.messaging.dead_letters import DeadLetter, SqlDeadLetters
from evently_platform.messaging.envelope import Envelope, EnvelopeError
from evently_platform.messaging.jetstream import STREAM
from evently_platform.messaging.trace_headers import context_from_headers
from evently_platform.metrics import gauge

log = get_logger(__name__)
_tracer = trace.get_tracer("evently.consumer")


@dataclass(frozen=True)
class Received:
    """One consumed message, decoded once."""

    envelope: Envelope
    payload: Message  # the envelope's data as the message its contract names
    raw: bytes  # the bytes as they travelled (a webhook body is these bytes)
    trace_headers: dict[str, str]  # of this message's process span: what it causes joins the trace

    @property
    def id(self) -> str:
        return self.envelope.id


BatchHandler = Callable[[list[Received]], Awaitable[None]]


class ReplayFailed(Exception):
    """A replayed dead letter failed again; the message says why."""


def decode_message(data: bytes, subject: str) -> tuple[Envelope, Message]:
    """A stream message's envelope and typed payload; EnvelopeError when it is not one."""
    envelope = Envelope.decode(data)
    if envelope.type != subject:
        # Producers publish each event on its type's subject, and the broker's permissions are
        # by subject: an envelope that claims another type is forged or misrouted, never believed.
        raise EnvelopeError(f"type {envelope.type!r} arrived on subject {subject!r}")
    return envelope, decode_payload(envelope)


LAG_READ_INTERVAL = 10.0


@dataclass(frozen=True)
class ConsumerSpec:
    durable: str
    filter_subjects: tuple[str, ...] = ("evently.>",)
    max_deliver: int = 8
    ack_wait: float = 30.0
    backoff: Backoff = field(default_factory=lambda: Backoff(base=1.0, factor=2.0, cap=60.0))
    batch: int = 64
    fetch_timeout: float = 2.0  # well below ack_wait (nats.py #791)


class DurableConsumer:
    def __init__(
        self, nc: NATS, spec: ConsumerSpec, handler: BatchHandler, dead_letters: SqlDeadLetters
    ) -> None:
        self._nc = nc
        self._js = nc.jetstream()
        self._spec = spec
        self._handler = handler
        self._dead_letters = dead_letters
        self._lag: tuple[int, int] | None = None  # (not yet delivered, delivered but unacknowledged)
        self._lag_read_at = 0.0
        gauge(
            "evently.consumer.lag",
            self._observed_lag,
            unit="{message}",
            description="Messages the durable consumer has yet to receive (state=pending) or to "
            "acknowledge (state=unacknowledged)",
        )

    def _observed_lag(self) -> list[tuple[float, dict[str, str]]]:
        if self._lag is None:
            return []
        pending, unacknowledged = self._lag
        return [
            (pending, {"consumer": self._spec.durable, "state": "pending"}),
            (unacknowledged, {"consumer": self._spec.durable, "state": "unacknowledged"}),
        ]

    async def _read_lag(self, sub: JetStreamContext.PullSubscription) -> None:
        """The server's view of the backlog, read at most every LAG_READ_INTERVAL seconds."""
        if time.monotonic() - self._lag_read_at < LAG_READ_INTERVAL:
            return
        self._lag_read_at = time.monotonic()
        try:
            info = await sub.consumer_info()
        except (nats.errors.Error, TimeoutError) as exc:
            log.debug("consumer.lag_unread", consumer=self._spec.durable, error=repr(exc))
            return
        self._lag = (int(info.num_pending or 0), int(info.num_ack_pending or 0))

    async def ensure(self) -> None:
        """Create or update the durable consumer (pull_subscribe would not apply a new config)."""
        spec = self._spec
        await self._js.add_consumer(
            STREAM,
            ConsumerConfig(
                durable_name=spec.durable,
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=spec.ack_wait,
                max_deliver=spec.max_deliver,
                filter_subjects=list(spec.filter_subjects),
                max_ack_pending=1000,
            ),
        )

    def max_deliveries_subject(self) -> str:
        return f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{STREAM}.{self._spec.durable}"

    async def watch_max_deliveries(self) -> None:
        """Record a dead letter for messages that ran out of deliveries without a verdict from us:
        the process handling them died or hung past AckWait on the last attempt. The server
        announces these only by an advisory; the queue group makes one instance record each."""

        async def on_advisory(advisory: Msg) -> None:
            try:
                body = json.loads(advisory.data)
                stream_seq = int(body["stream_seq"])
                deliveries = int(body.get("deliveries", self._spec.max_deliver))
            except (ValueError, KeyError, TypeError) as exc:
                log.error("consumer.bad_advisory", consumer=self._spec.durable, error=repr(exc))
                return
            try:
                raw = await self._js.get_msg(STREAM, stream_seq)
            except nats.js.errors.NotFoundError:
                log.error("consumer.dead_letter_gone", consumer=self._spec.durable, stream_seq=stream_seq)
                return
            await self._record(
                DeadLetter(
                    consumer=self._spec.durable,
                    message_id=(raw.headers or {}).get("Nats-Msg-Id"),
                    subject=raw.subject or "",
                    stream_seq=stream_seq,
                    num_delivered=deliveries,
                    payload=raw.data or b"",
                    headers=dict(raw.headers or {}),
                    error=f"no acknowledgement after {deliveries} deliveries "
                    f"(ack wait {self._spec.ack_wait}s)",
                ),
            )

        await self._nc.subscribe(
            self.max_deliveries_subject(), queue=f"{self._spec.durable}-dead-letters", cb=on_advisory
        )

    async def run(self) -> None:
        failures = 0
        while True:  # a clustered JetStream may still be electing the stream's leader
            try:
                await self.ensure()
                break
            except (nats.errors.Error, TimeoutError) as exc:
                failures += 1
                log.warning("consumer.not_ready", consumer=self._spec.durable, error=repr(exc))
                await asyncio.sleep(min(5.0, 0.25 * 2**failures))
        await self.watch_max_deliveries()
        sub = await self._js.pull_subscribe_bind(durable=self._spec.durable, stream=STREAM)
        log.info("consumer.started", consumer=self._spec.durable, subjects=list(self._spec.filter_subjects))
        while True:
            await self._read_lag(sub)
            try:
                messages = await sub.fetch(self._spec.batch, timeout=self._spec.fetch_timeout)
            except TimeoutError:  # nats.errors.TimeoutError, or asyncio's from an empty batch
                continue  # nothing new
            except (nats.errors.ConnectionClosedError, nats.errors.ConnectionReconnectingError) as exc:
                log.warning("consumer.fetch_interrupted", consumer=self._spec.durable, error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            except nats.errors.Error as exc:
                # e.g. the consumer vanished with a restarted server: make sure it exists, go on.
                log.warning("consumer.fetch_failed", consumer=self._spec.durable, error=repr(exc))
                await asyncio.sleep(1.0)
                with contextlib.suppress(nats.errors.Error):
                    await self.ensure()
                continue
            try:
                await self.process(messages)
            except Exception:
                # A bug of ours must not stop the consumer (and with it the process): what was
                # not acknowledged comes back after the ack wait, up to its dead letter.
                log.exception("consumer.process_failed", consumer=self._spec.durable, size=len(messages))

    async def process(self, messages: list[Msg]) -> None:
        spans, batch = [], []
        for msg in messages:
            span = self._start_span(msg)
            spans.append(span)
            try:
                envelope, payload = decode_message(msg.data, msg.subject)
            except EnvelopeError as exc:
                # No retry can fix a malformed message.
                span.set_status(StatusCode.ERROR, str(exc))
                await self._dead_letter(msg, f"undecodable: {exc}")
                continue
            headers: dict[str, str] = {}
            propagate.inject(headers, context=trace.set_span_in_context(span))
            batch.append((msg, Received(envelope, payload, msg.data, headers), span))
        try:
            if len(batch) > 1:
                try:
                    await self._handler([received for _, received, _ in batch])
                except Exception as exc:
                    log.warning(
                        "consumer.batch_failed",
                        consumer=self._spec.durable,
                        size=len(batch),
                        error=repr(exc),
                        retry="one by one",
                    )
                else:
                    for msg, _, _ in batch:
                        await msg.ack()
                    return
            for msg, received, span in batch:
                await self._one(msg, received, span)
        finally:
            for span in spans:
                span.end()

    async def replay(self, letter: DeadLetter) -> None:
        """Hands a dead letter's message to the handler again, as a redelivery would; raises
        ReplayFailed with the reason when it still cannot be decoded or handled."""
        with _tracer.start_as_current_span(
            f"{letter.subject} replay",
            context=context_from_headers(letter.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": letter.subject,
                "messaging.consumer.group.name": self._spec.durable,
                "messaging.message.id": letter.message_id or "",
            },
        ) as span:
            try:
                envelope, payload = decode_message(letter.payload, letter.subject)
            except EnvelopeError as exc:
                raise ReplayFailed(f"undecodable: {exc}") from exc
            headers: dict[str, str] = {}
            propagate.inject(headers, context=trace.set_span_in_context(span))
            try:
                await self._handler([Received(envelope, payload, letter.payload, headers)])
            except Exception as exc:
                raise ReplayFailed(f"{type(exc).__name__}: {exc}") from exc

    @property
    def durable(self) -> str:
        return self._spec.durable

    def _start_span(self, msg: Msg) -> Span:
        headers = dict(msg.headers or {})
        parent = context_from_headers(headers)
        producer = trace.get_current_span(parent).get_span_context()
        return _tracer.start_span(
            f"{msg.subject} process",
            context=parent,
            kind=SpanKind.CONSUMER,
            links=[Link(producer)] if producer.is_valid else None,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": msg.subject,
                "messaging.consumer.group.name": self._spec.durable,
                "messaging.message.id": headers.get("Nats-Msg-Id", ""),
                "messaging.operation.type": "process",
            },
        )

    async def _one(self, msg: Msg, received: Received, span: Span) -> None:
        delivered = msg.metadata.num_delivered
        try:
            await self._handler([received])
        except Exception as exc:
            span.record_exception(exc)
            span.set_status(StatusCode.ERROR, str(exc))
            if delivered >= self._spec.max_deliver:
                await self._dead_letter(msg, f"{type(exc).__name__}: {exc}")
                return
            delay = self._spec.backoff.delay(delivered)
            log.warning(
                "consumer.handler_failed",
                consumer=self._spec.durable,
                event_id=received.id,
                type=received.envelope.type,
                delivered=delivered,
                retry_in=round(delay, 2),
                error=repr(exc),
            )
            await msg.nak(delay=delay)
            return
        await msg.ack()

    async def _dead_letter(self, msg: Msg, error: str) -> None:
        headers = dict(msg.headers or {})
        meta = msg.metadata
        await self._record(
            DeadLetter(
                consumer=self._spec.durable,
                message_id=headers.get("Nats-Msg-Id"),
                subject=msg.subject,
                stream_seq=meta.sequence.stream if meta.sequence else None,
                num_delivered=meta.num_delivered,
                payload=msg.data,
                headers=headers,
                error=error,
            ),
            msg,
        )
        await msg.term()  # recorded: the server must not deliver it again

    async def _record(self, letter: DeadLetter, msg: Msg | None = None) -> None:
        """Writes the dead letter, retrying with backoff for as long as the database refuses
        (a letter is never dropped; `msg`, when given, is kept from redelivery meanwhile)."""
        failures = 0
        while True:
            try:
                await self._dead_letters.record(letter)
                break
            except Exception as exc:
                failures += 1
                log.error(
                    "consumer.dead_letter_not_written",
                    consumer=letter.consumer,
                    message_id=letter.message_id,
                    failures=failures,
                    error=repr(exc),
                )
                if msg is not None:
                    with contextlib.suppress(nats.errors.Error):
                        await msg.in_progress()
                await asyncio.sleep(self._spec.backoff.delay(failures))
        log.error(
            "consumer.dead_letter",
            consumer=letter.consumer,
            subject=letter.subject,
            message_id=letter.message_id,
            stream_seq=letter.stream_seq,
            delivered=letter.num_delivered,
            error=letter.error,
        )
