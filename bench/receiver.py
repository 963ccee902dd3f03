"""The organizer's webhook endpoint, in the benchmark's own process and event loop (so its clock
is the caller's): it answers 204 at once and notes when each delivery arrived, by a key taken
from the body."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from evently_platform.net import free_port
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class Receiver:
    def __init__(self, key_of: Callable[[dict[str, Any]], str]) -> None:
        self.arrived: dict[str, float] = {}  # key → perf_counter at arrival (first delivery only)
        self.duplicates = 0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

        async def hook(request: Request) -> Response:
            key = key_of(json.loads(await request.body()))
            if key in self.arrived:
                self.duplicates += 1
            else:
                self.arrived[key] = time.perf_counter()
            return Response(status_code=204)

        app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Receiver:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110  (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task

    async def wait_for(self, keys: set[str], timeout: float) -> bool:
        """True once every key has arrived; False when `timeout` passes first."""
        deadline = time.perf_counter() + timeout
        while not keys <= self.arrived.keys():
            if time.perf_counter() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True
