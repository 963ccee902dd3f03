"""One server interceptor for every service: caller authentication, domain error → status
mapping, and an access-log line per call (with the trace id, via structlog)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_status import rpc_status

from evently_platform.auth.principal import Principal, reset_principal, set_principal
from evently_platform.auth.tokens import TokenVerifier
from evently_platform.errors import DomainError, FieldViolation, InvalidArgument, Unauthenticated
from evently_platform.grpc.status import grpc_code, to_status
from evently_platform.grpc.text_guard import check_text
from evently_platform.logging import get_logger
from evently_platform.metrics import meter

log = get_logger("evently.rpc")
_durations = meter("evently.rpc").create_histogram(
    "rpc.server.duration", unit="ms", description="Time to answer a gRPC call, by method and status code"
)


class PlatformInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """`public_methods` need no caller; every other `/evently.*` method does. A token sent to a
    public method is still verified, so a forged one is refused everywhere."""

    def __init__(self, verifier: TokenVerifier | None, public_methods: Collection[str]) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method: str = details.method
        if handler is None or not method.startswith("/evently."):
            return handler
        needs_caller = method not in self._public
        metadata = {k: v for k, v in (details.invocation_metadata or ()) if isinstance(v, str)}
        authorization = metadata.get("authorization")

        async def authenticate() -> Principal | None:
            if authorization is None:
                if needs_caller:
                    raise Unauthenticated(
                        "this method needs an access token: send `authorization: Bearer <token>`"
                    )
                return None
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise Unauthenticated("authorization metadata must be `Bearer <access token>`")
            if self._verifier is None:
                raise Unauthenticated("this service cannot verify access tokens")
            return await self._verifier.verify(token.strip())

        async def fail(exc: Exception, context: grpc.aio.ServicerContext) -> str:
            """Turns an exception into the call's status; returns the code for the access log."""
            if isinstance(exc, DomainError):
                status = to_status(exc)
                await context.abort_with_status(rpc_status.to_status(status))
            log.exception("rpc.unhandled_error", method=method)
            await context.abort(grpc.StatusCode.INTERNAL, "internal error")
            raise AssertionError("abort always raises")  # pragma: no cover

        service_name, _, method_name = method.strip("/").rpartition("/")

        def access_log(started: float, code: str, principal: Principal | None) -> None:
            duration_ms = (time.perf_counter() - started) * 1000
            _durations.record(
                duration_ms,
                {
                    "rpc.system": "grpc",
                    "rpc.service": service_name,
                    "rpc.method": method_name,
                    "rpc.response.status_code": code,
                },
            )
            log.info(
                "rpc",
                method=method,
                code=code,
                user_id=principal.user_id if principal else None,
                duration_ms=round(duration_ms, 2),
            )

        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                started, code, principal = time.perf_counter(), "OK", None
                try:
                    principal = await authenticate()
                    _check_decoded(request)
                    check_text(request)
                    remaining = context.time_remaining()
                    if remaining is not None and remaining <= 0:
                        # The caller has given up: doing the work now would only surprise it.
                        await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before work")
                    token = set_principal(principal)
                    try:
                        return await inner(request, context)
                    finally:
                        reset_principal(token)
                except grpc.aio.AbortError:
                    code = _code_name(context)
                    raise
                except Exception as exc:
                    code = _code_name_of(exc)
                    await fail(exc, context)
                finally:
                    access_log(started, code, principal)

            return grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=_tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )

        if handler.unary_stream is not None:
            inner_stream = handler.unary_stream

            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                started, code, principal = time.perf_counter(), "OK", None
                try:
                    principal = await authenticate()
                    _check_decoded(request)
                    check_text(request)
                    token = set_principal(principal)
                    try:
                        async for item in inner_stream(request, context):
                            yield item
                    finally:
                        reset_principal(token)
                except grpc.aio.AbortError:
                    code = _code_name(context)
                    raise
                except asyncio.CancelledError:
                    code = "CANCELLED"  # the client went away
                    raise
                except Exception as exc:
                    code = _code_name_of(exc)
                    await fail(exc, context)
                finally:
                    access_log(started, code, principal)

            return grpc.unary_stream_rpc_method_handler(
                stream,
                request_deserializer=_tolerant(handler.request_deserializer),
                response_serializer=handler.response_serializer,
            )
        return handler


@dataclass(frozen=True)
class _Undecodable:
    """Request bytes that are not the method's message (grpc.aio itself would answer UNKNOWN)."""

    error: str


def _tolerant(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserialize is None:
        return None

    def read(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as exc:  # DecodeError, or RecursionError from nesting too deep
            return _Undecodable(f"{type(exc).__name__}: {exc}"[:200])

    return read


def _check_decoded(request: Any) -> None:
    if isinstance(request, _Undecodable):
        raise InvalidArgument([FieldViolation("request", f"is not this method's message ({request.error})")])


def _code_name(context: grpc.aio.ServicerContext) -> str:
    code = context.code()
    return code.name if isinstance(code, grpc.StatusCode) else str(code)


def _code_name_of(exc: Exception) -> str:
    return grpc_code(to_status(exc)).name if isinstance(exc, DomainError) else "INTERNAL"
