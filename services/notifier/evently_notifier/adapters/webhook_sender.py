"""POSTs one delivery: the CloudEvent as sent on the stream, signed per Standard Webhooks, over
pooled connections (aiohttp: about a tenth of httpx's CPU per request, see bench/README.md)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from evently_platform.clock import Clock, SystemClock
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, StatusCode

from evently_notifier.adapters.guarded_resolver import guarded_connector, refuse_inside_literal
from evently_notifier.domain.chat import DeliveryFormat
from evently_notifier.domain.deliveries import AttemptOutcome, Delivery, parse_retry_after
from evently_notifier.domain.signing import signature_headers
from evently_notifier.domain.subscriptions import Subscription

USER_AGENT = "Evently-Webhooks/0.1"
READ_LIMIT = 4096  # of an answer's body: enough for an error message in the delivery log
_tracer = trace.get_tracer("evently.webhooks")


class WebhookSender:
    """`timeout` bounds a whole attempt (connecting, sending, the answer to its last byte): a
    receiver that drips its answer cannot keep an attempt open past its claim's lease."""

    def __init__(
        self, *, allow_private: bool, timeout: float = 15.0, per_endpoint: int = 8, clock: Clock | None = None
    ) -> None:
        self._clock = clock or SystemClock()
        self._allow_private = allow_private
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._per_endpoint = per_endpoint
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use: a session belongs to the running loop
            self._session = aiohttp.ClientSession(
                connector=guarded_connector(
                    allow_private=self._allow_private, per_endpoint=self._per_endpoint
                ),
                timeout=self._timeout,
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding",),
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """One POST in a client span, the trace context sent along; (status, start of the body)."""
        status, start, _ = await self._post(url, body, headers)
        return status, start

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, str | None]:
        """As `post`, with the answer's Retry-After header."""
        refuse_inside_literal(url, allow_private=self._allow_private)
        with _tracer.start_as_current_span(
            "POST", kind=SpanKind.CLIENT, attributes={"http.request.method": "POST", "url.full": url}
        ) as span:
            propagate.inject(headers)
            async with self._client().post(url, data=body, headers=headers, allow_redirects=False) as answer:
                start = await answer.content.read(READ_LIMIT)
            span.set_attribute("http.response.status_code", answer.status)
            if answer.status >= 400:
                span.set_status(StatusCode.ERROR)
            return answer.status, start, answer.headers.get("retry-after")

    async def send(self, delivery: Delivery, subscription: Subscription) -> AttemptOutcome:
        if subscription.format is DeliveryFormat.CLOUDEVENTS:
            headers = {
                "content-type": "application/cloudevents+json; charset=utf-8",
                "user-agent": USER_AGENT,
                **signature_headers(
                    subscription.signing_secrets(self._clock.now()),
                    delivery.event_id,
                    int(time.time()),  # the wall clock: receivers hold it against theirs
                    delivery.payload,
                ),
            }
        else:
            # Chat tools take plain JSON and ignore signatures: the URL itself is their secret.
            headers = {"content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT}
        try:
            status, start, retry_after = await self._post(subscription.url, delivery.payload, headers)
        except TimeoutError:
            return AttemptOutcome(0, "timed out")
        except aiohttp.ClientError as exc:
            return AttemptOutcome(0, f"{type(exc).__name__}: {exc}")
        response = start.decode("utf-8", "replace")
        if 200 <= status < 300:
            return AttemptOutcome(status, response=response)
        wait = parse_retry_after(retry_after, self._clock.now())
        return AttemptOutcome(status, f"HTTP {status}: {response[:200]}", wait, response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            await asyncio.sleep(0)  # lets the connector's transports close
