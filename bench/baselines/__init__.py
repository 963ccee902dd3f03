"""Baseline servers: the same work as ours, written with the bare libraries only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc

Handler = Callable[[bytes, grpc.aio.ServicerContext], Awaitable[bytes]]


async def start_one_method_server(port: int, service: str, method: str, handler: Handler) -> grpc.aio.Server:
    """A bare grpc.aio server with one unary method on raw bytes (no protobuf work at all)."""
    server = grpc.aio.server()
    rpc = grpc.unary_unary_rpc_method_handler(handler)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, {method: rpc}),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server
