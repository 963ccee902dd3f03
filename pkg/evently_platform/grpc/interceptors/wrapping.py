"""The one place that knows how a gRPC handler is wrapped, unary and server-streaming alike: each
interceptor of ours says only what happens around a call (`around`), and runs for Evently's own
methods (`/evently.*`), not for health checks or reflection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc


class MethodInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    streams = True  # whether `around` wraps server-streaming calls too

    def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AbstractAsyncContextManager[None]:
        """What runs around one call (and, for a stream, around all of its messages)."""
        raise NotImplementedError

    def deserializer(self, deserialize: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
        """How request bytes are read (unchanged by default)."""
        return deserialize

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or not method.startswith("/evently."):
            return handler
        deserialize = handler.request_deserializer
        if deserialize is not None:
            deserialize = self.deserializer(deserialize)
        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                async with self.around(method, request, context):
                    return await inner(request, context)

            return grpc.unary_unary_rpc_method_handler(
                unary, request_deserializer=deserialize, response_serializer=handler.response_serializer
            )
        if handler.unary_stream is not None and self.streams:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                async with self.around(method, request, context):
                    async for item in inner_stream(request, context):
                        yield item

            return grpc.unary_stream_rpc_method_handler(
                stream, request_deserializer=deserialize, response_serializer=handler.response_serializer
            )
        return handler  # no client-streaming methods in our APIs
