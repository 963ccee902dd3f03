"""Scenario 5: start-up — from nothing to every health check SERVING (target ≤ 5 s) — and each
process's resident memory once idle (target ≤ 120 MB per service), beside a bare grpc.aio
server's start-up and idle memory."""

from __future__ import annotations

import asyncio

from bench.context import Context
from bench.measure import rss_bytes
from bench.processes import baseline_server, evently
from bench.report import Row, Target, row

SETTLE_SECONDS = 2.0  # let start-up work (migrations, stream set-up) finish before reading RSS
MB = 1024 * 1024


async def run(ctx: Context) -> list[Row]:
    with baseline_server("echo_server") as echo:
        await asyncio.sleep(0.2 if ctx.smoke else SETTLE_SECONDS)
        bare_rss = rss_bytes(echo.pids["echo_server"]) / MB
        bare_start = echo.started_in
    with evently(ctx.work_dir / "evently") as system:
        rows = [
            row("start-up", "to all SERVING", "s", system.started_in, bare_start, Target("ours", at_most=5))
        ]
        await asyncio.sleep(0.2 if ctx.smoke else SETTLE_SECONDS)
        for name, pid in system.pids.items():
            target = None if name == "nats" else Target("ours", at_most=120)
            rows.append(row("start-up", f"idle RSS {name}", "MB", rss_bytes(pid) / MB, bare_rss, target))
    return rows
