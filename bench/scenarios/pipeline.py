"""Scenario 3: end to end — RegisterForEvent offered at a fixed rate (100, 200, 500 a second for
the measured time each) until the organizer's webhook receiver has every delivery. Figures: the
latency from the call to the webhook's arrival (p50, p90, p99) and the highest rate sustained
without a growing backlog; beside the same flow written bare (gRPC handler → insert → publish →
pull consumer → HTTP POST). Also each process's RSS before and after (no growth beyond noise)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import grpc
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2

from bench.baselines import pipeline_server
from bench.context import Context, create_event, sign_in
from bench.measure import CpuMeter, Sample, open_loop, rss_bytes
from bench.processes import bare_db_url, baseline_server, evently
from bench.receiver import Receiver
from bench.report import Row, Target, cpu_rows, row

RATES = (100, 200, 500)
ATTENDEES = 40  # each registers once per event: RATES x seconds registrations need events
DRAIN_LIMIT = 2.0  # seconds after the last call by which every delivery must have arrived
MB = 1024 * 1024


def _our_key(body: dict[str, Any]) -> str:
    registration = body["data"]["registration"]
    return f"{registration['eventId']}/{registration['userId']}"


def _bare_key(body: dict[str, Any]) -> str:
    return str(body["key"])


async def _offer(
    rate: int, seconds: float, calls: list[tuple[str, Any]], receiver: Receiver
) -> tuple[Sample, float, bool]:
    """Offers `calls` (key, coroutine factory) at `rate`; latency runs to the webhook's arrival."""
    sent: dict[str, float] = {}
    pending = iter(calls)

    async def one() -> None:
        key, call = next(pending)
        sent[key] = time.perf_counter()
        await call()

    calling = await open_loop(one, rate=rate, seconds=seconds)
    ended = time.perf_counter()
    patience = max(30.0, seconds * 3)
    complete = await receiver.wait_for(set(sent), timeout=patience)
    arrived = [receiver.arrived[k] for k in sent if k in receiver.arrived]
    # Cut off at our patience when deliveries are still missing (they count as lost or failed).
    drain = max(0.0, max(arrived) - ended) if complete else patience
    latencies = [receiver.arrived[k] - sent[k] for k in sent if k in receiver.arrived]
    sample = Sample(len(latencies), calling.elapsed, latencies, calling.failures + len(sent) - len(latencies))
    sustained = complete and calling.failures == 0 and drain <= DRAIN_LIMIT
    return sample, drain, sustained


OFFERED_SECONDS = 10.0  # per rate, as the issue fixes it (a smoke run uses its own short time)


async def run(ctx: Context) -> list[Row]:
    if not ctx.smoke:
        ctx = Context(max(ctx.seconds, OFFERED_SECONDS), ctx.work_dir, ctx.smoke)
    rates = ctx.levels(RATES)
    needed = int(max(rates) * ctx.seconds) + 1
    rows: list[Row] = []
    ours_best = bare_best = 0
    ours_runs: dict[int, tuple[Sample, float, bool]] = {}
    cpu: dict[int, dict[str, float]] = {}
    async with Receiver(_our_key) as receiver:
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
            events_needed = needed // ATTENDEES + 1
            event_ids = [
                await create_event(system.addrs["events"], organizer)
                for _ in range(events_needed * len(rates))
            ]
            channel = grpc.aio.insecure_channel(system.addrs["events"])
            stub = event_service_pb2_grpc.EventServiceStub(channel)
            meter = CpuMeter(system.pids)
            for index, rate in enumerate(rates):
                own_events = event_ids[index * events_needed : (index + 1) * events_needed]
                calls = [
                    (
                        f"{event_id}/{user_id}",
                        lambda e=event_id, a=auth: stub.RegisterForEvent(
                            event_service_pb2.RegisterForEventRequest(event_id=e), metadata=a
                        ),
                    )
                    for event_id, (user_id, auth) in itertools.product(own_events, attendees)
                ]
                meter.start()
                ours_runs[rate] = await _offer(rate, ctx.seconds, calls, receiver)
                meter.stop()
                cpu[rate] = meter.per_operation(ours_runs[rate][0].operations)
            await channel.close()
            await asyncio.sleep(0.5)
            for name, pid in system.pids.items():
                after = rss_bytes(pid) / MB
                rows.append(row("e2e", f"RSS after {name}", "MB", after, rss_before[name]))
            bare = await _bare(ctx, rates, system.nats_url, bare_db_url(system, "bare-pipeline.db"))
    for rate in rates:
        (sample, drain, sustained), (bare_sample, bare_drain, bare_sustained) = ours_runs[rate], bare[rate]
        rows += _rows(f"e2e {rate}/s", sample, drain, bare_sample, bare_drain, rate)
        rows += cpu_rows(f"e2e {rate}/s", cpu[rate])
        ours_best = rate if sustained else ours_best
        bare_best = rate if bare_sustained else bare_best
    rows.append(
        row("e2e", "highest sustained rate", "reg/s", ours_best, bare_best or None, Target("ratio", 0.5))
    )
    return rows


async def _bare(
    ctx: Context, rates: tuple[int, ...], nats_url: str, db_url: str
) -> dict[int, tuple[Sample, float, bool]]:
    results = {}
    async with Receiver(_bare_key) as receiver:
        with baseline_server("pipeline_server", db_url, nats_url, receiver.url) as bare:
            async with grpc.aio.insecure_channel(bare.addrs["pipeline_server"]) as channel:
                register = channel.unary_unary(pipeline_server.FULL_METHOD)
                for rate in rates:
                    keys = [f"{rate}-{n}" for n in range(int(rate * ctx.seconds) + 1)]
                    calls = [(k, lambda k=k: register(k.encode())) for k in keys]
                    results[rate] = await _offer(rate, ctx.seconds, calls, receiver)
    return results


def _rows(scenario: str, ours: Sample, drain: float, bare: Sample, bare_drain: float, rate: int) -> list[Row]:
    targets = {"p50": Target("ours", at_most=10), "p99": Target("ours", at_most=50)} if rate == 200 else {}
    rows = [row(scenario, "delivered", "ops/s", ours.throughput, bare.throughput)]
    for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        rows.append(
            row(
                scenario,
                f"call→webhook {name}",
                "ms",
                ours.p(fraction) * 1000,
                bare.p(fraction) * 1000,
                targets.get(name),
            )
        )
    rows.append(row(scenario, "drain after last call", "s", drain, bare_drain))
    if ours.failures:
        rows.append(row(scenario, "lost or failed", "count", ours.failures))
    return rows
