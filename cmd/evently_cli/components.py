"""How each component is started: the one place that knows every service."""

from __future__ import annotations

import asyncio

from evently_platform.config import Settings
from evently_platform.grpc.server import run_service
from evently_platform.runtime import configure_process

COMPONENTS = ("users", "events", "notifier", "gateway")
MIGRATIONS = {
    "users": "evently_users:migrations",
    "events": "evently_events:migrations",
    "notifier": "evently_notifier:migrations",
}


async def _serve(component: str, settings: Settings) -> int:
    if component == "gateway":
        from evently_gateway.server import serve

        return await serve(settings)
    if component == "users":
        from evently_users.bootstrap import build
    elif component == "events":
        from evently_events.bootstrap import build  # type: ignore[assignment]
    else:
        from evently_notifier.bootstrap import build  # type: ignore[assignment]
    host = await build(settings)
    return await run_service(host)


def serve(component: str) -> int:
    settings = Settings.from_env()
    configure_process(component, settings)
    return asyncio.run(_serve(component, settings))
