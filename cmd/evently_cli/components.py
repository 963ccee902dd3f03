"""How each component is started: the one place that knows every service."""

from __future__ import annotations

import asyncio

import uvloop
from evently_platform.config import Settings
from evently_platform.logging import configure_logging
from evently_platform.memory import limit_malloc_arenas
from evently_platform.metrics import setup_metrics
from evently_platform.telemetry import setup_tracing

COMPONENTS = ("users", "events", "notifier", "gateway")
MIGRATIONS = {
    "users": "evently_users:migrations",
    "events": "evently_events:migrations",
    "notifier": "evently_notifier:migrations",
}


async def _serve(component: str, settings: Settings) -> int:
    # Imported here so that each process loads only its own component (the gateway has no
    # database, and skipping SQLAlchemy and Alembic saves it start-up time and memory).
    if component == "gateway":
        from evently_gateway.server import serve

        return await serve(settings)
    if component == "users":
        from evently_users.bootstrap import build
    elif component == "events":
        from evently_events.bootstrap import build  # type: ignore[assignment]
    else:
        from evently_notifier.bootstrap import build  # type: ignore[assignment]
    from evently_platform.grpc.server import run_service

    host = await build(settings)
    return await run_service(host)


def serve(component: str) -> int:
    limit_malloc_arenas()  # first: before any thread makes an arena of its own
    settings = Settings.from_env()
    configure_logging(component, log_format=settings.log_format)
    setup_tracing(component, grpc_client=component != "gateway")  # see evently_gateway.backends
    setup_metrics(component, settings.metrics_addr)
    # The gateway is an HTTP server first: uvloop cuts its per-request overhead (bench/README.md).
    # The gRPC services keep asyncio's own loop, the one grpc.aio is built and tested on.
    loop_factory = uvloop.new_event_loop if component == "gateway" else None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(_serve(component, settings))
