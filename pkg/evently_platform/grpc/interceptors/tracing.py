"""The call's server span: a child of the caller's trace context (`traceparent` in the metadata),
named after the full method, with OpenTelemetry's RPC attributes and the status code the call
ended with. Ours rather than opentelemetry-instrumentation-grpc's server interceptor, which on
every call ran a chain of filter functions (with `typing.Protocol` checks), parsed the peer
address and wrapped the servicer context in a proxy: more CPU than the rest of a cached read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from evently_platform.grpc.interceptors.wrapping import MethodInterceptor, rpc_names, status_of

# The codes that mean the server failed (OpenTelemetry's semantic conventions for RPC servers);
# the others are answers about the request, not errors of the span.
_SERVER_ERRORS = frozenset(
    {
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
    }
)


class Tracing(MethodInterceptor):
    def __init__(self) -> None:
        self._tracer = trace.get_tracer("evently.rpc")
        # The metadata keys the trace context travels in (traceparent, tracestate, baggage).
        self._fields = frozenset(propagate.get_global_textmap().fields)

    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        carrier = {k: v for k, v in context.invocation_metadata() or () if k in self._fields}
        service, name = rpc_names(method)
        with self._tracer.start_as_current_span(
            method,
            context=propagate.extract(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": name},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            code = grpc.StatusCode.OK
            try:
                yield
            except grpc.aio.AbortError:
                code = status_of(context)
                raise
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED
                raise
            except Exception as exc:  # grpc.aio answers UNKNOWN for what nothing mapped
                code = grpc.StatusCode.UNKNOWN
                span.record_exception(exc)
                raise
            finally:
                span.set_attribute("rpc.grpc.status_code", code.value[0])
                if code in _SERVER_ERRORS:
                    span.set_status(Status(StatusCode.ERROR, code.name))
