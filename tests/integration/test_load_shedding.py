"""A process at its limit of calls in flight answers more calls at once with RESOURCE_EXHAUSTED
and a RetryInfo, instead of queueing them; once calls finish it works again. Streams are not
counted (a live feed is a subscription, not work). On a real gRPC server with the platform's
interceptors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from evently_platform.grpc.interceptors import platform_interceptors
from google.rpc import error_details_pb2, status_pb2

SERVICE = "evently.probe.v1.Probe"
SLOW = f"/{SERVICE}/Slow"
FEED = f"/{SERVICE}/Feed"
LIMIT = 2


class Gate:
    """Holds every Slow call until opened, counting those that started work."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.started = 0

    async def slow(self, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        self.started += 1
        await self.opened.wait()
        return b"done"

    async def feed(self, request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        yield b"hello"
        await self.opened.wait()


@pytest.fixture
async def served() -> AsyncIterator[tuple[grpc.aio.Channel, Gate]]:
    gate = Gate()
    server = grpc.aio.server(interceptors=platform_interceptors(None, {SLOW, FEED}, max_in_flight=LIMIT))
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "Slow": grpc.unary_unary_rpc_method_handler(gate.slow),
                    "Feed": grpc.unary_stream_rpc_method_handler(gate.feed),
                },
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel, gate
        gate.opened.set()
    await server.stop(None)


async def _until(condition: object, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.01)


async def test_a_call_past_the_limit_is_refused_at_once_with_when_to_retry(
    served: tuple[grpc.aio.Channel, Gate],
) -> None:
    channel, gate = served
    slow = channel.unary_unary(SLOW)
    working = [asyncio.ensure_future(slow(b"", timeout=30)) for _ in range(LIMIT)]
    await _until(lambda: gate.started == LIMIT, "the calls within the limit never started")

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await slow(b"", timeout=30)

    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "limit of 2 calls at once" in (refused.value.details() or "")
    status = status_pb2.Status.FromString(dict(refused.value.trailing_metadata())["grpc-status-details-bin"])
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in status.details)
    assert retry.retry_delay.seconds == 1
    assert gate.started == LIMIT  # the refused call did no work

    gate.opened.set()
    assert await asyncio.gather(*working) == [b"done"] * LIMIT
    assert await slow(b"", timeout=30) == b"done"  # room again


async def test_open_streams_do_not_count_against_the_limit(served: tuple[grpc.aio.Channel, Gate]) -> None:
    channel, gate = served
    feeds = [channel.unary_stream(FEED)(b"", timeout=30) for _ in range(LIMIT + 3)]
    for feed in feeds:
        assert await feed.read() == b"hello"

    call = asyncio.ensure_future(channel.unary_unary(SLOW)(b"", timeout=30))
    await _until(lambda: gate.started == 1, "a unary call was refused while only streams were open")
    gate.opened.set()
    assert await call == b"done"
    for feed in feeds:
        feed.cancel()
