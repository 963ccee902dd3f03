"""gRPC channels to the services, and calls made from descriptors (no generated stubs needed)."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from evently_platform.grpc.channels import channel as client_channel
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from opentelemetry import propagate

# Headers passed through to the services as gRPC metadata (the trace context goes as `with_trace`
# puts it: the gateway's own span, child of the caller's `traceparent`).
FORWARDED_HEADERS = ("authorization",)


class Backends:
    """The gateway's own gRPC client. It carries the request's trace to the services itself (W3C
    `traceparent` in the metadata) instead of through OpenTelemetry's client interceptor: that
    interceptor turns every call into an intercepted one and added a client span to each request,
    ~10 % of the gateway's CPU (bench/README.md); the service's server span is the child of the
    gateway's request span all the same."""

    def __init__(self, addrs: Mapping[str, str]) -> None:
        self._addrs = dict(addrs)
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._unary: dict[MethodDescriptor, grpc.aio.UnaryUnaryMultiCallable] = {}

    def channel(self, backend: str) -> grpc.aio.Channel:
        if backend not in self._channels:
            self._channels[backend] = client_channel(self._addrs[backend])
        return self._channels[backend]

    async def unary(
        self,
        backend: str,
        method: MethodDescriptor,
        request: Message,
        metadata: list[tuple[str, str]],
        timeout: float,
    ) -> bytes:
        """The answer as it came on the wire (a `method.output_type` message, serialized): the
        gateway renders it to JSON, and remembers the JSON of repeated answers by these bytes."""
        call = self._unary.get(method)
        if call is None:
            call = self._unary[method] = self.channel(backend).unary_unary(
                f"/{method.containing_service.full_name}/{method.name}",
                request_serializer=_serialize,
                response_deserializer=None,
            )
        response: bytes = await call(request, metadata=with_trace(metadata), timeout=timeout)
        return response

    def stream(
        self,
        backend: str,
        method: MethodDescriptor,
        request: Message,
        metadata: list[tuple[str, str]],
    ) -> grpc.aio.UnaryStreamCall:
        response_class = message_factory.GetMessageClass(method.output_type)
        call = self.channel(backend).unary_stream(
            f"/{method.containing_service.full_name}/{method.name}",
            request_serializer=_serialize,
            response_deserializer=response_class.FromString,
        )
        return call(request, metadata=with_trace(metadata))

    @property
    def names(self) -> list[str]:
        return list(self._addrs)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def with_trace(metadata: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The metadata plus the current span's W3C trace context (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [*metadata, *carrier.items()]
