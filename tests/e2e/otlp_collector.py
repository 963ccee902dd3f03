"""A real OTLP/gRPC trace receiver for tests: collects the spans every process exports."""

from __future__ import annotations

import threading
from concurrent import futures

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.spans: list[tuple[str, str, str]] = []  # (service, span name, trace id)
        self._whole: list[tuple[str, trace_pb2.Span]] = []  # (service, span as exported)
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def Export(self, request, context):  # type: ignore[no-untyped-def]
        with self._lock:
            for resource_spans in request.resource_spans:
                service = next(
                    (
                        a.value.string_value
                        for a in resource_spans.resource.attributes
                        if a.key == "service.name"
                    ),
                    "",
                )
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.spans.append((service, span.name, span.trace_id.hex()))
                        self._whole.append((service, span))
        return trace_service_pb2.ExportTraceServiceResponse()

    def in_trace(self, trace_id: str) -> list[tuple[str, str]]:
        with self._lock:
            return [(service, name) for service, name, t in self.spans if t == trace_id]

    def found(self, trace_id: str, service: str, name: str) -> list[trace_pb2.Span]:
        """The spans of that trace, service and name, as they were exported."""
        with self._lock:
            return [
                span
                for s, span in self._whole
                if s == service and span.name == name and span.trace_id.hex() == trace_id
            ]

    def every(self) -> list[tuple[str, str, str]]:
        """(service, span name, trace id) of every span received so far."""
        with self._lock:
            return list(self.spans)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop(0)
