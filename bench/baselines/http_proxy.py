"""Baseline: a bare uvicorn endpoint that calls a gRPC method and returns its answer as JSON —
what HTTP→gRPC costs with nothing of ours (no routing table, no transcoding, no tracing
middleware).

    python -m bench.baselines.http_proxy PORT ECHO_ADDR            the bare gRPC echo's 4 bytes
    python -m bench.baselines.http_proxy PORT EVENTS_ADDR getevent the events service's GetEvent,
                                                                   rendered as the gateway does

The second answers what the gateway answers (the same event, through protobuf's JSON mapping),
so the difference between it and the gateway is the gateway's own work, not the answer's size.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable

import grpc
import uvicorn
from evently.events.v1 import event_pb2, event_service_pb2
from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.baselines.echo_server import FULL_METHOD

GET_EVENT = "/evently.events.v1.EventService/GetEvent"


def app(backend_addr: str, mode: str = "echo") -> Starlette:
    calls: list[grpc.aio.UnaryUnaryMultiCallable] = []  # made on uvicorn's own event loop

    def call() -> grpc.aio.UnaryUnaryMultiCallable:
        if not calls:
            channel = grpc.aio.insecure_channel(backend_addr)
            if mode == "getevent":
                calls.append(
                    channel.unary_unary(
                        GET_EVENT,
                        request_serializer=event_service_pb2.GetEventRequest.SerializeToString,
                        response_deserializer=event_pb2.Event.FromString,
                    )
                )
            else:
                calls.append(channel.unary_unary(FULL_METHOD))
        return calls[0]

    async def echo(request: Request) -> Response:
        answer: bytes = await call()(request.path_params["id"].encode(), timeout=30)
        return JSONResponse({"id": answer.decode()})

    async def get_event(request: Request) -> Response:
        event = await call()(event_service_pb2.GetEventRequest(id=request.path_params["id"]), timeout=30)
        return JSONResponse(json_format.MessageToDict(event))

    handler: Callable[[Request], Awaitable[Response]] = get_event if mode == "getevent" else echo
    return Starlette(routes=[Route("/v1/events/{id}", handler)])


if __name__ == "__main__":
    uvicorn.run(app(*sys.argv[2:4]), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
