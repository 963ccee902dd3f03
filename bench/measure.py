"""How a figure is measured: latencies and their percentiles, closed-loop load at a fixed number
of requests in flight, open-loop load at a fixed offered rate, and what each process spent (CPU
time, peak resident memory) while it ran."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

Operation = Callable[[], Awaitable[object]]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class Sample:
    """What one load run saw: operations done, wall time, each latency (seconds), failures."""

    operations: int
    elapsed: float
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def throughput(self) -> float:
        return self.operations / self.elapsed if self.elapsed else 0.0

    def p(self, fraction: float) -> float:
        return percentile(sorted(self.latencies), fraction)


async def closed_loop(operation: Operation, *, in_flight: int, seconds: float, warmup: float = 0.5) -> Sample:
    """`in_flight` workers, each calling `operation` again as soon as its last call returns."""
    latencies: list[float] = []
    failures = 0
    measuring = False
    done = 0
    last_error: Exception | None = None

    async def worker(stop_at: float) -> None:
        nonlocal failures, done, last_error
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                await operation()
            except Exception as exc:
                failures += measuring
                last_error = exc
                continue
            if measuring:
                latencies.append(time.perf_counter() - started)
                done += 1

    warm_end = time.perf_counter() + warmup
    await asyncio.gather(*(worker(warm_end) for _ in range(in_flight)))
    measuring = True
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + seconds) for _ in range(in_flight)))
    if done == 0 and last_error is not None:
        raise RuntimeError(f"every call failed; the last with: {last_error!r}") from last_error
    return Sample(done, time.perf_counter() - started, latencies, failures)


async def open_loop(operation: Operation, *, rate: float, seconds: float) -> Sample:
    """Starts `operation` `rate` times a second on schedule, whether or not earlier calls have
    returned (so a slow system builds a backlog instead of slowing the offered load)."""
    latencies: list[float] = []
    failures = 0
    tasks: list[asyncio.Task[None]] = []

    async def one() -> None:
        nonlocal failures
        started = time.perf_counter()
        try:
            await operation()
        except Exception:
            failures += 1
            return
        latencies.append(time.perf_counter() - started)

    begin = time.perf_counter()
    total = int(rate * seconds)
    for index in range(total):
        due = begin + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return Sample(len(latencies), time.perf_counter() - begin, latencies, failures)


def peak_rss_bytes(pid: int) -> int:
    """The process's resident-set high-water mark (Linux VmHWM), or its current RSS elsewhere."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return rss_bytes(pid)


def rss_bytes(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


class CpuMeter:
    """CPU seconds (user + system) each named process spends between `start()` and `stop()`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._before: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        now = {}
        for name, process in self._processes.items():
            times = process.cpu_times()
            now[name] = times.user + times.system
        return now

    def start(self) -> None:
        self._before = self._now()

    def stop(self) -> dict[str, float]:
        after = self._now()
        self.spent = {name: after[name] - self._before[name] for name in after}
        return self.spent

    def per_operation(self, operations: int) -> dict[str, float]:
        return {name: spent / operations if operations else 0.0 for name, spent in self.spent.items()}
