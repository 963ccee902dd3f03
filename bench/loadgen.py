"""The load generator of the e2e scenario, in a process of its own so that it never competes with
the bench's bookkeeping for one event loop: it offers calls at a fixed rate (open loop) and writes
when it sent each and when its answer came (`time.monotonic()`, one clock for every process on
Linux).

    python -m bench.loadgen JOB.json RESULT.json

A job is `{"addr", "kind": "register"|"bare", "rate", "seconds", "calls": [[key, event_id, token]]}`:
`register` calls Evently's `RegisterForEvent` as the token's user, `bare` the bare pipeline's one
method with the key as the request. The result is `{"sent": {key: time}, "answered": {key: time},
"failed": [key], "elapsed", "errors": [up to 5 messages]}`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Call = list[str]  # [key, event_id, token]


async def offer(job: dict[str, Any]) -> dict[str, Any]:
    import grpc
    from evently.events.v1 import event_service_pb2, event_service_pb2_grpc

    from bench.baselines.pipeline_server import FULL_METHOD

    channel = grpc.aio.insecure_channel(job["addr"])
    await channel.channel_ready()
    if job["kind"] == "register":
        stub = event_service_pb2_grpc.EventServiceStub(channel)

        def call_of(item: Call) -> Callable[[], Awaitable[object]]:
            request = event_service_pb2.RegisterForEventRequest(event_id=item[1])
            metadata = (("authorization", f"Bearer {item[2]}"),)
            return lambda: stub.RegisterForEvent(request, metadata=metadata, timeout=60)
    else:
        bare = channel.unary_unary(FULL_METHOD)

        def call_of(item: Call) -> Callable[[], Awaitable[object]]:
            return lambda: bare(item[0].encode(), timeout=60)

    calls = [(item[0], call_of(item)) for item in job["calls"]]
    sent: dict[str, float] = {}
    answered: dict[str, float] = {}
    errors: list[str] = []
    failed: list[str] = []

    async def one(key: str, call: Callable[[], Awaitable[object]]) -> None:
        sent[key] = time.monotonic()
        try:
            await call()
            answered[key] = time.monotonic()
        except grpc.aio.AioRpcError as exc:
            failed.append(key)
            if len(errors) < 5:
                errors.append(f"{exc.code().name}: {exc.details()}")

    rate, total = float(job["rate"]), min(len(calls), int(job["rate"] * job["seconds"]))
    tasks = []
    begin = time.monotonic()
    for index in range(total):
        delay = begin + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(*calls[index])))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - begin
    await channel.close()
    return {"sent": sent, "answered": answered, "failed": failed, "elapsed": elapsed, "errors": errors}


@dataclass
class Offered:
    sent: dict[str, float]
    answered: dict[str, float]
    failed: list[str]
    elapsed: float
    errors: list[str]
    pid: int


async def run_load(work_dir: Path, job: dict[str, Any]) -> Offered:
    """Runs one job in a load generator process and reads what it did."""
    job_file, result_file = work_dir / "job.json", work_dir / "result.json"

    def write_job() -> None:
        work_dir.mkdir(parents=True, exist_ok=True)
        job_file.write_text(json.dumps(job))

    await asyncio.to_thread(write_job)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.loadgen",
        str(job_file),
        str(result_file),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    if await process.wait() != 0:
        raise RuntimeError(f"the load generator failed (exit {process.returncode})")
    result = json.loads(await asyncio.to_thread(result_file.read_text))
    return Offered(
        result["sent"], result["answered"], result["failed"], result["elapsed"], result["errors"], process.pid
    )


def main(job_path: str, result_path: str) -> None:
    job = json.loads(Path(job_path).read_text())
    result = asyncio.run(offer(job))  # grpc.aio does its I/O in its own threads: uvloop adds little
    Path(result_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
