"""The gRPC host every service runs in."""

from __future__ import annotations

import asyncio
import socket

from evently_platform.grpc.server import ServiceHost, run_service
from evently_platform.net import free_port

from tests.support import eventually


async def test_a_taken_address_fails_the_start_instead_of_being_shared() -> None:
    port = free_port()
    first = ServiceHost(name="first", addr=f"127.0.0.1:{port}", register=[], service_names=[])
    stop = asyncio.Event()
    running = asyncio.create_task(run_service(first, stop))
    try:
        await eventually(lambda: first.bound_port is not None or running.done())
        second = ServiceHost(name="second", addr=f"127.0.0.1:{port}", register=[], service_names=[])
        assert await asyncio.wait_for(run_service(second, asyncio.Event()), timeout=30) == 1
    finally:
        stop.set()
        assert await running == 0


async def test_a_service_stops_when_asked_and_frees_its_port() -> None:
    port = free_port()
    host = ServiceHost(name="short", addr=f"127.0.0.1:{port}", register=[], service_names=[])
    stop = asyncio.Event()
    running = asyncio.create_task(run_service(host, stop))
    await eventually(lambda: host.bound_port is not None or running.done())
    stop.set()
    assert await running == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
