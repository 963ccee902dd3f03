"""The organizer's webhook endpoint, in a process of its own (so that receiving does not compete
with the load generator or the bench for one event loop): it answers 204 at once and notes when
each delivery arrived (`time.monotonic()`, which on Linux is one clock for every process), by a
key taken from the body.

    python -m bench.receiver PORT {ours|bare}

`GET /count` answers how many distinct keys have arrived; `GET /arrivals` the arrival time of
each and how many deliveries were duplicates. `Receiver` runs it for a scenario.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from evently_platform.net import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def _our_key(body: dict[str, Any]) -> str:
    registration = body["data"]["registration"]
    return f"{registration['eventId']}/{registration['userId']}"


def _bare_key(body: dict[str, Any]) -> str:
    return str(body["key"])


KEYS: dict[str, Callable[[dict[str, Any]], str]] = {"ours": _our_key, "bare": _bare_key}


def serve(port: int, key_of: Callable[[dict[str, Any]], str]) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    arrived: dict[str, float] = {}
    duplicates = 0

    async def hook(request: Request) -> Response:
        nonlocal duplicates
        key = key_of(json.loads(await request.body()))
        if key in arrived:
            duplicates += 1
        else:
            arrived[key] = time.monotonic()
        return Response(status_code=204)

    async def count(request: Request) -> Response:
        return JSONResponse({"count": len(arrived)})

    async def arrivals(request: Request) -> Response:
        return JSONResponse({"arrived": arrived, "duplicates": duplicates})

    routes = [
        Route("/hook", hook, methods=["POST"]),
        Route("/count", count),
        Route("/arrivals", arrivals),
    ]
    uvicorn.run(
        Starlette(routes=routes),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


class Receiver:
    """The receiver process for one scenario, and the bench's view of what it has seen."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.pid = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    async def __aenter__(self) -> Receiver:
        self._process = subprocess.Popen(  # noqa: ASYNC220  (starting it does not block)
            [sys.executable, "-m", "bench.receiver", str(self.port), self._kind], cwd=ROOT
        )
        self.pid = self._process.pid
        await asyncio.to_thread(wait_for_port, "127.0.0.1", self.port, 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)

    async def count(self) -> int:
        return int((await self._http.get("/count")).json()["count"])

    async def arrivals(self) -> tuple[dict[str, float], int]:
        body = (await self._http.get("/arrivals")).json()
        return {k: float(v) for k, v in body["arrived"].items()}, int(body["duplicates"])

    async def wait_for_count(self, expected: int, *, timeout: float, stall: float | None = None) -> bool:
        """True once `expected` distinct keys have arrived; False when `timeout` passes first, or
        when `stall` seconds pass without a single new arrival."""
        deadline = time.monotonic() + timeout
        seen, last_progress = -1, time.monotonic()
        while True:
            count = await self.count()
            if count >= expected:
                return True
            now = time.monotonic()
            if count != seen:
                seen, last_progress = count, now
            if now > deadline or (stall is not None and now - last_progress > stall):
                return False
            await asyncio.sleep(0.05)


if __name__ == "__main__":
    serve(int(sys.argv[1]), KEYS[sys.argv[2]])
