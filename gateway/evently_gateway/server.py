"""Runs the gateway with uvicorn, a server span per request."""

from __future__ import annotations

import uvicorn
from evently_platform.config import Settings
from evently_platform.logging import get_logger
from evently_platform.net import split_addr

from evently_gateway.app import create_app
from evently_gateway.request_tracing import RequestTracing
from evently_gateway.slow_clients import HeaderDeadlineProtocol

log = get_logger(__name__)


async def serve(settings: Settings) -> int:
    # Probes would drown the traces that matter.
    app = RequestTracing(create_app(settings), excluded_paths=frozenset({"/healthz", "/readyz"}))
    host, port = split_addr(settings.bind_addr("gateway"))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        http=HeaderDeadlineProtocol,  # httptools' C parser, with a deadline for headers
        # Open Server-Sent Events streams never end by themselves: give them a few seconds.
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    log.info("service.started", service="gateway", addr=settings.bind_addr("gateway"))
    await server.serve()  # handles SIGINT/SIGTERM gracefully
    log.info("service.stopped", service="gateway")
    return 0
