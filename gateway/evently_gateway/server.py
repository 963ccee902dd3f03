"""Runs the gateway with uvicorn, traced by OpenTelemetry's ASGI middleware."""

from __future__ import annotations

import uvicorn
from evently_platform.config import Settings
from evently_platform.logging import get_logger
from evently_platform.net import split_addr
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

from evently_gateway.app import create_app
from evently_gateway.slow_clients import HeaderDeadlineProtocol

log = get_logger(__name__)


async def serve(settings: Settings) -> int:
    # One span per request: per-message `send`/`receive` spans tell nothing and cost CPU on each call.
    app = OpenTelemetryMiddleware(
        create_app(settings), excluded_urls="healthz,readyz", exclude_spans=["receive", "send"]
    )
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
