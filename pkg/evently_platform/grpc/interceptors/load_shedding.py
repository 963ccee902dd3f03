"""A bound on the unary calls a process works on at once: past it, a call is answered at once with
RESOURCE_EXHAUSTED and a RetryInfo, rather than queued behind work the process cannot finish in
time (a queue that only grows under overload, in latency and in memory). Streams are
subscriptions that last, not work, and are not counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import grpc

from evently_platform.errors import ResourceExhausted
from evently_platform.grpc.interceptors.wrapping import MethodInterceptor
from evently_platform.metrics import meter

RETRY_AFTER = timedelta(seconds=1)
_shed = meter("evently.rpc").create_counter(
    "rpc.server.shed",
    unit="{call}",
    description="Calls refused because the process was at its limit, by method",
)


class LoadShedding(MethodInterceptor):
    streams = False

    def __init__(self, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._max = max_in_flight
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        if self._in_flight >= self._max:
            _shed.add(1, {"rpc.method": method})
            raise ResourceExhausted(
                f"the service is at its limit of {self._max} calls at once: try again shortly",
                retry_after=RETRY_AFTER,
            )
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
