"""gRPC channels to the services, and calls made from descriptors (no generated stubs needed)."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from evently_platform.grpc.channels import channel as client_channel
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

# Headers passed through to the services as gRPC metadata (traceparent is carried by OpenTelemetry).
FORWARDED_HEADERS = ("authorization",)


class Backends:
    def __init__(self, addrs: Mapping[str, str]) -> None:
        self._addrs = dict(addrs)
        self._channels: dict[str, grpc.aio.Channel] = {}

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
    ) -> Message:
        response_class = message_factory.GetMessageClass(method.output_type)
        call = self.channel(backend).unary_unary(
            f"/{method.containing_service.full_name}/{method.name}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        response: Message = await call(request, metadata=metadata, timeout=timeout)
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
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        return call(request, metadata=metadata)

    @property
    def names(self) -> list[str]:
        return list(self._addrs)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
