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

from evently_platform.db.outages import outage_summary
from evently_platform.errors import DomainError, Unavailable
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
        except Exception as exc:
            outage = outage_summary(exc)
            if outage is None:
                log.exception("rpc.unhandled_error", method=method)
                await context.abort(grpc.StatusCode.INTERNAL, "internal error")
            # A database that cannot work now, met outside a unit of work: the caller may retry.
            log.warning("rpc.database_unavailable", method=method, error=outage)
            unavailable = Unavailable("the database is unavailable right now; try again shortly")
            await context.abort_with_status(rpc_status.to_status(to_status(unavailable)))
