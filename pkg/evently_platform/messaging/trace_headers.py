"""W3C trace context in message headers: NATS has no official OpenTelemetry instrumentation."""

from __future__ import annotations

from opentelemetry import context, propagate


def current_trace_headers() -> dict[str, str]:
    """`traceparent` (and `tracestate`) of the active span, to store or send with a message."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from_headers(headers: dict[str, str] | None) -> context.Context:
    return propagate.extract(headers or {})
