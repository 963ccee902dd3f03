"""One server span per HTTP request, child of the caller's `traceparent`, and the request-duration
histogram — what the gateway used OpenTelemetry's ASGI middleware for, at a fraction of its cost.
That middleware collected some fifteen attributes per request (twice), parsed the URL again,
wrapped `send` and recorded six instruments; replacing it saved 10 to 18 % of the gateway's CPU per
GET (bench/README.md). Here a request costs one span with the attributes the semantic
conventions require, and one histogram record (a no-op while no meter provider is installed).

The span is named `METHOD path` when the request starts; the API handler renames it
`METHOD template` (`http.route`) once it has found the route, so traces group by route and not
by every event id."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from evently_platform.metrics import meter
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

# The headers a W3C trace context (and baggage) travels in: the only ones read per request.
_PROPAGATION_HEADERS = frozenset({b"traceparent", b"tracestate", b"baggage"})


class RequestTracing:
    def __init__(self, app: App, *, excluded_paths: frozenset[str] = frozenset()) -> None:
        self._app = app
        self._excluded = excluded_paths
        self._tracer = trace.get_tracer(__name__)
        self._duration = meter(__name__).create_histogram(
            "http.server.request.duration", unit="s", description="Duration of HTTP server requests."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._excluded:
            await self._app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in _PROPAGATION_HEADERS
        }
        method: str = scope["method"]
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        began = time.perf_counter()
        with self._tracer.start_as_current_span(
            f"{method} {scope['path']}",
            context=propagate.extract(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
        ) as span:
            try:
                await self._app(scope, receive, send_noting_status)
            finally:
                span.set_attribute("http.response.status_code", status)
                if status >= 500 or status == 0:  # 0: the app failed before it answered
                    span.set_status(Status(StatusCode.ERROR))
                self._duration.record(
                    time.perf_counter() - began,
                    {"http.request.method": method, "http.response.status_code": status},
                )


def name_route(method: str, template: str) -> None:
    """Rename the current request's span after the route it matched."""
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {template}")
        span.set_attribute("http.route", template)
