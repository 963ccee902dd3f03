"""What a request must be before any work: bytes that are the method's message, text without
control characters, and a deadline not already spent (on streams too)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc

from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.grpc.interceptors.wrapping import MethodInterceptor
from evently_platform.grpc.text_guard import check_text


@dataclass(frozen=True)
class _Undecodable:
    """Request bytes that are not the method's message (grpc.aio itself would answer UNKNOWN)."""

    error: str


class RequestGuard(MethodInterceptor):
    def deserializer(self, deserialize: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
        def read(data: bytes) -> Any:
            try:
                return deserialize(data)
            except Exception as exc:  # DecodeError, or RecursionError from nesting too deep
                return _Undecodable(f"{type(exc).__name__}: {exc}"[:200])

        return read

    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        if isinstance(request, _Undecodable):
            raise InvalidArgument(
                [FieldViolation("request", f"is not this method's message ({request.error})")]
            )
        check_text(request)
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            # The caller has given up: doing the work now would only surprise it.
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before work")
        yield
