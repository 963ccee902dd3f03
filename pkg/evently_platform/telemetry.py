"""OpenTelemetry tracing set up the way the SDK documents its `OTEL_*` variables.

`OTEL_TRACES_EXPORTER` names exporters from the SDK's entry points (`otlp`, `console`, ...);
unset means `none`, so a laptop without a collector is not flooded with export errors.
`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*` and the
`OTEL_EXPORTER_OTLP_*` variables are read by the SDK itself.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

_provider: TracerProvider | None = None


def _exporters() -> list[SpanExporter]:
    names = [n.strip() for n in os.environ.get("OTEL_TRACES_EXPORTER", "none").split(",") if n.strip()]
    available = {ep.name: ep for ep in entry_points(group="opentelemetry_traces_exporter")}
    exporters: list[SpanExporter] = []
    for name in names:
        if name == "none":
            continue
        if name == "otlp":  # as the SDK does: the protocol variable picks the transport
            protocol = os.environ.get(
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
            )
            name = "otlp_proto_http" if protocol.startswith("http") else "otlp_proto_grpc"
        if name not in available:
            raise SystemExit(f"OTEL_TRACES_EXPORTER names {name!r}; installed: {sorted(available)}")
        exporters.append(available[name].load()())
    return exporters


def setup_tracing(service: str, *, grpc_client: bool = True) -> TracerProvider:
    """Install the global tracer provider and the gRPC client and HTTPX instrumentations. Call
    once per process. `grpc_client=False` leaves gRPC client calls uninstrumented, for a process
    that propagates the trace context itself (the gateway). A gRPC server's span is made by
    our own interceptor (`evently_platform.grpc.interceptors.tracing`)."""
    global _provider
    if _provider is not None:
        return _provider
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": f"evently-{service}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in _exporters():
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _instrument_libraries(grpc_client=grpc_client)
    _provider = provider
    return provider


def _instrument_libraries(*, grpc_client: bool) -> None:
    # Health probes and reflection would drown the traces that matter.
    os.environ.setdefault(
        "OTEL_PYTHON_GRPC_EXCLUDED_SERVICES",
        "grpc.health.v1.Health,grpc.reflection.v1alpha.ServerReflection,grpc.reflection.v1.ServerReflection",
    )
    from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if grpc_client:
        GrpcAioInstrumentorClient().instrument()
    HTTPXClientInstrumentor().instrument()


def shutdown_tracing() -> None:
    """Flush spans still buffered; called on graceful shutdown."""
    if _provider is not None:
        _provider.shutdown()


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)
