"""Scenario 3: end to end — RegisterForEvent offered at a fixed rate (100, 200, 500 and 1,000 a
second for the measured time each) until the organizer's webhook receiver has every delivery.
Figures: the latency from the call to the webhook's arrival (p50, p90, p99) and to the call's
answer, the highest rate sustained without a growing backlog, and what arrived late or never;
beside the same flow written bare (gRPC handler → insert → publish → pull consumer → HTTP
POST). Also each process's RSS before and after.

The load generator and the webhook receiver run in processes of their own (bench/loadgen.py,
bench/receiver.py), so the measured processes are not slowed by the harness sharing their loop.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2

from bench.context import Context, create_events, sign_in
from bench.loadgen import run_load
from bench.measure import CpuMeter, Sample, rss_bytes
from bench.processes import bare_db_url, baseline_server, evently
from bench.receiver import Receiver
from bench.report import Row, Target, cpu_rows, row

RATES = (100, 200, 500, 1000)
ATTENDEES = 40  # each registers once per event: RATES x seconds registrations need events
DRAIN_LIMIT = 2.0  # seconds after the last call by which every delivery must have arrived
BACKLOG_STALL = 30.0  # after the patience, wait for the backlog until it makes no progress this long
MB = 1024 * 1024
OFFERED_SECONDS = 10.0  # per rate, as the issue fixes it (a smoke run uses its own short time)
# Before the first measured rate: 2 s at 50/s, unmeasured, so that the first rate's CPU figures
# are not the processes' warm-up (lazy imports, statement caches, first connections).
WARM_UP_RATE, WARM_UP_SECONDS = 50, 2.0


@dataclass
class Step:
    """What one offered rate came to."""

    sample: Sample  # latencies of every delivery that arrived, late ones included
    answers: Sample  # latencies of the calls' answers: what of the delivery's the call itself took
    drain: float  # seconds from the last call to the last arrival
    sustained: bool
    late: int  # arrived, but after the scenario's patience
    lost: int  # accepted by the service, never reached the webhook
    failed: int  # calls that returned an error
    duplicates: int


async def _offer(
    work_dir: Path, job: dict[str, Any], receiver: Receiver, expected_before: int, seconds: float
) -> Step:
    offered = await run_load(work_dir, job)
    accepted = set(offered.sent) - set(offered.failed)
    last_call = max(offered.sent.values(), default=time.monotonic())
    patience = max(30.0, seconds * 3)
    expected = expected_before + len(accepted)
    remaining = max(0.0, last_call + patience - time.monotonic())
    in_time = await receiver.wait_for_count(expected, timeout=remaining)
    if not in_time:  # drain the backlog: what still comes is late, what never does is lost
        await receiver.wait_for_count(expected, timeout=600.0, stall=BACKLOG_STALL)
    arrived, duplicates = await receiver.arrivals()
    mine = {key: arrived[key] for key in accepted if key in arrived}
    latencies = [mine[key] - offered.sent[key] for key in mine]
    drain = max(0.0, max(mine.values(), default=last_call) - last_call)
    late = sum(1 for at in mine.values() if at > last_call + patience)
    failed = len(offered.failed)
    if offered.errors:
        print(f"  {job['kind']} {job['rate']}/s: {failed} calls failed, e.g. {offered.errors[0]}")
    sample = Sample(len(mine), offered.elapsed, latencies, failed)
    sustained = failed == 0 and len(mine) == len(accepted) and drain <= DRAIN_LIMIT
    answers = Sample(
        len(offered.answered),
        offered.elapsed,
        [at - offered.sent[key] for key, at in offered.answered.items()],
    )
    return Step(sample, answers, drain, sustained, late, len(accepted) - len(mine), failed, duplicates)


async def run(ctx: Context) -> list[Row]:
    if not ctx.smoke:
        ctx = replace(ctx, seconds=max(ctx.seconds, OFFERED_SECONDS))
    rates = ctx.levels(RATES)
    rows: list[Row] = []
    ours: dict[int, Step] = {}
    cpu: dict[int, dict[str, float]] = {}
    async with Receiver("ours") as receiver:
        with evently(ctx.work_dir / "evently") as system:
            rss_before = {name: rss_bytes(pid) / MB for name, pid in system.pids.items()}
            _, organizer = await sign_in(system.addrs["users"])
            async with grpc.aio.insecure_channel(system.addrs["notifier"]) as channel:
                await notifier_service_pb2_grpc.NotifierServiceStub(channel).CreateSubscription(
                    notifier_service_pb2.CreateSubscriptionRequest(
                        subscription=subscription_pb2.Subscription(
                            url=receiver.url, event_types=["evently.registration.created"]
                        )
                    ),
                    metadata=organizer,
                )
            attendees = [await sign_in(system.addrs["users"]) for _ in range(ATTENDEES)]
            meter = CpuMeter(system.pids)
            expected = 0
            if not ctx.smoke:
                events = await create_events(system.addrs["events"], organizer, 5)
                calls = [
                    [f"{event_id}/{user_id}", event_id, auth[0][1].removeprefix("Bearer ")]
                    for event_id, (user_id, auth) in itertools.product(events, attendees)
                ]
                job = {"addr": system.addrs["events"], "kind": "register", "rate": WARM_UP_RATE}
                job |= {"seconds": WARM_UP_SECONDS, "calls": calls}
                warm = await _offer(ctx.work_dir / "ours-warm-up", job, receiver, 0, WARM_UP_SECONDS)
                expected += warm.sample.operations
            for rate in rates:
                events = await create_events(
                    system.addrs["events"], organizer, int(rate * ctx.seconds) // ATTENDEES + 1
                )
                calls = [
                    [f"{event_id}/{user_id}", event_id, auth[0][1].removeprefix("Bearer ")]
                    for event_id, (user_id, auth) in itertools.product(events, attendees)
                ]
                job = {"addr": system.addrs["events"], "kind": "register", "rate": rate}
                job |= {"seconds": ctx.seconds, "calls": calls}
                meter.start()
                ours[rate] = await _offer(ctx.work_dir / f"ours-{rate}", job, receiver, expected, ctx.seconds)
                meter.stop()
                expected += ours[rate].sample.operations
                cpu[rate] = meter.per_operation(ours[rate].sample.operations)
            for name, pid in system.pids.items():
                after = rss_bytes(pid) / MB
                rss_target = Target("ours", at_most=150)
                rows.append(row("e2e", f"RSS after {name}", "MB", after, rss_before[name], rss_target))
            bare = await _bare(ctx, rates, system.nats_url, bare_db_url(system, "bare-pipeline.db"))
    ours_best = bare_best = 0
    for rate in rates:
        rows += _rows(f"e2e {rate}/s", ours[rate], bare[rate], rate)
        rows += cpu_rows(f"e2e {rate}/s", cpu[rate])
        ours_best = rate if ours[rate].sustained else ours_best
        bare_best = rate if bare[rate].sustained else bare_best
    rows.append(
        row("e2e", "highest sustained rate", "reg/s", ours_best, bare_best or None, Target("ratio", 0.5))
    )
    rows.append(row("e2e", "lost (all rates)", "count", sum(s.lost for s in ours.values()), None))
    return rows


async def _bare(ctx: Context, rates: tuple[int, ...], nats_url: str, db_url: str) -> dict[int, Step]:
    results = {}
    expected = 0
    async with Receiver("bare") as receiver:
        with baseline_server("pipeline_server", db_url, nats_url, receiver.url) as bare:
            if not ctx.smoke:
                keys = [f"warm-{n}" for n in range(int(WARM_UP_RATE * WARM_UP_SECONDS) + 1)]
                job = {"addr": bare.addrs["pipeline_server"], "kind": "bare", "rate": WARM_UP_RATE}
                job |= {"seconds": WARM_UP_SECONDS, "calls": [[key, "", ""] for key in keys]}
                warm = await _offer(ctx.work_dir / "bare-warm-up", job, receiver, 0, WARM_UP_SECONDS)
                expected += warm.sample.operations
            for rate in rates:
                keys = [f"{rate}-{n}" for n in range(int(rate * ctx.seconds) + 1)]
                job = {"addr": bare.addrs["pipeline_server"], "kind": "bare", "rate": rate}
                job |= {"seconds": ctx.seconds, "calls": [[key, "", ""] for key in keys]}
                step = await _offer(ctx.work_dir / f"bare-{rate}", job, receiver, expected, ctx.seconds)
                expected += step.sample.operations
                results[rate] = step
    return results


FRACTIONS = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def _percentiles(
    scenario: str,
    what: str,
    ours: Sample,
    bare: Sample,
    names: tuple[str, ...],
    targets: dict[str, Target] | None = None,
) -> list[Row]:
    """Latency rows in ms, ours beside the bare pipeline's."""
    return [
        row(
            scenario,
            f"{what} {name}",
            "ms",
            ours.p(FRACTIONS[name]) * 1000,
            bare.p(FRACTIONS[name]) * 1000,
            (targets or {}).get(name),
        )
        for name in names
    ]


def _rows(scenario: str, ours: Step, bare: Step, rate: int) -> list[Row]:
    targets = {"p50": Target("ours", at_most=15), "p99": Target("ours", at_most=50)} if rate == 100 else {}
    rows = [row(scenario, "delivered", "ops/s", ours.sample.throughput, bare.sample.throughput)]
    rows += _percentiles(scenario, "call→webhook", ours.sample, bare.sample, ("p50", "p90", "p99"), targets)
    rows += _percentiles(scenario, "call answered", ours.answers, bare.answers, ("p50", "p99"))
    rows.append(row(scenario, "drain after last call", "s", ours.drain, bare.drain))
    rows.append(row(scenario, "late (after the patience)", "count", ours.late, bare.late))
    rows.append(row(scenario, "lost", "count", ours.lost, bare.lost, Target("ours", at_most=0)))
    if ours.failed or bare.failed:
        rows.append(row(scenario, "failed calls", "count", ours.failed, bare.failed))
    if ours.duplicates:
        rows.append(row(scenario, "duplicate deliveries", "count", ours.duplicates, bare.duplicates))
    return rows
