"""Baseline: a bare uvicorn endpoint that calls the gRPC echo server and returns its answer as
JSON — what HTTP→gRPC costs with nothing of ours (no routing table, no transcoding, no
tracing middleware).

    python -m bench.baselines.http_proxy PORT ECHO_ADDR
"""

from __future__ import annotations

import sys

import grpc
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.baselines.echo_server import FULL_METHOD


def app(echo_addr: str) -> Starlette:
    calls: list[grpc.aio.UnaryUnaryMultiCallable] = []  # made on uvicorn's own event loop

    async def get(request: Request) -> Response:
        if not calls:
            calls.append(grpc.aio.insecure_channel(echo_addr).unary_unary(FULL_METHOD))
        answer: bytes = await calls[0](request.path_params["id"].encode(), timeout=30)
        return JSONResponse({"id": answer.decode()})

    return Starlette(routes=[Route("/v1/events/{id}", get)])


if __name__ == "__main__":
    uvicorn.run(app(sys.argv[2]), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
