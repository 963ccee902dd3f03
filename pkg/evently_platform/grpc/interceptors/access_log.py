"""One access-log line and one duration measurement per call: method, status code, caller and
time (the trace id joins the line through structlog)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import grpc

from evently_platform.grpc.interceptors.wrapping import MethodInterceptor, rpc_names, status_of
from evently_platform.logging import get_logger
from evently_platform.metrics import meter

log = get_logger("evently.rpc")
_durations = meter("evently.rpc").create_histogram(
    "rpc.server.duration", unit="ms", description="Time to answer a gRPC call, by method and status code"
)


@dataclass
class _Call:
    user_id: str | None = None


_current: ContextVar[_Call | None] = ContextVar("evently_rpc_call", default=None)


def note_caller(user_id: str) -> None:
    """Authentication names the caller for this call's log line."""
    call = _current.get()
    if call is not None:
        call.user_id = user_id


class AccessLog(MethodInterceptor):
    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        started, code, call = time.perf_counter(), "OK", _Call()
        token = _current.set(call)
        try:
            yield
        except grpc.aio.AbortError:
            code = status_of(context).name
            raise
        except asyncio.CancelledError:
            code = "CANCELLED"  # the client went away
            raise
        except Exception:
            code = "INTERNAL"  # nothing inside mapped it
            raise
        finally:
            _current.reset(token)
            duration_ms = (time.perf_counter() - started) * 1000
            service, name = rpc_names(method)
            _durations.record(
                duration_ms,
                {
                    "rpc.system": "grpc",
                    "rpc.service": service,
                    "rpc.method": name,
                    "rpc.response.status_code": code,
                },
            )
            log.info("rpc", method=method, code=code, user_id=call.user_id, duration_ms=round(duration_ms, 2))
