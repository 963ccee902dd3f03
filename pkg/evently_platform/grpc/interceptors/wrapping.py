"""The one place that knows how a gRPC handler is wrapped, unary and server-streaming alike: each
interceptor of ours says only what happens around a call (`around`), and runs for Evently's own
methods (`/evently.*`), not for health checks or reflection.

`InterceptorChain` runs several of them as one grpc.aio interceptor and wraps a method's handler
once, the first time the method is called, rather than once per interceptor on every call."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]]
Unary = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]
Stream = Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Any]]

_CODES = {code.value[0]: code for code in grpc.StatusCode}


def status_of(context: grpc.aio.ServicerContext) -> grpc.StatusCode:
    """The code a call was ended with (grpc.aio reports an enum or its number, by version; none
    while nothing has ended it)."""
    code = context.code()
    if code is None:
        return grpc.StatusCode.OK
    if isinstance(code, grpc.StatusCode):
        return code
    return _CODES.get(code, grpc.StatusCode.UNKNOWN)


@functools.cache
def rpc_names(method: str) -> tuple[str, str]:
    """`/package.Service/Method` → (`package.Service`, `Method`): worked out once per method,
    for the span and the metrics of every call."""
    service, _, name = method.strip("/").rpartition("/")
    return service, name


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
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler:
        """Alone, an interceptor is a chain of one."""
        return await self._alone.intercept_service(continuation, details)

    @functools.cached_property
    def _alone(self) -> InterceptorChain:
        return InterceptorChain([self])


class InterceptorChain(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, interceptors: Sequence[MethodInterceptor]) -> None:
        """`interceptors` outermost first."""
        self._interceptors = tuple(interceptors)
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or not method.startswith("/evently."):
            return handler
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        wrapped = self._wrap(method, handler)
        self._wrapped[method] = (handler, wrapped)
        return wrapped

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        innermost_first = self._interceptors[::-1]
        deserialize = handler.request_deserializer
        if deserialize is not None:
            for interceptor in innermost_first:
                deserialize = interceptor.deserializer(deserialize)
        if handler.unary_unary is not None:
            unary: Unary = handler.unary_unary
            for interceptor in innermost_first:
                unary = _around_unary(interceptor, method, unary)
            return grpc.unary_unary_rpc_method_handler(
                unary, request_deserializer=deserialize, response_serializer=handler.response_serializer
            )
        if handler.unary_stream is not None:
            stream: Stream = handler.unary_stream
            for interceptor in innermost_first:
                if interceptor.streams:
                    stream = _around_stream(interceptor, method, stream)
            return grpc.unary_stream_rpc_method_handler(
                stream, request_deserializer=deserialize, response_serializer=handler.response_serializer
            )
        return handler  # no client-streaming methods in our APIs


def _around_unary(interceptor: MethodInterceptor, method: str, inner: Unary) -> Unary:
    around = interceptor.around

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with around(method, request, context):
            return await inner(request, context)

    return unary


def _around_stream(interceptor: MethodInterceptor, method: str, inner: Stream) -> Stream:
    around = interceptor.around

    async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        async with around(method, request, context):
            async for item in inner(request, context):
                yield item

    return stream
