"""A service too busy to take a call: gRPC core turns away calls beyond its queue of waiting
ones with CANCELLED, before any of our code sees them. Through the gateway that is a 503 with a
Retry-After — the service is overloaded — never a 499, which would say the client went away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently_gateway.app import create_app
from evently_platform.config import Settings
from evently_platform.net import free_port

from tests.support import eventually


class _Busy(event_service_pb2_grpc.EventServiceServicer):
    """Holds every GetEvent until released; counts those it was given."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.taken = 0

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        self.taken += 1
        await self.release.wait()
        return event_pb2.Event(id=request.id, title="Held")


@pytest.fixture
async def busy_events() -> AsyncIterator[tuple[_Busy, str]]:
    # One call at a time in the process, and room for one more waiting in gRPC core: the rest
    # are turned away by core itself, as a real service's are once its queue is full.
    server = grpc.aio.server(
        maximum_concurrent_rpcs=1,
        options=[("grpc.server.max_pending_requests", 0), ("grpc.server.max_pending_requests_hard_limit", 1)],
    )
    busy = _Busy()
    event_service_pb2_grpc.add_EventServiceServicer_to_server(busy, server)
    addr = f"127.0.0.1:{free_port()}"
    server.add_insecure_port(addr)
    await server.start()
    yield busy, addr
    await server.stop(None)


async def test_calls_a_busy_service_turns_away_are_503_with_retry_after(
    busy_events: tuple[_Busy, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    busy, addr = busy_events
    monkeypatch.setenv("EVENTLY_EVENTS_ADDR", addr)
    app = create_app(Settings.from_env())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        first = asyncio.create_task(http.get("/v1/events/e0"))
        await eventually(lambda: busy.taken == 1)  # the one call the service can hold
        rest = [asyncio.create_task(http.get(f"/v1/events/e{n}")) for n in range(1, 6)]
        done, _ = await asyncio.wait(rest, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert done, "no call was answered while the service was busy"
        turned_away = [task.result() for task in done]
        busy.release.set()
        held = await first
        answers = [*turned_away, *[await task for task in rest if task not in done]]

    assert held.status_code == 200 and held.json()["title"] == "Held"
    statuses = sorted(answer.status_code for answer in answers)
    # 503: turned away by gRPC core; 429: by grpc.aio's own limit on calls in the process, its
    # RESOURCE_EXHAUSTED; 200: taken once the held call was done. Never 499.
    assert set(statuses) <= {200, 429, 503}, statuses
    turned_away_by_core = [answer for answer in answers if answer.status_code == 503]
    assert turned_away_by_core, statuses
    for answer in turned_away_by_core:
        assert answer.headers["retry-after"] == "1"
        body = answer.json()
        assert body["code"] == grpc.StatusCode.UNAVAILABLE.value[0]
        assert "events service turned the call away" in body["message"]
