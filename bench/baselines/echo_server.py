"""Baseline: a bare grpc.aio server whose one unary method returns the request's bytes — what a
gRPC call costs with nothing of ours (no interceptor, no auth, no database, no protobuf work).

    python -m bench.baselines.echo_server PORT
"""

from __future__ import annotations

import asyncio
import sys

import grpc

from bench.baselines import start_one_method_server

SERVICE, METHOD = "bench.Echo", "Echo"
FULL_METHOD = f"/{SERVICE}/{METHOD}"


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


async def serve(port: int) -> None:
    server = await start_one_method_server(port, SERVICE, METHOD, _echo)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
