"""Exceptions → the call's status: a domain error becomes its canonical code with
`google.rpc` details (ErrorInfo, BadRequest, RetryInfo); anything else is a bug of ours, logged
with its traceback and answered INTERNAL without internals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc
from grpc_status import rpc_status

from evently_platform.errors import DomainError
from evently_platform.grpc.interceptors.wrapping import MethodInterceptor
from evently_platform.grpc.status import to_status
from evently_platform.logging import get_logger

log = get_logger("evently.rpc")


class ErrorMapping(MethodInterceptor):
    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        try:
            yield
        except (grpc.aio.AbortError, asyncio.CancelledError):
            raise
        except DomainError as exc:
            await context.abort_with_status(rpc_status.to_status(to_status(exc)))
        except Exception:
            log.exception("rpc.unhandled_error", method=method)
            await context.abort(grpc.StatusCode.INTERNAL, "internal error")
