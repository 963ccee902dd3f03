"""Runs one gRPC service process: health, reflection, interceptors, background workers, and a
graceful shutdown on SIGTERM/SIGINT (health NOT_SERVING → drain calls → stop workers)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from evently_platform.logging import get_logger

log = get_logger(__name__)

Register = Callable[[grpc.aio.Server], None]
Worker = Callable[[], Coroutine[Any, Any, None]]
Cleanup = Callable[[], Awaitable[None]]
# What the service needs to do its work (its database, the broker): None when it is there, else
# why not. While one says no, health answers NOT_SERVING.
ReadinessCheck = Callable[[], Awaitable[str | None]]
NOT_READY_AFTER = 3  # failing rounds in a row


@dataclass
class ServiceHost:
    """Everything a service process runs; built by the service's composition root."""

    name: str
    addr: str
    register: Sequence[Register]
    service_names: Sequence[str]  # fully qualified, for health and reflection
    interceptors: Sequence[grpc.aio.ServerInterceptor] = ()
    workers: Sequence[Worker] = ()  # outbox relay, consumers, schedulers
    cleanups: Sequence[Cleanup] = ()  # run after the server stopped, in order
    readiness: Sequence[ReadinessCheck] = ()
    readiness_interval: float = 1.0
    grace_seconds: float = 5.0
    bound_port: int | None = field(default=None, init=False)


async def run_service(host: ServiceHost, stop: asyncio.Event | None = None) -> int:
    """Serve until `stop` is set or a signal arrives; returns the process exit code."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)

    # No SO_REUSEPORT: a second process on a taken address must fail, not silently share it.
    server = grpc.aio.server(interceptors=list(host.interceptors), options=[("grpc.so_reuseport", 0)])
    for register in host.register:
        register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [
            *host.service_names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    try:
        port = server.add_insecure_port(host.addr)
    except RuntimeError:  # grpc raises where older versions returned 0
        port = 0
    if port == 0:
        log.error("grpc.bind_failed", addr=host.addr)
        return 1
    host.bound_port = port
    await server.start()

    workers = [asyncio.create_task(w(), name=f"{host.name}-worker-{i}") for i, w in enumerate(host.workers)]
    names = ("", *host.service_names)
    for name in names:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("service.started", service=host.name, addr=host.addr, port=port)
    monitor = asyncio.create_task(
        _watch_readiness(host, health_servicer, names), name=f"{host.name}-readiness"
    )

    exit_code = 0
    stop_waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({stop_waiter, *workers}, return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not stop_waiter:
            exit_code = 1
            error = task.exception() if not task.cancelled() else None
            log.error("service.worker_died", task=task.get_name(), error=repr(error), exc_info=error)

    log.info("service.stopping", service=host.name)
    await _cancel_all([monitor])
    await health_servicer.enter_graceful_shutdown()
    await server.stop(host.grace_seconds)
    stop_waiter.cancel()
    await _cancel_all(workers)
    for cleanup in host.cleanups:
        try:
            await cleanup()
        except Exception:
            log.exception("service.cleanup_failed")
    log.info("service.stopped", service=host.name)
    return exit_code


async def _watch_readiness(
    host: ServiceHost, health_servicer: health.aio.HealthServicer, names: Sequence[str]
) -> None:
    """Health follows readiness: NOT_SERVING once a check has failed `NOT_READY_AFTER` rounds in a
    row (load balancers and `evently health` then look elsewhere; one slow answer under load is
    no outage), SERVING again as soon as every check passes."""
    ready, failing = True, 0
    while True:
        await asyncio.sleep(host.readiness_interval)
        reasons = []
        for check in host.readiness:
            try:
                reason = await check()
            except Exception as exc:  # a check that fails to run says no
                reason = repr(exc)
            if reason is not None:
                reasons.append(reason)
        failing = failing + 1 if reasons else 0
        if ready == (failing < NOT_READY_AFTER):
            continue
        ready = failing < NOT_READY_AFTER
        status = (
            health_pb2.HealthCheckResponse.SERVING if ready else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in names:
            await health_servicer.set(name, status)
        if ready:
            log.info("service.ready", service=host.name)
        else:
            log.warning("service.not_ready", service=host.name, reasons=reasons)


async def _cancel_all(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel until every task has ended. Once is not always enough on Python 3.11:
    `asyncio.wait_for` (used inside nats-py's request) swallows a cancellation that lands as
    its awaited future completes, and the worker would carry on forever."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1.0)
