"""A service that falls behind: the gateway answers the requests it cannot pass on at once with
503 and `Retry-After`, instead of holding them until its deadline, and serves again once the
service catches up. In front of a real gRPC server that answers only when the test lets it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import uvicorn
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently_gateway.app import create_app
from evently_platform.config import Settings
from evently_platform.net import free_port

from tests.support import eventually


class BehindService(event_service_pb2_grpc.EventServiceServicer):
    """GetEvent answers once `catch_up` is set; `waiting` counts the calls held until then."""

    def __init__(self) -> None:
        self.catch_up = asyncio.Event()
        self.waiting = 0
        self.served = 0

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        self.waiting += 1
        await self.catch_up.wait()
        self.served += 1
        return event_pb2.Event(id=request.id, title="Winter meetup")


@contextlib.asynccontextmanager
async def gateway_before(service: BehindService, tmp_path: Path, max_in_flight: int) -> AsyncIterator[str]:
    server = grpc.aio.server()
    event_service_pb2_grpc.add_EventServiceServicer_to_server(service, server)
    events_addr = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    gateway_addr = f"127.0.0.1:{free_port()}"
    settings = Settings.from_env(
        {
            "EVENTLY_DATA_DIR": str(tmp_path),
            "EVENTLY_EVENTS_ADDR": events_addr,
            "EVENTLY_GATEWAY_ADDR": gateway_addr,
            "EVENTLY_MAX_CALLS_IN_FLIGHT": str(max_in_flight),
        }
    )
    host, port = gateway_addr.split(":")
    http_server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=host, port=int(port), log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(http_server.serve())
    try:
        await eventually(lambda: http_server.started, timeout=30)
        yield f"http://{gateway_addr}"
    finally:
        service.catch_up.set()
        http_server.should_exit = True
        await serving
        await server.stop(None)


async def test_requests_past_the_bound_are_answered_503_at_once_and_served_again_later(
    tmp_path: Path,
) -> None:
    service = BehindService()
    async with (
        gateway_before(service, tmp_path, max_in_flight=2) as gateway,
        httpx.AsyncClient(base_url=gateway, timeout=60) as http,
    ):
        held = [asyncio.create_task(http.get(f"/v1/events/e{n}")) for n in (1, 2)]
        await eventually(lambda: service.waiting == 2)

        refused = await http.get("/v1/events/e3")
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        body = refused.json()
        assert body["code"] == grpc.StatusCode.UNAVAILABLE.value[0]
        assert "events service" in body["message"]
        assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"} in body["details"]
        assert service.waiting == 2  # the refused request never reached the service

        service.catch_up.set()
        answers = await asyncio.gather(*held)
        assert [a.json() for a in answers] == [
            {"id": "e1", "title": "Winter meetup"},
            {"id": "e2", "title": "Winter meetup"},
        ]
        again = await http.get("/v1/events/e3")
        assert again.status_code == 200
        assert again.json() == {"id": "e3", "title": "Winter meetup"}
        assert service.served == 3
